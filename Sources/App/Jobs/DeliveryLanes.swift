import Fluent
import Foundation
import SQLKit
import Vapor

/// Outbox delivery split into lanes, one per channel and, for webhooks, one per receiver, run side by side: a dead
/// webhook receiver or a slow gateway never delays a citizen's e-mail. Messages keep their order within a lane.
extension Worker {
    struct Lane: Hashable, Sendable {
        var channel: String
        /// The receiver within the channel (`webhook:{id}`), nil for the channels with one receiver.
        var audience: String?
        var breakerKey: String? { channel == WebhookOutbox.channel ? audience : nil }
    }

    /// Lanes run at once at most (the rest wait for a free one).
    static let maxParallelLanes = 8

    /// The lanes holding messages due now.
    func dueLanes() async throws -> [Lane] {
        let now = app.clock.now
        guard let sql = app.writeDB as? any SQLDatabase else { return [] }
        let rows = try await sql.raw("""
            SELECT DISTINCT channel, CASE WHEN channel = \(bind: WebhookOutbox.channel) THEN audience ELSE '' END AS receiver FROM outbox
            WHERE status = 'pending' AND next_attempt_at <= \(bind: now) AND (locked_until IS NULL OR locked_until < \(bind: now))
            """).all()
        return try rows.map {
            let receiver = try $0.decode(column: "receiver", as: String.self)
            return Lane(channel: try $0.decode(column: "channel", as: String.self), audience: receiver.isEmpty ? nil : receiver)
        }.sorted { ($0.channel, $0.audience ?? "") < ($1.channel, $1.audience ?? "") }
    }

