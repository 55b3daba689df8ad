// Writes call records until killed, for the crash-safety test of CallStore.
//
// Usage: callstore-crash-writer DBPATH
//
// Records "call-1", "call-2", … one per transaction, and after each commit
// prints the committed number on its own line and flushes stdout, so the test
// knows exactly which records were durable when it sent SIGKILL.

import CallStore
import Foundation
import SoftphoneCore

let arguments = CommandLine.arguments
guard arguments.count == 2 else {
    FileHandle.standardError.write(Data("usage: callstore-crash-writer DBPATH\n".utf8))
    exit(2)
}

let store: CallStore
do {
    store = try CallStore(path: arguments[1])
} catch {
    FileHandle.standardError.write(Data("callstore-crash-writer: \(error)\n".utf8))
    exit(1)
}

let start = Instant(secondsSinceEpoch: 1_700_000_000)
var number = 0
while true {
    number += 1
    let ring = start + .seconds(number)
    let call = CallRecord(
        id: CallID("call-\(number)"),
        direction: .inbound,
        remote: Party(number: "+4930\(number)", name: "Caller \(number)"),
        queue: number.isMultiple(of: 2) ? "Support" : nil,
        ringStartedAt: ring,
        answeredAt: ring + .seconds(3),
        endedAt: ring + .seconds(60),
        outcome: .answered,
        reason: "answered"
    )
    do {
        try store.record(call)
    } catch {
        FileHandle.standardError.write(Data("callstore-crash-writer: \(error)\n".utf8))
        exit(1)
    }
    FileHandle.standardOutput.write(Data("\(number)\n".utf8))
}
