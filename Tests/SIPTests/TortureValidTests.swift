import Testing
@testable import SIP

/// RFC 4475 §3.1.1: valid messages. Each must parse, with the fields the RFC describes.
@Suite("RFC 4475 valid messages")
struct TortureValidTests {
    @Test func wsinv() throws {
        let r = try parseRequest(try torture("wsinv"))
        #expect(r.method == .invite)
        #expect(r.uri.user == "vivekg" && r.uri.host == "chair-dnrc.example.com")
        #expect(r.uri.parameters.contains("unknownparam"))
        let to = try r.headers.to
        #expect(to.displayName == nil && to.tag == "1918181833n")
        let from = try r.headers.from
        #expect(from.displayName == "J Rosenberg \\\"")
        #expect(from.tag == "98asjd8" && from.uri.user == "jdrosen")
        #expect(try r.headers.maxForwards == 68)
        #expect(r.headers.callID == "wsinv.ndaksdj@192.0.2.1")
        #expect(try r.headers.contentLength == 150 && r.body.count == 150)
        #expect(try r.headers.cseq == CSeq(9, .invite))
        let vias = try r.headers.via
        #expect(vias.map(\.branch) == ["390skdjuw", "z9hG4bK9ikj8", "z9hG4bK30239"])
        #expect(vias.map(\.transport) == ["UDP", "TCP", "UDP"])
        #expect(vias.map(\.host) == ["192.0.2.2", "spindle.example.com", "192.168.255.111"])
        #expect(r.headers[.subject] == "")
        #expect(r.headers["NewFangledHeader"] == "newfangled value continued newfangled value")
        #expect(r.headers["UnknownHeaderWithUnusualValue"] == ";;,,;;,;")
        #expect(try r.headers.contentType?.matches(.sdp) == true)
        let route = try r.headers.routes
        #expect(route.count == 1 && route[0].uri.isLooseRouting && route[0].uri.parameters.value("unknownwith") == "value")
        let contact = try r.headers.contacts
        #expect(contact.count == 1)
        #expect(contact.first?.displayName == "Quoted string \"\"")
        #expect(contact.first?.parameters.value("newparam") == "newvalue")
        #expect(contact.first?.parameters.contains("secondparam") == true)
        #expect(contact.first?.q == "0.33")
    }

    @Test func intmeth() throws {
        let r = try parseRequest(try torture("intmeth"))
        #expect(r.method == .other("!interesting-Method0123456789_*+`.%indeed'~"))
        #expect(r.uri.user == "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*")
        #expect(r.uri.password == "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)")
        #expect(r.uri.host == "example.com")
        #expect(try r.headers.topVia?.branch == "z9hG4bK-.!%66*_+`'~")
        let to = try r.headers.to
        #expect(to.displayName == "BEL:\u{07} NUL:\u{00} DEL:\u{7F}")
        let from = try r.headers.from
        #expect(from.displayName == "token1~` token2'+_ token3*%!.-")
        #expect(from.parameters.value("fromParam''~+*_!.-%") == "работающий")
        #expect(from.tag == "_token~1'+`*%!-.")
        #expect(r.headers.callID == "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{")
        #expect(try r.headers.cseq == CSeq(139122385, .other("!interesting-Method0123456789_*+`.%indeed'~")))
        #expect(try r.headers.maxForwards == 255)
        #expect(r.headers["extensionHeader-!.%*+_`'~"] == "\u{FEFF}大停電")
    }

    @Test func esc01() throws {
        let r = try parseRequest(try torture("esc01"))
        #expect(r.uri.user == "sips%3Auser%40example.com")
        #expect(r.uri.decodedUser == "sips:user@example.com")
        #expect(r.uri.host == "example.net")
        #expect(try r.headers.to.uri.decodedUser == "user")
        #expect(try r.headers.from.uri.decodedUser == "I have spaces")
        #expect(r.headers.callID == "esc01.239409asdfakjkn23onasd0-3234")
        let contact = try #require(try r.headers.contacts.first)
        #expect(contact.uri.decodedUser == "caller")
        #expect(contact.uri.parameters.contains("%6C%72"))
        // "value%41" after one unescaping, never "valueA" (no recursive unescaping).
        #expect(contact.uri.parameters.value("n%61me") == "v%61lue%25%34%31")
        #expect(SIPURI.percentDecode("v%61lue%25%34%31") == Array("value%41".utf8))
        #expect(r.body.count == 150)
    }

