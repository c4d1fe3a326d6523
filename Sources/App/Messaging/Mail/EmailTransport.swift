import AduanCore
import Fluent
import Foundation
import Vapor

/// Delivers outbox messages by e-mail (SPEC §7): resolves the audience to addresses, renders the template and
/// sends one SMTP transaction per message. A throw leaves the message pending for the worker's retry with backoff.
struct EmailTransport: MessageTransport {
    let app: Application
    let settings: MailSettings
    let client: SMTPClient

    init(app: Application, settings: MailSettings) {
        self.app = app
        self.settings = settings
        var configuration = settings.client
        configuration.outbound = app.settings.outbound
        self.client = SMTPClient(configuration: configuration, group: app.eventLoopGroup)
    }

    func deliver(_ message: OutboxSnapshot) async throws -> String? {
        guard let mail = try await compose(message) else { return "skipped: no e-mail recipient" }
        do {
            try await client.send(mail)
        } catch SMTPError.rejected(let code, let text) where (500..<600).contains(code) {
            // 5xx is the server's final word (unknown mailbox, policy): retrying cannot help.
            throw DeliveryError.permanent("SMTP \(code) \(text)")
        } catch let refused as OutboundPolicy.Refused {
            throw DeliveryError.permanent(refused.description)
        }
        return "accepted for \(mail.to.count) recipient(s)"
    }

    /// The message to send, or nil when the audience has nobody with an e-mail address, or the reporter stopped
    /// e-mails about this complaint (logged, not retried).
    func compose(_ message: OutboxSnapshot) async throws -> MailMessage? {
        if message.kind == PasswordResetMail.kind { return try await passwordReset(message) }
        if AccountMail.kinds.contains(message.kind) { return try await AccountMail.compose(message, app: app, from: settings.from) }
        if RoleGrantMail.kinds.contains(message.kind) { return try await RoleGrantMail.compose(message, transport: self) }
        if OfficerMail.warningKinds.contains(message.kind) { return try await warning(message) }
        if message.kind == OfficerMail.digestKind { return try await digest(message) }
        let payload = try JSONDecoder().decode(NotificationPayload.self, from: Data(message.payload.utf8))
        let officer = message.audience != "reporter"
        if !officer, let complaint = try await Complaint.byTrackingID(payload.tracking_id, on: app.db), !complaint.notifyEmail { return nil }
        var recipients: [MailAddress]
        if officer {
            // Officers who chose the daily digest get this message there instead.
            let holders = try await officers(of: message.audience)
            for user in holders where user.digest {
                try await keepForDigest(user, kind: payload.kind ?? message.kind, trackingID: payload.tracking_id, messageKey: message.idempotencyKey)
            }
            recipients = addresses(holders.filter { !$0.digest })
        } else {
            recipients = try await self.recipients(of: message.audience, trackingID: payload.tracking_id)
        }
        guard !recipients.isEmpty else {
            app.logger.info("notification has no e-mail recipient", metadata: [
                "idempotency_key": "\(message.idempotencyKey)", "audience": "\(message.audience)",
            ])
            return nil
        }
        // Officers work in Indonesian; the reporter reads the language they submitted in.
        let language = officer ? "id" : (payload.language ?? "id")
        let link = officer ? NotificationLinks.officer(payload.tracking_id, app: app) : NotificationLinks.reporter(payload, app: app)
        let wording = try await MessageWording.wording(kind: payload.kind ?? message.kind, language: language, on: app.db)
        let rendered = MailTemplates.render(wording, language: language, trackingID: payload.tracking_id, link: link, officer: officer,
                                            unsubscribe: officer ? nil : NotificationLinks.unsubscribe(payload.tracking_id, channel: "email", app: app))
        return MailMessage(from: settings.from, to: recipients, subject: rendered.subject, text: rendered.text, html: rendered.html,
                           date: app.clock.now, idempotencyKey: message.idempotencyKey)
    }

    /// A password-reset link: the payload is sealed (the link holds a live token), the audience is `user:{id}`.
    func passwordReset(_ message: OutboxSnapshot) async throws -> MailMessage? {
        let payload = try PasswordResetMail.open(message.payload, secrets: app.secrets)
        guard let user = try await User.find(payload.user, on: app.db), user.active,
              let email = user.email?.trimmingCharacters(in: .whitespaces), let to = MailAddress(name: user.displayName, address: email) else {
            app.logger.info("password reset has no e-mail recipient", metadata: ["idempotency_key": "\(message.idempotencyKey)"])
            return nil
        }
        let rendered = MailTemplates.passwordReset(language: payload.language, link: payload.link, username: user.username)
        return MailMessage(from: settings.from, to: [to], subject: rendered.subject, text: rendered.text, html: rendered.html,
                           date: app.clock.now, idempotencyKey: message.idempotencyKey)
    }

