import GraphModel
import Hummingbird
import SoftphoneCore

extension EmulatorRoutes {
    /// Stats, faults, latency, churn and the overview (see the control API list in `Routes+Control.swift`).
    func registerControlConditions(on router: Router) {
        control(.get, "", on: router) { _, _ in
            let clock = engine.clock
            return Self.reply([
                "tenant": options.tenant,
                "clientId": options.clientID,
                "domain": options.domain,
                "publicClientIds": options.publicClients,
                "allowHTTPNotifications": options.allowHTTPNotifications,
                "timeScale": clock.timeScale,
                "emulatorTime": GraphDateTime.format(clock.now()),
                "wallTime": GraphDateTime.format(clock.wallNow()),
                "users": await engine.userIDs().count,
                "subscriptions": await engine.liveSubscriptions().count,
            ])
        }
        control(.get, "/subscriptions", on: router) { _, _ in
            Self.reply(["value": await engine.liveSubscriptions().map { $0.json(tenant: options.tenant) }])
        }
        control(.get, "/stats", on: router) { _, _ in
            var json = stats.json
            json["presenceLast30s"] = presenceWindowJSON()
            return Self.reply(json)
        }
        control(.post, "/stats/reset", on: router) { _, _ in
            stats.reset()
            throttle.reset()
            return JSONReply.empty(.noContent)
        }
        control(.get, "/faults", on: router) { _, _ in Self.reply(faultsJSON()) }
        control(.delete, "/faults", on: router) { _, _ in
            conditions.clear()
            return JSONReply.empty(.noContent)
        }
        control(.post, "/faults", on: router) { request, _ in
            let body = try await JSONBody.read(request)
            let count = try body.int("count") ?? 1
            guard (1...10_000).contains(count) else { throw GraphFailure.badRequest("count must be between 1 and 10000.") }
            let targetText = try body.string("target") ?? "graph"
            guard let target = NetworkConditions.Target(rawValue: targetText) else {
                throw GraphFailure.badRequest("target '\(targetText)' must be graph, token or all.")
            }
            let fault: NetworkConditions.Fault
            if try body.bool("dropConnection") == true {
                fault = .dropConnection
            } else {
                guard let status = try body.int("status"), (400...599).contains(status) else {
                    throw GraphFailure.badRequest("Give a 'status' between 400 and 599, or \"dropConnection\": true.")
                }
                let retryAfter = try body.int("retryAfterSeconds")
                if let retryAfter, retryAfter < 0 { throw GraphFailure.badRequest("retryAfterSeconds must not be negative.") }
                fault = .status(status, retryAfterSeconds: retryAfter)
            }
            conditions.enqueue(fault, target: target, count: count)
            return Self.reply(faultsJSON())
        }
        control(.get, "/latency", on: router) { _, _ in
            Self.reply(["milliseconds": conditions.latency.nanoseconds / 1_000_000])
        }
        control(.put, "/latency", on: router) { request, _ in
            let body = try await JSONBody.read(request)
            guard let ms = try body.number("milliseconds"), ms >= 0, ms <= 600_000 else {
                throw GraphFailure.badRequest("milliseconds must be between 0 and 600000.")
            }
            conditions.setLatency(.milliseconds(Int64(ms)))
            return Self.reply(["milliseconds": Int64(ms)])
        }
        control(.get, "/churn", on: router) { _, _ in Self.reply(churnJSON()) }
        control(.delete, "/churn", on: router) { _, _ in
            churn.stop()
            return JSONReply.empty(.noContent)
        }
        control(.put, "/churn", on: router) { request, _ in
            let body = try await JSONBody.read(request)
            guard let every = try body.number("everyMilliseconds"), every >= 0 else {
                throw GraphFailure.badRequest("everyMilliseconds is required (0 stops the churn).")
            }
            let perTick = try body.int("changesPerTick") ?? 1
            guard perTick >= 1 else { throw GraphFailure.badRequest("changesPerTick must be at least 1.") }
            let seed = try body.int("seed") ?? Int(churn.options?.seed ?? 1)
            churn.configure(every == 0 ? nil : ChurnOptions(every: .milliseconds(Int64(every)),
                                                            seed: UInt64(truncatingIfNeeded: seed),
                                                            changesPerTick: perTick))
            return Self.reply(churnJSON())
        }
    }

    private func faultsJSON() -> [String: Any] {
        let pending: [[String: Any]] = conditions.pending().map { p in
            switch p.fault {
            case .dropConnection: ["dropConnection": true, "target": p.target.rawValue]
            case .status(let code, let retry):
                retry.map { ["status": code, "retryAfterSeconds": $0, "target": p.target.rawValue] }
                    ?? ["status": code, "target": p.target.rawValue]
            }
        }
        return ["pending": pending]
    }

    private func churnJSON() -> [String: Any] {
        guard let o = churn.options else { return ["everyMilliseconds": 0] }
        return ["everyMilliseconds": o.every.nanoseconds / 1_000_000, "seed": o.seed, "changesPerTick": o.changesPerTick]
    }
}
