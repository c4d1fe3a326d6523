import Fluent
import Foundation
import Vapor

/// Database-backed browser sessions (SPEC §11): the cookie holds a random token, the database its SHA-256.
enum Sessions {
    /// Starts a session of `kind` for `subject` and answers with a redirect that sets the cookie.
    static func start(_ req: Request, kind: String, subject: UUID, lifetime: TimeInterval, cookie: String,
                      sameSite: HTTPCookies.SameSitePolicy, redirectTo path: String) async throws -> Response {
        let response = req.redirect(to: path)
        try await rotate(req, kind: kind, subject: subject, lifetime: lifetime, cookie: cookie, sameSite: sameSite, on: response)
        return response
    }

    /// Gives the browser a fresh session of `kind` for `subject` on `response`, ending the session its cookie named
    /// before (if any): whenever what a browser may do changes (sign-in, account creation, two-factor enrolment,
    /// a new password) the session id changes too, so an id someone planted or saw earlier never gains the new rights.
    static func rotate(_ req: Request, kind: String, subject: UUID, lifetime: TimeInterval, cookie: String,
                       sameSite: HTTPCookies.SameSitePolicy, on response: Response) async throws {
        if let old = req.cookies[cookie]?.string, !old.isEmpty {
            try await BrowserSession.query(on: req.writeDB).filter(\.$tokenHash == Secrets.sha256(old)).delete()
        }
        let token = Secrets.randomToken(bytes: 32)
        let session = BrowserSession()
        session.tokenHash = Secrets.sha256(token)
        session.kind = kind
        session.subjectID = subject
        session.createdAt = req.application.clock.now
        session.expiresAt = session.createdAt.addingTimeInterval(lifetime)
        try await session.create(on: req.writeDB)
        response.cookies[cookie] = HTTPCookies.Value(string: token, maxAge: Int(lifetime), path: "/",
                                                     isSecure: req.application.settings.baseURL.hasPrefix("https"), isHTTPOnly: true, sameSite: sameSite)
    }

    /// The live session of `kind` named by the cookie, if any.
    static func current(_ req: Request, kind: String, cookie: String) async throws -> BrowserSession? {
        guard let token = req.cookies[cookie]?.string,
              let session = try await BrowserSession.query(on: req.db).filter(\.$tokenHash == Secrets.sha256(token))
                .filter(\.$kind == kind).first(),
              session.expiresAt > req.application.clock.now else { return nil }
        return session
    }

    /// Ends the session in the database and clears the cookie.
    static func end(_ req: Request, cookie: String, redirectTo path: String) async throws -> Response {
        if let token = req.cookies[cookie]?.string {
            try await BrowserSession.query(on: req.writeDB).filter(\.$tokenHash == Secrets.sha256(token)).delete()
        }
        let response = req.redirect(to: path)
        response.cookies[cookie] = HTTPCookies.Value(string: "", expires: Date(timeIntervalSince1970: 0), path: "/")
        return response
    }

    /// Ends every officer session and API session token of `user`, except the browser session whose cookie is `keeping`.
    static func endOfficer(_ user: UUID, keeping token: String? = nil, on db: any Database) async throws {
        let query = BrowserSession.query(on: db).filter(\.$kind == "officer").filter(\.$subjectID == user)
        if let token { query.filter(\.$tokenHash != Secrets.sha256(token)) }
        try await query.delete()
        try await APIToken.query(on: db).filter(\.$user.$id == user).filter(\.$kind == "session").delete()
    }
}
