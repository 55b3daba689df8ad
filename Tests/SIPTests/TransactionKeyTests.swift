import Testing
@testable import SIP

@Suite("Transaction matching (RFC 3261 §17.1.3, §17.2.3)")
struct TransactionKeyTests {
    let invite = makeRequest(.invite)

    @Test func ackToNon2xxMatchesTheInviteServerTransaction() throws {
        let ack = ClientInviteTransaction.makeACK(for: invite, response: reply(invite, 486))
        let key = try TransactionKey.server(receiving: invite)
        #expect(try TransactionKey.server(receiving: ack) == key)
        #expect(key.method == .invite && key.role == .server && key.isRFC3261)
        #expect(key.sentBy == "pc33.atlanta.example.com:5060")
    }

    @Test func ackTo2xxHasItsOwnBranchAndMatchesNothing() throws {
        let ack = makeRequest(.ack, branch: "z9hG4bKnewack", toTag: "8321234356")
        #expect(try TransactionKey.server(receiving: ack) != TransactionKey.server(receiving: invite))
    }

    @Test func sentByMustMatch() throws {
        let key = try TransactionKey.server(receiving: invite)
        #expect(try TransactionKey.server(receiving: makeRequest(.invite, host: "evil.example.com")) != key)
        #expect(try TransactionKey.server(receiving: makeRequest(.invite, port: 5070)) != key)
        #expect(try TransactionKey.server(receiving: makeRequest(.invite, port: nil)) != key)
        #expect(try TransactionKey.server(receiving: makeRequest(.invite, host: "PC33.Atlanta.Example.COM")) == key,
                "host comparison is case-insensitive")
        #expect(try TransactionKey.server(receiving: makeRequest(.invite, transport: "TCP")) == key,
                "the transport is not part of the key")
    }

    @Test func branchAndMethodMustMatch() throws {
        let key = try TransactionKey.server(receiving: invite)
        #expect(try TransactionKey.server(receiving: makeRequest(.invite, branch: "z9hG4bK74bf8")) != key)
        #expect(try TransactionKey.server(receiving: makeRequest(.invite, branch: "z9hG4bK74BF9")) != key,
                "branches compare exactly")
        #expect(try TransactionKey.server(receiving: makeRequest(.options)) != key)
    }

    @Test func cancelHasItsOwnTransactionWithTheSameBranch() throws {
        let cancel = makeRequest(.cancel)
        let inviteKey = try TransactionKey.server(receiving: invite)
        let cancelKey = try TransactionKey.server(receiving: cancel)
        #expect(cancelKey != inviteKey)
        #expect(cancelKey.branch == inviteKey.branch && cancelKey.method == .cancel)
        #expect(cancelKey.cancelledInvite == inviteKey)
    }

    @Test func responsesMatchByBranchAndCSeqMethod() throws {
        let clientKey = try TransactionKey.client(sending: invite)
        #expect(clientKey.role == .client && clientKey.sentBy.isEmpty)
        #expect(try TransactionKey.client(receiving: reply(invite, 180)) == clientKey)
        var viaChanged = reply(invite, 200)
        viaChanged.headers.set("Via", "SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bK74bf9;received=192.0.2.1")
        #expect(try TransactionKey.client(receiving: viaChanged) == clientKey, "received= does not matter")
        var otherMethod = reply(invite, 200)
        otherMethod.headers.set("CSeq", "314159 CANCEL")
        #expect(try TransactionKey.client(receiving: otherMethod) != clientKey)
        var otherBranch = reply(invite, 200)
        otherBranch.headers.set("Via", "SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bKzzz")
        #expect(try TransactionKey.client(receiving: otherBranch) != clientKey)
        // A client key never equals the server key of the same (looped) request.
        #expect(try TransactionKey.server(receiving: invite) != clientKey)
    }

    @Test func rfc2543RequestsUseTheFallbackKey() throws {
        let old = makeRequest(.invite, branch: nil)
        let key = try TransactionKey.server(receiving: old)
        #expect(!key.isRFC3261)
        let ack = ClientInviteTransaction.makeACK(for: old, response: reply(old, 404))
        #expect(try TransactionKey.server(receiving: ack) == key, "ACK matches its INVITE")
        #expect(try TransactionKey.server(receiving: old) == key, "retransmission matches")
        #expect(try TransactionKey.server(receiving: makeRequest(.invite, branch: nil, cseq: 314160)) != key)
        #expect(try TransactionKey.server(receiving: makeRequest(.invite, branch: nil, callID: "other@x")) != key)
        #expect(try TransactionKey.server(receiving: makeRequest(.invite, branch: "1234")) != key)
        let cancel = try TransactionKey.server(receiving: makeRequest(.cancel, branch: nil))
        #expect(cancel != key && cancel.cancelledInvite == key)
    }

    @Test func unmatchableMessages() throws {
        var noVia = invite
        noVia.headers.remove(.via)
        #expect(throws: TransactionError.missingVia) { try TransactionKey.server(receiving: noVia) }
        var response = reply(invite, 200)
        response.headers.set("Via", "SIP/2.0/UDP host.example.com")
        #expect(throws: TransactionError.missingBranch) { try TransactionKey.client(receiving: response) }
        var badCSeq = reply(invite, 200)
        badCSeq.headers.remove(.cseq)
        #expect(throws: TransactionError.self) { try TransactionKey.client(receiving: badCSeq) }
    }
}
