import AduanCore
import Fluent
import Foundation
import Vapor

/// Outbound webhook subscriptions (docs/interop.md): list, create (the secret shown once), edit, deactivate, send a
/// test event, and each subscription's recent deliveries and dead letters. Installation-wide, under *Pesan*.
extension AdminController {
    static func registerWebhooks(_ admin: any RoutesBuilder) {
        admin.get(.adminWebhooks, use: guarded(webhooks))
        admin.post(.adminWebhooks, use: guarded(createWebhook))
        admin.get(.adminWebhook, use: guarded(webhook))
        admin.post(.adminWebhook, use: guarded(updateWebhook))
        admin.post(RoutePattern.adminWebhookAction.with("action", "nonaktifkan"), use: guarded(setWebhookActive(false)))
        admin.post(RoutePattern.adminWebhookAction.with("action", "aktifkan"), use: guarded(setWebhookActive(true)))
        admin.post(RoutePattern.adminWebhookAction.with("action", "uji"), use: guarded(testWebhook))
    }

    struct WebhookForm: Encodable, Sendable {
        struct Check: Encodable, Sendable { var name: String; var action: String; var label: String; var checked: Bool }
        var values: [String: String]
        var includeSub: Bool
        var actions: [Check]
        var jurisdictions: [Choice]
        var errors: [String: String]
    }

    struct WebhooksView: Encodable, Sendable {
        struct Row: Encodable, Sendable {
            var name: String; var url: String; var scope: String; var events: String; var active: Bool; var href: String
        }
        var nav: [NavLink]
        var messagesHref: String
        var rows: [Row]
        var form: WebhookForm
        var createAction: String
        /// The new subscription's secret, on the page that answers its creation only.
        var created: Created?
        struct Created: Encodable, Sendable { var name: String; var secret: String; var href: String }
        var message: String?
        var error: String?
    }

    struct WebhookView: Encodable, Sendable {
        struct Delivery: Encodable, Sendable {
            var key: String; var status: String; var attempts: Int; var answer: String; var created: String; var retryAction: String?
        }
        /// What a test delivery came to: the status and time, or why there was none; never the receiver's words.
        struct TestResult: Encodable, Sendable { var status: String; var ok: Bool }
        /// The receiver's circuit breaker (DeliveryLanes.swift).
        struct Circuit: Encodable, Sendable { var state: String; var detail: String?; var open: Bool }
        var nav: [NavLink]
        var listHref: String
        var name: String
        var url: String
        var active: Bool
        var created: String
        var form: WebhookForm
        var updateAction: String
        var toggleAction: String
        var testAction: String
        var probe: TestResult?
        var breaker: Circuit
        var deliveries: [Delivery]
        var dead: [Delivery]
        var message: String?
        var error: String?
    }

    // MARK: reading the form

    static func webhookInput(_ req: Request) -> WebhookAdmin.Input {
        WebhookAdmin.Input(name: field(req, "name"), url: field(req, "url"), secret: field(req, "secret"),
                           actions: WebhookFilter.publicActions.map(\.rawValue).filter { optionalField(req, "action_\($0)") != nil },
                           jurisdiction: field(req, "jurisdiction"), includeSub: optionalField(req, "include_sub") != nil)
    }

    static func webhookForm(_ req: Request, _ ctx: Context, _ input: WebhookAdmin.Input?, errors: [String: String]) -> WebhookForm {
        let chosen = Set(input?.actions ?? [])
        return WebhookForm(values: ["name": input?.name ?? "", "url": input?.url ?? ""], includeSub: input?.includeSub ?? true,
                           actions: WebhookFilter.publicActions.map { .init(name: "action_\($0.rawValue)", action: $0.rawValue,
                                                                            label: req.text("event_\($0.rawValue)"), checked: chosen.contains($0.rawValue)) },
                           jurisdictions: jurisdictionOptions(ctx, selected: input?.jurisdiction ?? ctx.home),
                           errors: errors.mapValues { req.text($0) })
    }

    static func input(of subscription: WebhookSubscription) -> WebhookAdmin.Input {
        WebhookAdmin.Input(name: subscription.name, url: subscription.url, secret: "", actions: subscription.actions.map { Array($0) } ?? [],
                           jurisdiction: subscription.jurisdictionCode, includeSub: subscription.includeSub)
    }

    static func findWebhook(_ req: Request) async throws -> WebhookSubscription {
        guard let id = req.parameters.get("webhook_id", as: Int.self), let found = try await WebhookSubscription.find(id, on: req.db) else {
            throw AppError.notFound()
        }
        return found
    }

    // MARK: list and create

