import Fluent
import Foundation

/// A message written in the same transaction as the event that causes it, delivered by the worker.
final class OutboxMessage: Model, @unchecked Sendable {
    static let schema = "outbox"
    @ID(custom: "id", generatedBy: .database) var id: Int?
    /// Unique: a redelivery after a crash carries the same key, so a receiver can drop the duplicate.
    @Field(key: "idempotency_key") var idempotencyKey: String
    @Field(key: "kind") var kind: String
    /// `reporter`, `unit_liaisons:63/dinkes`, `unit_head:…`, `coordinators:63`, `inspectorate:63`.
    @Field(key: "audience") var audience: String
    @OptionalField(key: "complaint_id") var complaintID: Int?
    @Field(key: "payload") var payload: String
    /// `email` or `sms` (an SMS/WhatsApp gateway): one row per channel, so one channel's failure never resends another's.
    @Field(key: "channel") var channel: String
    /// What the provider answered on success (a gateway's message id, the SMTP server's reply), for tracing.
    @OptionalField(key: "provider_response") var providerResponse: String?
    /// `pending`, `sent` or `dead`.
    @Field(key: "status") var status: String
    @Field(key: "attempts") var attempts: Int
    @Field(key: "next_attempt_at") var nextAttemptAt: Date
    @OptionalField(key: "last_error") var lastError: String?
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "sent_at") var sentAt: Date?
    @OptionalField(key: "locked_by") var lockedBy: String?
    @OptionalField(key: "locked_until") var lockedUntil: Date?

    init() {}

    /// A message waiting for its first delivery attempt, due `now`.
    init(key: String, kind: String, audience: String, payload: String, channel: String = "email", complaintID: Int? = nil, at now: Date) {
        self.idempotencyKey = key; self.kind = kind; self.audience = audience; self.payload = payload; self.channel = channel
        self.complaintID = complaintID; self.status = "pending"; self.attempts = 0; self.nextAttemptAt = now; self.createdAt = now
    }
}
