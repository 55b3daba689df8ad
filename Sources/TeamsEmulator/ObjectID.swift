import Crypto
import Foundation

/// Entra object ids: users are addressed by a GUID in Graph's presence API.
public enum ObjectID {
    /// Whether `text` is a GUID (`xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, hex digits).
    public static func isGUID(_ text: String) -> Bool {
        UUID(uuidString: text) != nil
    }

    /// The object id for a name: the name itself (lower-cased) when it is a GUID, else a
    /// deterministic name-based GUID (RFC 9562 version 5, SHA-1, in the URL namespace of
    /// `emulator:user/NAME`), so a seed `ada` has the same object id in every run.
    public static func forName(_ name: String) -> String {
        if isGUID(name) { return name.lowercased() }
        // RFC 9562 §6.6 URL namespace 6ba7b811-9dad-11d1-80b4-00c04fd430c8.
        var bytes: [UInt8] = [0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8]
        bytes += Array("emulator:user/\(name.lowercased())".utf8)
        var hash = Array(Insecure.SHA1.hash(data: bytes).prefix(16))
        hash[6] = (hash[6] & 0x0f) | 0x50
        hash[8] = (hash[8] & 0x3f) | 0x80
        let uuid = UUID(uuid: (hash[0], hash[1], hash[2], hash[3], hash[4], hash[5], hash[6], hash[7],
                               hash[8], hash[9], hash[10], hash[11], hash[12], hash[13], hash[14], hash[15]))
        return uuid.uuidString.lowercased()
    }
}
