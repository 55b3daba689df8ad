// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "softphone",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "softphone", targets: ["softphone"]),
        .library(name: "SoftphoneCore", targets: ["SoftphoneCore"]),
        // For the fuzzers in Fuzz/ (a separate package that depends on this one by path).
        .library(name: "SIP", targets: ["SIP"]),
        .library(name: "SIPAuth", targets: ["SIPAuth"]),
        .library(name: "PIDF", targets: ["PIDF"]),
        .library(name: "SoftphoneSIPMapping", targets: ["SoftphoneSIPMapping"]),
        .library(name: "SDP", targets: ["SDP"]),
        .library(name: "SoftphoneConfig", targets: ["SoftphoneConfig"]),
        .library(name: "TeamsSync", targets: ["TeamsSync"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        // Time and randomness as plain values: the one saturating Duration conversion, the one
        // deadline queue (timers by key) and the one seedable generator. Pure; every engine
        // takes its clock and its randomness as inputs.
        .target(name: "Timekeeping", dependencies: [.product(name: "HeapModule", package: "swift-collections")]),
        // The pure domain: presence model, Teams aggregation, signalling policy, reducer.
        .target(name: "SoftphoneCore", dependencies: ["Timekeeping"]),
        // Configuration file (TOML) → validated `Configuration`.
        .target(
            name: "SoftphoneConfig",
            dependencies: ["SoftphoneCore", .product(name: "TOMLKit", package: "TOMLKit")]
        ),
        // Durable call log and presence history (SQLite via GRDB).
        .target(
            name: "CallStore",
            dependencies: ["SoftphoneCore", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // Graph's wire formats shared by the client and the emulator: ISO 8601 date-times and
        // durations. A pure target of its own so that the emulator (a server) and TeamsSync (a
        // client) use one parser without either depending on the other's networking.
        .target(name: "GraphModel", dependencies: ["SoftphoneCore"]),
        // Microsoft Graph presence client (AsyncHTTPClient), tokens, retries, the pure sync plan
        // and its driver on an injected clock, the webhook receiver (Hummingbird).
        .target(
            name: "TeamsSync",
            dependencies: ["SoftphoneCore", "SoftphoneConfig", "GraphModel", .product(name: "AsyncHTTPClient", package: "async-http-client"),
                           .product(name: "Hummingbird", package: "hummingbird")]
        ),
        // A Graph-compatible Teams presence server for the demo and tests (Hummingbird).
        .target(
            name: "TeamsEmulator",
            dependencies: ["SoftphoneCore", "GraphModel", .product(name: "Hummingbird", package: "hummingbird"),
                           .product(name: "AsyncHTTPClient", package: "async-http-client"),
                           .product(name: "Crypto", package: "swift-crypto")]
        ),
        // The program's log (swift-log): a file handler writing off the caller's thread to
        // $XDG_STATE_HOME/softphone/softphone.log, rotated by size; never the terminal.
        .target(name: "SoftphoneLogging",
                dependencies: ["Timekeeping", .product(name: "Logging", package: "swift-log")]),
        // SIP messages (RFC 3261): parsing, serialising, stream framing. Pure Swift.
        .target(name: "SIP", dependencies: ["Timekeeping"]),
        // SIP over the network: UDP, TCP and TLS (client connections, swift-nio-ssl) transports on SwiftNIO.
        .target(
            name: "SIPNetwork",
            dependencies: ["SIP", "Timekeeping", .product(name: "NIOCore", package: "swift-nio"),
                           .product(name: "NIOPosix", package: "swift-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
                           .product(name: "NIOTLS", package: "swift-nio")]
        ),
        // c-ares, the asynchronous DNS resolver (Debian: libc-ares-dev): NAPTR, SRV, A/AAAA.
        .systemLibrary(name: "CAres", pkgConfig: "libcares", providers: [.apt(["libc-ares-dev"])]),
        // RFC 3263 server location: a SIP URI → the ordered hops to try (NAPTR → SRV by priority
        // and weight → A/AAAA). The ordering is pure; the queries go through c-ares, off any event loop.
        .target(name: "SIPResolver", dependencies: ["SIP", "CAres"]),
        // The line's SIP user agent, pure: small machines (registration, publication, subscriptions)
        // and the calls' dialogs, routed by `LineAgent`; its own requests and events. No I/O, no clock,
        // no SoftphoneCore.
        .target(name: "SIPUserAgent", dependencies: ["SIP", "SIPAuth", "SDP", "PIDF", "Timekeeping"]),
        // The app's side of the SIP line, pure: core LineCommands → the agent's LineRequests, the
        // agent's LineEvents → core Actions, and PIDF documents ↔ the softphone's presence.
        .target(name: "SoftphoneSIPMapping", dependencies: ["SIPUserAgent", "PIDF", "SoftphoneCore"]),
        // RTP media for calls: RTP packets, a UDP session sending every 20 ms (SwiftNIO), and the
        // audio computation driven by calls (no threads, no clocks): codecs (G.711, G.722, Opus),
        // resampling, jitter buffer, loss concealment, RFC 4733 DTMF, tones, the send and receive chains;
        // SRTP (libsrtp2) when the call is encrypted.
        .target(
            name: "RTPMedia",
            dependencies: ["Timekeeping", "COpus", "CSpanDSP", "CSpeexDSP", "CSRTP",
                           .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio")]
        ),
        // libsrtp2: SRTP (RFC 3711) for calls keyed by SDES (Debian: libsrtp2-dev).
        .systemLibrary(name: "CSRTP", pkgConfig: "libsrtp2", providers: [.apt(["libsrtp2-dev"])]),
        // Opus, RFC 6716 (Debian: libopus-dev).
        .systemLibrary(name: "COpus", pkgConfig: "opus", providers: [.apt(["libopus-dev"])]),
        // spandsp's G.722 codec and packet loss concealer (Debian: libspandsp-dev).
        .systemLibrary(name: "CSpanDSP", pkgConfig: "spandsp", providers: [.apt(["libspandsp-dev"])]),
        // speexdsp's resampler and jitter buffer (Debian: libspeexdsp-dev).
        .systemLibrary(name: "CSpeexDSP", pkgConfig: "speexdsp", providers: [.apt(["libspeexdsp-dev"])]),
        // SIP digest authentication (RFC 2617 / 7616, MD5, qop=auth); MD5 from swift-crypto. Pure Swift.
        .target(name: "SIPAuth", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        // SDP (RFC 4566) and the offer/answer of a G.711 call (RFC 3264). Pure Swift.
        .target(name: "SDP"),
        // SIP presence documents: PIDF (RFC 3863) with RPID (RFC 4480) and the data model (RFC 4479):
        // the document model, reader and writer. Pure Swift, with its own small XML reader.
        .target(name: "PIDF"),
        // PulseAudio's client library (Debian: libpulse-dev); PipeWire serves the same API. Headers in
        // /usr/include, so no pkg-config (its -pthread/-D_REENTRANT flags only draw warnings).
        .systemLibrary(name: "CPulse", providers: [.apt(["libpulse-dev"])]),
        // Sound devices through PulseAudio: device listing and 48 kHz mono playback and capture
        // streams, all on one PulseAudio threaded main loop. Knows nothing of calls or codecs.
        .target(name: "AudioDevice", dependencies: ["CPulse", "Timekeeping"]),
        // ncursesw, the wide-character curses library (Debian: libncursesw5-dev).
        .systemLibrary(name: "CNcursesw", providers: [.apt(["libncursesw5-dev"])]),
        // Cell grid, views, key map (pure) and the ncurses backend (the only code that touches the terminal).
        .target(name: "TerminalUI", dependencies: ["SoftphoneCore", "CNcursesw", "CTerminalGuard"]),
        // Restores the terminal if the process crashes (async-signal-safe C).
        .target(name: "CTerminalGuard"),
        // The running program: one store on the SIP line's event loop, effects to the
        // connectors (the SIP line, Teams, the call log), the terminal loop. No demo code.
        .target(
            name: "SoftphoneApp",
            dependencies: ["SoftphoneCore", "SoftphoneConfig", "CallStore", "TerminalUI", "TeamsSync",
                           "SIP", "SIPNetwork", "SIPResolver", "SIPUserAgent", "SoftphoneSIPMapping", "RTPMedia", "AudioDevice", "SoftphoneLogging",
                           .product(name: "Logging", package: "swift-log"),
                           .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio")]
        ),
        // `softphone --demo`: the in-process Teams emulator, a demo registrar and switchboard
        // over loopback SIP, and the scripted agenda; also the in-process demo the tests run
        // on virtual time. Linked only by the executable and the tests.
        .target(
            name: "SoftphoneDemo",
            dependencies: ["SoftphoneApp", "SoftphoneConfig", "SoftphoneCore", "CallStore", "TerminalUI", "TeamsSync", "TeamsEmulator",
                           "SIP", "SIPAuth", "SIPNetwork", "SIPUserAgent", "SoftphoneSIPMapping", "RTPMedia",
                           .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio")]
        ),
        // The executable: argument parsing and wiring, nothing else.
        .executableTarget(
            name: "softphone",
            dependencies: [
                "SoftphoneCore", "SoftphoneConfig", "CallStore", "SoftphoneApp", "SoftphoneDemo", "TeamsEmulator",
                "TeamsSync", "AudioDevice",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Writes call records until killed; used by the crash-safety test of CallStore.
        .executableTarget(
            name: "callstore-crash-writer",
            dependencies: ["CallStore", "SoftphoneCore"],
            path: "Tests/Helpers/callstore-crash-writer"
        ),
        .testTarget(
            name: "SoftphoneCoreTests",
            dependencies: ["SoftphoneCore", .product(name: "PropertyBased", package: "swift-property-based")]
        ),
        .testTarget(name: "TimekeepingTests", dependencies: ["Timekeeping"]),
        .testTarget(name: "SoftphoneLoggingTests", dependencies: ["SoftphoneLogging", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "SoftphoneConfigTests", dependencies: ["SoftphoneConfig", "SoftphoneCore"]),
        .testTarget(name: "CallStoreTests", dependencies: ["CallStore", "SoftphoneCore"]),
        .testTarget(
            name: "TeamsEmulatorTests",
            dependencies: ["TeamsEmulator", "GraphModel", "SoftphoneCore",
                           .product(name: "HummingbirdTesting", package: "hummingbird")]
        ),
        .testTarget(
            name: "TeamsSyncTests",
            dependencies: ["TeamsSync", "TeamsEmulator", "GraphModel", "SoftphoneCore", "SoftphoneConfig",
                           .product(name: "AsyncHTTPClient", package: "async-http-client"),
                           .product(name: "Hummingbird", package: "hummingbird")]
        ),
        .testTarget(name: "SIPTests", dependencies: ["SIP"], resources: [.copy("Torture")]),
        .testTarget(name: "SIPAuthTests", dependencies: ["SIPAuth"]),
        .testTarget(
            name: "RTPMediaTests",
            dependencies: ["RTPMedia", "SoftphoneCore", .product(name: "NIOCore", package: "swift-nio"),
                           .product(name: "NIOPosix", package: "swift-nio")]
        ),
        .testTarget(name: "SIPUserAgentTests",
                    dependencies: ["SIPUserAgent", "SIP", "SIPAuth", "SDP", "PIDF", "SoftphoneSIPMapping", "SoftphoneCore"]),
        .testTarget(name: "SoftphoneSIPMappingTests", dependencies: ["SoftphoneSIPMapping", "SIPUserAgent", "PIDF", "SoftphoneCore"]),
        .testTarget(name: "SIPNetworkTests",
                    dependencies: ["SIPNetwork", "SIP", .product(name: "NIOCore", package: "swift-nio"),
                                   .product(name: "NIOPosix", package: "swift-nio"), .product(name: "NIOEmbedded", package: "swift-nio"),
                                   .product(name: "NIOSSL", package: "swift-nio-ssl")]),
        .testTarget(name: "SIPResolverTests", dependencies: ["SIPResolver", "SIP"]),
        .testTarget(name: "SDPTests", dependencies: ["SDP"]),
        .testTarget(name: "AudioDeviceTests", dependencies: ["AudioDevice"]),
        // The PIDF ↔ presence mapping tests share the PIDF fixtures, so they stay beside them.
        .testTarget(name: "PIDFTests", dependencies: ["PIDF", "SoftphoneSIPMapping", "SoftphoneCore"]),
        .testTarget(name: "TerminalUITests", dependencies: ["TerminalUI", "SoftphoneCore"], exclude: ["Snapshots"]),
        .testTarget(
            name: "SoftphoneAppTests",
            dependencies: ["SoftphoneApp", "SoftphoneDemo", "AudioDevice", "RTPMedia", "TerminalUI", "SoftphoneCore", "SoftphoneConfig", "CallStore",
                           "TeamsSync",
                           .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                           .product(name: "NIOEmbedded", package: "swift-nio")]
        ),
        .executableTarget(
            name: "SoftphoneBenchmarks",
            dependencies: [
                "SoftphoneCore", "CallStore", "TerminalUI", "SIP",
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/SoftphoneBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Latency tables for the benchmark tools.
        .target(name: "BenchSupport", dependencies: ["Timekeeping"], path: "Tools/BenchSupport"),
        // `make bench`: Teams presence sync latency, both ways, polling and webhooks.
        .executableTarget(
            name: "sync-latency",
            dependencies: ["SoftphoneCore", "TeamsSync", "TeamsEmulator", "BenchSupport",
                           .product(name: "AsyncHTTPClient", package: "async-http-client")],
            path: "Tools/sync-latency"
        ),
        // `make bench`: the SIP line under load (INVITE → 180/486 latency, memory per call).
        .executableTarget(
            name: "sip-bench",
            dependencies: ["SoftphoneApp", "SoftphoneCore", "CallStore", "TerminalUI", "SIP", "SIPNetwork",
                           "SIPUserAgent", "SIPAuth", "BenchSupport",
                           .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio")],
            path: "Tools/sip-bench"
        ),
    ],
    swiftLanguageModes: [.v6]
)
