import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import SIP
import Synchronization
import Testing
@testable import SIPNetwork

/// Certificates made with `openssl` in a temporary directory: a CA, server certificates it
/// signed (one expired yesterday), a self-signed one, and one from a CA the client does not know.
struct TestPKI {
    let dir: URL
    var caFile: String { dir.appendingPathComponent("ca.pem").path }

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("sip-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try makeCA("ca")
        try makeCA("otherca")
        try makeLeaf("good", names: "DNS:localhost,DNS:pbx.test,IP:127.0.0.1", signer: "ca")
        try makeLeaf("otherhost", names: "DNS:other.test", signer: "ca")
        try makeLeaf("unknownca", names: "DNS:localhost,IP:127.0.0.1", signer: "otherca")
        try makeLeaf("expired", names: "DNS:localhost,IP:127.0.0.1", signer: "ca", days: -1)
        try openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                     "-keyout", path("selfsigned.key"), "-out", path("selfsigned.pem"), "-days", "2",
                     "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
    }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    func remove() { try? FileManager.default.removeItem(at: dir) }

    private func makeCA(_ name: String) throws {
        try openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                     "-keyout", path("\(name).key"), "-out", path("\(name).pem"), "-days", "2",
                     "-subj", "/CN=Test \(name)", "-addext", "basicConstraints=critical,CA:TRUE",
                     "-addext", "keyUsage=critical,keyCertSign"])
    }

    private func makeLeaf(_ name: String, names: String, signer: String, days: Int = 2) throws {
        try openssl(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                     "-keyout", path("\(name).key"), "-out", path("\(name).csr"), "-subj", "/CN=\(name)"])
        try "subjectAltName=\(names)\nextendedKeyUsage=serverAuth\n".write(toFile: path("\(name).ext"), atomically: true,
                                                                             encoding: .utf8)
        try openssl(["x509", "-req", "-in", path("\(name).csr"), "-CA", path("\(signer).pem"),
                     "-CAkey", path("\(signer).key"), "-CAcreateserial", "-out", path("\(name).pem"), "-days", "\(days)",
                     "-extfile", path("\(name).ext")])
    }

    private func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw SIPTransportError.bindFailed("openssl \(arguments.first ?? "") failed")
        }
    }
}

/// A TLS server made with NIOSSL: it answers each request 200 on its connection and
/// keeps every message; `send` writes a request on the last connection, as a registrar
/// sends an INVITE to a line registered over TLS.
final class TLSServer: Sendable {
    final class Handler: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let server: TLSServer
        private let framer = Mutex(SIPStreamFramer())
        init(server: TLSServer) { self.server = server }

        func channelActive(context: ChannelHandlerContext) {
            server.connection.withLock { $0 = context.channel }
            context.fireChannelActive()
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let bytes = unwrapInboundIn(data).readableBytesView
            var messages: [SIPMessage] = []
            framer.withLock { framer in
                framer.append(bytes)
                while let message = try? framer.next() { messages.append(message) }
            }
            for message in messages {
                server.messages.withLock { $0.append(message) }
                if case .request(let request) = message {
                    let reply = SIPResponse(replyingTo: request, status: 200, toTag: "srv")
                    context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: reply.bytes)),
                                          promise: nil)
                }
            }
        }

        func errorCaught(context: ChannelHandlerContext, error: Error) { context.close(promise: nil) }
    }

    let listener = Mutex<Channel?>(nil)
    let connection = Mutex<Channel?>(nil)
    let messages = Mutex<[SIPMessage]>([])

    init(certificate: String, key: String, on loop: EventLoop) async throws {
        let configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
        let context = try NIOSSLContext(configuration: configuration)
        let channel = try await ServerBootstrap(group: loop)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    try child.pipeline.syncOperations.addHandler(Handler(server: self))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        listener.withLock { $0 = channel }
    }

    var port: Int { listener.withLock { $0?.localAddress?.port ?? 0 } }

    func send(_ request: SIPRequest) async throws {
        let channel = try #require(connection.withLock { $0 })
        try await channel.writeAndFlush(channel.allocator.buffer(bytes: request.bytes)).get()
    }

    func wait(for count: Int) async -> [SIPMessage] {
        for _ in 0..<500 {
            let now = messages.withLock { $0 }
            if now.count >= count { return now }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return messages.withLock { $0 }
    }

    func close() async {
        try? await connection.withLock { $0 }?.close()
        try? await listener.withLock { $0 }?.close()
    }
}

@Suite("SIP over TLS: client connections with NIOSSL, refusals in words")
struct TLSTests {
    let loop = MultiThreadedEventLoopGroup.singleton.next()

