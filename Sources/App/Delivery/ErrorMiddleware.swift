import AduanCore
import PostgresNIO
import Vapor

/// Turns any error into the JSON error body for the API, or a friendly page in the visitor's language for the
/// portal; never a stack trace, never a 500 for bad input.
struct ErrorMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch let thrown {
            // The database out of reach (or SQLite's writer held past the wait) is a 503 with Retry-After.
            let error: any Error = DatabaseOutage.appError(for: thrown) ?? thrown
            let (status, code, message, field) = Self.describe(error)
            if status.code >= 500 {
                request.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))"])
            } else {
                request.logger.info("request refused", metadata: ["status": "\(status.code)", "code": "\(code)", "message": "\(message)"])
            }
            let response: Response
            if Self.isAPI(request) {
                response = Response(status: status)
                try response.content.encode(ErrorBody(error: .init(code: code, message: message, field: field, request_id: request.id)), as: .json)
            } else {
                response = try await Self.page(for: request, status: status, code: code, message: message)
            }
            if let retry = (error as? AppError)?.retryAfter ?? (status == .tooManyRequests ? 60 : nil) {
                response.headers.replaceOrAdd(name: .retryAfter, value: String(retry))
            }
            return response
        }
    }

    static func isAPI(_ request: Request) -> Bool {
        let path = request.url.path
        return path.hasPrefix("/api/") || path == "/healthz" || path == "/readyz" || path == "/metrics"
    }

    struct ErrorView: Encodable, Sendable { var heading: String; var message: String; var requestID: String?; var home: String }

    /// The friendly error page; internal details never reach it.
    static func page(for request: Request, status: HTTPStatus, code: String, message: String) async throws -> Response {
        let key = [400, 403, 404, 413, 429].contains(Int(status.code)) ? "error_\(status.code)" : (status.code >= 500 ? "error_500" : "error_400")
        let heading = request.text(key + "_heading")
        // Messages the code wrote for people (localised already) are kept; technical ones get the catalogue's words.
        let text: String
        if code == "csrf" {
            text = request.text("error_csrf_message")
        } else if status == .payloadTooLarge {
            // The body limit cut the form off before any file could be read: say what the limits are, in words.
            let settings = request.application.settings
            text = request.text("error_413_message", ["mb": "\(settings.maxBodyBytes / 1_048_576)", "file_mb": "\(settings.maxAttachmentBytes / 1_048_576)",
                                                      "n": "\(settings.maxAttachments)"])
        } else if status.code >= 500 || status == .tooManyRequests || (status == .notFound && message == "not found") || message.hasPrefix("Not Found") {
            text = request.text("error_\(status.code >= 500 ? 500 : Int(status.code))_message")
        } else {
            text = message
        }
        do {
            return try await request.page("error", title: key + "_heading",
                                          ErrorView(heading: heading, message: text, requestID: status.code >= 500 ? request.id : nil,
                                                    home: request.url.path.hasPrefix("/petugas") ? SiteURL.officerHome.path : SiteURL.home.path),
                                          status: status)
        } catch {
            return Response(status: status, body: .init(string: heading))
        }
    }

    static func describe(_ error: any Error) -> (HTTPResponseStatus, String, String, String?) {
        switch error {
        case let e as AppError: return (e.status, e.code, e.message, e.field)
        // PostgreSQL refuses a character it cannot store (NUL: 22021; no equivalent in the encoding: 22P05). Text is
        // cleaned where it enters (`TextHygiene`); whatever else carries one is bad input, and the transaction
        // that met it has changed nothing.
        case let e as PSQLError where ["22021", "22P05"].contains(e.serverInfo?[.sqlState] ?? ""):
            return (.badRequest, "bad_request", "the text holds a character that cannot be stored", nil)
        case let e as LifecycleError: let a = AppError(e); return (a.status, a.code, a.message, a.field)
        case let e as DecodingError: return (.badRequest, "bad_request", Self.decodingMessage(e), Self.decodingField(e))
        // A body the multipart parser cannot read is bad input too (its error types are internal to MultipartKit).
        case _ where String(reflecting: type(of: error)).hasPrefix("MultipartKit."):
            return (.badRequest, "bad_request", "malformed multipart body", nil)
        case let e as any AbortError:
            let code = e.status == .payloadTooLarge ? "payload_too_large"
                : e.status == .notFound ? "not_found" : (e.status.code < 500 ? "bad_request" : "internal")
            return (e.status, code, e.status.code < 500 ? e.reason : "internal error", nil)
        default:
            return (.internalServerError, "internal", "internal error", nil)
        }
    }

    static func decodingField(_ error: DecodingError) -> String? {
        let path: [any CodingKey]
        switch error {
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c): path = c.codingPath
        case .keyNotFound(let key, let c): path = c.codingPath + [key]
        @unknown default: return nil
        }
        let text = path.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        return text.isEmpty ? nil : text
    }

    static func decodingMessage(_ error: DecodingError) -> String {
        switch error {
        case .typeMismatch(let type, _): return "\(decodingField(error) ?? "value") has the wrong type (expected \(type))"
        case .valueNotFound: return "\(decodingField(error) ?? "value") is required"
        case .keyNotFound: return "\(decodingField(error) ?? "field") is required"
        case .dataCorrupted(let c): return decodingField(error).map { "\($0) is not valid" } ?? "malformed body: \(c.debugDescription)"
        @unknown default: return "malformed body"
        }
    }
}
