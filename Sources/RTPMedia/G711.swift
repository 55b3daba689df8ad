/// ITU-T G.711 companding: 16-bit linear PCM to and from 8-bit µ-law (PCMU) and A-law (PCMA).
///
/// Encoding follows the segment tables of the Recommendation: µ-law works on the 14 most
/// significant bits with a bias of 33 (132 on the 16-bit scale) and clips at ±32635; A-law works
/// on the 13 most significant bits. Negative samples are coded from their one's complement, as in
/// the ITU-T G.191 reference implementation. Both invert bits on the wire as G.711 specifies, so digital
/// silence (sample 0) encodes to `0xFF` in µ-law and `0xD5` in A-law.
///
/// Decoding returns the middle of each quantisation interval, scaled to 16 bits.
public enum G711 {
    /// The 16-bit bias µ-law adds before finding the segment.
    private static let muLawBias: Int32 = 0x84
    /// The largest magnitude µ-law can represent once biased without overflowing segment 7.
    private static let muLawClip: Int32 = 32635

    /// Encodes one linear sample as a µ-law code.
    public static func encodeMuLaw(_ sample: Int16) -> UInt8 {
        // Like the ITU-T G.191 reference, negative samples use their one's complement, so that
        // -1 is silence too and -32768 needs no special case.
        let sign: Int32 = sample < 0 ? 0x80 : 0x00
        let magnitude = min(Int32(sample < 0 ? ~sample : sample), muLawClip) + muLawBias
        // The segment is the position of the highest set bit above bit 7 (0...7).
        let exponent = segment(of: magnitude >> 7)
        let mantissa = (magnitude >> (exponent + 3)) & 0x0F
        return ~UInt8(truncatingIfNeeded: sign | (exponent << 4) | mantissa)
    }

    /// Decodes one µ-law code to a linear sample.
    public static func decodeMuLaw(_ code: UInt8) -> Int16 {
        let value = Int32(~code)
        let exponent = (value >> 4) & 0x07
        let mantissa = value & 0x0F
        let magnitude = (((mantissa << 3) + muLawBias) << exponent) - muLawBias
        return Int16(value & 0x80 != 0 ? -magnitude : magnitude)
    }

    /// Encodes one linear sample as an A-law code.
    public static func encodeALaw(_ sample: Int16) -> UInt8 {
        // A-law quantises 13-bit values; negative values are stored as their one's complement.
        var value = Int32(sample) >> 3
        let mask: Int32
        if value >= 0 {
            mask = 0xD5
        } else {
            mask = 0x55
            value = -value - 1
        }
        let seg = segment(of: value >> 4)
        let code = (seg << 4) | ((value >> max(seg, 1)) & 0x0F)
        return UInt8(truncatingIfNeeded: code ^ mask)
    }

    /// Decodes one A-law code to a linear sample.
    public static func decodeALaw(_ code: UInt8) -> Int16 {
        let value = Int32(code ^ 0x55)
        let seg = (value >> 4) & 0x07
        var magnitude = (value & 0x0F) << 4
        switch seg {
        case 0: magnitude += 0x08
        case 1: magnitude += 0x108
        default: magnitude = (magnitude + 0x108) << (seg - 1)
        }
        return Int16(value & 0x80 != 0 ? magnitude : -magnitude)
    }

    /// The G.711 segment (0...7) of a magnitude already shifted so that segment 0 is 0...1:
    /// the position of its highest set bit, or 0.
    ///
    /// µ-law passes the biased magnitude shifted right by 7, A-law the 13-bit magnitude shifted
    /// right by 4; both are at most 255, so the result never exceeds 7.
    private static func segment(of value: Int32) -> Int32 {
        max(0, Int32(Int32.bitWidth - value.leadingZeroBitCount) - 1)
    }
}
