import Testing
@testable import SIP

@Suite("Transaction table")
struct TransactionTableTests {
    @Test func serverSideRouting() throws {
        var table = TransactionTable()
        let invite = makeRequest(.invite)
        guard case .newRequest(let r) = table.receive(.request(invite), at: ms(0)) else {
            Issue.record("expected a new request"); return
        }
        let (key, actions) = try table.startServer(r, at: ms(0))
        let trying = SIPResponse(replyingTo: invite, status: 100)
        #expect(actions == [.sendResponse(trying), .toTU(invite)])
        #expect(table.count == 1 && table[key]?.stateName == "proceeding")
        // Retransmission absorbed by the transaction.
        #expect(table.receive(.request(invite), at: ms(500)) == .delivered(key, [.sendResponse(trying)]))
        // A CANCEL opens its own transaction and finds the INVITE it cancels.
        let cancel = makeRequest(.cancel)
        #expect(table.receive(.request(cancel), at: ms(600)) == .newRequest(cancel))
        let (cancelKey, _) = try table.startServer(cancel, at: ms(600))
        #expect(table[cancelKey.cancelledInvite]?.key == key)
        #expect(table.send(reply(cancel, 200), on: cancelKey, at: ms(601)).contains(.startTimer(.J, after: .seconds(32))))
        let terminated = reply(invite, 487)
        _ = table.send(terminated, on: key, at: ms(602))
        // The ACK for the 487 reaches the INVITE transaction.
        let ack = ClientInviteTransaction.makeACK(for: invite, response: terminated)
        guard case .delivered(key, let ackActions) = table.receive(.request(ack), at: ms(700)) else {
            Issue.record("ACK not delivered"); return
        }
        #expect(ackActions.contains(.startTimer(.I, after: .seconds(5))))
        #expect(table.timerFired(.I, for: key, at: ms(5700)) == [.terminated])
        #expect(table[key] == nil && table.count == 1)
        #expect(table.timerFired(.J, for: cancelKey, at: ms(32_601)) == [.terminated])
        #expect(table.count == 0)
    }

    @Test func ackTo2xxIsUnmatched() {
        var table = TransactionTable()
        let ack = makeRequest(.ack, branch: "z9hG4bKack2xx", toTag: "x")
        #expect(table.receive(.request(ack), at: ms(0)) == .unmatchedACK(ack))
    }

    @Test func clientSideRouting() throws {
        var table = TransactionTable()
        let invite = makeRequest(.invite)
        let (key, actions) = try table.startClient(invite, at: ms(0))
        #expect(actions.first == .sendRequest(invite))
        #expect(table.timerFired(.A, for: key, at: ms(500)) == [.sendRequest(invite), .startTimer(.A, after: .seconds(1))])
        let ringing = reply(invite, 180)
        #expect(table.receive(.response(ringing), at: ms(600)) ==
                .delivered(key, [.cancelTimer(.A), .cancelTimer(.B), .toTU(ringing)]))
        let ok = reply(invite, 200)
        #expect(table.receive(.response(ok), at: ms(700)) == .delivered(key, [.toTU(ok), .terminated]))
        #expect(table.count == 0)
        // A retransmitted 2xx finds no transaction: it is for the TU core.
        #expect(table.receive(.response(ok), at: ms(800)) == .unmatchedResponse(ok))
        #expect(table.timerFired(.B, for: key, at: ms(32_000)).isEmpty)
    }

    @Test func duplicatesAndUnroutableMessages() throws {
        var table = TransactionTable()
        let options = makeRequest(.options)
        let (key, _) = try table.startClient(options, at: ms(0))
        #expect(throws: TransactionError.duplicate(key)) { try table.startClient(options, at: ms(1)) }
        var noVia = reply(options, 200)
        noVia.headers.remove(.via)
        #expect(table.receive(.response(noVia), at: ms(2)) == .unroutable(.missingVia))
        #expect(table.transportError(for: key, at: ms(3)) == [.transportError, .cancelTimer(.E), .cancelTimer(.F), .terminated])
        #expect(table.count == 0)
    }

    @Test func serverInviteWithoutTryingViaInsert() throws {
        var table = TransactionTable()
        let invite = makeRequest(.invite, transport: "TCP")
        let tx = try ServerInviteTransaction(request: invite, sendsTrying: false)
        let (key, actions) = try table.insertAndStart(.serverInvite(tx), at: ms(0))
        #expect(actions == [.toTU(invite)])
        let ok = reply(invite, 200)
        #expect(table.send(ok, on: key, at: ms(1)) == [.sendResponse(ok), .terminated])
        #expect(table.count == 0)
    }
}
