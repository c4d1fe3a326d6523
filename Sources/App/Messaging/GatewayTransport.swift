import AduanCore
import Crypto
import Foundation
import Vapor

/// The SMS/WhatsApp gateway: a provider-neutral HTTP webhook (issue 6). Aduan POSTs one JSON message per outbox row:
///
///     {"id": "<idempotency key>", "channel": "sms"|"whatsapp", "to": "+62812…", "text": "…", "tracking_id": "…", "language": "id"}
///
/// with `Content-Type: application/json`, `Idempotency-Key: <id>`, `X-Aduan-Timestamp: <unix seconds>` and
/// `X-Aduan-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with the shared secret>`. A 2xx answer is
/// success (its body, e.g. the provider's message id, is recorded on the outbox row); 408, 429 and 5xx are retried
/// with backoff; any other 4xx is a permanent failure (dead letter at once).
struct GatewaySettings: Sendable {
    var url: URI
    var secret: String
    /// What the gateway delivers: `sms` or `whatsapp` (told to the gateway in each message).
    var medium: String
    var timeout: Int64

    /// ADUAN_SMS_WEBHOOK_URL, ADUAN_SMS_WEBHOOK_SECRET (required with a URL, ≥ 16 characters),
    /// ADUAN_SMS_CHANNEL (`sms` | `whatsapp`, default `sms`), ADUAN_SMS_TIMEOUT (seconds, 15).
    static func fromEnvironment(_ env: [String: String]) throws -> GatewaySettings? {
        func value(_ name: String) -> String? { env[name].flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 } }
        guard let raw = value("ADUAN_SMS_WEBHOOK_URL") else { return nil }
        var problems: [String] = []
        if URL(string: raw)?.scheme.map({ ["http", "https"].contains($0) }) != true {
            problems.append("ADUAN_SMS_WEBHOOK_URL must be an http(s) URL, got '\(raw)'")
        }
        let secret = value("ADUAN_SMS_WEBHOOK_SECRET") ?? ""
        if secret.count < 16 { problems.append("ADUAN_SMS_WEBHOOK_SECRET is required with a webhook URL (at least 16 characters)") }
        let medium = (value("ADUAN_SMS_CHANNEL") ?? "sms").lowercased()
        if !["sms", "whatsapp"].contains(medium) { problems.append("ADUAN_SMS_CHANNEL must be sms or whatsapp, got '\(medium)'") }
        var timeout: Int64 = 15
        if let t = value("ADUAN_SMS_TIMEOUT") {
            if let parsed = Int64(t), (1...300).contains(parsed) { timeout = parsed } else { problems.append("ADUAN_SMS_TIMEOUT must be 1...300 seconds, got '\(t)'") }
        }
        guard problems.isEmpty else { throw Settings.Invalid(problems: problems) }
        return GatewaySettings(url: URI(string: raw), secret: secret, medium: medium, timeout: timeout)
    }

    /// The signature header value for `body` sent at `timestamp`.
    func signature(timestamp: Int, body: Data) -> String { SignedPost.signature(secret: secret, timestamp: timestamp, body: body) }
}

struct GatewayTransport: MessageTransport {
    let app: Application
    let settings: GatewaySettings

    struct Body: Content, Equatable {
        var id: String
        var channel: String
        var to: String
        var text: String
        var tracking_id: String
        var language: String
    }

    func deliver(_ message: OutboxSnapshot) async throws -> String? {
        guard let body = try await compose(message) else { return "skipped: no phone number or the reporter unsubscribed" }
        let data = try JSONEncoder().encode(body)
        return try await SignedPost.deliver(app, to: settings.url, secret: settings.secret, idempotencyKey: message.idempotencyKey, body: data,
                                            timeout: settings.timeout, receiver: "gateway")
    }

    /// The message for the reporter's phone, or nil when there is none (or they unsubscribed from this channel).
    func compose(_ message: OutboxSnapshot) async throws -> Body? {
        guard message.audience == "reporter" else { throw DeliveryError.permanent("the gateway only carries messages to reporters") }
        let payload = try JSONDecoder().decode(NotificationPayload.self, from: Data(message.payload.utf8))
        guard let complaint = try await Complaint.byTrackingID(payload.tracking_id, on: app.db), complaint.notifyPhone,
              let sealed = complaint.reporterSealed,
              let phone = try JSONDecoder().decode(ReporterIdentity.self, from: app.secrets.open(sealed)).phone else { return nil }
        let language = payload.language ?? "id"
        let text = try await MessageWording.shortText(kind: payload.kind ?? message.kind, language: language, trackingID: payload.tracking_id,
                                                      link: NotificationLinks.reporter(payload, app: app), app: app)
        return Body(id: message.idempotencyKey, channel: settings.medium, to: phone, text: text, tracking_id: payload.tracking_id, language: language)
    }
}

