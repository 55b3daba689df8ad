import SoftphoneCore

/// The demo's colleagues and how their presence tends to change.
enum DemoRoster {
    static let names = [
        "Amira Haddad", "Ben Okafor", "Chloe Martin", "Diego Alvarez", "Elena Petrova", "Farid Khan",
        "Grace Liu", "Hugo Schmidt", "Ines Duarte", "Jonas Berg", "Kavya Rao", "Liam O'Brien",
        "Mei Tanaka", "Nadia Rossi", "Omar Said", "Paula Costa", "Quentin Roy", "Rosa Jimenez",
        "Samuel Adeyemi", "Tara Novak", "Umar Farouk", "Vera Lindqvist", "Wei Zhang", "Ximena Torres",
        "Yusuf Demir", "Zoe Fischer", "Aaron Cohen", "Bianca Moretti", "Carlos Mendes", "Dana Weiss",
        "Emil Nowak", "Fatima Zahra", "Gustav Holm", "Hana Sato", "Ivan Horvat", "Julia Becker",
        "Kenji Mori", "Lena Vogel", "Mateo Ruiz", "Nora Jensen",
    ]

    /// Weighted: mostly available or busy, sometimes away, in meetings, presenting, out of office.
    static let weighted: [(Presence, Int)] = [
        (Presence(.available), 30), (Presence(.busy), 10), (Presence(.inACall), 18), (Presence(.inAMeeting), 8),
        (Presence(.away), 7), (Presence(.beRightBack), 5), (Presence(.doNotDisturb), 6), (Presence(.presenting), 3),
        (Presence(.offline), 6), (Presence(.available, outOfOffice: true), 2), (Presence(.offline, outOfOffice: true), 3),
        (Presence(.inACall, outOfOffice: true), 1), (Presence(.unknown), 1),
    ]

    static func presence(_ random: inout SeededGenerator) -> Presence {
        let total = weighted.reduce(0) { $0 + $1.1 }
        var pick = Int.random(in: 0..<total, using: &random)
        for (presence, weight) in weighted {
            if pick < weight { return presence }
            pick -= weight
        }
        return weighted[0].0
    }
}
