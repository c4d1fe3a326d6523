import AduanCore
import Fluent
import Foundation
import Vapor

/// Messages (SPEC §7): how delivery is set up, a test e-mail, the outbox's state, the dead letters with retry, and
/// the wording of every message kind in both languages, editable with a preview. Installation-wide.
extension AdminController {
    struct MessagesView: Encodable, Sendable {
        struct Dead: Encodable, Sendable {
            var id: Int; var kind: String; var audience: String; var channel: String; var attempts: Int; var error: String; var created: String
            var retryAction: String
            /// The kind in words: the shipped subject in the page's language (issue 19, fix 8).
            var name: String = ""
        }
        struct Kind: Encodable, Sendable { var kind: String; var audience: String; var id: Link; var en: Link; var name: String = "" }
        struct Link: Encodable, Sendable { var href: String; var custom: Bool }
        var nav: [NavLink]
        var mail: String?
        var gateway: String?
        var pending: Int
        var sent: Int
        var dead: Int
        var deadRows: [Dead]
        var kinds: [Kind]
        var testAction: String
        var webhooksHref: String
        var retryAllAction: String
        var testTo: String
        /// The sysadmin's delivery settings (secrets never shown), and whether they replace the environment's.
        var delivery: [String: String]
        var deliveryStored: Bool
        var deliveryHasPassword: Bool
        var deliveryHasSecret: Bool
        var deliveryHasInboundSecret: Bool
        var deliveryProblems: [String]
        var securities: [Choice]
        var deliveryAction: String
        var clearDeliveryAction: String
        var message: String?
        var error: String?
    }

    static func messages(_ req: Request, _ ctx: Context) async throws -> Response {
        try ctx.requireInstallationWide(req)
        return try await renderMessages(req, ctx, message: doneMessage(req, ["n": req.query[String.self, at: "n"] ?? "0"]), error: nil, status: .ok)
    }

    static func renderMessages(_ req: Request, _ ctx: Context, message: String?, error: String?, testTo: String = "",
                               form: [String: String]? = nil, problems: [String] = [], status: HTTPStatus) async throws -> Response {
        let stored = try await DeliverySettings.stored(on: req.db, secrets: req.application.secrets)
        var shown = form ?? stored
        for secret in DeliverySettings.secrets { shown[secret] = nil }
        let security = shown["ADUAN_SMTP_SECURITY"] ?? "starttls"
        let wording = ctx.wording(req)
        func count(_ status: String) async throws -> Int { try await OutboxMessage.query(on: req.db).filter(\.$status == status).count() }
        let dead = try await OutboxMessage.query(on: req.db).filter(\.$status == "dead").sort(\.$id, .descending).limit(100).all()
        let custom = Set(try await MessageTemplate.query(on: req.db).all().compactMap(\.id))
        let kinds = MailTemplates.table.keys.sorted().map { kind in
            MessagesView.Kind(kind: kind, audience: req.text(Notice.reporterKinds.contains(kind) ? "admin_messages_to_reporter" : "admin_messages_to_officers"),
                              id: .init(href: SiteURL.Admin.messageTemplate(kind, "id").path, custom: custom.contains("\(kind):id")),
                              en: .init(href: SiteURL.Admin.messageTemplate(kind, "en").path, custom: custom.contains("\(kind):en")),
                              name: kindName(req, kind))
        }
        let mail = try? await req.application.currentMailSettings()
        let gateway = try? await req.application.currentGatewaySettings()
        let view = MessagesView(
            nav: nav(req, ctx, .messages),
            mail: mail.map { "\($0.client.host):\($0.client.port) (\($0.client.security.rawValue)) · \($0.from.description)" },
            gateway: gateway.map { "\($0.url.string) (\($0.medium))" },
            pending: try await count("pending"), sent: try await count("sent"), dead: try await count("dead"),
            deadRows: dead.map { m in
                MessagesView.Dead(id: m.id!, kind: m.kind, audience: m.audience, channel: m.channel, attempts: m.attempts,
                                  error: m.lastError ?? "—", created: wording.dateTime(m.createdAt), retryAction: SiteURL.Admin.retryMessage(m.id!).path,
                                  name: kindName(req, m.kind))
            },
            kinds: kinds, testAction: SiteURL.Admin.testMail.path, webhooksHref: SiteURL.Webhooks.list.path, retryAllAction: SiteURL.Admin.retryAllMessages.path, testTo: testTo,
            delivery: shown, deliveryStored: !stored.isEmpty, deliveryHasPassword: stored["ADUAN_SMTP_PASSWORD"] != nil,
            deliveryHasSecret: stored["ADUAN_SMS_WEBHOOK_SECRET"] != nil,
            deliveryHasInboundSecret: stored[InboundGateway.secretVariable] != nil, deliveryProblems: problems,
            securities: SMTPClient.Security.allCases.map { Choice(value: $0.rawValue, label: $0.rawValue, selected: $0.rawValue == security) },
            deliveryAction: SiteURL.Admin.delivery.path, clearDeliveryAction: SiteURL.Admin.clearDelivery.path,
            message: message, error: error)
        return try await req.page("admin_messages", title: "admin_section_messages", view, status: status)
    }

