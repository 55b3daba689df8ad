/// Presence documents the tests read: rewritten from the RFC examples, and written
/// in the style PJSIP, Kamailio and baresip produce.
enum Fixtures {
    // MARK: - RFCs

    /// After RFC 3863 section 7: two open tuples (one with status extensions in other
    /// namespaces and notes in two languages), and a note for the whole document.
    static let rfc3863 = """
        <?xml version="1.0" encoding="UTF-8"?>
        <presence xmlns="urn:ietf:params:xml:ns:pidf"
            xmlns:im="urn:ietf:params:xml:ns:pidf:im"
            xmlns:myex="http://id.example.com/presence/"
            entity="pres:someone@example.com">
          <tuple id="bs35r9">
            <status>
              <basic>open</basic>
              <im:im>busy</im:im>
              <myex:location>home</myex:location>
            </status>
            <contact priority="0.8">im:someone@mobilecarrier.net</contact>
            <note xml:lang="en">Don't Disturb Please!</note>
            <note xml:lang="fr">Ne dérangez pas, s'il vous plaît</note>
            <timestamp>2001-10-27T16:49:29Z</timestamp>
          </tuple>
          <tuple id="eg92n8">
            <status>
              <basic>open</basic>
            </status>
            <contact priority="1.0">mailto:someone@example.com</contact>
          </tuple>
          <note xml:lang="en">I'll be in Tokyo next week</note>
        </presence>
        """

    /// The same document with the PIDF namespace on a prefix instead of the default.
    static let rfc3863Prefixed = """
        <?xml version="1.0" encoding="UTF-8"?>
        <impp:presence xmlns:impp="urn:ietf:params:xml:ns:pidf"
            xmlns:im="urn:ietf:params:xml:ns:pidf:im"
            xmlns:myex="http://id.example.com/presence/"
            entity="pres:someone@example.com">
          <impp:tuple id="bs35r9">
            <impp:status>
              <impp:basic>open</impp:basic>
              <im:im>busy</im:im>
              <myex:location>home</myex:location>
            </impp:status>
            <impp:contact priority="0.8">im:someone@mobilecarrier.net</impp:contact>
            <impp:note xml:lang="en">Don't Disturb Please!</impp:note>
            <impp:note xml:lang="fr">Ne dérangez pas, s'il vous plaît</impp:note>
            <impp:timestamp>2001-10-27T16:49:29Z</impp:timestamp>
          </impp:tuple>
          <impp:tuple id="eg92n8">
            <impp:status>
              <impp:basic>open</impp:basic>
            </impp:status>
            <impp:contact priority="1.0">mailto:someone@example.com</impp:contact>
          </impp:tuple>
          <impp:note xml:lang="en">I'll be in Tokyo next week</impp:note>
        </impp:presence>
        """

