// Fuzzes the configuration loader (Sources/SoftphoneConfig): TOML text from a user's file
// must give a Configuration or a ConfigError with issues, never a crash.
import FuzzSupport
import SoftphoneConfig

@_cdecl("fuzz_config_toml_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv) { data, size in fuzz(data!, size) }
}

let environment = ["SOFTPHONE_SIP_PASSWORD": "sip-pa55word", "SOFTPHONE_TEAMS_SECRET": "teams-s3cret",
                   "HOME": "/home/fuzz"]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = lossyString(UnsafeBufferPointer(start: data, count: size))
    do {
        let configuration = try Configuration.parse(text, environment: environment, path: "fuzz.toml")
        _ = configuration.coreSettings
        _ = configuration.queueDirectory
        _ = configuration.registrationUser
        _ = configuration.summaryLines
        _ = String(describing: configuration)
    } catch {
        require(!error.issues.isEmpty, "a ConfigError without issues")
        _ = error.description
        for issue in error.issues { _ = issue.description }
    }
    // Without the secrets in the environment too.
    _ = try? Configuration.parse(text, environment: [:], path: "fuzz.toml")
    return 0
}
