import Vapor

/// Decides what an API key may do on a group of /api/v1 routes: the key must hold one of `accepts` (empty: the
/// routes take no key, so one sent there is refused rather than ignored). A key that is unknown or revoked is 403,
/// never an anonymous request; a key over its limit is 429 with `Retry-After`. Every request with a known key is
/// counted: refused when it ends in 403 or 429, a use otherwise.
struct APIKeyGate: AsyncMiddleware {
    let accepts: Set<APIKeyScope>

    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let raw = APIKeys.presented(req) else { return try await next.respond(to: req) }
        guard req.headers.bearerAuthorization == nil else {
            throw AppError.badRequest("send an officer token or an API key, not both")
        }
        let app = req.application
        let key = try await APIKeys.resolve(raw, app: app)
        guard !key.scopes.isDisjoint(with: accepts) else {
            try await APIKeys.record(key.id, refused: true, app: app)
            throw AppError.forbidden(accepts.isEmpty ? "this endpoint does not take an API key"
                                     : "the API key needs the \(accepts.sorted().map(\.rawValue).joined(separator: " or ")) scope here")
        }
        req.apiKey = key
        do {
            let response = try await next.respond(to: req)
            await count(key, refused: response.status == .forbidden, req)
            return response
        } catch {
            await count(key, refused: ErrorMiddleware.describe(error).0 == .forbidden, req)
            throw error
        }
    }

    /// The answer is decided already: a failure to count it is logged, not turned into an error for the client.
    private func count(_ key: APIKeyPrincipal, refused: Bool, _ req: Request) async {
        do {
            try await APIKeys.record(key.id, refused: refused, app: req.application)
        } catch {
            req.logger.error("could not count a use of API key \(key.id)", metadata: ["error": "\(String(reflecting: error))"])
        }
    }
}