    /// After the RFC 4480 examples: RPID elements in tuples, a device, and a person
    /// whose activities carry a note and a time range, beside mood, place and privacy.
    static let rfc4480 = """
        <?xml version="1.0" encoding="UTF-8"?>
        <presence xmlns="urn:ietf:params:xml:ns:pidf"
            xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model"
            xmlns:r="urn:ietf:params:xml:ns:pidf:rpid"
            xmlns:c="urn:ietf:params:xml:ns:pidf:cipid"
            xmlns:lt="urn:ietf:params:xml:ns:location-type"
            entity="pres:someone@example.com">
          <tuple id="bs35r9">
            <status><basic>open</basic></status>
            <dm:deviceID>urn:device:0003ba4811e3</dm:deviceID>
            <r:relationship><r:self/></r:relationship>
            <r:service-class><r:electronic/></r:service-class>
            <contact priority="0.8">im:someone@mobilecarrier.net</contact>
            <note xml:lang="en">Don't Disturb Please!</note>
            <note xml:lang="fr">Ne derangez pas, s'il vous plait</note>
            <timestamp>2005-10-27T16:49:29Z</timestamp>
          </tuple>
          <tuple id="ty4658">
            <status><basic>open</basic></status>
            <r:relationship><r:assistant/></r:relationship>
            <contact priority="1.0">mailto:secretary@example.com</contact>
          </tuple>
          <tuple id="eg92n8">
            <status><basic>open</basic></status>
            <dm:deviceID>urn:x-mac:0003ba4811e3</dm:deviceID>
            <r:class>email</r:class>
            <r:service-class><r:electronic/></r:service-class>
            <r:status-icon>http://example.com/mail.png</r:status-icon>
            <contact priority="1.0">mailto:someone@example.com</contact>
          </tuple>
          <note xml:lang="en">I'll be in Tokyo next week</note>
          <dm:device id="pc147">
            <r:user-input idle-threshold="600" last-input="2004-10-21T13:20:00.000-05:00">idle</r:user-input>
            <dm:deviceID>urn:device:0003ba4811e3</dm:deviceID>
            <dm:note>PC</dm:note>
          </dm:device>
          <dm:person id="p1">
            <r:activities from="2005-05-30T12:00:00+05:00" until="2005-05-30T17:00:00+05:00">
              <r:note>Far away</r:note>
              <r:away/>
            </r:activities>
            <r:class>calendar</r:class>
            <r:mood>
              <r:angry/>
              <r:other>brooding</r:other>
            </r:mood>
            <r:place-is>
              <r:audio><r:noisy/></r:audio>
            </r:place-is>
            <r:place-type><lt:residence/></r:place-type>
            <r:privacy><r:unknown/></r:privacy>
            <r:sphere>bowling league</r:sphere>
            <r:time-offset>-240</r:time-offset>
            <r:user-input last-input="2004-10-21T13:20:00-05:00">idle</r:user-input>
            <dm:timestamp>2005-05-30T16:09:44+05:00</dm:timestamp>
          </dm:person>
        </presence>
        """

    /// After the RFC 4479 example: a service with capabilities, a person on the
    /// phone, a device.
    static let rfc4479 = """
        <?xml version="1.0" encoding="UTF-8"?>
        <presence xmlns="urn:ietf:params:xml:ns:pidf"
            xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model"
            xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid"
            xmlns:caps="urn:ietf:params:xml:ns:pidf:caps"
            entity="pres:someone@example.com">
          <tuple id="sg89ae">
            <status>
              <basic>open</basic>
            </status>
            <dm:deviceID>mac:8asd7d7d70</dm:deviceID>
            <caps:servcaps>
              <caps:extensions><caps:supported><caps:pref/></caps:supported></caps:extensions>
              <caps:methods><caps:supported><caps:INVITE/></caps:supported></caps:methods>
            </caps:servcaps>
            <contact>sip:someone@example.com</contact>
            <timestamp>2005-07-26T13:20:00Z</timestamp>
          </tuple>
          <dm:person id="p1">
            <rpid:activities>
              <rpid:on-the-phone/>
            </rpid:activities>
            <dm:timestamp>2005-07-26T13:20:00Z</dm:timestamp>
          </dm:person>
          <dm:device id="pc122">
            <rpid:user-input>idle</rpid:user-input>
            <dm:deviceID>mac:8asd7d7d70</dm:deviceID>
            <dm:timestamp>2005-07-26T13:20:00Z</dm:timestamp>
          </dm:device>
        </presence>
        """

    // MARK: - PJSIP (pjsua): a tuple with a note, a person with one activity and a dm:note

    /// PJSIP's layout; `basic`, `activity` and `note` vary.
    static func pjsip(basic: String, activity: String?, note: String?) -> String {
        var body = """
            <?xml version="1.0" encoding="UTF-8"?>
            <presence entity="sip:bob@example.com" xmlns="urn:ietf:params:xml:ns:pidf" \
            xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid">
             <tuple id="pj8d5f6a3c">
              <status>
               <basic>\(basic)</basic>
              </status>
              <contact>sip:bob@192.0.2.7:5060</contact>
              <timestamp>2025-03-14T09:26:53.589Z</timestamp>

            """
        if let note { body += "  <note>\(note)</note>\n" }
        body += " </tuple>\n"
        if activity != nil || note != nil {
            body += " <dm:person id=\"pj1f0c2e77\">\n  <rpid:activities>\n"
            body += "   <rpid:\(activity ?? "unknown") />\n  </rpid:activities>\n"
            if let note { body += "  <dm:note>\(note)</dm:note>\n" }
            body += " </dm:person>\n"
        }
        body += "</presence>\n"
        return body
    }

