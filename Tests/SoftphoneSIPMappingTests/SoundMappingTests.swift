import SoftphoneSIPMapping
import SIPUserAgent
import SoftphoneCore
import Testing

@Suite("Line mapping for sound: DTMF, mute, early media")
struct SoundMappingTests {
    let mapping = LineMapping(entity: "sip:alice@pbx.example.com")

    @Test("sendDTMF and mute keep their call id and argument")
    func commands() {
        #expect(mapping.request(for: .sendDTMF("c-1", "#")) == .sendDTMF("c-1", "#"))
        #expect(mapping.request(for: .mute("c-1", true)) == .mute("c-1", true))
        #expect(mapping.request(for: .mute("c-1", false)) == .mute("c-1", false))
    }

    @Test("Received digits and early media become core actions; a digit the media detected too")
    func events() {
        #expect(mapping.action(for: .dtmfReceived("c-1", "5")) == .dtmfReceived("c-1", "5"))
        #expect(mapping.action(for: .earlyMedia("c-1")) == .earlyMedia("c-1"))
        #expect(LineMapping.detectedDigit("9", on: "c-1") == .dtmfReceived("c-1", "9"))
    }
}
