import Hummingbird
import NIOCore

/// The request context: Hummingbird's core storage plus the connection, which the
/// `dropConnection` fault closes.
struct EmulatorRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}

/// Thrown after a `dropConnection` fault closed the connection: nothing is to be answered.
struct ConnectionDropped: Error {}