    @Test("A register-like exchange over TLS; the server's request comes back on the line's connection, and its answer too")
    func registerOverTLS() async throws {
        let pki = try TestPKI()
        defer { pki.remove() }
        let server = try await TLSServer(certificate: pki.path("good.pem"), key: pki.path("good.key"), on: loop)
        let line = try await Peer.start(on: loop, configuration: SIPTransportConfiguration(tls: SIPTLSConfiguration(caFile: pki.caFile)))
        // By name (SNI and the host-name check against "localhost"), then by IP literal (checked against the IP SAN).
        for host in ["localhost", "127.0.0.1"] {
            let count = server.messages.withLock { $0.count }
            try await line.transport.send(.request(register(from: line.transport.local, branch: "z9hG4bK-\(host)")),
                                          to: SIPHop(transport: .tls, host: host, port: server.port)).get()
            let got = await server.wait(for: count + 1)
            #expect(got.last?.request?.method == .register)
            #expect(try got.last?.headers.topVia?.transport == "TLS")
        }
        let answers = await line.received.wait(for: 2)
        #expect(answers.allSatisfy { $0.transport == .tls && $0.message.response?.statusCode == 200 })

        // The registrar's request arrives on the connection the line opened; the answer goes back on it.
        try await server.send(options(from: SIPEndpoint(host: "127.0.0.1", port: server.port), .tls, branch: "z9hG4bK-srv"))
        let all = await line.received.wait(for: 3)
        let incoming = try #require(all.first { $0.message.request != nil })
        #expect(incoming.transport == .tls)
        #expect(incoming.connection != nil)
        let before = server.messages.withLock { $0.count }
        let reply = SIPResponse(replyingTo: try #require(incoming.message.request), status: 200, toTag: "line")
        try await line.transport.respond(reply, toRequestFrom: incoming.source).get()
        let after = await server.wait(for: before + 1)
        #expect(after.last?.response?.statusCode == 200)
        let counters = try await line.transport.counters().get()
        #expect(counters.connectionsOpened == 1, "the connection to the server's address is reused, whatever name the hop gives")
        await line.transport.close()
        await server.close()
    }

    @Test("Certificates the line must refuse fail the send with the reason in words",
          arguments: [
            ("selfsigned", "localhost", "TLS: certificate for localhost not trusted (self-signed)"),
            ("unknownca", "localhost", "TLS: certificate for localhost not trusted (issued by an unknown CA)"),
            ("expired", "localhost", "TLS: certificate for localhost expired"),
            ("otherhost", "localhost", "TLS: certificate for other.test does not match host name localhost"),
            ("otherhost", "127.0.0.1", "TLS: certificate for other.test does not match host name 127.0.0.1"),
            ("good", "127.0.0.1", nil),
          ] as [(String, String, String?)])
    func refusals(certificate: String, host: String, words: String?) async throws {
        let pki = try TestPKI()
        defer { pki.remove() }
        let server = try await TLSServer(certificate: pki.path("\(certificate).pem"), key: pki.path("\(certificate).key"),
                                         on: loop)
        let line = try await Peer.start(on: loop, configuration: SIPTransportConfiguration(tls: SIPTLSConfiguration(caFile: pki.caFile)))
        let sent = line.transport.send(.request(register(from: line.transport.local, branch: "z9hG4bK-r")),
                                       to: SIPHop(transport: .tls, host: host, port: server.port))
        do {
            try await sent.get()
            #expect(words == nil, "the handshake should have failed")
        } catch let error as SIPTransportError {
            #expect(error.description == words)
        }
        await line.transport.close()
        await server.close()
    }

    @Test("Without tls_ca_file the system's trust store is used: a private CA is unknown")
    func systemTrust() async throws {
        let pki = try TestPKI()
        defer { pki.remove() }
        let server = try await TLSServer(certificate: pki.path("good.pem"), key: pki.path("good.key"), on: loop)
        let line = try await Peer.start(on: loop)
        await #expect(throws: SIPTransportError.tls(host: "localhost",
                                                    reason: "certificate for localhost not trusted (issued by an unknown CA)")) {
            try await line.transport.send(.request(register(from: line.transport.local, branch: "z9hG4bK-s")),
                                          to: SIPHop(transport: .tls, host: "localhost", port: server.port)).get()
        }
        await line.transport.close()
        await server.close()
    }

    @Test("A CA file that cannot be read fails TLS sends with the reason")
    func unreadableCAFile() async throws {
        let line = try await Peer.start(on: loop, configuration: SIPTransportConfiguration(tls: SIPTLSConfiguration(caFile: "/nonexistent/ca.pem")))
        do {
            try await line.transport.send(.request(register(from: line.transport.local, branch: "z9hG4bK-c")),
                                          to: SIPHop(transport: .tls, host: "127.0.0.1", port: 5061)).get()
            Issue.record("the send should have failed")
        } catch let error as SIPTransportError {
            #expect(error.description.hasPrefix("TLS: cannot read CA certificates from /nonexistent/ca.pem"))
        }
        await line.transport.close()
    }

    @Test("Reasons from what was seen of the certificate: expired, not yet valid, self-signed, unknown CA")
    func reasonsFromFacts() {
        let now = 1_800_000_000
        func facts(selfIssued: Bool = false, from: Int = 1_700_000_000, until: Int = 1_900_000_000) -> PeerCertificateFacts {
            PeerCertificateFacts(names: ["pbx.test"], selfIssued: selfIssued, notValidBefore: from, notValidAfter: until)
        }
        let verify = VerifyFailed()
        #expect(TLSFailure.reason(verify, host: "pbx.test", certificate: facts(until: now - 1), now: now)
                == "certificate for pbx.test expired")
        #expect(TLSFailure.reason(verify, host: "pbx.test", certificate: facts(from: now + 1), now: now)
                == "certificate for pbx.test not valid yet")
        #expect(TLSFailure.reason(verify, host: "pbx.test", certificate: facts(selfIssued: true), now: now)
                == "certificate for pbx.test not trusted (self-signed)")
        #expect(TLSFailure.reason(verify, host: "pbx.test", certificate: facts(), now: now)
                == "certificate for pbx.test not trusted (issued by an unknown CA)")
        #expect(TLSFailure.reason(verify, host: "pbx.test", certificate: nil, now: now) == "certificate for pbx.test not trusted")
        #expect(TLSFailure.reason(NIOSSLExtraError.failedToValidateHostname, host: "pbx.test",
                                  certificate: PeerCertificateFacts(names: ["127.0.0.1"], selfIssued: false,
                                                                    notValidBefore: 0, notValidAfter: .max), now: now)
                == "certificate for 127.0.0.1 does not match host name pbx.test")
    }

    @Test("sips: and ;transport=tls name TLS, port 5061 by default; sips:…;transport=tcp is TLS; sips: over UDP is refused")
    func hopsOfURIs() throws {
        #expect(SIPHop(uri: try #require(SIPURI("sips:pbx.test"))) == SIPHop(transport: .tls, host: "pbx.test", port: 5061))
        #expect(SIPHop(uri: try #require(SIPURI("sip:pbx.test;transport=TLS"))) == SIPHop(transport: .tls, host: "pbx.test", port: 5061))
        #expect(SIPHop(uri: try #require(SIPURI("sip:127.0.0.1:5071;transport=tls"))) == SIPHop(transport: .tls, host: "127.0.0.1", port: 5071))
        #expect(SIPHop(uri: try #require(SIPURI("sip:pbx.test"))) == SIPHop(transport: .udp, host: "pbx.test", port: 5060))
        #expect(SIPHop(uri: try #require(SIPURI("sips:pbx.test;transport=tcp"))) == SIPHop(transport: .tls, host: "pbx.test", port: 5061))
        #expect(SIPHop(uri: try #require(SIPURI("sips:pbx.test;transport=udp"))) == nil)
        #expect(SIPHop(uri: try #require(SIPURI("sip:pbx.test;transport=sctp"))) == nil)
        #expect(SIPTransportKind(token: "tls") == .tls && SIPTransportKind.tls.viaToken == "TLS")
    }
}

/// An error whose text is BoringSSL's verification failure.
private struct VerifyFailed: Error, CustomStringConvertible {
    var description: String { "error:1000007d:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED" }
}

/// A REGISTER from `local` over TLS.
func register(from local: SIPEndpoint, branch: String) -> SIPRequest {
    var headers = SIPHeaders()
    headers.add("Via", "SIP/2.0/TLS \(local.host):\(local.port);branch=\(branch);rport")
    headers.add("Max-Forwards", "70")
    headers.add("From", "<sip:line@pbx.test>;tag=abc")
    headers.add("To", "<sip:line@pbx.test>")
    headers.add("Call-ID", "reg-\(branch)")
    headers.add("CSeq", "1 REGISTER")
    headers.add("Contact", "<sip:line@\(local.host):\(local.port);transport=tls>")
    return SIPRequest(method: .register, uri: SIPURI(host: "pbx.test"), headers: headers)
}