    /// Sends a test e-mail now, through the configured server, and shows what happened.
    static func testMail(_ req: Request, _ ctx: Context) async throws -> Response {
        try ctx.requireInstallationWide(req)
        let to = field(req, "to")
        guard let settings = try? await req.application.currentMailSettings() else {
            return try await renderMessages(req, ctx, message: nil, error: req.text("admin_messages_no_smtp"), testTo: to, status: .unprocessableEntity)
        }
        guard let address = MailAddress(to) else {
            return try await renderMessages(req, ctx, message: nil, error: req.text("admin_messages_bad_address"), testTo: to, status: .unprocessableEntity)
        }
        let now = req.application.clock.now
        let mail = MailMessage(from: settings.from, to: [address], subject: req.text("admin_messages_test_subject"),
                               text: req.text("admin_messages_test_body"), html: "<p>\(MIME.escapeHTML(req.text("admin_messages_test_body")))</p>",
                               date: now, idempotencyKey: "test:\(UUID().uuidString)")
        // The page says whether and how fast it worked, never what the server said (see `SMTPError.summary`).
        var configuration = settings.client
        configuration.outbound = req.application.settings.outbound
        let started = ProcessInfo.processInfo.systemUptime
        func elapsed() -> String { "\(Int(((ProcessInfo.processInfo.systemUptime - started) * 1000).rounded())) ms" }
        do {
            try await SMTPClient(configuration: configuration, group: req.application.eventLoopGroup).send(mail)
        } catch {
            let summary: String
            switch error {
            case let smtp as SMTPError: summary = smtp.summary
            case let refused as OutboundPolicy.Refused: summary = refused.description
            default: summary = "no connection"
            }
            try await AuditEntry(at: now, actor: ctx.actor, action: "mail_test_failed", complaintID: nil, detail: to).create(on: req.writeDB)
            return try await renderMessages(req, ctx, message: nil, error: req.text("admin_messages_test_failed", ["error": "\(summary), \(elapsed())"]),
                                            testTo: to, status: .badGateway)
        }
        try await AuditEntry(at: now, actor: ctx.actor, action: "mail_test_sent", complaintID: nil, detail: to).create(on: req.writeDB)
        return try await renderMessages(req, ctx, message: req.text("admin_messages_test_sent", ["to": to]) + " (\(elapsed()))", error: nil,
                                        testTo: to, status: .ok)
    }

    /// Puts dead letters back in the queue (one, or all): the worker sends them at its next sweep, with a fresh count of attempts.
    static func retryMessages(all: Bool) -> Handler {
        { req, ctx in
            try ctx.requireInstallationWide(req)
            let query = OutboxMessage.query(on: req.writeDB).filter(\.$status == "dead")
            if !all {
                guard let id = req.parameters.get("message_id", as: Int.self), try await OutboxMessage.find(id, on: req.db)?.status == "dead" else {
                    throw AppError.notFound()
                }
                query.filter(\.$id == id)
            }
            let now = req.application.clock.now
            let count = try await OutboxMessage.query(on: req.db).filter(\.$status == "dead").count()
            try await query.set(\.$status, to: "pending").set(\.$attempts, to: 0).set(\.$nextAttemptAt, to: now).update()
            try await AuditEntry(at: now, actor: ctx.actor, action: "messages_retried", complaintID: nil,
                                 detail: all ? "all (\(count))" : (req.parameters.get("message_id") ?? "")).create(on: req.writeDB)
            return redirect(req, to: SiteURL.Admin.messages.path, done: "messages_retried", ["n": all ? count : 1])
        }
    }

