/// Builds RIFF/WAVE files in memory for the tests.
struct WAVBuilder {
    var formatTag: UInt16 = 1
    var channels: UInt16 = 1
    var sampleRate: UInt32 = 8000
    var bitsPerSample: UInt16 = 16
    /// Chunks written before `fmt `, e.g. a LIST chunk.
    var leadingChunks: [(id: String, body: [UInt8])] = []
    var data: [UInt8] = []
    /// Overrides the size written in the `data` chunk header.
    var declaredDataSize: UInt32?
    /// Writes WAVE_FORMAT_EXTENSIBLE with `formatTag` as the sub-format.
    var extensible = false

    /// 16-bit little-endian PCM data from samples.
    static func pcm16(_ samples: [Int16]) -> [UInt8] {
        samples.flatMap { [UInt8(truncatingIfNeeded: $0), UInt8(truncatingIfNeeded: $0 >> 8)] }
    }

    var bytes: [UInt8] {
        let blockAlign = channels * ((bitsPerSample + 7) / 8)
        var format: [UInt8] = []
        format.appendLE(extensible ? 0xFFFE : formatTag)
        format.appendLE(channels)
        format.appendLE(sampleRate)
        format.appendLE(sampleRate * UInt32(blockAlign))
        format.appendLE(blockAlign)
        format.appendLE(bitsPerSample)
        if extensible {
            format.appendLE(UInt16(22))  // cbSize
            format.appendLE(bitsPerSample)  // valid bits
            format.appendLE(UInt32(0))  // channel mask
            format.appendLE(formatTag)  // sub-format GUID, first two octets
            format += [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71]
        }
        var body: [UInt8] = Array("WAVE".utf8)
        for chunk in leadingChunks {
            body.appendChunk(chunk.id, chunk.body)
        }
        body.appendChunk("fmt ", format)
        body.appendChunk("data", data, declaredSize: declaredDataSize)
        var file: [UInt8] = Array("RIFF".utf8)
        file.appendLE(UInt32(body.count))
        return file + body
    }
}

extension Array where Element == UInt8 {
    mutating func appendLE<T: FixedWidthInteger>(_ value: T) {
        for shift in stride(from: 0, to: T.bitWidth, by: 8) {
            append(UInt8(truncatingIfNeeded: value >> shift))
        }
    }

    mutating func appendChunk(_ id: String, _ body: [UInt8], declaredSize: UInt32? = nil) {
        append(contentsOf: id.utf8)
        appendLE(declaredSize ?? UInt32(body.count))
        append(contentsOf: body)
        if body.count % 2 == 1 { append(0) }
    }
}
