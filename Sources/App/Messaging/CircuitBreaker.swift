import Foundation
import Fluent

/// One receiver's circuit breaker: closed while deliveries succeed; open after `breakerFailures` failures in a row
/// (nothing is sent to it, its messages wait without spending their attempts); half-open once the wait is over (one
/// message is tried: success closes the circuit, failure opens it again for twice as long).
struct CircuitBreaker: Sendable, Equatable {
    var failures = 0
    /// How many times in a row the circuit opened (for the doubling wait).
    var trips = 0
    var openUntil: Date?
    var lastError: String?

    enum Gate: Sendable, Equatable { case closed, open(until: Date), halfOpen }

    func gate(at now: Date) -> Gate {
        guard let openUntil else { return .closed }
        return now < openUntil ? .open(until: openUntil) : .halfOpen
    }

    mutating func succeeded() {
        failures = 0; trips = 0; openUntil = nil; lastError = nil
    }

    mutating func failed(at now: Date, error: String, tuning: DeliveryTuning) {
        let wasTrial = gate(at: now) == .halfOpen
        failures += 1
        lastError = String(error.prefix(300))
        if wasTrial || failures >= tuning.breakerFailures {
            trips += 1
            let wait = min(tuning.breakerRetry * pow(2, Double(trips - 1)), max(tuning.breakerRetry, DeliveryTuning.breakerRetryMax))
            openUntil = now.addingTimeInterval(wait)
        }
    }
}

/// A receiver's breaker as stored (`delivery_circuits`, one row per receiver: `webhook:{id}`).
final class DeliveryCircuit: Model, @unchecked Sendable {
    static let schema = "delivery_circuits"
    @ID(custom: "receiver", generatedBy: .user) var id: String?
    @Field(key: "failures") var failures: Int
    @Field(key: "trips") var trips: Int
    @OptionalField(key: "open_until") var openUntil: Date?
    @OptionalField(key: "last_error") var lastError: String?
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    var breaker: CircuitBreaker { CircuitBreaker(failures: failures, trips: trips, openUntil: openUntil, lastError: lastError) }

    static func load(_ receiver: String, on db: any Database) async throws -> CircuitBreaker {
        try await find(receiver, on: db)?.breaker ?? CircuitBreaker()
    }

    static func save(_ breaker: CircuitBreaker, for receiver: String, at now: Date, on db: any Database) async throws {
        let row = try await find(receiver, on: db) ?? { let r = DeliveryCircuit(); r.id = receiver; return r }()
        row.failures = breaker.failures; row.trips = breaker.trips; row.openUntil = breaker.openUntil; row.lastError = breaker.lastError
        row.updatedAt = now
        try await row.save(on: db)
    }
}
