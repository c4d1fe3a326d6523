import AduanCore
import Foundation
import NIOCore
import Vapor

/// What Aduan needs from SP4N-LAPOR!'s integration API (SPEC §10). The national API is documented only to
/// registered developers, so this is the contract Aduan keeps; docs/interop.md describes it over HTTP, and an
/// installation with access maps it onto the national API (directly, or through a small adapter service).
///
/// Every write carries an idempotency key that stays the same when the worker sends the same call again (after a
/// timeout, an error or a crash): the receiving side must answer a repeated key with the first answer and change
/// nothing. Implementations throw on any failure; the outbox retries with backoff.
protocol LaporBridge: Sendable {
    /// Submits a complaint to LAPOR and returns LAPOR's tracking number for it.
    func forward(_ complaint: LaporOutgoingComplaint, idempotencyKey: String) async throws -> LaporReceipt
    /// Adds a follow-up or final answer to a complaint LAPOR knows (by LAPOR's tracking number).
    func pushAnswer(_ answer: LaporAnswer, to nationalID: String, idempotencyKey: String) async throws
    /// LAPOR's current status of a complaint, with its answers.
    func status(of nationalID: String) async throws -> LaporStatusReport
}

/// A complaint as it is sent to LAPOR. The reporter's identity is never sent for an anonymous complaint.
struct LaporOutgoingComplaint: Content, Equatable {
    struct Reporter: Content, Equatable {
        var name: String?
        var email: String?
        var phone: String?
    }
    /// Aduan's tracking ID, so LAPOR's officers can refer back.
    var source_id: String
    var source_url: String
    var type: String
    var title: String
    var body: String
    var category: String?
    var incident_date: String?
    /// Kemendagri region code and name of the jurisdiction.
    var jurisdiction: String
    var jurisdiction_name: String?
    var address: String?
    var lat: Double?
    var lng: Double?
    var submitted_at: Date
    var forwarded_at: Date
    var anonymous: Bool
    var confidential: Bool
    /// The coordinator's public words with the forward.
    var note: String?
    var reporter: Reporter?
}

/// LAPOR's answer to a forward.
struct LaporReceipt: Content, Equatable {
    var tracking_id: String
    var status: String?
}

/// A follow-up (`follow_up`) or final answer (`final_answer`) of a unit here, for a complaint imported from LAPOR.
struct LaporAnswer: Content, Equatable {
    var kind: String
    var text: String
    var at: Date
    var agency: String?
    var source_id: String
    var source_seq: Int
}

/// LAPOR's view of one complaint.
struct LaporStatusReport: Content, Equatable {
    struct Answer: Content, Equatable {
        var at: Date?
        var agency: String?
        var text: String
    }
    var tracking_id: String
    var status: String
    var updated_at: Date?
    var responses: [Answer]?
}

enum LaporBridgeError: Error, CustomStringConvertible, Equatable {
    case notConfigured
    /// LAPOR answered with a status outside 2xx.
    case rejected(status: Int, body: String)
    /// LAPOR answered 2xx with a body that is not the contract's.
    case malformedResponse(String)

    var description: String {
        switch self {
        case .notConfigured: return "the SP4N-LAPOR! bridge is not configured (ADUAN_LAPOR_URL)"
        case .rejected(let status, let body): return "SP4N-LAPOR! answered HTTP \(status): \(body)"
        case .malformedResponse(let why): return "SP4N-LAPOR! answered with an unexpected body: \(why)"
        }
    }
}

/// The bridge's configuration. Absent (nil) when ADUAN_LAPOR_URL is unset: the bridge is off.
///
/// ADUAN_LAPOR_URL (base URL of the integration API), ADUAN_LAPOR_TOKEN (bearer token, required with a URL),
/// ADUAN_LAPOR_TIMEOUT (seconds per call, default 15), ADUAN_LAPOR_SYNC_INTERVAL (seconds between two status
/// checks of one forwarded complaint, default 3600).
struct LaporSettings: Sendable, Equatable {
    var baseURL: String
    var token: String
    var timeout: Int = 15
    var syncInterval: Double = LaporSettings.defaultSyncInterval
    static let defaultSyncInterval: Double = 3600

    static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) throws -> LaporSettings? {
        func value(_ name: String) -> String? { env[name].flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 } }
        guard let url = value("ADUAN_LAPOR_URL") else { return nil }
        var problems: [String] = []
        if URL(string: url)?.host == nil || !(url.hasPrefix("https://") || url.hasPrefix("http://")) {
            problems.append("ADUAN_LAPOR_URL must be an http(s) URL, got '\(url)'")
        }
        let token = value("ADUAN_LAPOR_TOKEN")
        if token == nil { problems.append("ADUAN_LAPOR_TOKEN is required with ADUAN_LAPOR_URL") }
        var settings = LaporSettings(baseURL: url.hasSuffix("/") ? String(url.dropLast()) : url, token: token ?? "")
        if let raw = value("ADUAN_LAPOR_TIMEOUT") {
            if let parsed = Int(raw), (1...300).contains(parsed) { settings.timeout = parsed }
            else { problems.append("ADUAN_LAPOR_TIMEOUT must be 1...300 seconds, got '\(raw)'") }
        }
        if let raw = value("ADUAN_LAPOR_SYNC_INTERVAL") {
            if let parsed = Int(raw), (60...604_800).contains(parsed) { settings.syncInterval = Double(parsed) }
            else { problems.append("ADUAN_LAPOR_SYNC_INTERVAL must be 60...604800 seconds, got '\(raw)'") }
        }
        guard problems.isEmpty else { throw Settings.Invalid(problems: problems) }
        return settings
    }
}

