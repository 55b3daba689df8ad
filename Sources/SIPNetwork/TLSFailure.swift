import NIOCore
import NIOSSL

/// What a TLS handshake showed of the server's certificate: enough to say in words why it
/// was refused. NIOSSL decides whether a certificate is trusted; this only explains its verdict.
struct PeerCertificateFacts: Sendable, Equatable {
    /// The names the certificate is for: its DNS and IP subject alternative names, else its
    /// common name.
    var names: [String]
    /// Subject and issuer are the same name: a self-signed certificate.
    var selfIssued: Bool
    /// The validity period, in seconds since 1970.
    var notValidBefore: Int
    var notValidAfter: Int

    init(names: [String], selfIssued: Bool, notValidBefore: Int, notValidAfter: Int) {
        self.names = names
        self.selfIssued = selfIssued
        self.notValidBefore = notValidBefore
        self.notValidAfter = notValidAfter
    }

    init(_ certificate: NIOSSLCertificate) {
        var names: [String] = []
        for name in certificate._subjectAlternativeNames() {
            let bytes = name.contents.withUnsafeBufferPointer { Array($0) }
            switch name.nameType {
            case .dnsName:
                names.append(String(decoding: bytes, as: UTF8.self))
            case .ipAddress where bytes.count == 4 || bytes.count == 16:
                let buffer = ByteBuffer(bytes: bytes)
                if let ip = (try? SocketAddress(packedIPAddress: buffer, port: 0))?.ipAddress { names.append(ip) }
            default:
                break
            }
        }
        if names.isEmpty {
            names = certificate.subjectName.filter { $0.type == .commonName }.map(\.value)
        }
        self.init(names: names, selfIssued: certificate.subjectName == certificate.issuerName,
                  notValidBefore: Int(certificate.notValidBefore), notValidAfter: Int(certificate.notValidAfter))
    }
}

/// A failed TLS connection, in words.
enum TLSFailure {
    /// Why the connection to `host` failed, from NIOSSL's error and what was seen of the
    /// server's certificate, at `now` (seconds since 1970): "certificate for pbx.test not
    /// trusted (self-signed)", "certificate for other.test does not match host name pbx.test", …
    static func reason(_ error: Error, host: String, certificate: PeerCertificateFacts?, now: Int) -> String {
        if let extra = error as? NIOSSLExtraError, extra == .failedToValidateHostname {
            guard let names = certificate?.names, !names.isEmpty else {
                return "certificate does not match host name \(host)"
            }
            return "certificate for \(names.joined(separator: ", ")) does not match host name \(host)"
        }
        let text = errorText(error)
        if text.contains("CERTIFICATE_VERIFY_FAILED") {
            guard let certificate else { return "certificate for \(host) not trusted" }
            if certificate.notValidAfter < now { return "certificate for \(host) expired" }
            if certificate.notValidBefore > now { return "certificate for \(host) not valid yet" }
            if certificate.selfIssued { return "certificate for \(host) not trusted (self-signed)" }
            return "certificate for \(host) not trusted (issued by an unknown CA)"
        }
        if text.contains("WRONG_VERSION_NUMBER") || text.contains("PACKET_LENGTH_TOO_LONG") {
            return "\(host) does not speak TLS on this port"
        }
        if text.contains("UNSUPPORTED_PROTOCOL") || text.contains("PROTOCOL_VERSION") {
            return "\(host) offers no TLS version this line accepts (1.2 or newer)"
        }
        if text.contains("EOF during") || (error as? NIOSSLError) == .uncleanShutdown {
            return "\(host) closed the connection during the handshake"
        }
        if text.contains("ALERT") {
            return "handshake with \(host) refused (\(alertName(text)))"
        }
        return "handshake with \(host) failed (\(text))"
    }

    /// The BoringSSL error names in NIOSSL's error ("CERTIFICATE_VERIFY_FAILED", …), or its description.
    private static func errorText(_ error: Error) -> String {
        if case .handshakeFailed(let boring)? = error as? NIOSSLError {
            switch boring {
            case .sslError(let stack), .unknownError(let stack):
                return stack.map(\.description).joined(separator: "; ")
            default:
                return "\(boring)"
            }
        }
        return "\(error)"
    }

    /// `TLSV1_ALERT_HANDSHAKE_FAILURE` → `handshake failure`.
    private static func alertName(_ text: String) -> String {
        guard let range = text.firstRange(of: "ALERT_") else { return text }
        let name = text[range.upperBound...].prefix { $0.isLetter || $0 == "_" }
        return name.split(separator: "_").joined(separator: " ").lowercased()
    }
}
