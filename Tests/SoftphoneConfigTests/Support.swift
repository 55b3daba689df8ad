import Foundation
@testable import SoftphoneConfig

/// The secrets every "happy" test passes in the environment.
let secrets = ["SOFTPHONE_SIP_PASSWORD": "sip-pa55word", "SOFTPHONE_TEAMS_SECRET": "teams-s3cret"]

/// The repository's `Resources/config.example.toml`, found from this source file.
let exampleConfigPath: String = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()  // SoftphoneConfigTests
    .deletingLastPathComponent()  // Tests
    .deletingLastPathComponent()  // package root
    .appendingPathComponent("Resources/config.example.toml").path

/// The issues `parse` reports for `text`, as `key: reason` lines; empty when the text is valid.
func issues(_ text: String, environment: [String: String] = secrets) -> [String] {
    do {
        _ = try Configuration.parse(text, environment: environment)
        return []
    } catch {
        return error.issues.map(\.description)
    }
}

/// A scratch directory removed when the value goes away.
final class TemporaryDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "softphone-config-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ text: String) throws -> String {
        let file = path + "/" + name
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
