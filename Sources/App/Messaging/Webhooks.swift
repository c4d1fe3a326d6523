import AduanCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// A receiver of complaint events, managed by the province's sysadmin (docs/interop.md, "Outbound webhooks").
final class WebhookSubscription: Model, @unchecked Sendable {
    static let schema = "webhook_subscriptions"
    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Field(key: "name") var name: String
    /// An http(s) URL.
    @Field(key: "url") var url: String
    /// The shared signing secret, sealed with the installation key (never stored or shown in clear after creation).
    @Field(key: "secret_sealed") var secretSealed: String
    /// `*` for every public action, or a comma-separated list of actions (`submit,verify,respond_final`).
    @Field(key: "events") var events: String
    /// The jurisdiction whose complaints are sent; with `includeSub`, its kabupaten/kota too.
    @Field(key: "jurisdiction_code") var jurisdictionCode: String
    @Field(key: "include_sub") var includeSub: Bool
    @Field(key: "active") var active: Bool
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "created_by") var createdBy: String
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    var audience: String { "webhook:\(id ?? 0)" }

    /// The actions chosen, nil for all.
    var actions: Set<String>? { events == "*" ? nil : Set(events.split(separator: ",").map(String.init)) }
}

/// What a subscription is interested in, decided without a database (the same rule for the outbox and the tests).
struct WebhookFilter: Sendable, Equatable {
    var actions: Set<String>?
    var jurisdiction: String
    var includeSub: Bool

    /// Actions a webhook can carry: the public ones (internal notes, escalations and bookkeeping are never sent).
    static let publicActions: [Action] = Action.allCases.filter {
        EventDraft(action: $0, fromState: nil, toState: .baru, at: Date(timeIntervalSince1970: 0), actorRole: "", unit: nil, jurisdiction: "").isPublic
    }

    /// Codes are hierarchical (`63` → `63.01`), so a kabupaten/kota is below its province by its prefix.
    func matches(action: Action, jurisdiction code: String) -> Bool {
        guard actions?.contains(action.rawValue) ?? true else { return false }
        return code == jurisdiction || (includeSub && code.hasPrefix(jurisdiction + "."))
    }
}

/// The JSON body Aduan POSTs for one event: the event's public fields only (docs/interop.md). No internal text, no
/// reporter identity; confidential (rahasia) and whistleblowing complaints are never sent at all (`WebhookOutbox`).
/// Every key is always present.
struct WebhookEventBody: Codable, Sendable, Equatable {
    var tracking_id: String
    var seq: Int
    /// RFC 3339 with the jurisdiction's offset.
    var at: String
    var action: String
    var from_state: String?
    var to_state: String
    var unit: String?
    var jurisdiction: String
    var public_text: String?
    var due_at: String?
    var late: Bool?

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(tracking_id, forKey: .tracking_id); try c.encode(seq, forKey: .seq); try c.encode(at, forKey: .at)
        try c.encode(action, forKey: .action); try c.encode(from_state, forKey: .from_state); try c.encode(to_state, forKey: .to_state)
        try c.encode(unit, forKey: .unit); try c.encode(jurisdiction, forKey: .jurisdiction); try c.encode(public_text, forKey: .public_text)
        try c.encode(due_at, forKey: .due_at); try c.encode(late, forKey: .late)
    }

    static func rfc3339(_ date: Date, _ zone: TimeZone) -> String {
        ISO8601DateFormatter.string(from: date, timeZone: zone, formatOptions: [.withInternetDateTime])
    }

    func data() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}

/// The outbox rows of the events for the matching subscriptions, which `ComplaintStore.commit` writes with its other
/// outbox rows in the events' transaction, so an event is never lost and each delivery has one key:
/// `{tracking id}:{seq}:webhook:{id}`. Times carry the offset of the event's jurisdiction's calendar.
/// Confidential and whistleblowing complaints stay out of webhooks entirely: even their tracking ID and unit tell a
/// receiver outside the government that such a report exists and where it went.
enum WebhookOutbox {
    static let channel = "webhook"
    static let kind = "webhook_event"

