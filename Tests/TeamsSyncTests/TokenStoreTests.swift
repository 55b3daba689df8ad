import Foundation
import SoftphoneConfig
import SoftphoneCore
import Testing
@testable import TeamsSync

/// A fresh directory for one test.
func temporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "softphone-signin-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func sampleSignIn(refresh: String = "rt-1", tokenURL: String = "https://login.example/contoso.example/oauth2/v2.0/token")
    -> StoredSignIn {
    StoredSignIn(tokenURL: tokenURL, clientID: "client-1",
                 account: .init(userPrincipalName: "ada@contoso.example", objectID: "00000000-0000-0000-0000-0000000000a1",
                                displayName: "Ada Agent"),
                 refreshToken: Secret(refresh), accessTokenExpiresAt: Instant(secondsSinceEpoch: 1_800_003_599),
                 signedInAt: Instant(secondsSinceEpoch: 1_800_000_000))
}

@Suite("The token store (teams-token.json)")
struct TokenStoreTests {
    @Test("the path: $XDG_STATE_HOME/softphone/teams-token.json, else ~/.local/state/softphone/")
    func paths() {
        #expect(TokenStore.defaultPath(environment: ["XDG_STATE_HOME": "/st/", "HOME": "/h"]) == "/st/softphone/teams-token.json")
        #expect(TokenStore.defaultPath(environment: ["XDG_STATE_HOME": "relative", "HOME": "/h"]) == "/h/.local/state/softphone/teams-token.json")
        #expect(TokenStore.defaultPath(environment: ["HOME": "/h"]) == "/h/.local/state/softphone/teams-token.json")
    }

