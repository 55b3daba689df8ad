// swift-tools-version: 6.1
// libFuzzer targets for everything the network (or a user's file) can send: see README.md.
// Built only by `make fuzz` (Fuzz/run.sh) with `-sanitize=fuzzer`; the main package never
// builds this one. `softphone` is a symlink to the repository root, so the dependency has
// the same identity whatever the checkout's folder is called.
import PackageDescription

/// A libFuzzer executable `fuzz-NAME` from `NAME/main.swift`.
func fuzzer(_ name: String, _ dependencies: [Target.Dependency]) -> Target {
    .executableTarget(name: "fuzz-" + name, dependencies: ["FuzzSupport"] + dependencies, path: name)
}

func softphone(_ product: String) -> Target.Dependency { .product(name: product, package: "softphone") }

let package = Package(
    name: "softphone-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(path: "softphone")],
    targets: [
        .target(name: "FuzzDriver", path: "FuzzDriver"),
        .target(name: "FuzzSupport", dependencies: ["FuzzDriver"], path: "FuzzSupport"),
        fuzzer("sip-message", [softphone("SIP"), softphone("SIPAuth")]),
        fuzzer("sdp", [softphone("SDP")]),
        fuzzer("graph-json", [softphone("TeamsSync"), softphone("SoftphoneCore")]),
        fuzzer("config-toml", [softphone("SoftphoneConfig")]),
        fuzzer("pidf", [softphone("PIDF"), softphone("SoftphoneSIPMapping"), softphone("SoftphoneCore")]),
    ],
    swiftLanguageModes: [.v6]
)
