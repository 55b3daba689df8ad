import Testing

/// Tests that change process-wide state (signal handlers, the curses screen) run one
/// at a time: the suites in `BackendSignalTests.swift` and
/// `BackendPseudoTerminalTests.swift` are nested in this one.
@Suite("Backend: process-wide state", .serialized)
struct BackendProcessWideTests {}