    @Test("save then load gives the same sign-in; the file is 0600 and holds the tenant")
    func roundTrip() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = TokenStore(path: directory + "/softphone/teams-token.json")
        #expect(try store.load() == nil)
        try store.save(sampleSignIn())
        #expect(try store.load() == sampleSignIn())
        #expect(store.mode == 0o600)
        let text = try String(contentsOfFile: store.path, encoding: .utf8)
        #expect(text.contains("\"tenant\" : \"contoso.example\""))
        #expect(text.contains("\"signed_in_at\" : \"2027-01-15T08:00:00.0000000Z\""))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory + "/softphone")
        #expect(leftovers == ["teams-token.json"])
    }

    @Test("the refresh token never prints")
    func neverPrinted() {
        let signIn = sampleSignIn(refresh: "very-secret-refresh")
        var dumped = ""
        dump(signIn, to: &dumped)
        for text in ["\(signIn)", String(reflecting: signIn), dumped] {
            #expect(!text.contains("very-secret-refresh"), "leaked in \(text)")
        }
    }

    @Test("a rotated refresh token replaces the old one")
    func rotationKept() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = TokenStore(path: directory + "/teams-token.json")
        try store.save(sampleSignIn(refresh: "rt-1"))
        try store.save(sampleSignIn(refresh: "rt-2"))
        #expect(try store.load()?.refreshToken.value == "rt-2")
    }

    @Test("a write that fails (a full disk) keeps the old file whole and leaves no temporary file")
    func failedWriteKeepsOld() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/teams-token.json"
        try TokenStore(path: path).save(sampleSignIn(refresh: "rt-old"))
        struct DiskFull: Error {}
        let failing = TokenStore(path: path) { data, temporary in
            // Half the file reaches the disk, then ENOSPC.
            try Data(data.prefix(data.count / 2)).write(to: URL(fileURLWithPath: temporary))
            throw DiskFull()
        }
        #expect(throws: TokenStoreError.self) { try failing.save(sampleSignIn(refresh: "rt-new")) }
        #expect(try TokenStore(path: path).load()?.refreshToken.value == "rt-old")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["teams-token.json"])
    }

    @Test("an existing file readable by others is tightened to 0600 when read")
    func modeTightened() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = TokenStore(path: directory + "/teams-token.json")
        try store.save(sampleSignIn())
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: store.path)
        _ = try store.load()
        #expect(store.mode == 0o600)
    }

    @Test("a corrupt file is a clear error, and save does not overwrite it silently; a new login may")
    func corruptFile() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = TokenStore(path: directory + "/teams-token.json")
        for junk in ["{not json", "{}", #"{"version":1,"token_url":"x","client_id":"c","account":{},"refresh_token":"","signed_in_at":"x"}"#, "\u{0}\u{1}"] {
            try Data(junk.utf8).write(to: URL(fileURLWithPath: store.path))
            do {
                _ = try store.load()
                Issue.record("loaded \(junk)")
            } catch {
                #expect(error.description.contains("is not a Teams sign-in"))
            }
            #expect(throws: TokenStoreError.self) { try store.save(sampleSignIn()) }
            #expect(try String(contentsOfFile: store.path, encoding: .utf8) == junk)
        }
        try store.save(sampleSignIn(), replacingCorrupt: true)
        #expect(try store.load() == sampleSignIn())
    }

    @Test("a refreshed sign-in is stored only over the refresh token it was made from")
    func conditionalSave() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = TokenStore(path: directory + "/teams-token.json")
        try store.save(sampleSignIn(refresh: "rt-1"))
        #expect(try store.save(sampleSignIn(refresh: "rt-2"), ifStillHolding: Secret("rt-1")))
        #expect(try store.load()?.refreshToken.value == "rt-2")
        // Another login replaced it: kept.
        #expect(try !store.save(sampleSignIn(refresh: "rt-3"), ifStillHolding: Secret("rt-1")))
        #expect(try store.load()?.refreshToken.value == "rt-2")
        // Signed out: not written back.
        try store.delete()
        #expect(try !store.save(sampleSignIn(refresh: "rt-3"), ifStillHolding: Secret("rt-2")))
        #expect(!FileManager.default.fileExists(atPath: store.path))
        // A corrupt file is not ours either.
        try Data("{".utf8).write(to: URL(fileURLWithPath: store.path))
        #expect(try !store.save(sampleSignIn(refresh: "rt-3"), ifStillHolding: Secret("rt-2")))
        #expect(try String(contentsOfFile: store.path, encoding: .utf8) == "{")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["teams-token.json"])
    }

    @Test("save removes only stale temporary files: a dead writer's or an old one, not a running writer's")
    func staleTemporaryFiles() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = TokenStore(path: directory + "/teams-token.json")
        let me = getpid()
        let running = ".teams-token.json.\(me).17.tmp"
        let dead = ".teams-token.json.2147483646.1.tmp"
        let old = ".teams-token.json.\(me).99.tmp"
        let unrelated = ".other.json.2147483646.1.tmp"
        for name in [running, dead, old, unrelated] {
            try Data("{}".utf8).write(to: URL(fileURLWithPath: directory + "/" + name))
        }
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -3600)],
                                              ofItemAtPath: directory + "/" + old)
        try store.save(sampleSignIn())
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: directory))
        #expect(left == ["teams-token.json", running, unrelated])
    }

    @Test("saves from many threads at once all succeed (none deletes another's temporary file)")
    func concurrentSaves() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = TokenStore(path: directory + "/teams-token.json")
        let failures = ShownBox()
        DispatchQueue.concurrentPerform(iterations: 4) { writer in
            for round in 0..<25 {
                do { try store.save(sampleSignIn(refresh: "rt-\(writer)-\(round)")) } catch { failures.append("\(error)") }
            }
        }
        #expect(failures.values == [])
        #expect(try store.load()?.refreshToken.value.hasPrefix("rt-") == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["teams-token.json"])
    }

    @Test("delete says whether there was a file")
    func delete() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = TokenStore(path: directory + "/teams-token.json")
        #expect(try store.delete() == false)
        try store.save(sampleSignIn())
        #expect(try store.delete() == true)
        #expect(try store.load() == nil)
    }
}
