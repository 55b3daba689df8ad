import SoftphoneApp
import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import SoftphoneCore

/// What the demo script does in Teams: the Teams app presents or goes back, a
/// meeting starts and ends, Outlook's automatic replies, an outage.
protocol DemoTeamsControl: AnyObject {
    func setClient(_ pair: PresencePair, at now: Instant)
    func setCalendar(_ pair: PresencePair?, at now: Instant)
    func setOutOfOffice(_ on: Bool, at now: Instant)
    func disconnect(reason: String, at now: Instant)
    func reconnect(at now: Instant)
}

/// The script played through the Teams emulator's control API, over loopback.
/// Requests are sent in the background, in order; a failure goes to the Log tab.
final class EmulatorTeamsControl: DemoTeamsControl {
    private let baseURL: String
    private let user: String
    private let inbox: Inbox
    private let requests: AsyncStream<(HTTPMethod, String, String?)>.Continuation
    private let sender: Task<Void, Never>

    init(baseURL: String, user: String, inbox: Inbox) {
        self.baseURL = baseURL
        self.user = user
        self.inbox = inbox
        let (stream, continuation) = AsyncStream.makeStream(of: (HTTPMethod, String, String?).self)
        requests = continuation
        sender = Task {
            for await (method, path, body) in stream {
                var request = HTTPClientRequest(url: baseURL + "/_emulator" + path)
                request.method = method
                if let body {
                    request.headers.add(name: "Content-Type", value: "application/json")
                    request.body = .bytes(ByteBuffer(string: body))
                }
                do {
                    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
                    _ = try await response.body.collect(upTo: 1 << 20)
                } catch {
                    inbox.post(.note(.error, "demo: the Teams emulator's control API failed: \(error)"))
                }
            }
        }
    }

    deinit {
        requests.finish()
        sender.cancel()
    }

    private func send(_ method: HTTPMethod, _ path: String, _ body: String? = nil) {
        requests.yield((method, path, body))
    }

    func setClient(_ pair: PresencePair, at now: Instant) {
        send(.PUT, "/users/\(user)/sessions/teams-desktop",
             #"{"kind":"teamsClient","availability":"\#(pair.availability.rawValue)","activity":"\#(pair.activity.rawValue)"}"#)
    }

    func setCalendar(_ pair: PresencePair?, at now: Instant) {
        if let pair {
            send(.PUT, "/users/\(user)/sessions/calendar",
                 #"{"kind":"calendar","availability":"\#(pair.availability.rawValue)","activity":"\#(pair.activity.rawValue)"}"#)
        } else {
            send(.DELETE, "/users/\(user)/sessions/calendar")
        }
    }

    func setOutOfOffice(_ on: Bool, at now: Instant) {
        send(.PUT, "/users/\(user)/outOfOffice", #"{"on":\#(on)}"#)
    }

    /// Teams drops every connection for a while (about six seconds of polling).
    func disconnect(reason: String, at now: Instant) {
        send(.POST, "/faults", #"{"dropConnection":true,"count":20}"#)
    }

    func reconnect(at now: Instant) {
        send(.DELETE, "/faults")
    }
}
