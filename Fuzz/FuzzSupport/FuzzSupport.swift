@_exported import FuzzDriver

/// The signature of `LLVMFuzzerTestOneInput`.
public typealias FuzzBody = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

/// Runs libFuzzer with the process arguments (call it from the fuzzer's `<module>_main`).
public func runLibFuzzer(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                         _ body: FuzzBody) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, body)
}

/// Stops the run with a message: libFuzzer reports the crash and saves the input.
public func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
                    file: StaticString = #fileID, line: UInt = #line) {
    if !condition() { fatalError("fuzz check failed: " + message(), file: file, line: line) }
}

/// Splits `count` bytes into chunk lengths taken from the bytes themselves: the byte at the
/// start of each chunk chooses its length (1...64, or everything left for 0xFF), so a
/// mutation of the input also moves the cuts.
public func chunkLengths(_ bytes: UnsafeBufferPointer<UInt8>) -> [Int] {
    var lengths: [Int] = []
    var at = 0
    while at < bytes.count {
        let b = bytes[at]
        let length = b == 0xFF ? bytes.count - at : min(bytes.count - at, 1 + Int(b % 64))
        lengths.append(length)
        at += length
    }
    return lengths
}

/// The input as a lossily decoded string (invalid UTF-8 becomes U+FFFD), as a reader of a
/// network body or a user's file would see it.
public func lossyString(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
    String(decoding: bytes, as: UTF8.self)
}
