// Fuzzes the PIDF parser (Sources/PIDF, RFC 3863 presence documents from NOTIFY bodies).
// TODO: not built yet — enable it when the PIDF target lands on main (see Fuzz/README.md).
import FuzzSupport
import PIDF

@_cdecl("fuzz_pidf_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv) { data, size in fuzz(data!, size) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    // A NOTIFY body is bytes; the parser is expected to take text. Adjust to the real API.
    let text = lossyString(UnsafeBufferPointer(start: data, count: size))
    if let document = try? PIDFDocument(parsing: text) {
        _ = String(describing: document)
    }
    return 0
}
