import CAres
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// DNS queries through c-ares: NAPTR and SRV with `ares_query` and c-ares's own parsers,
/// addresses with `ares_getaddrinfo` (the hosts file, then A and AAAA). One channel per call,
/// driven on the calling thread with `poll` and `ares_process_fd` until every name is
/// answered, fails, or the budget runs out (then the rest are cancelled). Blocking by design:
/// the app calls it on a thread pool, never on the SIP event loop.
///
/// Servers come from `/etc/resolv.conf`, or from `server` (`host:port`), which the app takes
/// from the environment variable `SOFTPHONE_DNS_SERVER` (tests point it at their own dnsmasq).
public struct CAresLookup: DNSLookup {
    /// The environment variable naming a DNS server to use instead of resolv.conf's.
    public static let serverVariable = "SOFTPHONE_DNS_SERVER"

    /// A DNS server (`127.0.0.1:5353`, `[::1]:53`); nil: the system's.
    public var server: String?
    /// How long to wait for one answer before asking again (or the next server).
    public var timeout: Duration
    /// How many times each server is asked.
    public var tries: Int
    /// The most one call (one batch of names) may take.
    public var budget: Duration

    public init(server: String? = nil, timeout: Duration = .milliseconds(1500), tries: Int = 2,
                budget: Duration = .seconds(6)) {
        self.server = server
        self.timeout = timeout
        self.tries = max(1, tries)
        self.budget = budget
    }

    /// The system's servers, or `SOFTPHONE_DNS_SERVER` when it is set.
    public static func fromEnvironment() -> CAresLookup {
        let value = getenv(serverVariable).map { String(cString: $0) }
        return CAresLookup(server: value.flatMap { $0.isEmpty ? nil : $0 })
    }

    public func naptr(_ name: String) -> Result<[NAPTRRecord], DNSFailure> {
        run([Query(name: name, kind: .naptr)])[name]?.naptr ?? .failure(.noRecords)
    }

    public func srv(_ names: [String]) -> [String: Result<[SRVRecord], DNSFailure>] {
        run(names.map { Query(name: $0, kind: .srv) }).compactMapValues(\.srv)
    }

    public func addresses(_ hosts: [String]) -> [String: Result<[String], DNSFailure>] {
        run(hosts.map { Query(name: $0, kind: .addresses) }).compactMapValues(\.addresses)
    }

    // MARK: The channel

    /// One name to ask, and its answer once it came (filled by the c-ares callback).
    final class Query {
        enum Kind { case naptr, srv, addresses }
        let name: String
        let kind: Kind
        var answer: Answer?
        init(name: String, kind: Kind) {
            self.name = name
            self.kind = kind
        }
    }

    enum Answer {
        case naptr(Result<[NAPTRRecord], DNSFailure>)
        case srv(Result<[SRVRecord], DNSFailure>)
        case addresses(Result<[String], DNSFailure>)
        case failed(DNSFailure)

        var naptr: Result<[NAPTRRecord], DNSFailure>? {
            switch self {
            case .naptr(let result): result
            case .failed(let failure): .failure(failure)
            default: nil
            }
        }
        var srv: Result<[SRVRecord], DNSFailure>? {
            switch self {
            case .srv(let result): result
            case .failed(let failure): .failure(failure)
            default: nil
            }
        }
        var addresses: Result<[String], DNSFailure>? {
            switch self {
            case .addresses(let result): result
            case .failed(let failure): .failure(failure)
            default: nil
            }
        }
    }

