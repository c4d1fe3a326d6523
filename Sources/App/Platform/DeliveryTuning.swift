import Foundation

/// Timeouts and the circuit breaker of webhook deliveries (docs/configuration.md, "Delivery").
struct DeliveryTuning: Sendable, Equatable {
    /// Seconds for one webhook request, connection included (ADUAN_WEBHOOK_TIMEOUT).
    var webhookTimeout: Int64 = 10
    /// Consecutive failures that open a receiver's circuit (ADUAN_WEBHOOK_BREAKER_FAILURES).
    var breakerFailures = 3
    /// Seconds an open circuit waits before one trial delivery (ADUAN_WEBHOOK_BREAKER_RETRY); doubled after each
    /// failed trial, up to `breakerRetryMax`.
    var breakerRetry: Double = 60
    static let breakerRetryMax: Double = 3600
    /// Wall-clock seconds a lane other than e-mail may spend at a time; what is left waits for the next turn, so a slow
    /// receiver never holds a sweep long (`worker --once`, tests). E-mail runs until its queue is empty, as before.
    var laneBudget: Double = 30
}