    /// pjsua2 publishing "Online": an open tuple with the note, person activity unknown.
    static let pjsipOnline = pjsip(basic: "open", activity: nil, note: "Online")
    /// pjsua "Available": an open tuple and nothing else.
    static let pjsipAvailable = pjsip(basic: "open", activity: nil, note: nil)
    static let pjsipBusy = pjsip(basic: "open", activity: "busy", note: "Busy")
    static let pjsipAway = pjsip(basic: "open", activity: "away", note: "Away")
    static let pjsipIdle = pjsip(basic: "open", activity: nil, note: "Idle")
    static let pjsipOnThePhone = pjsip(basic: "open", activity: "busy", note: "On the phone")
    static let pjsipBeRightBack = pjsip(basic: "open", activity: nil, note: "Be right back")
    static let pjsipClosed = pjsip(basic: "closed", activity: nil, note: nil)
    static let pjsipOffline = pjsip(basic: "closed", activity: nil, note: "Offline")

    // MARK: - Kamailio presence_xml

    /// What Kamailio sends with `force_dummy_presence` when nobody has published:
    /// namespaces declared again on the children, an empty activities element.
    static let kamailioDummy = """
        <?xml version="1.0" encoding="UTF-8"?>
        <presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" \
        xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" xmlns:c="urn:ietf:params:xml:ns:pidf:cipid" entity="sip:carol@example.com">
        <tuple xmlns="urn:ietf:params:xml:ns:pidf" id="0123456789abcdef0123456789abcdef">
        <status>
        <basic>open</basic>
        </status>
        </tuple>
        <note xmlns="urn:ietf:params:xml:ns:pidf">Available</note>
        <dm:person xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" id="1">
        <rpid:activities/>
        <dm:note>Available</dm:note>
        </dm:person>
        </presence>
        """

    /// Kamailio's body once a publication has expired: the first tuple, closed, nothing else.
    static let kamailioOffline = """
        <?xml version="1.0"?>
        <presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" \
        xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:bob@example.com">
          <tuple id="pj8d5f6a3c">
            <status>
              <basic>closed</basic>
            </status>
          </tuple>
        </presence>
        """

    /// Kamailio's aggregate of two publishers for one presentity: the softphone in a
    /// call and a desk phone (PJSIP) online. Children of both documents, one after the other.
    static let kamailioAggregate = """
        <?xml version="1.0"?>
        <presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" \
        xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:alice@example.com">
          <tuple id="pj77aa01">
            <status><basic>open</basic></status>
            <contact>sip:alice@192.0.2.20:5060</contact>
            <note>Online</note>
          </tuple>
          <dm:person id="pj77aa02">
            <rpid:activities><rpid:unknown/></rpid:activities>
            <dm:note>Online</dm:note>
          </dm:person>
          <tuple id="softphone">
            <status><basic>open</basic></status>
            <contact>sip:alice@192.0.2.10:5062</contact>
            <note>In a call</note>
          </tuple>
          <dm:person id="agent">
            <rpid:activities><rpid:busy/><rpid:on-the-phone/></rpid:activities>
            <dm:note>In a call</dm:note>
          </dm:person>
        </presence>
        """

    // MARK: - baresip (modules/presence): a person first, activity busy when busy

    static func baresip(basic: String, activity: String?) -> String {
        let person = activity.map {
            "<dm:person id=\"p4159\"><rpid:activities><rpid:\($0)/></rpid:activities></dm:person>\r\n"
        } ?? ""
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n"
            + "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" xmlns:dm=\"urn:ietf:params:xml:ns:pidf:data-model\""
            + " xmlns:rpid=\"urn:ietf:params:xml:ns:pidf:rpid\" entity=\"sip:dave@example.com\">\r\n"
            + person
            + "<tuple id=\"t4109\"><status><basic>\(basic)</basic></status>"
            + "<contact>sip:dave@192.0.2.30</contact></tuple>\r\n</presence>\r\n"
    }
}
