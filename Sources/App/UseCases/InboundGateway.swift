import AduanCore
import Fluent
import Foundation
import Vapor

/// `POST /api/v1/gateway/inbound`: an SMS/WhatsApp provider hands over a citizen's message (SPEC §6, docs/interop.md).
/// The message becomes the reporter's reply to a complaint waiting for them, a status answer for another of their
/// complaints, or a new complaint through the portal's submission path; the provider sends our `reply` back.
enum InboundGateway {
    static let secretVariable = "ADUAN_GATEWAY_INBOUND_SECRET"
    /// Requests signed longer ago (or further ahead) than this are refused: a captured request cannot be replayed later.
    static let maxSkew: TimeInterval = 300
    /// Room for the longest text (20,000 characters) even when every character is JSON-escaped.
    static let maxBodyBytes = 256 * 1024

    /// The inbound secret in force (the delivery settings page wins over the environment), nil when unset.
    static func secret(_ app: Application) async throws -> String? {
        try parse(try await DeliverySettings.effective(app))
    }

    /// ADUAN_GATEWAY_INBOUND_SECRET: unset, or at least 16 characters.
    static func parse(_ env: [String: String]) throws -> String? {
        guard let value = env[secretVariable]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        guard value.count >= 16 else { throw Settings.Invalid(problems: ["\(secretVariable) must be at least 16 characters"]) }
        return value
    }

    struct Message: Decodable, Sendable {
        var message_id: String
        var from: String
        var channel: String
        var text: String
        var received_at: String?
    }

    struct Answer: Content, Equatable, Sendable {
        var reply: String
        /// null when no complaint was created or named (the key is always present).
        var tracking_id: String?