    static func webhooks(_ req: Request, _ ctx: Context) async throws -> Response {
        try ctx.requireInstallationWide(req)
        return try await renderWebhooks(req, ctx, form: webhookForm(req, ctx, nil, errors: [:]), created: nil, message: doneMessage(req), error: nil, status: .ok)
    }

    static func renderWebhooks(_ req: Request, _ ctx: Context, form: WebhookForm, created: WebhooksView.Created?, message: String?, error: String?,
                               status: HTTPStatus) async throws -> Response {
        let all = try await WebhookSubscription.query(on: req.db).sort(\.$name).sort(\.$id).all()
        let rows = all.map { s in
            WebhooksView.Row(name: s.name, url: s.url, scope: scopeLabel(req, ctx, s), events: s.actions.map { $0.sorted().map { req.text("event_\($0)") }.joined(separator: ", ") } ?? req.text("webhooks_all_events"),
                             active: s.active, href: SiteURL.Webhooks.one(s.id!).path)
        }
        let view = WebhooksView(nav: nav(req, ctx, .messages), messagesHref: SiteURL.Admin.messages.path, rows: rows, form: form,
                                createAction: SiteURL.Webhooks.list.path, created: created, message: message, error: error)
        return try await req.page("admin_webhooks", title: "webhooks_title", view, status: status)
    }

    static func scopeLabel(_ req: Request, _ ctx: Context, _ s: WebhookSubscription) -> String {
        let name = ctx.tree.jurisdictions[s.jurisdictionCode]?.name ?? s.jurisdictionCode
        return "\(name) (\(s.jurisdictionCode))" + (s.includeSub ? " " + req.text("webhooks_with_sub") : "")
    }

    static func createWebhook(_ req: Request, _ ctx: Context) async throws -> Response {
        try ctx.requireInstallationWide(req)
        let input = webhookInput(req)
        let problems = WebhookAdmin.problems(input, tree: ctx.tree)
        guard problems.isEmpty else {
            return try await renderWebhooks(req, ctx, form: webhookForm(req, ctx, input, errors: problems), created: nil, message: nil,
                                            error: req.text("webhooks_not_saved"), status: .unprocessableEntity)
        }
        let app = req.application
        let actor = ctx.actor
        let (subscription, secret) = try await withWriteTransaction(app) { db in
            let (subscription, secret) = try await WebhookAdmin.create(input, actor: actor, app: app, on: db)
            try await AuditEntry(at: app.clock.now, actor: actor, action: "webhook_created", complaintID: nil,
                                 detail: "\(subscription.id!) \(subscription.name) \(subscription.url)").create(on: db)
            return (SubscriptionDTO(subscription), secret)
        }
        // The secret is on this answer only (not in a redirect's URL, not stored in clear).
        return try await renderWebhooks(req, ctx, form: webhookForm(req, ctx, nil, errors: [:]),
                                        created: .init(name: subscription.name, secret: secret, href: SiteURL.Webhooks.one(subscription.id).path),
                                        message: req.text("webhooks_created", ["name": subscription.name]), error: nil, status: .ok)
    }

    /// What crosses the transaction's boundary (models stay request-local).
    struct SubscriptionDTO: Sendable {
        var id: Int; var name: String
        init(_ s: WebhookSubscription) { id = s.id!; name = s.name }
    }

    // MARK: one subscription

    static func webhook(_ req: Request, _ ctx: Context) async throws -> Response {
        try ctx.requireInstallationWide(req)
        let subscription = try await findWebhook(req)
        return try await renderWebhook(req, ctx, subscription, form: webhookForm(req, ctx, input(of: subscription), errors: [:]), test: nil,
                                       message: doneMessage(req), error: nil, status: .ok)
    }

