import Testing
@testable import SoftphoneConfig

@Suite("[audio] (SPEC section 7)")
struct AudioSettingsTests {
    @Test("defaults: pulse, the default devices, opus g722 pcmu pcma")
    func defaults() throws {
        let config = try Configuration.parse("", environment: [:])
        #expect(config.audio == AudioSettings())
        #expect(config.audio.backend == .pulse)
        #expect(config.audio.playback == "default" && config.audio.capture == "default" && config.audio.ring == "default")
        #expect(config.audio.codecs == [.opus, .g722, .pcmu, .pcma])
    }

    @Test("every key read; codecs keep their order; names in any case")
    func everyKey() throws {
        let config = try Configuration.parse("""
            [audio]
            backend = "none"
            playback = "alsa_output.usb-headset.analog-stereo"
            capture = "alsa_input.usb-headset.mono-fallback"
            ring = "alsa_output.pci-0000_00_1f.3.analog-stereo"
            codecs = ["PCMA", "g722"]
            """, environment: [:])
        #expect(config.audio == AudioSettings(backend: .none, playback: "alsa_output.usb-headset.analog-stereo",
                                              capture: "alsa_input.usb-headset.mono-fallback",
                                              ring: "alsa_output.pci-0000_00_1f.3.analog-stereo", codecs: [.pcma, .g722]))
        #expect(config.summaryLines.last == "audio: none (no sound device), codecs pcma g722")
    }

    @Test("sip.audio_file stays beside backend none")
    func audioFileKept() throws {
        let config = try Configuration.parse("[audio]\nbackend = \"none\"\n[sip]\naudio_file = \"/dev/null\"", environment: [:])
        #expect(config.sip.audioFile == "/dev/null")
        #expect(config.audio.backend == .none)
    }

    @Test("the example file has the [audio] section with the defaults")
    func example() throws {
        let config = try Configuration.load(path: exampleConfigPath, environment: secrets)
        #expect(config.audio == AudioSettings())
    }

    @Test("the summary shows the devices; the description too")
    func summary() {
        let audio = AudioSettings(playback: "headset", codecs: [.opus])
        #expect(audio.summary == "pulse (playback headset, capture default, ring default), codecs opus")
        #expect(Configuration(audio: audio).description.contains("audio: pulse (playback headset"))
    }
}
