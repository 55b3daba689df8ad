import SoftphoneCore

/// ISO 8601 durations as Graph writes them (`PT5M`, `PT1H30M`, `P1D`, `PT0.5S`).
///
/// Years and months have no fixed length and are accepted only as zero.
public enum ISODuration {
    public static func parse(_ text: String) -> Duration? {
        var chars = Substring(text.uppercased())
        guard chars.first == "P" else { return nil }
        chars = chars.dropFirst()
        var inTime = false
        var number = ""
        var total = 0.0
        var components = 0
        for c in chars {
            if c.isASCII, c.isNumber || c == "." || c == "," {
                number.append(c == "," ? "." : c)
                continue
            }
            if c == "T" {
                guard !inTime, number.isEmpty else { return nil }
                inTime = true
                continue
            }
            guard let value = Double(number), value >= 0 else { return nil }
            number = ""
            components += 1
            switch (inTime, c) {
            case (false, "Y"), (false, "M"): guard value == 0 else { return nil }
            case (false, "W"): total += value * 7 * 86_400
            case (false, "D"): total += value * 86_400
            case (true, "H"): total += value * 3_600
            case (true, "M"): total += value * 60
            case (true, "S"): total += value
            default: return nil
            }
        }
        guard number.isEmpty, components > 0, total.isFinite, total < 1e12 else { return nil }
        return .nanoseconds(Int64((total * 1e9).rounded()))
    }

    /// `PT…` form in whole seconds, e.g. `PT5M`, `PT1H0M30S` is written `PT1H30S`.
    public static func format(_ duration: Duration) -> String {
        var seconds = duration.wholeSeconds
        guard seconds > 0 else { return "PT0S" }
        var text = "P"
        let days = seconds / 86_400
        seconds %= 86_400
        if days > 0 { text += "\(days)D" }
        guard seconds > 0 else { return text }
        text += "T"
        if seconds >= 3_600 { text += "\(seconds / 3_600)H"; seconds %= 3_600 }
        if seconds >= 60 { text += "\(seconds / 60)M"; seconds %= 60 }
        if seconds > 0 { text += "\(seconds)S" }
        return text
    }
}
