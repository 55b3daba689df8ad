import SoftphoneCore

/// The one generated roster of colleagues: the Teams emulator's users, and the
/// in-process demo's Team tab.
public enum DemoRoster {
    private static let firstNames = [
        "Ada", "Ben", "Chloé", "Dmitri", "Elif", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kemal", "Lena",
        "Mateo", "Nadia", "Oskar", "Priya", "Quentin", "Rosa", "Sven", "Tamar", "Umar", "Vera", "Wei", "Yara", "Zoë",
    ]
    private static let lastNames = [
        "Andersen", "Brandt", "Costa", "Dubois", "Eriksen", "Fischer", "García", "Horvat", "Ivanova", "Jensen",
        "Kowalski", "Lindqvist", "Moreau", "Novak", "Okafor", "Petrov", "Rossi", "Schmidt", "Tanaka", "Weber",
    ]

    /// `count` colleagues with GUID-shaped ids, names, and a signed-in Teams client in a
    /// plausible state (most Available), all determined by `seed`.
    public static func colleagues(count: Int, seed: UInt64 = 1) -> [EmulatedUserSeed] {
        var generator = SeededGenerator(seed: seed)
        return (0..<max(0, count)).map { index in
            let first = firstNames.randomElement(using: &generator)!
            let last = lastNames.randomElement(using: &generator)!
            return EmulatedUserSeed(
                id: guid(&generator), displayName: "\(first) \(last)", colleague: true,
                teamsClient: clientState(&generator),
                outOfOffice: index % 17 == 16)
        }
    }

    /// A plausible Teams client state (most Available); nil: not signed in.
    public static func clientState(_ generator: inout SeededGenerator) -> PresencePair? {
        states.randomElement(using: &generator)!
    }

    private static let states: [PresencePair?] = [
        PresencePair(.available, .available), PresencePair(.available, .available),
        PresencePair(.available, .available), PresencePair(.busy, .inACall), PresencePair(.busy, .busy),
        PresencePair(.away, .away), PresencePair(.doNotDisturb, .presenting), PresencePair(.beRightBack, .beRightBack),
        nil,
    ]

    private static func guid(_ generator: inout SeededGenerator) -> String {
        let hex = (0..<2).map { _ in String(generator.next(), radix: 16) }
            .map { String(repeating: "0", count: 16 - $0.count) + $0 }.joined()
        let c = Array(hex)
        return [String(c[0..<8]), String(c[8..<12]), String(c[12..<16]), String(c[16..<20]), String(c[20..<32])]
            .joined(separator: "-")
    }
}