    /// `reporter` → the sealed reporter address; officer audiences → active users holding the matching role on that scope.
    func recipients(of audience: String, trackingID: String) async throws -> [MailAddress] {
        if audience == "reporter" {
            guard let complaint = try await Complaint.byTrackingID(trackingID, on: app.db), let sealed = complaint.reporterSealed else { return [] }
            let identity = try JSONDecoder().decode(ReporterIdentity.self, from: app.secrets.open(sealed))
            return identity.email.flatMap { MailAddress(name: identity.name, address: $0.trimmingCharacters(in: .whitespaces)) }.map { [$0] } ?? []
        }
        return addresses(try await officers(of: audience))
    }

    /// Active officers holding the role of an officer audience (`unit_liaisons:63/dinkes`, …) on exactly that scope.
    func officers(of audience: String) async throws -> [User] {
        let parts = audience.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { throw DeliveryError.permanent("unknown audience '\(audience)'") }
        let role: Role
        switch parts[0] {
        case "unit_liaisons": role = .liaison
        case "unit_head": role = .unit_head
        case "coordinators": role = .coordinator
        case "inspectorate": role = .inspector
        default: throw DeliveryError.permanent("unknown audience '\(audience)'")
        }
        let holders = try await UserRole.query(on: app.db).filter(\.$role == role.rawValue).filter(\.$scope == parts[1]).with(\.$user).all()
        var seen = Set<UUID>()
        return holders.map(\.user).filter { $0.active && seen.insert($0.id!).inserted }.sorted { $0.username < $1.username }
    }

    /// E-mail addresses of `users`, each address once.
    func addresses(_ users: [User]) -> [MailAddress] {
        var seen = Set<String>()
        return users.compactMap { user in
            guard let email = user.email?.trimmingCharacters(in: .whitespaces), seen.insert(email.lowercased()).inserted else { return nil }
            return MailAddress(name: user.displayName, address: email)
        }
    }

    /// Records a message for a digest reader once, however often the message is delivered.
    func keepForDigest(_ user: User, kind: String, trackingID: String, messageKey: String) async throws {
        let exists = try await DigestItem.query(on: app.db).filter(\.$userID == user.id!).filter(\.$messageKey == messageKey).count() > 0
        guard !exists else { return }
        let item = DigestItem()
        item.userID = user.id!; item.kind = kind; item.trackingID = trackingID; item.messageKey = messageKey; item.createdAt = app.clock.now
        try await item.create(on: app.writeDB)
    }

    /// A warning (teguran) issued, acknowledged or overdue: to the unit head or the inspectorate, always at once.
    func warning(_ message: OutboxSnapshot) async throws -> MailMessage? {
        let payload = try JSONDecoder().decode(OfficerMail.WarningPayload.self, from: Data(message.payload.utf8))
        let to = addresses(try await officers(of: message.audience))
        guard !to.isEmpty else { return nil }
        let link = app.settings.baseURL + SiteURL.officerWarnings.path + "#teguran-\(payload.warning)"
        let rendered = OfficerMail.renderWarning(kind: message.kind, payload: payload, link: link)
        return MailMessage(from: settings.from, to: to, subject: rendered.subject, text: rendered.text, html: rendered.html,
                           date: app.clock.now, idempotencyKey: message.idempotencyKey)
    }

    /// The daily digest of one officer.
    func digest(_ message: OutboxSnapshot) async throws -> MailMessage? {
        let payload = try JSONDecoder().decode(OfficerMail.DigestPayload.self, from: Data(message.payload.utf8))
        guard let user = try await User.find(payload.user, on: app.db), user.active, let to = addresses([user]).first else { return nil }
        let rendered = OfficerMail.renderDigest(payload, app: app)
        return MailMessage(from: settings.from, to: [to], subject: rendered.subject, text: rendered.text, html: rendered.html,
                           date: app.clock.now, idempotencyKey: message.idempotencyKey)
    }
}
