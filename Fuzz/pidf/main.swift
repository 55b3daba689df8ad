// Fuzzes the PIDF parser (Sources/PIDF) and the app's presence mapping (Sources/SoftphoneSIPMapping):
// RFC 3863 presence documents arrive as the bodies of NOTIFY requests. A document either parses
// or is rejected with a reason; a parsed one maps to a presence, serialises, and parses back the same.
import FuzzSupport
import PIDF
import SoftphoneSIPMapping
import SoftphoneCore

@_cdecl("fuzz_pidf_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv) { data, size in fuzz(data!, size) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let body = UnsafeBufferPointer(start: data, count: size)
    let document: PIDFDocument
    do { document = try PIDFDocument(parsing: body) } catch {
        require(!error.description.isEmpty, "rejected without a reason")
        return 0
    }
    _ = PIDFPresence.presence(of: document)
    let xml = document.xml
    // Activities that are not XML names are written as "other"; oversized output would be refused.
    let nameLike = document.persons.allSatisfy { $0.activities.allSatisfy(isASCIIName) }
    if nameLike, xml.utf8.count <= PIDFLimits.maximumBytes {
        do {
            let again = try PIDFDocument(parsing: xml)
            require(again == document, "PIDF changed by serialisation:\n\(xml)")
            require(again.xml == xml, "PIDF serialisation is not a fixed point")
        } catch {
            fatalError("serialised PIDF does not parse: \(error)\n\(xml)")
        }
    }
    // The same body as text, as a SIP stack holding it as a String would pass it.
    _ = try? PIDFDocument(parsing: lossyString(body))
    return 0
}

func isASCIIName(_ name: String) -> Bool {
    guard let first = name.utf8.first, first == UInt8(ascii: "_") || (first | 0x20 >= 0x61 && first | 0x20 <= 0x7A) else {
        return false
    }
    return name.utf8.allSatisfy { b in
        (b | 0x20 >= 0x61 && b | 0x20 <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x2D || b == 0x2E || b == 0x5F
    }
}