    /// Delivers every lane, side by side; returns (delivered, failed).
    func deliverLanes() async throws -> (Int, Int) {
        let lanes = try await dueLanes()
        var delivered = 0, failed = 0
        var next = lanes.makeIterator()
        try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            for _ in 0..<Self.maxParallelLanes {
                guard let lane = next.next() else { break }
                group.addTask { try await self.deliver(lane) }
            }
            while let (d, f) = try await group.next() {
                delivered += d; failed += f
                if let lane = next.next() { group.addTask { try await self.deliver(lane) } }
            }
        }
        return (delivered, failed)
    }

    /// One lane: claims its messages in order and delivers them one after another, until the lane is empty, its
    /// receiver's circuit opens, or (except e-mail) its time in this sweep is up.
    func deliver(_ lane: Lane) async throws -> (Int, Int) {
        let tuning = app.settings.delivery
        let started = ProcessInfo.processInfo.systemUptime
        var delivered = 0, failed = 0
        var breaker: CircuitBreaker?
        if let key = lane.breakerKey { breaker = try await DeliveryCircuit.load(key, on: app.db) }
        while true {
            var limit = Self.batchSize
            if let gate = breaker?.gate(at: app.clock.now) {
                switch gate {
                case .open: return (delivered, failed)
                case .halfOpen: limit = 1
                case .closed: break
                }
            }
            let batch = try await claim(lane, limit: limit)
            if batch.isEmpty { break }
            for (index, message) in batch.enumerated() {
                let outcome = try await deliverOne(message)
                if outcome.delivered { delivered += 1 } else { failed += 1 }
                if let key = lane.breakerKey, var current = breaker {
                    let before = current
                    if let error = outcome.receiverFailure {
                        current.failed(at: app.clock.now, error: error, tuning: tuning)
                    } else {
                        current.succeeded()
                    }
                    breaker = current
                    if current != before { try await DeliveryCircuit.save(current, for: key, at: app.clock.now, on: app.writeDB) }
                }
                let open = breaker.map { if case .open = $0.gate(at: app.clock.now) { return true } else { return false } } ?? false
                let outOfTime = lane.channel != "email" && ProcessInfo.processInfo.systemUptime - started > tuning.laneBudget
                if open || outOfTime || Task.isCancelled {
                    try await release(Array(batch[(index + 1)...]))
                    return (delivered, failed)
                }
            }
            if batch.count < limit || breaker?.gate(at: app.clock.now) == .halfOpen { break }
        }
        return (delivered, failed)
    }

    /// What one delivery came to: sent or not, and whether the receiver itself failed (no answer, 408, 429, 5xx), which
    /// is what a circuit breaker counts; a refusal of the message (another 4xx) shows the receiver is there.
    struct Outcome: Sendable { var delivered: Bool; var receiverFailure: String? }

    func deliverOne(_ message: OutboxSnapshot) async throws -> Outcome {
        do {
            let answer = try await transport.deliver(message)
            try await OutboxMessage.query(on: app.writeDB).filter(\.$id == message.id)
                .set(\.$status, to: "sent").set(\.$sentAt, to: app.clock.now).set(\.$lockedBy, to: nil).set(\.$lockedUntil, to: nil)
                .set(\.$attempts, to: message.attempts + 1).set(\.$providerResponse, to: answer.map { String($0.prefix(500)) }).update()
            return Outcome(delivered: true)
        } catch {
            let attempts = message.attempts + 1
            let backoff = min(30 * pow(2, Double(attempts - 1)), 6 * 3600)
            let permanent = error is DeliveryError
            try await OutboxMessage.query(on: app.writeDB).filter(\.$id == message.id)
                .set(\.$status, to: attempts >= Self.maxAttempts || permanent ? "dead" : "pending")
                .set(\.$attempts, to: attempts).set(\.$lastError, to: String(describing: error).prefix(500).description)
                .set(\.$nextAttemptAt, to: app.clock.now.addingTimeInterval(backoff)).set(\.$lockedBy, to: nil).set(\.$lockedUntil, to: nil)
                .update()
            return Outcome(delivered: false, receiverFailure: permanent ? nil : String(describing: error))
        }
    }

    /// Claims up to `limit` due messages of one lane, in order, in a single statement. On PostgreSQL
    /// `FOR UPDATE SKIP LOCKED` lets several instances claim side by side without ever taking the same row; SQLite
    /// has one writer, so the plain form is enough.
    func claim(_ lane: Lane, limit: Int) async throws -> [OutboxSnapshot] {
        let now = app.clock.now
        guard let sql = app.writeDB as? any SQLDatabase else { return [] }
        let lock = app.usesSQLite ? "" : " FOR UPDATE SKIP LOCKED"
        let receiver: SQLQueryString = lane.audience.map { "AND audience = \(bind: $0)" } ?? ""
        let rows = try await sql.raw("""
            UPDATE outbox SET locked_by = \(bind: String(instance)), locked_until = \(bind: now.addingTimeInterval(300))
            WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= \(bind: now)
                         AND (locked_until IS NULL OR locked_until < \(bind: now)) AND channel = \(bind: lane.channel) \(receiver)
                         ORDER BY id LIMIT \(unsafeRaw: String(limit))\(unsafeRaw: lock))
            RETURNING id, idempotency_key, kind, audience, payload, attempts, channel
            """).all()
        return try rows.map {
            OutboxSnapshot(id: try $0.decode(column: "id", as: Int.self), idempotencyKey: try $0.decode(column: "idempotency_key", as: String.self),
                           kind: try $0.decode(column: "kind", as: String.self), audience: try $0.decode(column: "audience", as: String.self),
                           payload: try $0.decode(column: "payload", as: String.self), attempts: try $0.decode(column: "attempts", as: Int.self),
                           channel: try $0.decode(column: "channel", as: String.self))
        }.sorted { $0.id < $1.id }
    }

    /// Gives claimed but unsent messages back to the queue at once (their attempts untouched).
    func release(_ messages: [OutboxSnapshot]) async throws {
        guard !messages.isEmpty else { return }
        try await OutboxMessage.query(on: app.writeDB).filter(\.$id ~~ messages.map(\.id))
            .set(\.$lockedBy, to: nil).set(\.$lockedUntil, to: nil).update()
    }
}