    /// Whether events of a complaint may leave through webhooks at all.
    static func mayCarry(confidential: Bool, type: String) -> Bool {
        Visibility.isPublic(confidential: confidential, type: ComplaintType(rawValue: type) ?? .wbs)
    }

    static func rows(_ events: [EventDraft], lastSeq: Int, complaint: Complaint, complaintID: Int, reference: ReferenceData,
                     on db: any Database) async throws -> [[any SQLExpression]] {
        guard mayCarry(confidential: complaint.confidential, type: complaint.type) else { return [] }
        let numbered = events.enumerated().map { (lastSeq - events.count + 1 + $0.offset, $0.element) }.filter { $0.1.isPublic }
        guard !numbered.isEmpty else { return [] }
        let subscriptions = try await WebhookSubscription.query(on: db).filter(\.$active == true).all()
        guard !subscriptions.isEmpty else { return [] }
        var rows: [[any SQLExpression]] = []
        for (seq, event) in numbered {
            let targets = subscriptions.filter {
                WebhookFilter(actions: $0.actions, jurisdiction: $0.jurisdictionCode, includeSub: $0.includeSub)
                    .matches(action: event.action, jurisdiction: event.jurisdiction)
            }
            guard !targets.isEmpty else { continue }
            let tz = reference.calendar(for: event.jurisdiction).timeZone
            let body = WebhookEventBody(tracking_id: complaint.trackingID, seq: seq, at: WebhookEventBody.rfc3339(event.at, tz),
                                        action: event.action.rawValue, from_state: event.fromState?.rawValue, to_state: event.toState.rawValue,
                                        unit: event.unit, jurisdiction: event.jurisdiction,
                                        public_text: event.publicText,
                                        due_at: event.dueAt.map { WebhookEventBody.rfc3339($0, tz) }, late: event.late)
            let payload = String(decoding: try body.data(), as: UTF8.self)
            for subscription in targets {
                rows.append([SQLBind("\(complaint.trackingID):\(seq):webhook:\(subscription.id!)"), SQLBind(kind), SQLBind(subscription.audience),
                             SQLBind(channel), SQLBind(complaintID), SQLBind(payload), SQLBind("pending"), SQLBind(0), SQLBind(event.at),
                             SQLBind(event.at)])
            }
        }
        return rows
    }
}

/// Delivers `webhook` outbox rows: the stored body, signed with the subscription's secret like the SMS gateway's
/// messages, retried and dead-lettered by the worker's rules.
struct WebhookTransport: MessageTransport {
    let app: Application

    func deliver(_ message: OutboxSnapshot) async throws -> String? {
        guard message.audience.hasPrefix("webhook:"), let id = Int(message.audience.dropFirst("webhook:".count)) else {
            throw DeliveryError.permanent("outbox message \(message.idempotencyKey) names no webhook subscription")
        }
        guard let subscription = try await WebhookSubscription.find(id, on: app.db) else { return "skipped: the subscription was removed" }
        guard subscription.active else { return "skipped: the subscription is inactive" }
        let body = try? JSONDecoder().decode(WebhookEventBody.self, from: Data(message.payload.utf8))
        // Made confidential after the event was queued: what is still waiting is not sent.
        if let trackingID = body?.tracking_id, let complaint = try await Complaint.byTrackingID(trackingID, on: app.db),
           !WebhookOutbox.mayCarry(confidential: complaint.confidential, type: complaint.type) {
            return "skipped: the complaint is confidential"
        }
        let event = body?.action ?? ""
        return try await SignedPost.deliver(app, to: URI(string: subscription.url), secret: try subscription.openSecret(app.secrets),
                                            idempotencyKey: message.idempotencyKey, body: Data(message.payload.utf8),
                                            timeout: app.settings.delivery.webhookTimeout, receiver: "webhook", keepsBody: false,
                                            extraHeaders: [("X-Aduan-Event", event)])
    }
}

extension WebhookSubscription {
    func openSecret(_ secrets: Secrets) throws -> String { String(decoding: try secrets.open(secretSealed), as: UTF8.self) }
}

