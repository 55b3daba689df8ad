import GraphModel
import SoftphoneCore
import Testing
@testable import TeamsEmulator

@Suite("Formats")
struct FormatTests {
    @Test func isoDurations() {
        #expect(ISODuration.parse("PT5M") == .seconds(300))
        #expect(ISODuration.parse("PT1H30M") == .seconds(5400))
        #expect(ISODuration.parse("P1DT1S") == .seconds(86_401))
        #expect(ISODuration.parse("PT0.5S") == .milliseconds(500))
        #expect(ISODuration.parse("pt4h") == .seconds(4 * 3600))
        #expect(ISODuration.parse("P1M") == nil)
        #expect(ISODuration.parse("PT") == nil)
        #expect(ISODuration.parse("5M") == nil)
        #expect(ISODuration.parse("PT5X") == nil)
        #expect(ISODuration.format(.seconds(300)) == "PT5M")
        #expect(ISODuration.format(.seconds(4 * 3600)) == "PT4H")
    }

    @Test func graphDateTimes() {
        let instant = Instant(secondsSinceEpoch: 1_736_940_180)  // 2025-01-15T11:23:00Z
        #expect(GraphDateTime.format(instant) == "2025-01-15T11:23:00.0000000Z")
        #expect(GraphDateTime.parse("2025-01-15T11:23:00.0000000Z") == instant)
        #expect(GraphDateTime.parse("2025-01-15T11:23:00Z") == instant)
        #expect(GraphDateTime.parse("2025-01-15T12:23:00+01:00") == instant)
        #expect(GraphDateTime.parse("2025-01-15T11:23:00.123Z") == instant + .milliseconds(123))
        #expect(GraphDateTime.parse("2025-01-15T11:23:00") == instant)
        #expect(GraphDateTime.parse("2025-13-15T11:23:00Z") == nil)
        #expect(GraphDateTime.parse("yesterday") == nil)
        #expect(GraphDateTime.parse("1969-12-31T23:59:59Z") == Instant(secondsSinceEpoch: -1))
    }

    @Test func subscriptionResources() throws {
        let (a, b, c) = (ObjectID.forName("a"), ObjectID.forName("b"), ObjectID.forName("c"))
        #expect(try PresenceSubscription.users(inResource: "/communications/presences/\(a)") == [a])
        #expect(try PresenceSubscription.users(inResource: "communications/presences/\(a)") == [a])
        #expect(try PresenceSubscription.users(inResource: "/communications/presences?$filter=id in ('\(a)','\(b)', '\(c)')")
            == [a, b, c])
        #expect(try PresenceSubscription.users(inResource: "/communications/presences?$filter=id%20in%20('\(a)')") == [a])
        #expect(try PresenceSubscription.users(inResource: "/communications/presences/\(a.uppercased())") == [a])
        #expect(throws: GraphFailure.self) { try PresenceSubscription.users(inResource: "/users/abc") }
        #expect(throws: GraphFailure.self) { try PresenceSubscription.users(inResource: "/communications/presences") }
        // Object ids only: a UPN or a short name is refused.
        #expect(throws: GraphFailure.self) { try PresenceSubscription.users(inResource: "/communications/presences/abc") }
        #expect(throws: GraphFailure.self) {
            try PresenceSubscription.users(inResource: "/communications/presences?$filter=id in ('ada@contoso.example')")
        }
    }

    @Test func forms() {
        #expect(EmulatorRoutes.parseForm("a=1&b=x+y&scope=https%3A%2F%2Fg%2F.default")
            == ["a": "1", "b": "x y", "scope": "https://g/.default"])
    }
}