    /// Stores the delivery settings after checking them with the same parsers the worker uses; a secret left blank
    /// keeps the stored one.
    static func saveDelivery(_ req: Request, _ ctx: Context) async throws -> Response {
        try ctx.requireInstallationWide(req)
        let stored = try await DeliverySettings.stored(on: req.db, secrets: req.application.secrets)
        var values: [String: String] = [:]
        for name in DeliverySettings.variables {
            let value = field(req, name)
            values[name] = value.isEmpty && DeliverySettings.secrets.contains(name) ? (stored[name] ?? "") : value
        }
        let checked = values.filter { !$0.value.isEmpty }
        var problems: [String] = []
        for check in [{ _ = try MailSettings.fromEnvironment(checked) }, { _ = try GatewaySettings.fromEnvironment(checked) },
                      { _ = try InboundGateway.parse(checked) }] as [() throws -> Void] {
            do { try check() } catch let invalid as Settings.Invalid { problems += invalid.problems }
        }
        if checked["ADUAN_SMTP_HOST"] == nil && checked["ADUAN_SMS_WEBHOOK_URL"] == nil && checked[InboundGateway.secretVariable] == nil { problems.append(req.text("admin_messages_delivery_empty")) }
        guard problems.isEmpty else {
            return try await renderMessages(req, ctx, message: nil, error: req.text("admin_messages_delivery_not_saved"),
                                            form: values, problems: problems, status: .unprocessableEntity)
        }
        try await DeliverySettings.save(checked, app: req.application)
        try await AuditEntry(at: req.application.clock.now, actor: ctx.actor, action: "delivery_settings_saved", complaintID: nil,
                             detail: checked["ADUAN_SMTP_HOST"] ?? checked["ADUAN_SMS_WEBHOOK_URL"] ?? "").create(on: req.writeDB)
        return redirect(req, to: SiteURL.Admin.messages.path, done: "delivery_saved")
    }

    /// Back to the environment's delivery settings.
    static func clearDelivery(_ req: Request, _ ctx: Context) async throws -> Response {
        try ctx.requireInstallationWide(req)
        try await DeliverySettings.clear(app: req.application)
        try await AuditEntry(at: req.application.clock.now, actor: ctx.actor, action: "delivery_settings_cleared", complaintID: nil, detail: "")
            .create(on: req.writeDB)
        return redirect(req, to: SiteURL.Admin.messages.path, done: "delivery_cleared")
    }

    // MARK: templates

    struct TemplateView: Encodable, Sendable {
        var nav: [NavLink]
        var kind: String
        var language: String
        var audience: String
        var subject: String
        var body: String
        var custom: Bool
        var action: String
        var resetAction: String
        var preview: Preview?
        var errors: [String: String]
        var message: String?
        struct Preview: Encodable, Sendable { var subject: String; var text: String; var sms: String }
    }

    static func templateTarget(_ req: Request) throws -> (String, String) {
        let kind = req.parameters.get("kind") ?? "", language = req.parameters.get("lang") ?? ""
        guard MailTemplates.table[kind] != nil, MailTemplates.languages.contains(language) else { throw AppError.notFound() }
        return (kind, language)
    }

    static func messageTemplate(_ req: Request, _ ctx: Context) async throws -> Response {
        try ctx.requireInstallationWide(req)
        let (kind, language) = try templateTarget(req)
        let wording = try await MessageWording.wording(kind: kind, language: language, on: req.db)
        return try await renderTemplate(req, ctx, kind, language, subject: wording.subject, body: wording.body, preview: true, errors: [:],
                                        message: doneMessage(req), status: .ok)
    }

    static func renderTemplate(_ req: Request, _ ctx: Context, _ kind: String, _ language: String, subject: String, body: String,
                               preview: Bool, errors: [String: String], message: String?, status: HTTPStatus) async throws -> Response {
        let officer = !Notice.reporterKinds.contains(kind)
        let sample = "7KQ2MX9PJ"
        let link = req.application.settings.baseURL + (officer ? SiteURL.officerComplaint(sample).path : SiteURL.publicComplaint(sample).path)
        var shown: TemplateView.Preview?
        if preview && errors.isEmpty {
            let rendered = MailTemplates.render(MailTemplates.Wording(subject: subject, body: body), language: language, trackingID: sample,
                                                link: link, officer: officer,
                                                unsubscribe: officer ? nil : req.application.settings.baseURL + "/berhenti/\(sample)/email?k=…")
            let sms = "Aduan \(TrackingID(sample)?.formatted ?? sample): \(subject.replacingOccurrences(of: "{id}", with: sample)). \(link)"
            shown = .init(subject: rendered.subject, text: rendered.text, sms: sms)
        }
        let custom = try await MessageTemplate.find("\(kind):\(language)", on: req.db) != nil
        let view = TemplateView(nav: nav(req, ctx, .messages), kind: kind, language: language,
                                audience: req.text(officer ? "admin_messages_to_officers" : "admin_messages_to_reporter"),
                                subject: subject, body: body, custom: custom, action: SiteURL.Admin.messageTemplate(kind, language).path,
                                resetAction: SiteURL.Admin.resetMessageTemplate(kind, language).path, preview: shown, errors: errors, message: message)
        return try await req.page("admin_message_template", title: "admin_section_messages", view, status: status)
    }

