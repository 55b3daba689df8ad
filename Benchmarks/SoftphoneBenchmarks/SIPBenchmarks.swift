import Benchmark
import SIP

/// The SIP codec: one typical INVITE (with SDP) parsed, and serialised, per operation
/// (scaled by 1,000: the time shown is for 1,000 messages on one core).
func sipBenchmarks() {
    Benchmark("SIP parse a typical INVITE", configuration: .init(scalingFactor: .kilo)) { benchmark in
        let bytes = SIPFixtures.invite
        for _ in benchmark.scaledIterations {
            blackHole(try SIPParser.parse(bytes))
        }
    }

    Benchmark("SIP serialise a typical INVITE", configuration: .init(scalingFactor: .kilo)) { benchmark in
        let message = try SIPParser.parse(SIPFixtures.invite)
        for _ in benchmark.scaledIterations {
            blackHole(message.bytes)
        }
    }
}

enum SIPFixtures {
    static let sdp = "v=0\r\no=- 4004989188 4004989188 IN IP4 192.0.2.10\r\ns=pjmedia\r\nb=AS:84\r\nt=0 0\r\n"
        + "m=audio 49886 RTP/AVP 0 8 120\r\nc=IN IP4 192.0.2.10\r\na=rtcp:49887 IN IP4 192.0.2.10\r\n"
        + "a=sendrecv\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:120 telephone-event/8000\r\n"
        + "a=fmtp:120 0-16\r\n"

    /// An INVITE as a PBX sends it through a proxy: two Vias, Record-Route, the usual headers, SDP.
    static let invite: [UInt8] = Array((
        "INVITE sip:1001@192.0.2.20:5070 SIP/2.0\r\n"
        + "Record-Route: <sip:192.0.2.1;lr>\r\n"
        + "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK3a45.0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d.0\r\n"
        + "Via: SIP/2.0/UDP 192.0.2.10:35078;rport=35078;received=192.0.2.10;branch=z9hG4bKPjJEgm20HMSJic7fFpl4cS2RITJG\r\n"
        + "Max-Forwards: 69\r\n"
        + "From: \"Carla Caller\" <sip:+4930123456@192.0.2.1>;tag=c4ZNE2DWisxFtPtF4QsKgnvB1TWJWcg6\r\n"
        + "To: <sip:1001@192.0.2.1>\r\n"
        + "Contact: <sip:+4930123456@192.0.2.10:35078>\r\n"
        + "Call-ID: 5a7b89gMgWUbJ2a6XlIeFHrU5A-F2x36\r\n"
        + "CSeq: 28080 INVITE\r\n"
        + "Allow: PRACK, INVITE, ACK, BYE, CANCEL, UPDATE, INFO, SUBSCRIBE, NOTIFY, REFER, MESSAGE, OPTIONS\r\n"
        + "Supported: replaces, 100rel, norefersub\r\n"
        + "User-Agent: PJSUA v2.15.1 Linux-6.1/x86_64/glibc-2.36\r\n"
        + "Content-Type: application/sdp\r\n"
        + "Content-Length: \(sdp.utf8.count)\r\n\r\n" + sdp).utf8)
}