    static func renderWebhook(_ req: Request, _ ctx: Context, _ s: WebhookSubscription, form: WebhookForm, test: WebhookView.TestResult?,
                              message: String?, error: String?, status: HTTPStatus) async throws -> Response {
        let wording = ctx.wording(req)
        func rows(_ status: String?) async throws -> [WebhookView.Delivery] {
            let query = OutboxMessage.query(on: req.db).filter(\.$audience == s.audience).sort(\.$id, .descending).limit(20)
            if let status { query.filter(\.$status == status) }
            return try await query.all().map { m in
                WebhookView.Delivery(key: m.idempotencyKey, status: m.status, attempts: m.attempts,
                                     answer: (m.status == "sent" ? m.providerResponse : m.lastError) ?? "—", created: wording.dateTime(m.createdAt),
                                     retryAction: m.status == "dead" ? SiteURL.Admin.retryMessage(m.id!).path : nil)
            }
        }
        let breaker = try await DeliveryCircuit.load(s.audience, on: req.db)
        let circuit: WebhookView.Circuit
        switch breaker.gate(at: req.application.clock.now) {
        case .closed:
            circuit = .init(state: req.text("webhooks_circuit_closed"),
                            detail: breaker.failures > 0 ? req.text("webhooks_circuit_failures", ["count": "\(breaker.failures)"]) : nil, open: false)
        case .open(let until):
            circuit = .init(state: req.text("webhooks_circuit_open", ["until": wording.dateTime(until)]),
                            detail: req.text("webhooks_circuit_failures", ["count": "\(breaker.failures)"]), open: true)
        case .halfOpen:
            circuit = .init(state: req.text("webhooks_circuit_half_open"),
                            detail: req.text("webhooks_circuit_failures", ["count": "\(breaker.failures)"]), open: true)
        }
        let view = WebhookView(nav: nav(req, ctx, .messages), listHref: SiteURL.Webhooks.list.path, name: s.name, url: s.url, active: s.active,
                               created: "\(wording.dateTime(s.createdAt)) · \(s.createdBy)", form: form,
                               updateAction: SiteURL.Webhooks.one(s.id!).path,
                               toggleAction: SiteURL.Webhooks.action(s.id!, s.active ? "nonaktifkan" : "aktifkan").path,
                               testAction: SiteURL.Webhooks.action(s.id!, "uji").path, probe: test, breaker: circuit,
                               deliveries: try await rows(nil), dead: try await rows("dead"), message: message, error: error)
        return try await req.page("admin_webhook", title: "webhooks_title", view, status: status)
    }

    static func updateWebhook(_ req: Request, _ ctx: Context) async throws -> Response {
        try ctx.requireInstallationWide(req)
        let subscription = try await findWebhook(req)
        let input = webhookInput(req)
        let problems = WebhookAdmin.problems(input, tree: ctx.tree)
        guard problems.isEmpty else {
            return try await renderWebhook(req, ctx, subscription, form: webhookForm(req, ctx, input, errors: problems), test: nil, message: nil,
                                           error: req.text("webhooks_not_saved"), status: .unprocessableEntity)
        }
        let app = req.application
        let actor = ctx.actor
        let id = subscription.id!
        try await withWriteTransaction(app) { db in
            guard let row = try await WebhookSubscription.find(id, on: db) else { throw AppError.notFound() }
            try await WebhookAdmin.update(row, with: input, app: app, on: db)
            try await AuditEntry(at: app.clock.now, actor: actor, action: "webhook_updated", complaintID: nil,
                                 detail: "\(id) \(input.name) \(input.url)" + (input.secret.isEmpty ? "" : " (new secret)")).create(on: db)
        }
        return redirect(req, to: SiteURL.Webhooks.one(id).path, done: "webhook_saved")
    }

    static func setWebhookActive(_ active: Bool) -> Handler {
        { req, ctx in
            try ctx.requireInstallationWide(req)
            let subscription = try await findWebhook(req)
            let app = req.application
            let actor = ctx.actor
            let id = subscription.id!
            try await withWriteTransaction(app) { db in
                try await WebhookSubscription.query(on: db).filter(\.$id == id).set(\.$active, to: active).set(\.$updatedAt, to: app.clock.now).update()
                try await AuditEntry(at: app.clock.now, actor: actor, action: active ? "webhook_activated" : "webhook_deactivated", complaintID: nil,
                                     detail: "\(id) \(subscription.name)").create(on: db)
            }
            return redirect(req, to: SiteURL.Webhooks.one(id).path, done: active ? "webhook_activated" : "webhook_deactivated")
        }
    }

    /// Sends a sample event now and shows the receiver's status and how long it took. Never its words: what a server
    /// answers is not the sysadmin's to read through Aduan (and an address Aduan may not reach is refused first).
    static func testWebhook(_ req: Request, _ ctx: Context) async throws -> Response {
        try ctx.requireInstallationWide(req)
        let subscription = try await findWebhook(req)
        let result: WebhookView.TestResult
        do {
            let answer = try await WebhookAdmin.sendTest(subscription, app: req.application)
            result = .init(status: "HTTP \(answer.status) · \(answer.milliseconds) ms", ok: (200..<300).contains(answer.status))
        } catch DeliveryError.permanent(let reason) {
            result = .init(status: req.text("webhooks_test_refused") + " " + reason, ok: false)
        } catch {
            result = .init(status: req.text("webhooks_test_unreachable"), ok: false)
        }
        try await AuditEntry(at: req.application.clock.now, actor: ctx.actor, action: "webhook_tested", complaintID: nil,
                             detail: "\(subscription.id!) \(result.status)").create(on: req.writeDB)
        return try await renderWebhook(req, ctx, subscription, form: webhookForm(req, ctx, input(of: subscription), errors: [:]), test: result,
                                       message: nil, error: nil, status: .ok)
    }
}
