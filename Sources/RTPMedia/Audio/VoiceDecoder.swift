import COpus
import CSpanDSP

/// Decodes RTP payloads into PCM at its codec's ``VoiceCodec/sampleRate`` and conceals lost frames.
///
/// Opus conceals with its own decoder (and can recover a lost frame from the next packet's in-band
/// FEC); G.722 and G.711 with spandsp's packet loss concealer, which keeps a pitch history of what
/// was decoded. A malformed payload decodes to one frame of silence; nothing here traps on input.
/// Owns the C state; not thread-safe.
public final class VoiceDecoder {
    /// The codec.
    public let codec: VoiceCodec

    private enum Backend {
        case opus(OpaquePointer)
        case g722(OpaquePointer, PacketLossConcealer)
        case g711(AudioCodec, PacketLossConcealer)
    }

    private let backend: Backend

    /// The most samples one Opus packet decodes to: 120 ms at 48 kHz (RFC 6716 section 3.2.5).
    static let opusMaximumSamples = 5760
    /// The longest G.711 or G.722 payload decoded, in octets (120 ms); the rest is ignored.
    static let maximumPayload = 1920

    init(codec: VoiceCodec) throws(VoiceCodecError) {
        self.codec = codec
        switch codec {
        case .opus:
            var error: Int32 = OPUS_OK
            guard let decoder = opus_decoder_create(48000, 1, &error), error == OPUS_OK else {
                throw .creationFailed(library: "Opus decoder", reason: String(cString: opus_strerror(error)))
            }
            backend = .opus(decoder)
        case .g722:
            guard let decoder = g722_decode_init(nil, 64000, 0) else {
                throw .creationFailed(library: "G.722 decoder", reason: "spandsp returned no state")
            }
            backend = .g722(decoder, try PacketLossConcealer())
        case .pcmu, .pcma:
            backend = .g711(codec.g711 ?? .pcmu, try PacketLossConcealer())
        }
    }

    deinit {
        switch backend {
        case .opus(let decoder): opus_decoder_destroy(decoder)
        case .g722(let decoder, _): g722_decode_free(decoder)
        case .g711: break
        }
    }

    private var silentFrame: [Int16] { [Int16](repeating: 0, count: codec.samplesPerFrame) }

    /// Decodes one payload; a malformed or empty one gives one frame of silence.
    public func decode(_ payload: [UInt8]) -> [Int16] {
        guard !payload.isEmpty else { return silentFrame }
        switch backend {
        case .opus(let decoder):
            return opusDecode(decoder, payload, fec: false) ?? silentFrame
        case .g722(let decoder, let concealer):
            let data = Array(payload.prefix(Self.maximumPayload))
            var pcm = [Int16](repeating: 0, count: data.count * 2)
            let count = data.withUnsafeBufferPointer { input in
                pcm.withUnsafeMutableBufferPointer { output in
                    g722_decode(decoder, output.baseAddress, input.baseAddress, Int32(input.count))
                }
            }
            guard count > 0 else { return silentFrame }
            pcm.removeLast(pcm.count - min(pcm.count, Int(count)))
            concealer.received(&pcm)
            return pcm
        case .g711(let law, let concealer):
            var pcm = law.decode(payload.prefix(Self.maximumPayload))
            concealer.received(&pcm)
            return pcm
        }
    }

    /// One 20 ms frame standing in for a lost packet.
    public func conceal() -> [Int16] {
        switch backend {
        case .opus(let decoder):
            return opusDecode(decoder, nil, fec: false) ?? silentFrame
        case .g722(_, let concealer), .g711(_, let concealer):
            return concealer.fillIn(count: codec.samplesPerFrame)
        }
    }

    /// Recovers the frame lost just before `nextPayload` from the in-band FEC that Opus carries in
    /// it (RFC 7587 section 3.3), then decode `nextPayload` itself as usual. Without FEC data in it
    /// Opus conceals instead. For other codecs this is ``conceal()``.
    public func decodeFEC(next nextPayload: [UInt8]) -> [Int16] {
        guard case .opus(let decoder) = backend, !nextPayload.isEmpty else { return conceal() }
        return opusDecode(decoder, nextPayload, fec: true) ?? conceal()
    }

    /// Opus's decode of `payload` (nil: concealment), or nil if Opus rejects it.
    private func opusDecode(_ decoder: OpaquePointer, _ payload: [UInt8]?, fec: Bool) -> [Int16]? {
        // Concealment and FEC produce exactly the frame size asked for.
        let capacity = (payload == nil || fec) ? codec.samplesPerFrame : Self.opusMaximumSamples
        var pcm = [Int16](repeating: 0, count: capacity)
        let count: Int32 = pcm.withUnsafeMutableBufferPointer { output in
            guard let samples = output.baseAddress else { return -1 }
            if let payload {
                return payload.withUnsafeBufferPointer { input in
                    opus_decode(decoder, input.baseAddress, Int32(input.count), samples, Int32(output.count), fec ? 1 : 0)
                }
            }
            return opus_decode(decoder, nil, 0, samples, Int32(output.count), 0)
        }
        guard count > 0 else { return nil }
        pcm.removeLast(pcm.count - min(pcm.count, Int(count)))
        return pcm
    }
}
