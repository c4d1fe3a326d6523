import AduanCore
import Crypto
import Foundation
import Vapor

/// Strict security headers on every response: a CSP without inline script or style (SPEC §11).
struct SecurityHeadersMiddleware: AsyncMiddleware {
    let https: Bool

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        let h = response.headers
        var headers = h
        // Map tiles (issue 19) load from the configured tile server: its origin, and no other, joins img-src. The
        // reference data is cached; when it cannot be read, pages simply get no tiles.
        let tiles = (try? await request.application.reference.get(on: request.db))?.tiles
        headers.replaceOrAdd(name: "Content-Security-Policy", value: Self.policy(tileOrigin: tiles?.origin))
        headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        headers.replaceOrAdd(name: "X-Frame-Options", value: "DENY")
        headers.replaceOrAdd(name: "Referrer-Policy", value: "same-origin")
        headers.replaceOrAdd(name: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(self)")
        headers.replaceOrAdd(name: "Cross-Origin-Opener-Policy", value: "same-origin")
        if https { headers.replaceOrAdd(name: "Strict-Transport-Security", value: "max-age=31536000; includeSubDomains") }
        response.headers = headers
        return response
    }

    /// The Content-Security-Policy: nothing inline, nothing from elsewhere but the map tiles' origin in `img-src`.
    static func policy(tileOrigin: String?) -> String {
        let images = ["'self'", "data:", "blob:"] + (tileOrigin.map { [$0] } ?? [])
        return "default-src 'self'; script-src 'self'; style-src 'self'; img-src \(images.joined(separator: " ")); font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    }
}

/// Double-submit CSRF protection for every HTML form: a random token in an HttpOnly SameSite cookie, and an
/// HMAC of it in each form. API routes (bearer tokens, no cookies) are not covered.
enum CSRF {
    static let cookie = "aduan_csrf"
    static let field = "_csrf"

    /// The form token for this request, setting the cookie on `response` when the browser has none yet.
    static func token(for req: Request) -> String {
        if let existing = req.storage[TokenKey.self] { return existing }
        let raw = req.cookies[cookie]?.string ?? Secrets.randomToken(bytes: 24)
        req.storage[TokenKey.self] = raw
        return sign(raw, req.application)
    }

    static func sign(_ raw: String, _ app: Application) -> String {
        app.secrets.lookupHash("csrf:" + raw)
    }

    /// Refuses the request unless its form carries the token matching its cookie.
    static func verify(_ req: Request) throws {
        guard let raw = req.cookies[cookie]?.string,
              let sent = try? req.content.get(String.self, at: field),
              sent == sign(raw, req.application) else {
            throw AppError(status: .forbidden, code: "csrf", message: "the form expired or did not come from this site; reload the page and try again")
        }
    }

    struct TokenKey: StorageKey { typealias Value = String }

    /// Sets the cookie if `token(for:)` created a new one during this request.
    struct Middleware: AsyncMiddleware {
        func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
            if request.method == .POST {
                // `RequestLimitsMiddleware` has read the body already, within the route's limit (a form's few hundred
                // kilobytes unless the route takes files); this never reads more than that.
                _ = try await request.body.collect(max: request.application.settings.limits.bodyLimit(of: request)).get()
                try CSRF.verify(request)
            }
            let response = try await next.respond(to: request)
            if request.cookies[CSRF.cookie] == nil, let raw = request.storage[TokenKey.self] {
                response.cookies[CSRF.cookie] = HTTPCookies.Value(string: raw, path: "/", isSecure: request.application.settings.baseURL.hasPrefix("https"),
                                                                  isHTTPOnly: true, sameSite: .lax)
            }
            return response
        }
    }
}