    @Test func escnull() throws {
        let r = try parseRequest(try torture("escnull"))
        #expect(r.method == .register)
        #expect(try r.headers.to.uri.decodedUserBytes == Array("null-".utf8) + [0] + Array("-null".utf8))
        let contacts = try r.headers.contacts
        #expect(contacts.map { $0.uri.decodedUserBytes } == [[0], [0, 0]])
        #expect(contacts[0].uri != contacts[1].uri)  // two distinct bindings
        #expect(try r.headers.contentLength == 0)
    }

    @Test func esc02() throws {
        let r = try parseRequest(try torture("esc02"))
        #expect(r.method == .other("RE%47IST%45R") && r.method != .register)
        #expect(try r.headers.to.displayName == "%Z%45")
        #expect(try r.headers.from.displayName == "%Z%45")
        #expect(try r.headers.topVia?.branch == "z9hG4bK209%fzsnel234")
        #expect(try r.headers.contacts.map { $0.uri.host } == ["host1.example.com", "host3.example.com"])
        #expect(r.headers["C%6Fntact"] == "<sip:alias2@host2.example.com>")
    }

    @Test func lwsdisp() throws {
        let r = try parseRequest(try torture("lwsdisp"))
        let from = try r.headers.from
        #expect(from.displayName == "caller" && from.tag == "323" && from.uri.user == "caller")
    }

    @Test func longreq() throws {
        let r = try parseRequest(try torture("longreq"))
        let to = try r.headers.to
        #expect(to.displayName?.hasPrefix("I have a user name of extremeextreme") == true)
        #expect(to.uri.port == 6000 && to.uri.parameters.count == 3)
        let from = try r.headers.from
        #expect(from.tag?.count == 155)
        #expect(from.parameters.count == 3)
        let vias = try r.headers.via
        #expect(vias.count == 34)
        #expect(vias.prefix(33).map(\.host) == (1...33).reversed().map { "sip\($0).example.com" })
        #expect(vias.last?.received == "192.0.2.5")
        #expect(vias.last?.branch?.hasSuffix("branchvalue") == true)
        #expect(r.headers.callID?.hasSuffix("longcallid") == true)
        #expect(r.body.count == 150)
    }

    @Test func dblreq() throws {
        // The INVITE after the REGISTER's empty body is noise in the datagram and ignored.
        let r = try parseRequest(try torture("dblreq"))
        #expect(r.method == .register)
        #expect(r.body.isEmpty)
        #expect(r.headers.callID == "dblreq.0ha0isndaksdj99sdfafnl3lk233412")
        #expect(try r.headers.contacts.first?.uri.host == "host.example.com")
    }

    @Test func semiuri() throws {
        let r = try parseRequest(try torture("semiuri"))
        #expect(r.uri.user == "user;par=u%40example.net")
        #expect(r.uri.decodedUser == "user;par=u@example.net")
        #expect(r.uri.host == "example.com" && r.uri.parameters.isEmpty)
        #expect(r.headers.values(.accept) == ["application/sdp", "application/pkcs7-mime", "multipart/mixed",
                                               "multipart/signed", "message/sip", "message/sipfrag"])
    }

    @Test func transports() throws {
        let r = try parseRequest(try torture("transports"))
        #expect(try r.headers.via.map(\.transport) == ["UDP", "SCTP", "TLS", "UNKNOWN", "TCP"])
        #expect(r.headers.callID == "transports.kijh4akdnaqjkwendsasfdj")
    }

    @Test func mpart01() throws {
        let r = try parseRequest(try torture("mpart01"))
        #expect(r.method == .message)
        #expect(r.body.count == 553)
        #expect(r.body.contains(0))  // binary part with NULs framed correctly
        let via = try #require(try r.headers.topVia)
        #expect(via.port == 5070 && via.hasRport && via.rport == nil)
        #expect(try r.headers.contentType?.parameters.value("boundary") == "7a9cbec02ceef655")
        #expect(r.headers[.date] == "Sat, 15 Oct 2005 04:44:56 GMT")
        #expect(try r.headers.routes.first?.uri.port == 5080)
    }

    @Test func unreason() throws {
        let r = try parseResponse(try torture("unreason"))
        #expect(r.statusCode == 200)
        #expect(r.reasonPhrase == "= 2**3 * 5**2 но сто девяносто девять - простое")
        #expect(r.body.count == 154)
        #expect(try r.headers.to.tag == "2229")
    }

    @Test func noreason() throws {
        let r = try parseResponse(try torture("noreason"))
        #expect(r.statusCode == 100 && r.reasonPhrase == "")
        #expect(try r.headers.from.tag == "39ansfi3")
    }
}