/// The bridge over HTTP with Vapor's client (AsyncHTTPClient): JSON bodies, a bearer token, a deadline per call and
/// the `Idempotency-Key` header on every write.
struct HTTPLaporBridge: LaporBridge {
    let settings: LaporSettings
    let client: any Client

    func forward(_ complaint: LaporOutgoingComplaint, idempotencyKey: String) async throws -> LaporReceipt {
        let response = try await send(.POST, "/complaints", body: complaint, idempotencyKey: idempotencyKey)
        let receipt = try decode(LaporReceipt.self, from: response)
        let id = receipt.tracking_id.trimmingCharacters(in: .whitespaces)
        guard !id.isEmpty, id.count <= 64 else { throw LaporBridgeError.malformedResponse("tracking_id must be 1-64 characters") }
        return LaporReceipt(tracking_id: id, status: receipt.status)
    }

    func pushAnswer(_ answer: LaporAnswer, to nationalID: String, idempotencyKey: String) async throws {
        _ = try await send(.POST, "/complaints/\(Self.pathComponent(nationalID))/responses", body: answer, idempotencyKey: idempotencyKey)
    }

    func status(of nationalID: String) async throws -> LaporStatusReport {
        let response = try await send(.GET, "/complaints/\(Self.pathComponent(nationalID))", body: Optional<LaporAnswer>.none, idempotencyKey: nil)
        return try decode(LaporStatusReport.self, from: response)
    }

    func send<Body: Encodable>(_ method: HTTPMethod, _ path: String, body: Body?, idempotencyKey: String?) async throws -> ClientResponse {
        var headers: HTTPHeaders = [
            "Authorization": "Bearer \(settings.token)",
            "Accept": "application/json",
            "User-Agent": "Aduan (SP4N-LAPOR! bridge)",
        ]
        if let idempotencyKey { headers.add(name: "Idempotency-Key", value: idempotencyKey) }
        var request = ClientRequest(method: method, url: URI(string: settings.baseURL + path), headers: headers, body: nil,
                                    timeout: .seconds(Int64(settings.timeout)))
        if let body {
            request.headers.contentType = .json
            request.body = ByteBuffer(data: try Self.encoder.encode(body))
        }
        let response = try await client.send(request)
        guard (200..<300).contains(Int(response.status.code)) else {
            let text = response.body.map { String(buffer: $0) } ?? ""
            throw LaporBridgeError.rejected(status: Int(response.status.code), body: String(text.prefix(300)))
        }
        return response
    }

    func decode<T: Decodable>(_ type: T.Type, from response: ClientResponse) throws -> T {
        guard let body = response.body else { throw LaporBridgeError.malformedResponse("empty body") }
        do {
            return try Self.decoder.decode(T.self, from: Data(buffer: body))
        } catch {
            throw LaporBridgeError.malformedResponse(String(describing: error).prefix(300).description)
        }
    }

    static func pathComponent(_ id: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove("/")
        return id.addingPercentEncoding(withAllowedCharacters: allowed) ?? id
    }

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .iso8601
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    /// RFC 3339 with or without fractional seconds.
    static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            let plain = ISO8601DateFormatter()
            let fractional = ISO8601DateFormatter()
            fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            guard let date = plain.date(from: text) ?? fractional.date(from: text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an RFC 3339 time: \(text)"))
            }
            return date
        }
        return d
    }()
}

extension Application {
    private struct LaporSettingsKey: StorageKey { typealias Value = LaporSettings }
    private struct LaporBridgeKey: StorageKey { typealias Value = any LaporBridge }

    /// The bridge's configuration; nil turns the bridge off.
    var laporSettings: LaporSettings? {
        get { storage[LaporSettingsKey.self] }
        set {
            storage[LaporSettingsKey.self] = newValue
            nationalBridgeConfigured = newValue != nil || storage[LaporBridgeKey.self] != nil
        }
    }

    /// The bridge in use: the HTTP implementation when configured (tests may put another in its place).
    var laporBridge: (any LaporBridge)? {
        get {
            if let custom = storage[LaporBridgeKey.self] { return custom }
            return laporSettings.map { HTTPLaporBridge(settings: $0, client: client) }
        }
        set {
            storage[LaporBridgeKey.self] = newValue
            nationalBridgeConfigured = newValue != nil || laporSettings != nil
        }
    }
}
