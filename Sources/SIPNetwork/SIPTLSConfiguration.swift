import NIOSSL

/// How the transport's TLS client connections trust servers (RFC 3261 §26.2; SPEC section 8).
///
/// TLS 1.2 or newer; SNI and the certificate's host name are checked against the hop's host
/// name (the name from the URI, not the address it resolved to; an IP literal is checked
/// against the certificate's IP addresses). Client connections only: a softphone has no
/// certificate, so requests from the registrar come back on the connection the line opened.
public struct SIPTLSConfiguration: Sendable, Hashable {
    /// A PEM file of CA certificates trusted instead of the system's (`sip.tls_ca_file`);
    /// nil: the system's trust store.
    public var caFile: String?

    /// Creates a configuration: trust the system's store, or the CAs in `caFile`.
    public init(caFile: String? = nil) {
        self.caFile = caFile
    }

    /// The NIOSSL context of client connections; throws when the CA file cannot be read.
    func makeContext() throws -> NIOSSLContext {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        tls.certificateVerification = .fullVerification
        // Closing waits this long at most for the server's close_notify (quitting must not hang).
        tls.shutdownTimeout = .seconds(2)
        if let caFile {
            do {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
            } catch {
                throw SIPTLSSetupError(reason: "cannot read CA certificates from \(caFile) (\(error))")
            }
        } else {
            tls.trustRoots = .default
        }
        return try NIOSSLContext(configuration: tls)
    }
}

/// The TLS context could not be made (a CA file that does not read as PEM certificates).
struct SIPTLSSetupError: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}