    /// Asks every query on one channel and waits for all answers (bounded by `budget`).
    private func run(_ queries: [Query]) -> [String: Answer] {
        guard !queries.isEmpty else { return [:] }
        var answers: [String: Answer] = [:]
        guard CAresLibrary.ready == ARES_SUCCESS else {
            let failure = DNSFailure.failed("cannot start c-ares: \(Self.words(CAresLibrary.ready))")
            for query in queries { answers[query.name] = .failed(failure) }
            return answers
        }
        var options = ares_options()
        options.timeout = Int32(clamping: timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        options.tries = Int32(clamping: tries)
        var channel: ares_channel?
        let status = ares_init_options(&channel, &options, ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES)
        guard status == ARES_SUCCESS, let channel else {
            let failure = DNSFailure.failed("cannot start the DNS resolver: \(Self.words(status))")
            for query in queries { answers[query.name] = .failed(failure) }
            return answers
        }
        if let server {
            let set = ares_set_servers_ports_csv(channel, server)
            guard set == ARES_SUCCESS else {
                ares_destroy(channel)
                let failure = DNSFailure.failed("bad DNS server \(server): \(Self.words(set))")
                for query in queries { answers[query.name] = .failed(failure) }
                return answers
            }
        }
        for query in queries { start(query, on: channel) }
        drive(channel, until: ContinuousClock.now + budget) { queries.contains { $0.answer == nil } }
        ares_destroy(channel)  // answers what is left with ARES_EDESTRUCTION
        for query in queries { answers[query.name] = query.answer ?? .failed(.timeout) }
        return answers
    }

    private func start(_ query: Query, on channel: ares_channel) {
        let context = Unmanaged.passRetained(query).toOpaque()
        switch query.kind {
        case .naptr, .srv:
            let type: Int32 = query.kind == .naptr ? 35 : 33  // T_NAPTR, T_SRV
            ares_query(channel, query.name, 1 /* C_IN */, type, { context, status, _, buffer, length in
                guard let context else { return }
                let query = Unmanaged<Query>.fromOpaque(context).takeRetainedValue()
                query.answer = CAresLookup.parse(query.kind, status: status, buffer, length)
            }, context)
        case .addresses:
            var hints = ares_addrinfo_hints()
            hints.ai_family = AF_UNSPEC
            hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
            ares_getaddrinfo(channel, query.name, nil, &hints, { context, status, _, result in
                guard let context else {
                    if let result { ares_freeaddrinfo(result) }
                    return
                }
                let query = Unmanaged<Query>.fromOpaque(context).takeRetainedValue()
                query.answer = .addresses(CAresLookup.addresses(status: status, result))
                if let result { ares_freeaddrinfo(result) }
            }, context)
        }
    }

    /// Waits on the channel's sockets and processes what arrives (and c-ares's own timeouts)
    /// while `pending`; at `deadline`, cancels what is left.
    private func drive(_ channel: ares_channel, until deadline: ContinuousClock.Instant, while pending: () -> Bool) {
        let maxSockets = Int(ARES_GETSOCK_MAXNUM)
        while pending() {
            let now = ContinuousClock.now
            guard now < deadline else {
                ares_cancel(channel)  // every pending query's callback runs with ARES_ECANCELLED
                return
            }
            var sockets = [ares_socket_t](repeating: ARES_SOCKET_BAD, count: maxSockets)
            let bits = ares_getsock(channel, &sockets, Int32(maxSockets))
            var fds: [pollfd] = []
            for index in 0..<maxSockets {
                let readable = bits & (1 << index) != 0
                let writable = bits & (1 << (index + maxSockets)) != 0
                guard readable || writable else { continue }
                var events: Int16 = 0
                if readable { events |= Int16(POLLIN) }
                if writable { events |= Int16(POLLOUT) }
                fds.append(pollfd(fd: sockets[index], events: events, revents: 0))
            }
            let left = deadline - now
            var limit = timeval(tv_sec: Int(left.components.seconds),
                                tv_usec: Int(left.components.attoseconds / 1_000_000_000_000))
            var suggested = timeval()
            let wait = ares_timeout(channel, &limit, &suggested).map { $0.pointee } ?? limit
            let milliseconds = Int32(clamping: max(1, wait.tv_sec * 1000 + wait.tv_usec / 1000))
            let ready = poll(&fds, nfds_t(fds.count), milliseconds)
            if ready <= 0 {
                // Nothing to read: let c-ares handle its timeouts (resend, next server, give up).
                ares_process_fd(channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD)
                continue
            }
            for fd in fds where fd.revents != 0 {
                let readable = fd.revents & Int16(POLLIN | POLLERR | POLLHUP) != 0
                let writable = fd.revents & Int16(POLLOUT) != 0
                ares_process_fd(channel, readable ? fd.fd : ARES_SOCKET_BAD, writable ? fd.fd : ARES_SOCKET_BAD)
            }
        }
    }

    // MARK: Answers

    static func failure(_ status: Int32) -> DNSFailure {
        switch status {
        case ARES_ENODATA, ARES_ENOTFOUND: .noRecords
        case ARES_ETIMEOUT, ARES_ECANCELLED, ARES_EDESTRUCTION: .timeout
        default: .failed(words(status))
        }
    }

    static func words(_ status: Int32) -> String { ares_strerror(status).map { String(cString: $0) } ?? "error \(status)" }

    static func parse(_ kind: Query.Kind, status: Int32, _ buffer: UnsafeMutablePointer<UInt8>?, _ length: Int32) -> Answer {
        guard status == ARES_SUCCESS, let buffer else { return .failed(failure(status)) }
        switch kind {
        case .naptr:
            var reply: UnsafeMutablePointer<ares_naptr_reply>?
            let parsed = ares_parse_naptr_reply(buffer, length, &reply)
            guard parsed == ARES_SUCCESS else { return .naptr(.failure(failure(parsed))) }
            defer { if let reply { ares_free_data(reply) } }
            var records: [NAPTRRecord] = []
            var next = reply
            while let record = next?.pointee {
                records.append(NAPTRRecord(order: record.order, preference: record.preference,
                                           flags: text(record.flags), service: text(record.service),
                                           regexp: text(record.regexp),
                                           replacement: record.replacement.map { String(cString: $0) } ?? ""))
                next = record.next
            }
            return .naptr(.success(records))
        case .srv:
            var reply: UnsafeMutablePointer<ares_srv_reply>?
            let parsed = ares_parse_srv_reply(buffer, length, &reply)
            guard parsed == ARES_SUCCESS else { return .srv(.failure(failure(parsed))) }
            defer { if let reply { ares_free_data(reply) } }
            var records: [SRVRecord] = []
            var next = reply
            while let record = next?.pointee {
                records.append(SRVRecord(priority: record.priority, weight: record.weight, port: record.port,
                                         target: record.host.map { String(cString: $0) } ?? "."))
                next = record.next
            }
            return .srv(.success(records))
        case .addresses:
            return .failed(.failed("not a query"))
        }
    }

    /// A NUL-terminated C string in a buffer.
    static func string(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func text(_ bytes: UnsafeMutablePointer<UInt8>?) -> String {
        bytes.map { String(cString: $0) } ?? ""
    }

    /// The addresses of a getaddrinfo answer as text, IPv4 first, each once.
    static func addresses(status: Int32, _ result: UnsafeMutablePointer<ares_addrinfo>?) -> Result<[String], DNSFailure> {
        guard status == ARES_SUCCESS, let result else { return .failure(failure(status)) }
        var v4: [String] = [], v6: [String] = []
        var node = result.pointee.nodes
        while let current = node?.pointee {
            defer { node = current.ai_next }
            guard let address = current.ai_addr else { continue }
            var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
            switch current.ai_family {
            case AF_INET:
                var sin = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
                guard inet_ntop(AF_INET, &sin, &buffer, socklen_t(buffer.count)) != nil else { continue }
                let text = Self.string(buffer)
                if !v4.contains(text) { v4.append(text) }
            case AF_INET6:
                var sin6 = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                guard inet_ntop(AF_INET6, &sin6, &buffer, socklen_t(buffer.count)) != nil else { continue }
                let text = Self.string(buffer)
                if !v6.contains(text) { v6.append(text) }
            default:
                continue
            }
        }
        let all = v4 + v6
        return all.isEmpty ? .failure(.noRecords) : .success(all)
    }
}

/// c-ares's global initialisation, done once (thread-safe: a global's lazy initialiser).
enum CAresLibrary {
    static let ready: Int32 = ares_library_init(ARES_LIB_INIT_ALL)
}
