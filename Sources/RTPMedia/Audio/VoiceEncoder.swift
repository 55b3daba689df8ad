import COpus
import CSpanDSP

/// Encodes 20 ms frames of PCM at its codec's ``VoiceCodec/sampleRate`` into RTP payloads.
///
/// Owns the C library's state (Opus or spandsp's G.722), freed with the encoder. Not thread-safe:
/// one encoder serves one stream, from one thread at a time.
public final class VoiceEncoder {
    /// The codec.
    public let codec: VoiceCodec

    private enum Backend {
        case opus(OpaquePointer)
        case g722(OpaquePointer)
        case g711(AudioCodec)
    }

    private let backend: Backend

    /// Opus's target bitrate, bit/s: wideband speech with room for in-band FEC.
    static let opusBitrate: Int32 = 32000
    /// The loss rate Opus plans its in-band FEC for, in percent.
    static let opusExpectedLossPercent: Int32 = 5
    /// The largest Opus packet (RFC 6716 section 3.4).
    static let opusMaximumPacket = 1275

    init(codec: VoiceCodec) throws(VoiceCodecError) {
        self.codec = codec
        switch codec {
        case .opus:
            var error: Int32 = OPUS_OK
            guard let encoder = opus_encoder_create(48000, 1, OPUS_APPLICATION_VOIP, &error), error == OPUS_OK else {
                throw .creationFailed(library: "Opus encoder", reason: String(cString: opus_strerror(error)))
            }
            copus_set_bitrate(encoder, Self.opusBitrate)
            copus_set_inband_fec(encoder, 1)
            copus_set_packet_loss_perc(encoder, Self.opusExpectedLossPercent)
            copus_set_signal_voice(encoder)
            backend = .opus(encoder)
        case .g722:
            guard let encoder = g722_encode_init(nil, 64000, 0) else {
                throw .creationFailed(library: "G.722 encoder", reason: "spandsp returned no state")
            }
            backend = .g722(encoder)
        case .pcmu, .pcma:
            backend = .g711(codec.g711 ?? .pcmu)
        }
    }

    deinit {
        switch backend {
        case .opus(let encoder): opus_encoder_destroy(encoder)
        case .g722(let encoder): g722_encode_free(encoder)
        case .g711: break
        }
    }

    /// Encodes one frame. `pcm` is padded with silence or cut to ``VoiceCodec/samplesPerFrame``.
    /// Returns an empty payload only if the library fails, which it does not for valid input.
    public func encode(_ pcm: [Int16]) -> [UInt8] {
        let frame = Self.fitted(pcm, to: codec.samplesPerFrame)
        switch backend {
        case .opus(let encoder):
            var out = [UInt8](repeating: 0, count: Self.opusMaximumPacket)
            let count = frame.withUnsafeBufferPointer { input in
                out.withUnsafeMutableBufferPointer { output -> Int32 in
                    guard let pcm = input.baseAddress, let data = output.baseAddress else { return -1 }
                    return opus_encode(encoder, pcm, Int32(input.count), data, Int32(output.count))
                }
            }
            guard count > 0 else { return [] }
            return Array(out.prefix(Int(count)))
        case .g722(let encoder):
            // 4 bits per 16 kHz sample: one octet per two samples.
            var out = [UInt8](repeating: 0, count: frame.count / 2)
            let count = frame.withUnsafeBufferPointer { input in
                out.withUnsafeMutableBufferPointer { output in
                    g722_encode(encoder, output.baseAddress, input.baseAddress, Int32(input.count))
                }
            }
            return Array(out.prefix(max(0, Int(count))))
        case .g711(let law):
            return law.encode(frame)
        }
    }

    /// `samples` cut or padded with zeros to exactly `count`.
    static func fitted(_ samples: [Int16], to count: Int) -> [Int16] {
        if samples.count == count { return samples }
        if samples.count > count { return Array(samples.prefix(count)) }
        return samples + [Int16](repeating: 0, count: count - samples.count)
    }
}
