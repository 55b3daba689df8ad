/// SIP transports on SwiftNIO.
