/// Writes messages in canonical form: `Name: value` lines ending in CRLF, known headers with
/// their conventional spelling (compact forms expanded), extension headers as received, and
/// exactly one Content-Length computed from the body.
public enum SIPSerializer {
    /// Serialises a start line, headers and body. Any Content-Length in `headers` is replaced.
    public static func serialize(startLine: String, headers: SIPHeaders, body: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(startLine.utf8.count + headers.count * 48 + body.count + 32)
        out.append(contentsOf: startLine.utf8)
        out.append(0x0D); out.append(0x0A)
        for f in headers.fields where f.key != .contentLength {
            let name = f.key.id != 0 ? KnownHeaders.spellings[Int(f.key.id) - 1] : f.name
            out.append(contentsOf: name.utf8)
            out.append(UInt8(ascii: ":")); out.append(UInt8(ascii: " "))
            // Never emit a bare CR or LF inside a value: that would inject header lines.
            for b in f.value.utf8 { out.append(b == 0x0D || b == 0x0A ? 0x20 : b) }
            out.append(0x0D); out.append(0x0A)
        }
        out.append(contentsOf: "Content-Length: ".utf8)
        out.append(contentsOf: String(body.count).utf8)
        out.append(contentsOf: [0x0D, 0x0A, 0x0D, 0x0A])
        out.append(contentsOf: body)
        return out
    }
}