/// Creating and changing subscriptions, checked the same way for the sysadmin's page and for tests.
enum WebhookAdmin {
    struct Input: Sendable {
        var name: String
        var url: String
        /// Empty: keep the stored secret (or, at creation, generate one).
        var secret: String
        /// Empty: every public action.
        var actions: [String]
        var jurisdiction: String
        var includeSub: Bool
    }

    /// Problems by form field, as catalogue keys; empty when the input may be saved.
    static func problems(_ input: Input, tree: OrgTree) -> [String: String] {
        var problems: [String: String] = [:]
        if !(1...100).contains(input.name.count) { problems["name"] = "webhooks_error_name" }
        if input.url.count > 500 || URL(string: input.url).map({ ["http", "https"].contains($0.scheme?.lowercased() ?? "") && $0.host?.isEmpty == false }) != true {
            problems["url"] = "webhooks_error_url"
        }
        if !input.secret.isEmpty && !(16...200).contains(input.secret.count) { problems["secret"] = "webhooks_error_secret" }
        let known = Set(WebhookFilter.publicActions.map(\.rawValue))
        if input.actions.contains(where: { !known.contains($0) }) { problems["actions"] = "webhooks_error_actions" }
        if tree.jurisdictions[input.jurisdiction] == nil { problems["jurisdiction"] = "webhooks_error_jurisdiction" }
        return problems
    }

    /// Creates the subscription and returns it with the secret in clear (shown once).
    static func create(_ input: Input, actor: String, app: Application, on db: any Database) async throws -> (WebhookSubscription, String) {
        let secret = input.secret.isEmpty ? "whsec_" + Secrets.randomToken(bytes: 24) : input.secret
        let now = app.clock.now
        let subscription = WebhookSubscription()
        subscription.name = input.name; subscription.url = input.url
        subscription.secretSealed = try app.secrets.seal(Data(secret.utf8))
        subscription.events = input.actions.isEmpty ? "*" : input.actions.sorted().joined(separator: ",")
        subscription.jurisdictionCode = input.jurisdiction; subscription.includeSub = input.includeSub
        subscription.active = true; subscription.createdAt = now; subscription.createdBy = actor; subscription.updatedAt = now
        try await subscription.create(on: db)
        return (subscription, secret)
    }

    static func update(_ subscription: WebhookSubscription, with input: Input, app: Application, on db: any Database) async throws {
        subscription.name = input.name; subscription.url = input.url
        if !input.secret.isEmpty { subscription.secretSealed = try app.secrets.seal(Data(input.secret.utf8)) }
        subscription.events = input.actions.isEmpty ? "*" : input.actions.sorted().joined(separator: ",")
        subscription.jurisdictionCode = input.jurisdiction; subscription.includeSub = input.includeSub
        subscription.updatedAt = app.clock.now
        try await subscription.update(on: db)
    }

    /// A sample event, sent at once (not through the outbox) so the sysadmin sees whether and how fast the receiver
    /// answers (its status and time; the page never shows what it said).
    static func sendTest(_ subscription: WebhookSubscription, app: Application) async throws -> SignedPost.Answer {
        let tz = try await app.reference.get(on: app.db).calendar(for: subscription.jurisdictionCode).timeZone
        let now = app.clock.now
        let body = WebhookEventBody(tracking_id: "7KQ2MX9PJ", seq: 1, at: WebhookEventBody.rfc3339(now, tz), action: "test", from_state: nil,
                                    to_state: "baru", unit: nil, jurisdiction: subscription.jurisdictionCode,
                                    public_text: "Uji pengiriman webhook Aduan", due_at: nil, late: nil)
        return try await SignedPost.post(app, to: URI(string: subscription.url), secret: try subscription.openSecret(app.secrets),
                                         idempotencyKey: "test:\(UUID().uuidString.lowercased())", body: try body.data(),
                                         timeout: app.settings.delivery.webhookTimeout, receiver: "webhook", extraHeaders: [("X-Aduan-Event", "test")])
    }
}
