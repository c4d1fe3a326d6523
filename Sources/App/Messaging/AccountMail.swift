import Fluent
import Foundation
import Vapor

/// Signed, expiring links for reporter accounts (issue 17): the e-mail verification link and the link to choose a new
/// password. Nothing is stored: the link carries `purpose|account|expiry|binding` and its HMAC under the link key. The
/// binding is a hash of the account's password hash, so a link stops working once the password changes (a password
/// link works once; a verification link sent before someone else re-registered the address is void).
enum AccountLink {
    enum Purpose: String { case verify, password }

    static let lifetime: [Purpose: TimeInterval] = [.verify: 48 * 3600, .password: 3600]

    static func binding(_ passwordHash: String) -> String { String(Secrets.sha256("account-link|" + passwordHash).prefix(24)) }

    static func make(_ purpose: Purpose, account: ReporterAccount, app: Application) throws -> String {
        let expires = Int64(app.clock.now.addingTimeInterval(lifetime[purpose]!).timeIntervalSince1970)
        let payload = "\(purpose.rawValue)|\(try account.requireID().uuidString.lowercased())|\(expires)|\(binding(account.passwordHash))"
        let encoded = Data(payload.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        return encoded + "." + app.secrets.linkSignature(payload)
    }

    /// The account a live link of `purpose` names, or nil (bad signature, expired, unknown account, password changed).
    static func open(_ token: String, _ purpose: Purpose, app: Application, on db: any Database) async throws -> ReporterAccount? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard token.count <= 400, parts.count == 2 else { return nil }
        var base64 = parts[0].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let payload = String(data: data, encoding: .utf8),
              Secrets.constantTimeEqual(String(parts[1]), app.secrets.linkSignature(payload)) else { return nil }
        let fields = payload.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 4, fields[0] == purpose.rawValue, let id = UUID(uuidString: fields[1]), let expires = Int64(fields[2]),
              Double(expires) > app.clock.now.timeIntervalSince1970,
              let account = try await ReporterAccount.find(id, on: db),
              Secrets.constantTimeEqual(fields[3], binding(account.passwordHash)) else { return nil }
        return account
    }
}

/// Messages to reporter accounts: "confirm your address" after sign-up, and "you already have an account" when the
/// address is signed up again (the page answers both alike, so sign-up does not tell who has an account). The payload
/// is sealed: it holds live links.
enum AccountMail {
    static let verifyKind = "account_verify"
    static let existsKind = "account_exists"
    static let kinds: Set<String> = [verifyKind, existsKind]

    struct Payload: Codable, Sendable { var account: UUID; var link: String; var language: String }

    /// Queues the message for `account` (in `db`, the caller's write).
    static func queue(_ kind: String, account: ReporterAccount, link: String, language: String, app: Application, on db: any Database) async throws {
        let id = try account.requireID()
        try await OutboxMessage(key: "\(kind):" + Secrets.randomToken(bytes: 16), kind: kind, audience: "reporter_account:\(id.uuidString.lowercased())",
                                payload: try app.secrets.seal(JSONEncoder().encode(Payload(account: id, link: link, language: language))),
                                at: app.clock.now).create(on: db)
    }

    /// The e-mail for an outbox row of one of `kinds`, or nil when the account is gone.
    static func compose(_ message: OutboxSnapshot, app: Application, from: MailAddress) async throws -> MailMessage? {
        let payload = try JSONDecoder().decode(Payload.self, from: app.secrets.open(message.payload))
        guard let account = try await ReporterAccount.find(payload.account, on: app.db),
              let identity = try? JSONDecoder().decode(ReporterIdentity.self, from: app.secrets.open(account.sealedIdentity)),
              let email = identity.email, let to = MailAddress(name: identity.name, address: email) else { return nil }
        let rendered = render(message.kind, payload: payload, app: app)
        return MailMessage(from: from, to: [to], subject: rendered.subject, text: rendered.text, html: rendered.html,
                           date: app.clock.now, idempotencyKey: message.idempotencyKey)
    }

    static func render(_ kind: String, payload: Payload, app: Application) -> MailTemplates.Rendered {
        let english = payload.language == "en"
        let signIn = app.settings.baseURL + SiteURL.signIn.path
        let subject: String, lines: [String], label: String
        if kind == verifyKind {
            subject = english ? "Confirm your e-mail address for Aduan" : "Konfirmasi alamat e-mail Anda untuk Aduan"
            lines = english
                ? ["Someone (hopefully you) created an Aduan reporter account with this address. Open the link below within 48 hours to confirm it; then sign in at \(signIn).",
                   "If it was not you, ignore this message: without the confirmation the account cannot be used."]
                : ["Seseorang (semoga Anda) membuat akun pelapor Aduan dengan alamat ini. Buka tautan di bawah dalam 48 jam untuk mengonfirmasinya; setelah itu masuk di \(signIn).",
                   "Jika bukan Anda, abaikan pesan ini: tanpa konfirmasi akun tersebut tidak dapat dipakai."]
            label = english ? "Confirm my address" : "Konfirmasi alamat saya"
        } else {
            subject = english ? "You already have an Aduan account" : "Anda sudah memiliki akun Aduan"
            lines = english
                ? ["Someone (hopefully you) tried to create an Aduan reporter account with this address, but it already has one. Sign in at \(signIn).",
                   "Forgot the password? The link below lets you choose a new one within one hour. If it was not you, ignore this message; nothing has changed."]
                : ["Seseorang (semoga Anda) mencoba membuat akun pelapor Aduan dengan alamat ini, padahal alamat ini sudah memiliki akun. Silakan masuk di \(signIn).",
                   "Lupa kata sandi? Tautan di bawah dapat dipakai untuk membuat kata sandi baru dalam satu jam. Jika bukan Anda, abaikan pesan ini; tidak ada yang berubah."]
            label = english ? "Choose a new password" : "Buat kata sandi baru"
        }
        return OfficerMail.render(subject: subject, lines: lines, link: payload.link, label: label, language: payload.language)
    }
}
