extension WAVFormat {
    /// Decodes interleaved frames to mono 16-bit samples by averaging the channels.
    /// A partial frame at the end is ignored.
    func decodeMono(_ data: ArraySlice<UInt8>) -> [Int16] {
        let frameSize = bytesPerFrame
        let frames = data.count / frameSize
        var mono: [Int16] = []
        mono.reserveCapacity(frames)
        var offset = data.startIndex
        for _ in 0..<frames {
            var sum = 0
            for _ in 0..<channels {
                sum += Int(decodeSample(data, at: offset))
                offset += bytesPerSample
            }
            mono.append(Int16(sum / channels))
        }
        return mono
    }

    /// One sample of one channel as 16-bit linear PCM; wider PCM keeps its top 16 bits.
    private func decodeSample(_ data: ArraySlice<UInt8>, at offset: Int) -> Int16 {
        switch encoding {
        case .muLaw:
            return G711.decodeMuLaw(data[offset])
        case .aLaw:
            return G711.decodeALaw(data[offset])
        case .pcm where bytesPerSample == 1:
            // 8-bit WAV is unsigned with 128 as zero.
            return Int16(Int(data[offset]) - 128) << 8
        case .pcm:
            let top = offset + bytesPerSample - 2
            return Int16(bitPattern: data.littleEndianUInt16(at: top))
        }
    }
}
