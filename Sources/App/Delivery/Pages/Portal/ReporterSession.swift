import Foundation
import Vapor

/// The optional reporter account's browser session: its cookie, its lifetime, and who is signed in.
enum ReporterSession {
    static let cookie = "aduan_session"
    static let lifetime: TimeInterval = 30 * 86_400

    /// The signed-in reporter account, if any (looked up once per request).
    static func current(_ req: Request) async throws -> ReporterAccount? {
        if let cached = req.storage[CurrentKey.self] { return cached.account }
        var account: ReporterAccount?
        if let session = try await Sessions.current(req, kind: "reporter", cookie: Self.cookie),
           let found = try await ReporterAccount.find(session.subjectID, on: req.db), found.verifiedAt != nil {
            account = found
        }
        req.storage[CurrentKey.self] = .init(account: account)
        return account
    }

    struct CurrentKey: StorageKey { typealias Value = Box }
    final class Box: @unchecked Sendable { let account: ReporterAccount?; init(account: ReporterAccount?) { self.account = account } }
}
