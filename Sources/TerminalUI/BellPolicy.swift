import SoftphoneCore

/// When the terminal bell rings: once for each call that newly rings (a signalled inbound call
/// entering `.ringing`), decided by comparing the ringing calls of one frame with the last.
/// Pure: the ncurses backend only beeps when `shouldRing` says so. A diverted call never
/// enters the state's calls, so it never rings the bell.
public struct BellPolicy: Sendable {
    private var ringing: Set<CallID> = []

    public init() {}

    /// Whether a call rings in `state` that did not ring in the state given last time.
    public mutating func shouldRing(for state: SoftphoneState) -> Bool {
        let now = Set(state.calls.lazy.filter { $0.direction == .inbound && $0.phase == .ringing }.map(\.id))
        defer { ringing = now }
        return !now.isSubset(of: ringing)
    }
}
