import Foundation
import Testing
@testable import SoftphoneConfig

/// Files on which the libFuzzer target `fuzz-config-toml` (Fuzz/, `make fuzz`) crashed: the
/// TOML parser bundled by TOMLKit aborts on some malformed headers and values instead of
/// reporting them, so `Configuration.parse` checks for those first (`TOMLPrecheck`). The
/// inputs are kept in Fuzz/corpus/config-toml/regress-* and replayed here.
@Suite("Fuzz regressions")
struct FuzzRegressionTests {
    static let corpus = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/corpus/config-toml")

    /// The single issue `parse` reports, as `line:column: reason`.
    func problem(_ text: String) -> String? {
        do {
            _ = try Configuration.parse(text, environment: secrets)
            return nil
        } catch {
            return error.issues.map(\.description).joined(separator: "\n")
        }
    }

    @Test("a table header that does not start with a key is reported, not an abort",
          arguments: ["[é]", "[=]", "[.]", "[#]", "[ {]", "[[,]]", "[[[a]]]", "[\u{1}ser]", "[\t!]"])
    func badTableHeader(_ header: String) {
        let text = "[user]\nname = \"x\"\n" + header + "\n"
        #expect(TOMLPrecheck.firstProblem(in: text)?.line == 3)
        #expect(problem(text)?.contains("a table header must start with a key") == true)
    }

    @Test func badTableHeaderAfterByteOrderMark() {
        #expect(TOMLPrecheck.firstProblem(in: "\u{FEFF} [[[x]]]\n") == .init(line: 1, column: 4, reason:
            "a table header must start with a key: a letter, digit, _ or -, or a quoted key"))
    }

    @Test("a malformed date, time or number is reported, not an abort",
          arguments: ["1979-05-27T\u{14}07:32:00Z", "1979-05-27Tx", "1979-05-27T", "07:32", "1_", "0x", "1e", "+", "--1"])
    func badValue(_ value: String) {
        let found = TOMLPrecheck.firstProblem(in: "[user]\nname = " + value + "\n")
        #expect(found?.line == 2 && found?.column == 8, "\(value.debugDescription): \(String(describing: found))")
        #expect(problem("[user]\nname = " + value + "\n")?.contains("not a TOML value") == true)
    }

    @Test("valid TOML passes the check, whatever it holds")
    func validTOMLPasses() throws {
        let valid = [
            "", "\n\n", "# only a comment", "\u{FEFF}[user]\nname = \"x\"", "[user]\r\nname = \"x\"\r\n",
            "a = 1\nb = -0\nc = +17\nd = 1_000\ne = 0xDEAD_beef\nf = 0o755\ng = 0b1101",
            "a = 3.14\nb = -0.0\nc = 5e+22\nd = 1E6\ne = 6.626e-34\nf = 224_617.445_991\ng = inf\nh = -nan\ni = +inf",
            "a = true\nb = false",
            "a = 1979-05-27T07:32:00Z\nb = 1979-05-27T00:32:00-07:00\nc = 1979-05-27 07:32:00.999999\nd = 1979-05-27\ne = 07:32:00\nf = 1979-05-27t07:32:00z",
            "s = \"a \\\" [=] # b\"\nt = 'C:\\path [.]'\nu = \"\"\"\n[=]\n  \"quoted\" \"\"\"\"\"\nv = '''\n[[[a]]]\n'''",
            "a = [\n  1, # comment ]\n  [2, 3],\n  [ # more\n    \"x\" ],\n]\nb = [[1.5], [true]]\nc = []",
            "p = { x = 1, y = \"[=]\", z = { w = [1, 2] } }\nq = {}",
            "[ a . \"b c\" . 'd' ]  # header comment\nx.y = 1\n\"quoted key\" = 2\n'lit' = 3\n[[arr]]\n[[arr]]\n[a.b.\"c]\"]",
            try String(contentsOfFile: exampleConfigPath, encoding: .utf8),
        ]
        for text in valid {
            #expect(TOMLPrecheck.firstProblem(in: text) == nil, "\(text.debugDescription)")
        }
    }

    @Test("a float where an integer is expected still gets the message of its key")
    func floatStillReportedByKey() {
        #expect(problem("[wrapup]\nseconds = 1.5") == "wrapup.seconds: must be an integer")
    }

    @Test("every kept input is reported as a problem or loads, never crashes")
    func keptInputs() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.corpus.path).filter { $0.hasPrefix("regress-") }
        #expect(names.count >= 3)
        for name in names.sorted() {
            let data = try Data(contentsOf: Self.corpus.appendingPathComponent(name))
            #expect(problem(String(decoding: data, as: UTF8.self)) != nil, "\(name)")
        }
    }
}
