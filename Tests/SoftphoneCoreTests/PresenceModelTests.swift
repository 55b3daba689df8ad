import Testing
@testable import SoftphoneCore

@Suite("Presence model")
struct PresenceModelTests {
    @Test("The agent chooses from six states in SPEC order")
    func selectableOrder() {
        #expect(UserChoice.allCases.map(\.label) ==
            ["Available", "Busy", "Do not disturb", "Be right back", "Appear away", "Appear offline"])
        #expect(UserChoice.allCases.allSatisfy { $0.state.origin == .user })
    }

    @Test("App-configured states are shown but cannot be chosen")
    func appConfigured() {
        let app = PresenceState.allCases.filter(\.isAppConfigured)
        #expect(Set(app) == [.inACall, .inAConferenceCall, .inAMeeting, .presenting, .focusing, .offline])
        for state in app { #expect(UserChoice(state: state) == nil) }
    }

    @Test("The softphone's own states")
    func softphoneStates() {
        #expect(Set(PresenceState.allCases.filter { $0.origin == .softphone }) == [.logout, .ring, .onACall, .wrapUp, .unknown])
    }

    @Test("Icons follow the seed's table", arguments: [
        (Presence(.available), PresenceIcon.available),
        (Presence(.away), .away), (Presence(.beRightBack), .away),
        (Presence(.doNotDisturb), .doNotDisturb), (Presence(.presenting), .doNotDisturb),
        (Presence(.focusing), .doNotDisturb), (Presence(.wrapUp), .doNotDisturb),
        (Presence(.busy), .busy), (Presence(.onACall), .busy), (Presence(.inACall), .busy),
        (Presence(.inAMeeting), .busy), (Presence(.ring), .busy),
        (Presence(.unknown), .unknown),
        (Presence(.logout), .offline), (Presence(.offline), .offline), (Presence(.appearOffline), .offline),
        (Presence(.offline, outOfOffice: true), .outOfOffice),
        (Presence(.available, outOfOffice: true), .outOfOffice),
        (Presence(.busy, outOfOffice: true), .busyOutOfOffice),
        (Presence(.inACall, outOfOffice: true), .busyOutOfOffice),
    ])
    func icons(presence: Presence, icon: PresenceIcon) {
        #expect(presence.icon == icon)
        #expect(presence.icon.emoji == icon.emoji)
    }

    @Test("Every presence has exactly one icon, a label and an ASCII fallback")
    func everyPresenceHasIconAndLabel() {
        for state in PresenceState.allCases {
            for ooo in [false, true] {
                let p = Presence(state, outOfOffice: ooo)
                #expect(!p.label.isEmpty)
                #expect(p.badge(ascii: true).allSatisfy { $0.isASCII })
                #expect(p.badge(ascii: false).hasPrefix(p.icon.emoji))
            }
        }
        #expect(Set(PresenceIcon.allCases.map(\.ascii)).count == PresenceIcon.allCases.count)
        #expect(!PresenceIcon.allCases.map(\.ascii).contains(TeamsDisconnectedIcon.ascii))
    }

    @Test("Labels with out of office")
    func outOfOfficeLabels() {
        #expect(Presence(.available, outOfOffice: true).label == "Available - Out of office")
        #expect(Presence(.busy, outOfOffice: true).label == "Busy - Out of office")
        #expect(Presence(.inACall, outOfOffice: true).label == "In a call - Out of office")
        #expect(Presence(.offline, outOfOffice: true).label == "Out of office")
    }

    @Test("Do not disturb with out of office shows as Do not disturb only")
    func doNotDisturbHidesOutOfOffice() {
        let p = Presence(.doNotDisturb, outOfOffice: true)
        #expect(p.label == "Do not disturb")
        #expect(p.icon == .doNotDisturb)
        #expect(p.badge(ascii: false) == "⛔ Do not disturb")
    }

    @Test("Instants and durations do arithmetic in nanoseconds")
    func instants() {
        let later = t0 + .milliseconds(1500)
        #expect(later - t0 == .milliseconds(1500))
        #expect((later - .seconds(2)) < t0)
        #expect(Duration.seconds(3).nanoseconds == 3_000_000_000)
    }

    @Test("The event log keeps the newest entries, oldest first")
    func eventLogBounded() {
        var log = EventLog(capacity: 3)
        for i in 1...5 { log.append(LogEvent(at: t0, kind: .call, text: "\(i)")) }
        #expect(log.events.map(\.text) == ["3", "4", "5"])
        #expect(log.last?.text == "5")
    }
}
