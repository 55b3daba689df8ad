import CallStore
import SoftphoneCore
import Testing

@Suite("Presence history")
struct PresenceTests {
    @Test("every presence state, out-of-office flag and source survives the round trip")
    func roundTrip() throws {
        let store = try CallStore.inMemory()
        var recorded: [PresenceTransition] = []
        for (index, state) in PresenceState.allCases.enumerated() {
            let source = PresenceSource.allCases[index % PresenceSource.allCases.count]
            let previous = PresenceState.allCases[(index + 1) % PresenceState.allCases.count]
            let transition = PresenceTransition(
                from: Presence(previous, outOfOffice: index.isMultiple(of: 2)),
                to: Presence(state, outOfOffice: index.isMultiple(of: 3)),
                setBy: source,
                at: instant(Int64(index), nanos: Int64(index))
            )
            try store.record(transition)
            recorded.append(transition)
        }

        let history = try store.presenceHistory(limit: 1_000)
        #expect(history == recorded.reversed())
        #expect(try store.presenceHistory(limit: 3) == Array(recorded.reversed().prefix(3)))
    }

    @Test("changes at the same instant come back newest recorded first")
    func sameInstantOrdering() throws {
        let store = try CallStore.inMemory()
        let first = PresenceTransition(from: Presence(.available), to: Presence(.ring), setBy: .softphone, at: instant(5))
        let second = PresenceTransition(from: Presence(.ring), to: Presence(.onACall), setBy: .softphone, at: instant(5))
        try store.record(first)
        try store.record(second)
        #expect(try store.presenceHistory() == [second, first])
    }

    /// Available at 100 s, Busy at 200 s, Do not disturb + out of office at 300 s,
    /// Available at 450 s, Away at 600 s.
    private func storeWithDay() throws -> CallStore {
        let store = try CallStore.inMemory()
        let steps: [(Int64, Presence, PresenceSource)] = [
            (100, Presence(.available), .user),
            (200, Presence(.busy), .application),
            (300, Presence(.doNotDisturb, outOfOffice: true), .outlook),
            (450, Presence(.available), .user),
            (600, Presence(.away), .application),
        ]
        var shown = Presence(.unknown)
        for (at, presence, source) in steps {
            try store.record(PresenceTransition(from: shown, to: presence, setBy: source, at: instant(at)))
            shown = presence
        }
        return store
    }

    @Test("time in presence clips the first and last stretch to the period")
    func timeInPresenceClipsBothEnds() throws {
        let store = try storeWithDay()
        // 150…500: Available 150–200 (50 s, in force from the change at 100),
        // Busy 200–300 (100 s), DND+OOF 300–450 (150 s), Available 450–500 (50 s).
        // The change to Away at 600 is after the period.
        let time = try store.timeInPresence(from: instant(150), to: instant(500))
        #expect(time == [
            Presence(.available): .seconds(100),
            Presence(.busy): .seconds(100),
            Presence(.doNotDisturb, outOfOffice: true): .seconds(150),
        ])
        let total = time.values.reduce(Duration.zero, +)
        #expect(total == .seconds(350))
    }

    @Test("time before the first known change is not counted")
    func timeInPresenceBeforeFirstChange() throws {
        let store = try storeWithDay()
        #expect(try store.timeInPresence(from: instant(0), to: instant(150)) == [Presence(.available): .seconds(50)])
        #expect(try store.timeInPresence(from: instant(0), to: instant(100)) == [:])
    }

    @Test("a change exactly at the start of the period takes over at once")
    func timeInPresenceChangeAtStart() throws {
        let store = try storeWithDay()
        #expect(try store.timeInPresence(from: instant(200), to: instant(300)) == [Presence(.busy): .seconds(100)])
    }

    @Test("after the last change, its presence fills the whole period; empty periods give nothing")
    func timeInPresenceAfterLastChange() throws {
        let store = try storeWithDay()
        #expect(try store.timeInPresence(from: instant(700), to: instant(760)) == [Presence(.away): .seconds(60)])
        #expect(try store.timeInPresence(from: instant(700), to: instant(700)) == [:])
        #expect(try store.timeInPresence(from: instant(760), to: instant(700)) == [:])
        #expect(try CallStore.inMemory().timeInPresence(from: instant(0), to: instant(100)) == [:])
    }
}
