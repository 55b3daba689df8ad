import Foundation
import GraphModel
import SoftphoneConfig
import SoftphoneCore

/// The delegated sign-in as kept between runs: who signed in where, and the refresh
/// token. Prints and dumps without the token (`Secret`).
public struct StoredSignIn: Sendable, Hashable {
    public struct Account: Sendable, Hashable, Codable {
        public var userPrincipalName: String?
        public var objectID: String?
        public var displayName: String?
        public init(userPrincipalName: String? = nil, objectID: String? = nil, displayName: String? = nil) {
            self.userPrincipalName = userPrincipalName
            self.objectID = objectID
            self.displayName = displayName
        }
    }

    /// The token endpoint the refresh token belongs to (it names the tenant).
    public var tokenURL: String
    public var clientID: String
    public var account: Account
    public var refreshToken: Secret
    public var accessTokenExpiresAt: Instant?
    public var signedInAt: Instant

    public init(tokenURL: String, clientID: String, account: Account, refreshToken: Secret,
                accessTokenExpiresAt: Instant?, signedInAt: Instant) {
        self.tokenURL = tokenURL
        self.clientID = clientID
        self.account = account
        self.refreshToken = refreshToken
        self.accessTokenExpiresAt = accessTokenExpiresAt
        self.signedInAt = signedInAt
    }

    /// The tenant segment of the token URL (`contoso.onmicrosoft.com`, a GUID, `organizations`).
    public var tenant: String? {
        guard let schemeEnd = tokenURL.range(of: "://") else { return nil }
        let path = tokenURL[schemeEnd.upperBound...].split(separator: "/").dropFirst()
        return path.first.map(String.init)
    }
}

extension StoredSignIn: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        "StoredSignIn(\(account.userPrincipalName ?? "?") at \(tokenURL), refresh token <redacted>)"
    }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

/// A failure to read or write the token file, in words for the command line.
public struct TokenStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "\(path): \(reason)" }
}

/// `$XDG_STATE_HOME/softphone/teams-token.json` (else `~/.local/state/softphone/…`): the
/// refresh token, mode 0600, replaced atomically (a temporary file in the same directory,
/// renamed over the old one, then the directory flushed), so a full disk or a crash never
/// loses the old file. A file that cannot be read as a sign-in is an error, never silently
/// overwritten by `save`. Writers (save, delete) take an exclusive `flock` on the
/// directory, so the app's refresh, `teams login` and `teams logout` never interleave.
public struct TokenStore: Sendable {
    public let path: String
    /// Writes a whole file; replaceable in tests to fail like a full disk.
    let write: @Sendable (_ data: Data, _ path: String) throws -> Void

    public init(path: String) {
        self.init(path: path, write: TokenStore.writeFile)
    }

    init(path: String, write: @escaping @Sendable (_ data: Data, _ path: String) throws -> Void) {
        self.path = path
        self.write = write
    }

    /// The store at the standard place for `environment`.
    public init(environment: [String: String]) {
        self.init(path: Self.defaultPath(environment: environment))
    }

