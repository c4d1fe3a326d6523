import AduanCore
import Fluent
import Foundation
import Vapor

/// The officers' browser session: its cookie, its lifetime, and the authenticator that turns it into the principal
/// the API's bearer tokens give too.
enum OfficerSession {
    static let cookie = "aduan_officer"
    static let lifetime: TimeInterval = 12 * 3600

    /// Resolves the officer session cookie to the same principal the API uses.
    struct SessionAuthenticator: AsyncRequestAuthenticator {
        func authenticate(request: Request) async throws {
            guard let session = try await Sessions.current(request, kind: "officer", cookie: OfficerSession.cookie),
                  let user = try await User.find(session.subjectID, on: request.db), user.active else { return }
            let officer = try await OfficerSignIn.officer(user, on: request.db)
            let reference = try await request.reference()
            let mustEnrol = !user.hasTwoFactor && TwoFactor.required(for: officer, reference: reference)
            request.auth.login(OfficerPrincipal(userID: session.subjectID, username: user.username, officer: officer,
                                                mustEnrolTwoFactor: mustEnrol, mustChangePassword: user.mustChangePassword == true))
        }
    }
}