        init(reply: String, tracking_id: String?) { self.reply = reply; self.tracking_id = tracking_id }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(reply, forKey: .reply)
            try c.encode(tracking_id, forKey: .tracking_id)
        }
    }

    /// What happened to a message, kept with its id so a repeat answers the same.
    enum Outcome: String { case created, reply, status, unknown, too_short }

    // MARK: the request

    static func receive(_ req: Request) async throws -> Answer {
        let app = req.application
        // Unsigned requests are refused first (401) whatever the configuration; signed ones need the secret to check.
        guard let stamp = req.headers.first(name: "X-Aduan-Timestamp"), let timestamp = Int(stamp),
              let signature = req.headers.first(name: "X-Aduan-Signature") else {
            throw AppError.unauthorized("sign the request: X-Aduan-Timestamp (unix seconds) and X-Aduan-Signature (sha256=HMAC of \"timestamp.body\")")
        }
        guard let secret = try? await secret(app) else {
            throw AppError(status: .notFound, code: "gateway_not_configured",
                           message: "the inbound SMS/WhatsApp gateway is off: set \(secretVariable) (see docs/configuration.md)")
        }
        let body = req.body.data.map { Data(buffer: $0) } ?? Data()
        guard abs(app.clock.now.timeIntervalSince1970 - Double(timestamp)) <= maxSkew else {
            throw AppError(status: .unauthorized, code: "stale_request", message: "X-Aduan-Timestamp is more than 5 minutes away from the server's time")
        }
        guard SignedPost.verify(signature: signature, secret: secret, timestamp: timestamp, body: body) else {
            throw AppError(status: .unauthorized, code: "bad_signature", message: "X-Aduan-Signature does not match the body and timestamp")
        }
        guard let message = try? JSONDecoder().decode(Message.self, from: body) else {
            throw AppError.badRequest("the body must be JSON with message_id, from, channel and text")
        }
        return try await handle(message, app: app)
    }

    /// Checks the message and answers it; a message id seen before gets its first answer and changes nothing.
    static func handle(_ message: Message, app: Application) async throws -> Answer {
        let id = message.message_id.trimmingCharacters(in: .whitespaces)
        guard (1...200).contains(id.count) else { throw AppError.invalid("message_id is required (at most 200 characters)", field: "message_id") }
        guard let channel = AduanCore.Channel(rawValue: message.channel), channel == .sms || channel == .whatsapp else {
            throw AppError.invalid("channel must be sms or whatsapp", field: "channel")
        }
        let text = message.text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...Texts.maxLength).contains(text.count) else {
            throw AppError.invalid("text is required (at most \(Texts.maxLength) characters)", field: "text")
        }
        if let received = message.received_at, ISO8601DateFormatter().date(from: received) == nil {
            throw AppError.invalid("received_at must be RFC 3339 with an offset", field: "received_at")
        }
        let phone = try senderPhone(message.from)
        if let known = try await InboundMessage.find(id, on: app.db) { return known.storedAnswer }
        let forms = phoneForms(phone)
        let senderHash = app.secrets.lookupHash(forms.first ?? phone)
        guard try await RateLimiter.allow("gateway:\(senderHash)", app: app) else {
            throw AppError.tooMany("too many messages from this sender; try again in a minute")
        }
        let record = Recorder(id: id, channel: channel.rawValue, senderHash: senderHash)

        // A complaint of this sender named in the text: a reply when it waits for them, its status otherwise.
        let hashes = Set(forms.map(app.secrets.lookupHash))
        let named = trackingIDs(in: text)
        for trackingID in named {
            guard let complaint = try await Complaint.byTrackingID(trackingID.rawValue, on: app.db),
                  let owner = complaint.reporterPhoneHash, hashes.contains(owner) else { continue }
            if complaint.state == ComplaintState.perlu_info.rawValue,
               let answer = try await reply(to: trackingID, text: text, record: record, app: app) {
                return answer
            }
            let state = try await Complaint.byTrackingID(trackingID.rawValue, on: app.db)?.state ?? complaint.state
            let answer = Answer(reply: wording(app, "gateway_reply_status", ["id": trackingID.formatted,
                                                                             "state": wording(app, "state_\(state)")]),
                                tracking_id: trackingID.rawValue)
            return try await record.alone(.status, answer, app: app)
        }

        // Otherwise a new complaint, unless the text is only a tracking ID (someone else's, or none of ours).
        var rest = text
        for trackingID in named { rest = rest.replacingOccurrences(of: trackingID.formatted, with: "", options: .caseInsensitive)
            .replacingOccurrences(of: trackingID.rawValue, with: "", options: .caseInsensitive) }
        if let first = named.first, rest.filter(\.isLetter).count < Submission.bodyLimit.lowerBound {
            let answer = Answer(reply: wording(app, "gateway_reply_unknown", ["id": first.formatted]), tracking_id: nil)
            return try await record.alone(.unknown, answer, app: app)
        }
        guard Submission.bodyLimit.contains(text.count) else {
            return try await record.alone(.too_short, Answer(reply: wording(app, "gateway_reply_too_short"), tracking_id: nil), app: app)
        }
        return try await submit(text, phone: phone, channel: channel, record: record, app: app)
    }

    static func wording(_ app: Application, _ key: String, _ values: [String: String] = [:]) -> String {
        app.catalog.text(key, .id, values)
    }

    // MARK: outcomes

    /// Writes the message's id and answer; in the caller's transaction when there is one.
    struct Recorder: Sendable {
        var id: String
        var channel: String
        var senderHash: String

        func write(_ outcome: Outcome, _ answer: Answer, at now: Date, on db: any Database) async throws {
            // Checked again inside the transaction: two deliveries of one message cannot both act.
            if try await InboundMessage.find(id, on: db) != nil { throw AlreadyAnswered() }
            let row = InboundMessage()
            row.id = id; row.channel = channel; row.senderHash = senderHash; row.outcome = outcome.rawValue
            row.trackingID = answer.tracking_id; row.answer = answer.reply; row.receivedAt = now
            try await row.create(on: db)
        }

        /// Records an answer that changes nothing else.
        func alone(_ outcome: Outcome, _ answer: Answer, app: Application) async throws -> Answer {
            try await settle(app) {
                try await withWriteTransaction(app) { db in try await write(outcome, answer, at: app.clock.now, on: db) }
                return answer
            }
        }

        /// Runs `work`; when another delivery of the same message won the race, answers what that one answered.
        func settle(_ app: Application, _ work: () async throws -> Answer) async throws -> Answer {
            do {
                return try await work()
            } catch {
                if let known = try await InboundMessage.find(id, on: app.db) { return known.storedAnswer }
                throw error
            }
        }
    }

    struct AlreadyAnswered: Error {}

    /// The reporter's `reply` (perlu_info → baru) through the lifecycle, as the portal records it; nil when the
    /// complaint stopped waiting meanwhile.
    static func reply(to trackingID: TrackingID, text: String, record: Recorder, app: Application) async throws -> Answer? {
        let reference = try await app.reference.get(on: app.db)
        let secrets = app.secrets
        let answer = Answer(reply: wording(app, "gateway_reply_received", ["id": trackingID.formatted]), tracking_id: trackingID.rawValue)
        do {
            return try await record.settle(app) {
                try await withWriteTransaction(app) { db in
                    guard let complaint = try await Complaint.byTrackingID(trackingID.rawValue, on: db) else { throw AppError.notFound() }
                    let now = app.clock.now
                    var context = reference.context(now: now)
                    context.nationalBridge = app.nationalBridgeConfigured
                    let transition = try Lifecycle.decide(.reply, by: .reporter, on: complaint.record, texts: Texts(public: text), context: context)
                    try await ComplaintStore.commit(transition, to: complaint, actorID: nil, secrets: secrets, reference: reference, on: db)
                    try await record.write(.reply, answer, at: now, on: db)
                }
                return answer
            }
        } catch is LifecycleError {
            return nil
        }
    }

    /// A new complaint through the portal's submission path: the installation's default jurisdiction, the sender's
    /// phone as the reporter's contact (stored as the portal stores it), messages by SMS.
    static func submit(_ text: String, phone: String, channel: AduanCore.Channel, record: Recorder, app: Application) async throws -> Answer {
        let reference = try await app.reference.get(on: app.db)
        let title = title(from: text)
        var submission = Submission(title: title, body: text, jurisdiction: reference.defaultJurisdiction)
        submission.channel = channel
        let reporter = try SubmitComplaint.validateReporter(ReporterIdentity(phone: phone))
        submission.hasReporterContact = reporter != nil
        let today = reference.calendar(for: submission.jurisdiction).localDate(of: app.clock.now)
        if let problem = submission.problems(tree: reference.tree, categories: Set(reference.categories.keys), today: today).first {
            throw AppError(problem)
        }
        var content = SubmitComplaint.ContentFields(title: title, body: text)
        content.notifyEmail = false
        content.notifyPhone = true
        return try await record.settle(app) {
            let result = try await SubmitComplaint.create(
                submission: submission, reporter: reporter, content: content, language: "id", files: [], actor: .reporter, actorID: nil, app: app,
                alongside: { complaint, db in
                    let id = TrackingID(complaint.trackingID)?.formatted ?? complaint.trackingID
                    try await record.write(.created, Answer(reply: wording(app, "gateway_reply_created", ["id": id]), tracking_id: complaint.trackingID),
                                           at: app.clock.now, on: db)
                })
            let id = TrackingID(result.tracking_id)?.formatted ?? result.tracking_id
            return Answer(reply: wording(app, "gateway_reply_created", ["id": id]), tracking_id: result.tracking_id)
        }
    }

    // MARK: reading the message

    /// The sender's number as the portal stores a reporter's phone; E.164 (`+62…`) or an Indonesian `08…` number.
    static func senderPhone(_ raw: String) throws -> String {
        let trimmed = raw.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.filter(\.isNumber)
        guard trimmed.hasPrefix("+") || digits.hasPrefix("0"),
              let phone = try? SubmitComplaint.validateReporter(ReporterIdentity(phone: trimmed))?.phone else {
            throw AppError.invalid("from must be a phone number, E.164 (+62…) or Indonesian (08…)", field: "from")
        }
        return phone
    }

    /// The ways one Indonesian number may have been typed on the portal (`+62812…`, `62812…`, `0812…`), first the
    /// international one; a foreign number has only its own form.
    static func phoneForms(_ phone: String) -> [String] {
        let digits = phone.filter(\.isNumber)
        let national: Substring?
        if phone.hasPrefix("+62") || (!phone.hasPrefix("+") && digits.hasPrefix("62")) { national = digits.dropFirst(2) }
        else if digits.hasPrefix("0") { national = digits.dropFirst() }
        else { national = nil }
        guard let national, !national.isEmpty else { return [phone] }
        return ["+62\(national)", "62\(national)", "0\(national)"]
    }

    /// Valid tracking IDs written in the text (`7KQ2-MX9PJ`, `7kq2mx9pj`, `7KQ2 MX9PJ`), in order, without repeats.
    static func trackingIDs(in text: String) -> [TrackingID] {
        let words = text.split { !($0.isLetter || $0.isNumber || $0 == "-") }.map(String.init).filter { $0.count <= 12 }
        var found: [TrackingID] = []
        for (index, word) in words.enumerated() {
            let candidates = [word] + (index + 1 < words.count ? [word + words[index + 1]] : [])
            for candidate in candidates where candidate.filter({ $0 != "-" }).count == TrackingID.length {
                if let id = TrackingID(candidate), !found.contains(id) { found.append(id) }
            }
        }
        return found
    }

    /// The first words of the text, at most 60 characters, cut at a word.
    static func title(from text: String) -> String {
        let words = text.split(whereSeparator: \.isWhitespace)
        var title = ""
        for word in words {
            let next = title.isEmpty ? String(word) : title + " " + word
            if next.count > 60 { break }
            title = next
        }
        if title.isEmpty { title = String(text.prefix(60)) }
        return title.count < text.trimmingCharacters(in: .whitespacesAndNewlines).count ? title + "…" : title
    }
}

/// An inbound gateway message already answered, by the provider's message id.
final class InboundMessage: Model, @unchecked Sendable {
    static let schema = "gateway_inbound"
    @ID(custom: "message_id", generatedBy: .user) var id: String?
    @Field(key: "channel") var channel: String
    /// The sender's number as a keyed hash (never stored in clear here).
    @Field(key: "sender_hash") var senderHash: String
    /// `created`, `reply`, `status`, `unknown` or `too_short`.
    @Field(key: "outcome") var outcome: String
    @OptionalField(key: "tracking_id") var trackingID: String?
    @Field(key: "answer") var answer: String
    @Field(key: "received_at") var receivedAt: Date

    init() {}

    var storedAnswer: InboundGateway.Answer { .init(reply: answer, tracking_id: trackingID) }
}