    public static func defaultPath(environment: [String: String]) -> String {
        if let xdg = environment["XDG_STATE_HOME"], xdg.hasPrefix("/") {
            return trimmed(xdg) + "/softphone/teams-token.json"
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return trimmed(home) + "/.local/state/softphone/teams-token.json"
    }

    private static func trimmed(_ path: String) -> String {
        var path = Substring(path)
        while path.count > 1 && path.hasSuffix("/") { path = path.dropLast() }
        return path == "/" ? "" : String(path)
    }

    // MARK: Reading

    /// The stored sign-in; `nil` when there is no file. Tightens a file readable by others
    /// to 0600. Throws when the file exists but is not a sign-in.
    public func load() throws(TokenStoreError) -> StoredSignIn? {
        let files = FileManager.default
        guard files.fileExists(atPath: path) else { return nil }
        tightenMode()
        guard let data = files.contents(atPath: path) else {
            throw TokenStoreError(path: path, reason: "cannot be read")
        }
        do {
            return try JSONDecoder().decode(Wire.self, from: data).signIn()
        } catch let error as TokenStoreError {
            throw error
        } catch {
            throw TokenStoreError(path: path, reason: "is not a Teams sign-in (corrupt?); "
                                  + "run `softphone teams logout` and `softphone teams login` again")
        }
    }

    /// The file's permission bits, or `nil` without a file.
    public var mode: Int? {
        (try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue
    }

    private func tightenMode() {
        if let mode, mode & 0o077 != 0 {
            try? FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        }
    }

    // MARK: Writing

    /// Replaces the stored sign-in. A corrupt existing file is not replaced unless
    /// `replacingCorrupt` (a new login); the old file stays when writing fails.
    public func save(_ signIn: StoredSignIn, replacingCorrupt: Bool = false) throws(TokenStoreError) {
        _ = try replace(with: signIn) { () throws(TokenStoreError) -> Bool in
            if !replacingCorrupt { _ = try load() }
            return true
        }
    }

    /// Stores a refreshed sign-in only if the file still holds `expected`, the refresh
    /// token just used: `false` (nothing written) when the file is gone (`teams logout`),
    /// holds another refresh token (`teams login` again, maybe as someone else) or is
    /// corrupt. The check and the rename happen under the directory's lock (below), so
    /// another softphone process cannot slip in between.
    public func save(_ signIn: StoredSignIn, ifStillHolding expected: Secret) throws(TokenStoreError) -> Bool {
        try replace(with: signIn) { () throws(TokenStoreError) -> Bool in
            guard let current = try? load() else { return false }
            return current.refreshToken == expected
        }
    }

    /// A temporary file older than this is left over by a crash, whatever its pid says.
    static let staleTemporaryAge: TimeInterval = 10 * 60

    /// Writes `signIn` to a temporary file and renames it over `path` when `proceed` says
    /// so, all under an exclusive `flock` on the directory (taken by every `TokenStore`
    /// writer: the app's refresh, `teams login`, `teams logout`). Where the file system
    /// does not support `flock` (some network file systems) it goes on unlocked: the
    /// window between the check and the rename is then a few system calls wide.
    private func replace(with signIn: StoredSignIn,
                         proceed: () throws(TokenStoreError) -> Bool) throws(TokenStoreError) -> Bool {
        let directory = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw TokenStoreError(path: path, reason: "cannot create \(directory): \(error.localizedDescription)")
        }
        let data: Data
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            data = try encoder.encode(Wire(signIn))
        } catch {
            throw TokenStoreError(path: path, reason: "cannot encode the sign-in")
        }
        let lock = DirectoryLock(directory)
        defer { lock.release() }
        guard try proceed() else { return false }
        removeStaleTemporaryFiles(in: directory)
        let prefix = "." + (path as NSString).lastPathComponent + "."
        let temporary = directory + "/" + prefix + "\(getpid()).\(UInt32.random(in: 0 ... .max)).tmp"
        do {
            try write(data, temporary)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw TokenStoreError(path: path, reason: "cannot be written (\(error)); the previous file is kept")
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporary)
            throw TokenStoreError(path: path, reason: "cannot be replaced: \(reason); the previous file is kept")
        }
        // The rename itself reaches the disk only with the directory.
        lock.sync()
        return true
    }

    /// Removes temporary files left by a writer that died: its pid (in the name) is not
    /// running, or the file is older than `staleTemporaryAge`. Another process's file
    /// being written (a `teams login` while the app refreshes) is left alone.
    func removeStaleTemporaryFiles(in directory: String, now: Date = Date()) {
        let prefix = "." + (path as NSString).lastPathComponent + "."
        let files = FileManager.default
        for name in (try? files.contentsOfDirectory(atPath: directory)) ?? []
        where name.hasPrefix(prefix) && name.hasSuffix(".tmp") {
            let file = directory + "/" + name
            let parts = name.dropFirst(prefix.count).split(separator: ".")
            let pid = parts.first.flatMap { pid_t($0) }
            let running = pid.map { $0 > 0 && (kill($0, 0) == 0 || errno == EPERM) } ?? false
            let modified = (try? files.attributesOfItem(atPath: file))?[.modificationDate] as? Date
            let old = modified.map { now.timeIntervalSince($0) > Self.staleTemporaryAge } ?? true
            if !running || old { try? files.removeItem(atPath: file) }
        }
    }

    /// Deletes the file; `false` when there was none.
    @discardableResult
    public func delete() throws(TokenStoreError) -> Bool {
        let lock = DirectoryLock((path as NSString).deletingLastPathComponent)
        defer { lock.release() }
        guard FileManager.default.fileExists(atPath: path) else { return false }
        do {
            try FileManager.default.removeItem(atPath: path)
        } catch {
            throw TokenStoreError(path: path, reason: "cannot be deleted: \(error.localizedDescription)")
        }
        lock.sync()
        return true
    }

    /// An exclusive `flock` on a directory, held by one writer at a time; a no-op where
    /// the directory cannot be opened or locked.
    private struct DirectoryLock {
        let fd: Int32

        init(_ directory: String) {
            fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            // Should flock fail for another reason than a signal, the fd still serves fsync.
            while fd >= 0 && flock(fd, LOCK_EX) != 0 && errno == EINTR {}
        }

        /// Flushes the directory (a rename or unlink in it) to disk.
        func sync() {
            if fd >= 0 { _ = fsync(fd) }
        }

        func release() {
            if fd >= 0 { close(fd) }  // closing drops the lock
        }
    }

    /// Creates `path` with mode 0600 (never wider, whatever the umask), writes all of
    /// `data` and flushes it to disk.
    @Sendable static func writeFile(_ data: Data, _ path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw POSIXFailure(call: "open", code: errno) }
        defer { close(fd) }
        guard fchmod(fd, 0o600) == 0 else { throw POSIXFailure(call: "fchmod", code: errno) }
        var offset = 0
        while offset < data.count {
            let written = data[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw POSIXFailure(call: "write", code: errno)
            }
            offset += written
        }
        guard fsync(fd) == 0 else { throw POSIXFailure(call: "fsync", code: errno) }
    }

    struct POSIXFailure: Error, CustomStringConvertible {
        var call: String
        var code: Int32
        var description: String { "\(call): \(String(cString: strerror(code)))" }
    }

    /// The file's JSON: readable by a person, dates in ISO 8601.
    struct Wire: Codable {
        var version: Int
        var tenant: String?
        var token_url: String
        var client_id: String
        var account: StoredSignIn.Account
        var refresh_token: String
        var access_token_expires_at: String?
        var signed_in_at: String

        init(_ signIn: StoredSignIn) {
            version = 1
            tenant = signIn.tenant
            token_url = signIn.tokenURL
            client_id = signIn.clientID
            account = signIn.account
            refresh_token = signIn.refreshToken.value
            access_token_expires_at = signIn.accessTokenExpiresAt.map(GraphDateTime.format)
            signed_in_at = GraphDateTime.format(signIn.signedInAt)
        }

        func signIn() throws -> StoredSignIn {
            struct Invalid: Error {}
            guard version == 1, !refresh_token.isEmpty, let signedIn = GraphDateTime.parse(signed_in_at) else { throw Invalid() }
            var expiry: Instant?
            if let text = access_token_expires_at {
                guard let parsed = GraphDateTime.parse(text) else { throw Invalid() }
                expiry = parsed
            }
            return StoredSignIn(tokenURL: token_url, clientID: client_id, account: account,
                                refreshToken: Secret(refresh_token), accessTokenExpiresAt: expiry, signedInAt: signedIn)
        }
    }
}