    /// Checks the wording: lengths, one line of subject, and `{id}` as the only placeholder.
    static func templateProblems(_ req: Request, subject: String, body: String) -> [String: String] {
        var errors: [String: String] = [:]
        func placeholdersOK(_ text: String) -> Bool {
            text.replacingOccurrences(of: "{id}", with: "").range(of: #"\{[^}]*\}"#, options: .regularExpression) == nil
        }
        if !(1...200).contains(subject.count) || subject.contains("\n") { errors["subject"] = req.text("admin_messages_error_subject") }
        else if !placeholdersOK(subject) { errors["subject"] = req.text("admin_messages_error_placeholder") }
        if !(1...5000).contains(body.count) { errors["body"] = req.text("admin_messages_error_body") }
        else if !placeholdersOK(body) { errors["body"] = req.text("admin_messages_error_placeholder") }
        return errors
    }

    /// Previews (`preview` set) or saves the sysadmin's wording.
    static func saveMessageTemplate(_ req: Request, _ ctx: Context) async throws -> Response {
        try ctx.requireInstallationWide(req)
        let (kind, language) = try templateTarget(req)
        let subject = field(req, "subject"), body = field(req, "body")
        let errors = templateProblems(req, subject: subject, body: body)
        let previewOnly = optionalField(req, "preview") != nil
        if !errors.isEmpty || previewOnly {
            return try await renderTemplate(req, ctx, kind, language, subject: subject, body: body, preview: true, errors: errors, message: nil,
                                            status: errors.isEmpty ? .ok : .unprocessableEntity)
        }
        let now = req.application.clock.now
        let actor = ctx.actor
        try await withWriteTransaction(req.application) { db in
            let template = try await MessageTemplate.find("\(kind):\(language)", on: db) ?? MessageTemplate()
            template.id = "\(kind):\(language)"; template.kind = kind; template.language = language
            template.subject = subject; template.body = body; template.updatedBy = actor; template.updatedAt = now
            try await template.save(on: db)
            try await AuditEntry(at: now, actor: actor, action: "message_template_saved", complaintID: nil, detail: "\(kind):\(language)").create(on: db)
        }
        return redirect(req, to: SiteURL.Admin.messageTemplate(kind, language).path, done: "message_template_saved")
    }

    /// Back to the built-in wording.
    static func resetMessageTemplate(_ req: Request, _ ctx: Context) async throws -> Response {
        try ctx.requireInstallationWide(req)
        let (kind, language) = try templateTarget(req)
        let now = req.application.clock.now
        let actor = ctx.actor
        try await withWriteTransaction(req.application) { db in
            try await MessageTemplate.query(on: db).filter(\.$id == "\(kind):\(language)").delete()
            try await AuditEntry(at: now, actor: actor, action: "message_template_reset", complaintID: nil, detail: "\(kind):\(language)").create(on: db)
        }
        return redirect(req, to: SiteURL.Admin.messageTemplate(kind, language).path, done: "message_template_reset")
    }

    /// A message kind in words: its shipped subject in the page's language, the code when it has none.
    static func kindName(_ req: Request, _ kind: String) -> String {
        MailTemplates.table[kind]?[req.language.rawValue]?.subject ?? kind
    }
}

extension Application {
    private struct MailSettingsKey: StorageKey { typealias Value = MailSettings }

    /// Fixed SMTP settings that win over the environment and the sysadmin's (tests point them at a local sink).
    var mailSettings: MailSettings? {
        get { storage[MailSettingsKey.self] }
        set { storage[MailSettingsKey.self] = newValue }
    }

}
