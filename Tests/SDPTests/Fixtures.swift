/// SDP texts used by the tests. Written with "\n"; `crlf` converts.
enum Fixtures {
    /// RFC 4566 section 5, the example session description.
    static let rfc4566 = """
        v=0
        o=jdoe 2890844526 2890842807 IN IP4 10.47.16.5
        s=SDP Seminar
        i=A Seminar on the session description protocol
        u=http://www.example.com/seminars/sdp.pdf
        e=j.doe@example.com (Jane Doe)
        c=IN IP4 224.2.17.12/127
        t=2873397496 2873404696
        a=recvonly
        m=audio 49170 RTP/AVP 0
        m=video 51372 RTP/AVP 99
        a=rtpmap:99 h263-1998/90000

        """

    /// RFC 3264 section 10.1: Alice's offer.
    static let rfc3264AliceOffer = """
        v=0
        o=alice 2890844526 2890844526 IN IP4 host.anywhere.com
        s=
        c=IN IP4 host.anywhere.com
        t=0 0
        m=audio 49170 RTP/AVP 0
        a=rtpmap:0 PCMU/8000
        m=video 51372 RTP/AVP 31
        a=rtpmap:31 H261/90000
        m=video 53000 RTP/AVP 32
        a=rtpmap:32 MPV/90000

        """

    /// RFC 3264 section 10.1: Bob's answer.
    static let rfc3264BobAnswer = """
        v=0
        o=bob 2890844730 2890844730 IN IP4 host.example.com
        s=
        c=IN IP4 host.example.com
        t=0 0
        m=audio 49920 RTP/AVP 0
        a=rtpmap:0 PCMU/8000
        m=video 0 RTP/AVP 31
        m=video 53000 RTP/AVP 32
        a=rtpmap:32 MPV/90000

        """

    /// RFC 3264 section 10.1: Bob's later offer (new port, extra receive-only stream).
    static let rfc3264BobReoffer = """
        v=0
        o=bob 2890844730 2890844731 IN IP4 host.example.com
        s=
        c=IN IP4 host.example.com
        t=0 0
        m=audio 65422 RTP/AVP 0
        a=rtpmap:0 PCMU/8000
        m=video 0 RTP/AVP 31
        m=video 53000 RTP/AVP 32
        a=rtpmap:32 MPV/90000
        m=audio 51434 RTP/AVP 110
        a=rtpmap:110 telephone-events/8000
        a=recvonly

        """

    /// RFC 3264 section 10.2: an offer of three codecs, inactive.
    static let rfc3264OneOfN = """
        v=0
        o=alice 2890844526 2890844526 IN IP4 host.anywhere.com
        s=
        c=IN IP4 host.anywhere.com
        t=0 0
        m=audio 62986 RTP/AVP 0 4 18
        a=rtpmap:0 PCMU/8000
        a=rtpmap:4 G723/8000
        a=rtpmap:18 G729/8000
        a=inactive

        """

    /// A PJSIP-style offer: opus first, dynamic types, two telephone-events, rtcp, ssrc, X- attributes.
    static let pjsip = """
        v=0
        o=- 3918546125 3918546125 IN IP4 192.168.1.20
        s=pjmedia
        b=AS:84
        t=0 0
        a=X-nat:0
        m=audio 4000 RTP/AVP 96 9 8 0 101 102
        c=IN IP4 192.168.1.20
        b=TIAS:64000
        a=rtcp:4001 IN IP4 192.168.1.20
        a=sendrecv
        a=rtpmap:96 opus/48000/2
        a=fmtp:96 useinbandfec=1
        a=rtpmap:9 G722/8000
        a=rtpmap:8 PCMA/8000
        a=rtpmap:0 PCMU/8000
        a=rtpmap:101 telephone-event/48000
        a=fmtp:101 0-16
        a=rtpmap:102 telephone-event/8000
        a=fmtp:102 0-16
        a=ssrc:1804392431 cname:2f2d6a0b1c3e4d5f

        """

    /// A baresip-style offer: rtcp-mux, labels, ssrc, msid, video with AVPF.
    static let baresip = """
        v=0
        o=- 1186439592 4029718316 IN IP4 10.0.0.5
        s=-
        c=IN IP4 10.0.0.5
        t=0 0
        a=tool:baresip 3.10.0
        m=audio 10382 RTP/AVP 96 9 0 8 101
        b=AS:64
        a=rtpmap:96 opus/48000/2
        a=fmtp:96 stereo=1;sprop-stereo=1
        a=rtpmap:9 G722/8000
        a=rtpmap:0 PCMU/8000
        a=rtpmap:8 PCMA/8000
        a=rtpmap:101 telephone-event/8000
        a=fmtp:101 0-15
        a=rtcp-mux
        a=label:1
        a=ssrc:4177426302 cname:sip:alice@10.0.0.5
        a=msid:- 7a4e6c2d
        a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level
        a=ptime:20
        a=sendrecv
        m=video 10384 RTP/AVPF 100
        a=rtpmap:100 H264/90000
        a=fmtp:100 packetization-mode=1;profile-level-id=42e01f
        a=rtcp-fb:100 nack pli
        a=sendrecv

        """

    static func crlf(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.flatMap { $0 == "\n" ? ["\r", "\n"] : [$0] }))
    }
}
