import AduanCore
import PostgresNIO
import Vapor

/// Every error the API reports on purpose. Each maps to one HTTP status and a stable code.
struct AppError: Error, AbortError, Sendable {
    var status: HTTPResponseStatus
    var code: String
    var message: String
    var field: String?
    /// Seconds a rate-limited client should wait (the `Retry-After` header of a 429).
    var retryAfter: Int?

    var reason: String { message }

    static func badRequest(_ message: String, field: String? = nil) -> AppError { .init(status: .badRequest, code: "bad_request", message: message, field: field) }
    static func invalid(_ message: String, field: String?) -> AppError { .init(status: .unprocessableEntity, code: "invalid", message: message, field: field) }
    static func notFound(_ message: String = "not found") -> AppError { .init(status: .notFound, code: "not_found", message: message) }
    static func unauthorized(_ message: String = "authentication required") -> AppError { .init(status: .unauthorized, code: "unauthorized", message: message) }
    static func forbidden(_ message: String) -> AppError { .init(status: .forbidden, code: "forbidden", message: message) }
    static func conflict(_ message: String) -> AppError { .init(status: .conflict, code: "conflict", message: message) }
    static func tooMany(_ message: String, retryAfter: Int = 60) -> AppError {
        var error = AppError(status: .tooManyRequests, code: "rate_limited", message: message)
        error.retryAfter = retryAfter
        return error
    }

    init(status: HTTPResponseStatus, code: String, message: String, field: String? = nil) {
        self.status = status; self.code = code; self.message = message; self.field = field
    }

    init(_ error: LifecycleError) {
        switch error {
        case .notPermitted(let m): self.init(status: .forbidden, code: "forbidden", message: m)
        case .illegalTransition(_, _, let reason):
            self.init(status: .conflict, code: "illegal_transition", message: reason)
        case .invalid(let field, let m): self.init(status: .unprocessableEntity, code: "invalid", message: m, field: field)
        }
    }

    init(_ error: FieldError) { self.init(status: .unprocessableEntity, code: "invalid", message: error.message, field: error.field) }
}

/// The JSON error body of SPEC §10: `{error: {code, message, field?}}`.
struct ErrorBody: Content {
    struct Detail: Content { var code: String; var message: String; var field: String?; var request_id: String? }
    var error: Detail
}
