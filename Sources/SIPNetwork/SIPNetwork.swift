// SIPNetwork: SIP over UDP and TCP on SwiftNIO (RFC 3261 §18, RFC 3581).
//
// - `SIPTransport`: binds UDP and TCP on one address and one event loop, hands every
//   received message to a callback on that loop, sends requests to hops and responses
//   along their Via, answers broken requests with 400, closes cleanly.
// - `SIPEndpoint`: an IP address (or host name) and port.
// - `SIPTraceEvent` / `SIPTracer`: every message sent and received, whole (`--trace-sip`),
//   set in `SIPTransportConfiguration.trace`; nil costs nothing.
// - `ViaStamp` / `ResponseRoute`: the Via processing of §18.2.1 and §18.2.2.
// - `DatagramHandler` / `StreamHandler`: the NIO channel handlers.
// - `TransportState`: connections and counters, confined to the event loop.
