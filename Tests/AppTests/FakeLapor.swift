import Foundation
import NIOCore
import Testing
import Vapor
@testable import App

/// A local HTTP server that plays SP4N-LAPOR!'s integration API as docs/interop.md describes it: it checks the
/// bearer token, records every call, answers a repeated `Idempotency-Key` with its first answer, and can be told to
/// fail (an HTTP status) or to be slow (it still does the work, like a server whose answer is lost).
actor FakeLapor {
    struct Call: Sendable {
        var method: String
        var path: String
        var authorization: String?
        var idempotencyKey: String?
        var body: String
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }
    }
    struct Status: Sendable {
        var status: String
        var updatedAt: String?
        var responses: [[String: String]] = []
    }

    static let token = "token-lapor-uji"

    private(set) var calls: [Call] = []
    /// National id → the forwarded body's source_id.
    private(set) var complaints: [String: String] = [:]
    /// National id → answers pushed to it (their texts).
    private(set) var answers: [String: [String]] = [:]
    private var firstAnswer: [String: (Int, String)] = [:]
    private var failures: [HTTPStatus] = []
    private var delays: [Double] = []
    private var statuses: [String: Status] = [:]
    private var next = 4_900_001

    func failNext(_ count: Int, with status: HTTPStatus = .internalServerError) { failures += Array(repeating: status, count: count) }
    func delayNext(_ seconds: Double) { delays.append(seconds) }
    func setStatus(_ id: String, _ status: Status) { statuses[id] = status }
    func posts(to suffix: String = "/complaints") -> [Call] { calls.filter { $0.method == "POST" && $0.path.hasSuffix(suffix) } }
    func gets() -> [Call] { calls.filter { $0.method == "GET" } }

    /// Records the call and says what to do before the work: wait this long, or fail with this status.
    fileprivate func arrive(_ call: Call) -> (delay: Double, failure: HTTPStatus?) {
        calls.append(call)
        let delay = delays.isEmpty ? 0 : delays.removeFirst()
        if call.authorization != "Bearer \(Self.token)" { return (delay, .unauthorized) }
        return (delay, failures.isEmpty ? nil : failures.removeFirst())
    }

    fileprivate func create(key: String?, sourceID: String) -> (Int, String) {
        if let key, let first = firstAnswer[key] { return first }
        let id = String(next)
        next += 1
        complaints[id] = sourceID
        statuses[id] = Status(status: "Belum Terverifikasi")
        let answer = (201, "{\"tracking_id\":\"\(id)\",\"status\":\"Belum Terverifikasi\"}")
        if let key { firstAnswer[key] = answer }
        return answer
    }

    fileprivate func answer(_ id: String, key: String?, text: String) -> (Int, String) {
        if let key, let first = firstAnswer[key] { return first }
        answers[id, default: []].append(text)
        let answer = (201, "{\"ok\":true}")
        if let key { firstAnswer[key] = answer }
        return answer
    }

    fileprivate func status(_ id: String) -> (Int, String) {
        guard let s = statuses[id] else { return (404, "{\"error\":\"unknown\"}") }
        var object: [String: Any] = ["tracking_id": id, "status": s.status, "responses": s.responses]
        if let at = s.updatedAt { object["updated_at"] = at }
        let data = try! JSONSerialization.data(withJSONObject: object)
        return (200, String(decoding: data, as: UTF8.self))
    }

    /// Runs `body` with the server listening on a free loopback port; `url` is its base URL.
    static func with(_ body: (FakeLapor, String) async throws -> Void) async throws {
        let fake = FakeLapor()
        let server = try await Application.make(.testing)
        server.logger.logLevel = .critical
        server.http.server.configuration.hostname = "127.0.0.1"
        server.http.server.configuration.port = 0
        @Sendable func handle(_ req: Request, work: @escaping @Sendable (Call) async -> (Int, String)) async throws -> Response {
            let call = Call(method: req.method.rawValue, path: req.url.path, authorization: req.headers.first(name: .authorization),
                            idempotencyKey: req.headers.first(name: "Idempotency-Key"), body: req.body.string ?? "")
            let (delay, failure) = await fake.arrive(call)
            if delay > 0 { try await Task.sleep(nanoseconds: UInt64(delay * 1e9)) }
            if let failure { return Response(status: failure, body: .init(string: "{\"error\":\"scripted failure\"}")) }
            let (status, text) = await work(call)
            let response = Response(status: HTTPStatus(statusCode: status), body: .init(string: text))
            response.headers.contentType = .json
            return response
        }
        let api = server.grouped("api", "v1")
        api.on(.POST, "complaints", body: .collect(maxSize: "1mb")) { req in
            try await handle(req) { call in
                guard let source = call.json["source_id"] as? String else { return (422, "{\"error\":\"source_id\"}") }
                return await fake.create(key: call.idempotencyKey, sourceID: source)
            }
        }
        api.on(.POST, "complaints", ":id", "responses", body: .collect(maxSize: "1mb")) { req in
            let id = req.parameters.get("id") ?? ""
            return try await handle(req) { call in
                guard let text = call.json["text"] as? String else { return (422, "{\"error\":\"text\"}") }
                return await fake.answer(id, key: call.idempotencyKey, text: text)
            }
        }
        api.get("complaints", ":id") { req in
            let id = req.parameters.get("id") ?? ""
            return try await handle(req) { _ in await fake.status(id) }
        }
        try await server.server.start(address: .hostname("127.0.0.1", port: 0))
        guard let port = server.http.server.shared.localAddress?.port else {
            await server.server.shutdown(); try await server.asyncShutdown()
            throw Abort(.internalServerError, reason: "the fake LAPOR server has no port")
        }
        do {
            try await body(fake, "http://127.0.0.1:\(port)/api/v1")
        } catch {
            await server.server.shutdown(); try? await server.asyncShutdown()
            throw error
        }
        await server.server.shutdown()
        try await server.asyncShutdown()
    }
}
