import Foundation
import SoftphoneCore

/// ISO 8601 date-times as Graph reads and writes them.
///
/// Graph writes seven fractional digits (`2025-01-15T11:23:00.0000000Z`); it reads
/// any number of them, with `Z`, an offset, or no zone (then the caller's zone applies).
public enum GraphDateTime {
    /// Parses `YYYY-MM-DDTHH:MM:SS[.f…][Z|±HH:MM]`. Without a zone, `defaultOffsetSeconds` applies.
    public static func parse(_ text: String, defaultOffsetSeconds: Int = 0) -> Instant? {
        let s = Array(text.trimmingCharacters(in: .whitespaces).utf8)
        var i = 0
        func digits(_ n: Int) -> Int? {
            guard i + n <= s.count else { return nil }
            var v = 0
            for k in 0..<n {
                let c = s[i + k]
                guard c >= 48, c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            i += n
            return v
        }
        func expect(_ c: UInt8) -> Bool {
            guard i < s.count, s[i] == c else { return false }
            i += 1
            return true
        }
        guard let year = digits(4), expect(45), let month = digits(2), expect(45), let day = digits(2),
              i < s.count, s[i] == 84 || s[i] == 116 else { return nil }
        i += 1
        guard let hour = digits(2), expect(58), let minute = digits(2) else { return nil }
        var second = 0
        var nanos: Int64 = 0
        if expect(58) {
            guard let sec = digits(2) else { return nil }
            second = sec
            if expect(46) {
                var scale: Int64 = 100_000_000
                var any = false
                while i < s.count, s[i] >= 48, s[i] <= 57 {
                    nanos += Int64(s[i] - 48) * scale
                    scale /= 10
                    i += 1
                    any = true
                }
                guard any else { return nil }
            }
        }
        var offset = defaultOffsetSeconds
        if i < s.count {
            if s[i] == 90 || s[i] == 122 {
                offset = 0
                i += 1
            } else if s[i] == 43 || s[i] == 45 {
                let sign = s[i] == 45 ? -1 : 1
                i += 1
                guard let oh = digits(2) else { return nil }
                _ = expect(58)
                guard let om = digits(2) else { return nil }
                offset = sign * (oh * 3600 + om * 60)
            }
        }
        guard i == s.count, (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60,
              second < 61 else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offset)
        return Instant(nanosecondsSinceEpoch: seconds * 1_000_000_000 + nanos)
    }

    /// `2025-01-15T11:23:00.0000000Z`.
    public static func format(_ instant: Instant) -> String { local(instant, offsetSeconds: 0) + "Z" }

    /// The local date-time without a zone suffix, as in Graph's `dateTimeTimeZone.dateTime`.
    public static func local(_ instant: Instant, offsetSeconds: Int) -> String {
        let ns = instant.nanosecondsSinceEpoch + Int64(offsetSeconds) * 1_000_000_000
        var seconds = ns / 1_000_000_000
        var fraction = ns % 1_000_000_000
        if fraction < 0 { fraction += 1_000_000_000; seconds -= 1 }
        var days = seconds / 86_400
        var rest = seconds % 86_400
        if rest < 0 { rest += 86_400; days -= 1 }
        let (y, m, d) = civilFromDays(Int(days))
        func pad(_ v: Int, _ n: Int) -> String {
            let t = String(v)
            return String(repeating: "0", count: max(0, n - t.count)) + t
        }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(Int(rest / 3600), 2)):\(pad(Int(rest % 3600 / 60), 2))"
            + ":\(pad(Int(rest % 60), 2)).\(pad(Int(fraction / 100), 7))"
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public static func civilFromDays(_ days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
