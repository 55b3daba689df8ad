import CSRTP
import Synchronization

/// The master keys of an encrypted call (SDES, RFC 4568): each a 30-octet master key and salt
/// (16 + 14) for AES_CM_128_HMAC_SHA1_80. We protect what we send with `send` (the key of our
/// own `a=crypto`) and unprotect what arrives with `receive` (the peer's).
public struct SRTPKeys: Sendable, Hashable {
    /// The length of an AES_CM_128_HMAC_SHA1_80 master key and salt, in octets.
    public static let masterLength = 30

    public var send: [UInt8]
    public var receive: [UInt8]

    public init(send: [UInt8], receive: [UInt8]) {
        self.send = send
        self.receive = receive
    }
}

extension SRTPKeys: CustomStringConvertible {
    /// Never the keys themselves: a description may end up in a log.
    public var description: String { "SRTPKeys(AES_CM_128_HMAC_SHA1_80, keys hidden)" }
}

/// Why SRTP could not be set up or a packet was refused.
public enum SRTPError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A master key and salt that is not ``SRTPKeys/masterLength`` octets.
    case badKeyLength(Int)
    /// The packet's authentication tag does not match: tampered with, or another key.
    case authentication
    /// A packet already received, or too old for the replay window.
    case replay
    /// Not an SRTP packet (too short, not version 2, too long).
    case malformed
    /// Any other failure libsrtp reports, with its status code.
    case library(operation: String, status: Int)

    public var description: String {
        switch self {
        case .badKeyLength(let n): "an SRTP master key and salt must be \(SRTPKeys.masterLength) octets, not \(n)"
        case .authentication: "SRTP authentication failed"
        case .replay: "SRTP replay"
        case .malformed: "not an SRTP packet"
        case .library(let operation, let status): "libsrtp \(operation) failed (status \(status))"
        }
    }

    init(_ status: srtp_err_status_t, operation: String) {
        switch status {
        case srtp_err_status_auth_fail: self = .authentication
        case srtp_err_status_replay_fail, srtp_err_status_replay_old: self = .replay
        case srtp_err_status_parse_err, srtp_err_status_bad_param: self = .malformed
        default: self = .library(operation: operation, status: Int(status.rawValue))
        }
    }
}

/// `srtp_init` once per process, on first use (a global is initialised exactly once).
private let libraryStatus: Int32 = Int32(bitPattern: srtp_init().rawValue)

/// One direction of an SRTP session (RFC 3711) over libsrtp2, AES_CM_128_HMAC_SHA1_80
/// (`srtp_crypto_policy_set_rtp_default`) keyed by one master key and salt: an outbound context
/// protects every stream we send, an inbound one unprotects every stream that arrives (any SSRC),
/// with libsrtp's replay window. SRTCP is not used (we send no RTCP).
///
/// ```swift
/// let sender = try SRTPContext(.outbound, masterKey: keys.send)
/// let wire = try sender.protect(packet.bytes)
/// let receiver = try SRTPContext(.inbound, masterKey: keys.receive)
/// let plain = try receiver.unprotect(wire)   // throws .authentication, .replay, …
/// ```
///
/// Thread-safe: each call holds the context's lock.
public final class SRTPContext: Sendable {
    /// Whether a context protects what we send or unprotects what we receive.
    public enum Direction: Sendable, Hashable {
        case outbound, inbound
    }

    public let direction: Direction
    private let session: Mutex<OpaquePointer>

    /// A context for `direction` keyed by `masterKey` (key and salt, ``SRTPKeys/masterLength`` octets).
    ///
    /// - Throws: ``SRTPError/badKeyLength(_:)``, or ``SRTPError/library(operation:status:)``.
    public init(_ direction: Direction, masterKey: [UInt8]) throws(SRTPError) {
        guard masterKey.count == SRTPKeys.masterLength else { throw .badKeyLength(masterKey.count) }
        guard libraryStatus == 0 else { throw .library(operation: "srtp_init", status: Int(libraryStatus)) }
        var policy = srtp_policy_t()
        srtp_crypto_policy_set_rtp_default(&policy.rtp)
        srtp_crypto_policy_set_rtcp_default(&policy.rtcp)
        policy.ssrc.type = direction == .outbound ? ssrc_any_outbound : ssrc_any_inbound
        policy.window_size = 128
        policy.allow_repeat_tx = 0
        policy.next = nil
        var created: srtp_t?
        // libsrtp derives its session keys from the master key during srtp_create and keeps no
        // pointer to it.
        var key = masterKey
        let status = key.withUnsafeMutableBufferPointer { buffer in
            policy.key = buffer.baseAddress
            return srtp_create(&created, &policy)
        }
        for i in key.indices { key[i] = 0 }
        guard status == srtp_err_status_ok, let created else { throw SRTPError(status, operation: "srtp_create") }
        self.direction = direction
        self.session = Mutex(created)
    }

    deinit {
        session.withLock { _ = srtp_dealloc($0) }
    }

    /// The largest RTP packet protected or unprotected, in octets.
    static let maximumPacketLength = 8192

    /// `packet` (a whole RTP packet) as SRTP: encrypted payload and an authentication tag.
    ///
    /// - Throws: ``SRTPError/malformed`` for something that is not an RTP packet, or what libsrtp says.
    public func protect(_ packet: [UInt8]) throws(SRTPError) -> [UInt8] {
        guard direction == .outbound else { throw .library(operation: "srtp_protect on an inbound context", status: -1) }
        guard Self.looksLikeRTP(packet), packet.count <= Self.maximumPacketLength else { throw .malformed }
        var buffer = packet + [UInt8](repeating: 0, count: Int(SRTP_MAX_TRAILER_LEN))
        var length = Int32(packet.count)
        let status = session.withLock { ctx in
            buffer.withUnsafeMutableBytes { srtp_protect(ctx, $0.baseAddress, &length) }
        }
        guard status == srtp_err_status_ok, length >= 0, Int(length) <= buffer.count else {
            throw SRTPError(status, operation: "srtp_protect")
        }
        buffer.removeLast(buffer.count - Int(length))
        return buffer
    }

    /// The RTP packet inside `packet` (SRTP), once its authentication tag and its index
    /// (against the replay window) check out.
    ///
    /// - Throws: ``SRTPError/authentication``, ``SRTPError/replay``, ``SRTPError/malformed``, or
    ///   another failure libsrtp reports; the packet is then to be dropped.
    public func unprotect(_ packet: some Collection<UInt8>) throws(SRTPError) -> [UInt8] {
        guard direction == .inbound else { throw .library(operation: "srtp_unprotect on an outbound context", status: -1) }
        var buffer = Array(packet)
        guard Self.looksLikeRTP(buffer), buffer.count <= Self.maximumPacketLength else { throw .malformed }
        var length = Int32(buffer.count)
        let status = session.withLock { ctx in
            buffer.withUnsafeMutableBytes { srtp_unprotect(ctx, $0.baseAddress, &length) }
        }
        guard status == srtp_err_status_ok, length >= 0, Int(length) <= buffer.count else {
            throw SRTPError(status, operation: "srtp_unprotect")
        }
        buffer.removeLast(buffer.count - Int(length))
        return buffer
    }

    /// At least a fixed RTP header, version 2: what libsrtp may be handed.
    private static func looksLikeRTP(_ bytes: [UInt8]) -> Bool {
        bytes.count >= RTPPacket.fixedHeaderLength && bytes[0] >> 6 == RTPPacket.version
    }
}
