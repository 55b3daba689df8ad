/// The `fmt ` and `data` chunks of a RIFF/WAVE file, found by walking its chunk list.
struct RIFFChunks {
    /// The body of the `fmt ` chunk.
    var format: ArraySlice<UInt8>
    /// The body of the `data` chunk.
    var data: ArraySlice<UInt8>

    /// A `data` size some streaming writers leave when they cannot seek back: "until the end".
    private static let unknownSize = Int(UInt32.max)

    /// Walks the chunks of `file` until both `fmt ` and `data` are found.
    ///
    /// The RIFF size field is ignored (writers often get it wrong); each chunk's own size is
    /// checked against the octets actually present. Chunks after the two we need are not read,
    /// so trailing metadata cannot make a playable file fail.
    init(file: ArraySlice<UInt8>) throws(WAVError) {
        guard file.count >= 12 else {
            if file.hasTag("RIFF", at: file.startIndex) { throw .truncated("RIFF header") }
            throw .notWAV
        }
        guard file.hasTag("RIFF", at: file.startIndex), file.hasTag("WAVE", at: file.startIndex + 8) else {
            throw .notWAV
        }
        var format: ArraySlice<UInt8>?
        var data: ArraySlice<UInt8>?
        var offset = file.startIndex + 12
        while format == nil || data == nil {
            let remaining = file.endIndex - offset
            if remaining == 0 { break }
            guard remaining >= 8 else { throw .truncated("chunk header at offset \(offset - file.startIndex)") }
            let id = String(decoding: file[offset..<offset + 4], as: UTF8.self)
            var size = Int(file.littleEndianUInt32(at: offset + 4))
            let body = offset + 8
            if id == "data" && size == Self.unknownSize { size = file.endIndex - body }
            guard size <= file.endIndex - body else {
                throw .truncated("'\(id)' chunk declares \(size) octets, \(file.endIndex - body) present")
            }
            switch id {
            case "fmt ": format = format ?? file[body..<body + size]
            case "data": data = data ?? file[body..<body + size]
            default: break
            }
            // Chunks are padded to an even length; a missing pad octet at the very end is tolerated.
            offset = min(body + size + (size & 1), file.endIndex)
        }
        guard let format else { throw .missingChunk("fmt ") }
        guard let data else { throw .missingChunk("data") }
        self.format = format
        self.data = data
    }
}
