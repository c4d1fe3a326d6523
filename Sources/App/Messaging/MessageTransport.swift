import Foundation
import Logging

/// Delivers outbox messages. The embedded default logs them; e-mail and gateways plug in here.
protocol MessageTransport: Sendable {
    /// Delivers the message and returns what the provider answered worth keeping (a gateway's message id),
    /// or nil. Throwing `DeliveryError.permanent` dead-letters the message at once; any other error retries.
    func deliver(_ message: OutboxSnapshot) async throws -> String?
}

/// A failure that retrying cannot fix (an address the server refuses for good, a request the gateway rejects).
enum DeliveryError: Error, CustomStringConvertible {
    case permanent(String)
    var description: String {
        switch self { case .permanent(let reason): return "permanent failure: \(reason)" }
    }
}

/// What a transport needs of an outbox row (models stay request-local).
struct OutboxSnapshot: Sendable {
    var id: Int
    var idempotencyKey: String
    var kind: String
    var audience: String
    var payload: String
    var attempts: Int
    /// `email` or `sms`.
    var channel: String = "email"
}

struct LoggingTransport: MessageTransport {
    let logger: Logger
    func deliver(_ message: OutboxSnapshot) async throws -> String? {
        logger.info("notification", metadata: [
            "idempotency_key": "\(message.idempotencyKey)", "kind": "\(message.kind)", "channel": "\(message.channel)",
            "audience": "\(message.audience)", "payload": "\(message.payload)",
        ])
        return "logged"
    }
}
