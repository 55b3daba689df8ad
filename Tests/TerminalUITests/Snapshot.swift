#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Testing
import TerminalUI

/// Compares `grid.text` with `Snapshots/NAME.txt`. With `SNAPSHOT_RECORD=1` it writes
/// the file instead and fails, so a new or changed snapshot is never accepted unseen.
func assertSnapshot(_ grid: CellGrid, named name: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let path = snapshotDirectory + "/" + name + ".txt"
    let actual = grid.text + "\n"
    if getenv("SNAPSHOT_RECORD").map({ String(cString: $0) }) == "1" {
        if writeFile(path, actual) {
            Issue.record("recorded snapshot \(name).txt: review it, then run again without SNAPSHOT_RECORD",
                         sourceLocation: sourceLocation)
        } else {
            Issue.record("cannot write \(path)", sourceLocation: sourceLocation)
        }
        return
    }
    guard let expected = readFile(path) else {
        Issue.record("no snapshot \(name).txt; record it with SNAPSHOT_RECORD=1. Actual:\n\(actual)",
                     sourceLocation: sourceLocation)
        return
    }
    #expect(actual == expected, "snapshot \(name) differs:\n\(actual)", sourceLocation: sourceLocation)
}

private let snapshotDirectory: String = {
    let file = "\(#filePath)"
    return String(file[..<file.lastIndex(of: "/")!]) + "/Snapshots"
}()

private func readFile(_ path: String) -> String? {
    guard let handle = fopen(path, "rb") else { return nil }
    defer { fclose(handle) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = fread(&buffer, 1, buffer.count, handle)
        if n <= 0 { break }
        bytes += buffer[0..<n]
    }
    return String(decoding: bytes, as: UTF8.self)
}

private func writeFile(_ path: String, _ text: String) -> Bool {
    guard let handle = fopen(path, "wb") else { return false }
    defer { fclose(handle) }
    let bytes = Array(text.utf8)
    return fwrite(bytes, 1, bytes.count, handle) == bytes.count
}