/// What every complaint notification's outbox payload holds.
struct NotificationPayload: Codable, Sendable {
    var tracking_id: String
    var kind: String?
    var language: String?
    /// The reporter's secret, sealed with the installation key: only in the "received" message, so its link opens
    /// the private view (the complaint keeps only a hash of the secret).
    var secret: String?
}

/// The signed JSON POST that Aduan's outgoing calls share (the SMS/WhatsApp gateway, outbound webhooks):
/// `Idempotency-Key`, `X-Aduan-Timestamp: <unix seconds>` and `X-Aduan-Signature: sha256=<hex HMAC-SHA256 of
/// "<timestamp>.<body>">`. The receiver's 2xx is success; 408, 429, 5xx and no answer are retried; any other 4xx is
/// permanent (the worker dead-letters it at once).
enum SignedPost {
    static func signature(secret: String, timestamp: Int, body: Data) -> String {
        var signed = Data("\(timestamp).".utf8)
        signed.append(body)
        let mac = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    /// Whether `signature` is the one for `body` at `timestamp` (compared in constant time).
    static func verify(signature: String, secret: String, timestamp: Int, body: Data) -> Bool {
        Secrets.constantTimeEqual(signature.lowercased(), Self.signature(secret: secret, timestamp: timestamp, body: body))
    }

    struct Answer: Sendable { var status: UInt; var body: String; var milliseconds: Int }

    /// Sends once and returns what the receiver answered, whatever the status; throws only when there was no answer.
    /// A destination the outbound policy refuses (a private or loopback address) is a permanent failure.
    static func post(_ app: Application, to url: URI, secret: String, idempotencyKey: String, body: Data, timeout: Int64,
                     receiver: String, extraHeaders: [(String, String)] = []) async throws -> Answer {
        let timestamp = Int(app.clock.now.timeIntervalSince1970)
        var headers = HTTPHeaders()
        headers.contentType = .json
        headers.add(name: "Idempotency-Key", value: idempotencyKey)
        headers.add(name: "X-Aduan-Timestamp", value: String(timestamp))
        headers.add(name: "X-Aduan-Signature", value: signature(secret: secret, timestamp: timestamp, body: body))
        for (name, value) in extraHeaders { headers.add(name: name, value: value) }
        let response: ClientResponse
        let started = ProcessInfo.processInfo.systemUptime
        do {
            response = try await app.client.post(url, headers: headers) { req in
                req.body = ByteBuffer(data: body)
                req.timeout = .seconds(timeout)
            }
        } catch let refused as OutboundPolicy.Refused {
            throw DeliveryError.permanent(refused.description)
        } catch {
            throw Failure.unreachable(receiver, String(describing: error))
        }
        let milliseconds = Int(((ProcessInfo.processInfo.systemUptime - started) * 1000).rounded())
        return Answer(status: response.status.code, body: response.body.map { String(buffer: $0) } ?? "", milliseconds: milliseconds)
    }

    /// Sends once and classifies the answer for the worker: on 2xx what is kept (the answer's text when `keepsBody`,
    /// e.g. a gateway's message id; otherwise status and time), a retryable `Failure` on 408, 429 and 5xx,
    /// `DeliveryError.permanent` on any other status. Without `keepsBody` no word of the receiver's answer is stored.
    static func deliver(_ app: Application, to url: URI, secret: String, idempotencyKey: String, body: Data, timeout: Int64,
                        receiver: String, keepsBody: Bool = true, extraHeaders: [(String, String)] = []) async throws -> String {
        let answer = try await post(app, to: url, secret: secret, idempotencyKey: idempotencyKey, body: body, timeout: timeout,
                                    receiver: receiver, extraHeaders: extraHeaders)
        let text = keepsBody ? String(answer.body.prefix(300)) : ""
        switch answer.status {
        case 200..<300: return text.isEmpty ? "HTTP \(answer.status) in \(answer.milliseconds) ms" : text
        case 408, 429, 500...: throw Failure.rejected(receiver, answer.status, text)
        default: throw DeliveryError.permanent("\(receiver) answered \(answer.status)" + (text.isEmpty ? "" : ": \(text)"))
        }
    }

    enum Failure: Error, CustomStringConvertible {
        case unreachable(String, String), rejected(String, UInt, String)
        var description: String {
            switch self {
            case .unreachable(let receiver, let d): return "\(receiver) unreachable: \(d)"
            case .rejected(let receiver, let code, let text): return "\(receiver) answered \(code)" + (text.isEmpty ? "" : ": \(text)")
            }
        }
    }
}
