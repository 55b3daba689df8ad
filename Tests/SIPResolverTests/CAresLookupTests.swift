import Foundation
import SIP
import Testing
@testable import SIPResolver

/// A dnsmasq on 127.0.0.1 for one test, serving only the records given (no resolv.conf, no
/// hosts file, no upstream). Started as a child process and stopped by its PID.
final class TestDNSServer: @unchecked Sendable {
    static let executable: String? = ["/usr/sbin/dnsmasq", "/usr/bin/dnsmasq", "/sbin/dnsmasq"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }
    static var isAvailable: Bool { executable != nil }

    let port: Int
    private let process = Process()

    init(records: [String]) throws {
        guard let executable = Self.executable else { throw CocoaError(.fileNoSuchFile) }
        port = try Self.freeUDPPort()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--no-daemon", "--port=\(port)", "--listen-address=127.0.0.1", "--bind-interfaces",
                             "--no-resolv", "--no-hosts", "--conf-file=/dev/null", "--pid-file=",
                             "--user=\(NSUserName())"] + records
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    /// `127.0.0.1:port`, for `CAresLookup(server:)`.
    var address: String { "127.0.0.1:\(port)" }

    func stop() {
        guard process.isRunning else { return }
        // SIGKILL: a child of the test process inherits its blocked signals, SIGTERM among them.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit { stop() }

    /// A UDP port nobody uses on 127.0.0.1 right now (bound to 0, read, closed).
    static func freeUDPPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw POSIXError(.EADDRINUSE) }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// A UDP socket on 127.0.0.1 that takes queries and never answers.
final class SilentServer {
    let fd: Int32
    let port: Int

    init() throws {
        fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let fd = self.fd
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard fd >= 0, bound else { throw POSIXError(.EADDRINUSE) }
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(fd) }
}

@Suite("c-ares lookups against a dnsmasq of the test's own", .enabled(if: TestDNSServer.isAvailable, "dnsmasq is not installed"))
struct CAresLookupTests {
    static let records = [
        "--naptr-record=pbx.test,10,10,s,SIP+D2U,,_sip._udp.pbx.test",
        "--naptr-record=pbx.test,20,10,s,SIP+D2T,,_sip._tcp.pbx.test",
        "--srv-host=_sip._udp.pbx.test,kam1.pbx.test,5060,10,0",
        "--srv-host=_sip._udp.pbx.test,kam2.pbx.test,5070,20,0",
        "--srv-host=_sip._tcp.pbx.test,kam1.pbx.test,5060,10,0",
        "--host-record=kam1.pbx.test,127.0.0.5",
        "--host-record=kam2.pbx.test,127.0.0.6",
        "--host-record=bare.test,127.0.0.7",
    ]

    /// Asks until dnsmasq answers (it may still be binding its socket: "connection refused"
    /// comes back at once): a poll bounded at 20 s, each try bounded by c-ares's own timeout.
    func ready(_ lookup: CAresLookup) -> Result<[NAPTRRecord], DNSFailure> {
        let deadline = ContinuousClock.now + .seconds(20)
        var last: Result<[NAPTRRecord], DNSFailure> = .failure(.timeout)
        repeat {
            last = lookup.naptr("pbx.test")
            if case .success = last { break }
        } while ContinuousClock.now < deadline
        return last
    }

    @Test("NAPTR, SRV and addresses are parsed from real answers")
    func records() throws {
        let server = try TestDNSServer(records: Self.records)
        defer { server.stop() }
        let lookup = CAresLookup(server: server.address, timeout: .milliseconds(200), tries: 1, budget: .seconds(5))
        let naptr = try ready(lookup).get().sorted { $0.order < $1.order }
        #expect(naptr.map(\.service) == ["SIP+D2U", "SIP+D2T"])
        #expect(naptr.map(\.flags) == ["s", "s"])
        #expect(naptr.map(\.replacement) == ["_sip._udp.pbx.test", "_sip._tcp.pbx.test"])
        #expect(naptr.map(\.preference) == [10, 10])

        let srv = lookup.srv(["_sip._udp.pbx.test", "_sip._tcp.pbx.test", "_sip._udp.none.test"])
        let udp = try #require(try srv["_sip._udp.pbx.test"]?.get()).sorted { $0.priority < $1.priority }
        #expect(udp == [SRVRecord(priority: 10, weight: 0, port: 5060, target: "kam1.pbx.test"),
                        SRVRecord(priority: 20, weight: 0, port: 5070, target: "kam2.pbx.test")])
        #expect(try srv["_sip._tcp.pbx.test"]?.get().count == 1)
        #expect(srv["_sip._udp.none.test"].map { if case .failure = $0 { true } else { false } } == true)

        let addresses = lookup.addresses(["kam1.pbx.test", "kam2.pbx.test"])
        #expect(try addresses["kam1.pbx.test"]?.get() == ["127.0.0.5"])
        #expect(try addresses["kam2.pbx.test"]?.get() == ["127.0.0.6"])
    }

    @Test("the locator over c-ares: sip:pbx.test → both Kamailios in SRV order; a bare name → its address on 5060")
    func locate() throws {
        let server = try TestDNSServer(records: Self.records)
        defer { server.stop() }
        let lookup = CAresLookup(server: server.address, timeout: .milliseconds(200), tries: 1, budget: .seconds(5))
        _ = ready(lookup)
        var random = SystemRandomNumberGenerator()
        let found = try SIPServerLocator(lookup: lookup).locate(SIPURI("sip:pbx.test")!, using: &random).get()
        #expect(found.hops == [SIPHop(transport: .udp, host: "127.0.0.5", port: 5060),
                               SIPHop(transport: .udp, host: "127.0.0.6", port: 5070),
                               SIPHop(transport: .tcp, host: "127.0.0.5", port: 5060)])
        let bare = try SIPServerLocator(lookup: lookup).locate(SIPURI("sip:bare.test")!, using: &random).get()
        #expect(bare.hops == [SIPHop(transport: .udp, host: "127.0.0.7", port: 5060)])
    }

    @Test("a server that never answers: every query ends as a timeout within the budget")
    func silentServer() throws {
        let silent = try SilentServer()
        let lookup = CAresLookup(server: "127.0.0.1:\(silent.port)", timeout: .milliseconds(100), tries: 2,
                                 budget: .seconds(2))
        #expect(lookup.naptr("pbx.test") == .failure(.timeout))
        let srv = lookup.srv(["_sip._udp.pbx.test", "_sip._tcp.pbx.test"])
        #expect(srv.count == 2)
        #expect(srv.values.allSatisfy { $0 == .failure(.timeout) })
    }

    @Test("a DNS server that is not an address is refused in words")
    func badServer() {
        let lookup = CAresLookup(server: "not a server")
        guard case .failure(.failed(let why)) = lookup.naptr("pbx.test") else {
            Issue.record("accepted a bad server")
            return
        }
        #expect(why.contains("not a server"))
    }
}
