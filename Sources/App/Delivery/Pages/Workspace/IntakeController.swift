import AduanCore
import Foundation
import Vapor

/// Complaints that arrive at the counter, by phone, by letter or on social media, typed in by a coordinator
/// (SPEC §6 "officer entry"): the same form and checks as the portal, channel `officer`, and how it came in.
enum IntakeController {
    static let mediums = ["walk_in", "phone", "letter", "social_media", "other"]

    struct IntakeView: Encodable, Sendable { var form: ReportFormView }

    /// Jurisdictions where the officer may enter complaints: those they coordinate.
    static func jurisdictions(_ ws: Workspace) -> [String] {
        ws.officer.scopes(for: .coordinator).compactMap { scope in
            if case .jurisdiction(let code) = scope { return code }
            return nil
        }
    }

    static func form(_ ws: Workspace, input: ReportFormInput? = nil, errors: [FieldError] = []) -> ReportFormView {
        var view = ReportFormBuilder.view(ws.req, reference: ws.reference, input: input, errors: errors)
        let allowed = Set(jurisdictions(ws))
        view.jurisdictions = view.jurisdictions.filter { allowed.contains($0.value) }
        if input == nil, let first = jurisdictions(ws).sorted().first {
            view.values["jurisdiction"] = first
            view.jurisdictions = view.jurisdictions.map { .init(value: $0.value, label: $0.label, selected: $0.value == first) }
        }
        let chosen = input?.medium ?? "walk_in"
        view.mediums = mediums.map { .init(value: $0, label: ws.req.text("medium_\($0)"), selected: $0 == chosen) }
        view.action = SiteURL.officerNewComplaint.path
        return view
    }

    static func show(_ req: Request) async throws -> Response {
        let ws = try await Workspace.of(req)
        guard !jurisdictions(ws).isEmpty else { throw AppError.forbidden(req.text("intake_forbidden")) }
        return try await req.page("officer_intake", title: "intake_title", IntakeView(form: form(ws)))
    }

    static func submit(_ req: Request) async throws -> Response {
        let ws = try await Workspace.of(req)
        let allowed = jurisdictions(ws)
        guard !allowed.isEmpty else { throw AppError.forbidden(req.text("intake_forbidden")) }
        let input = try req.content.decode(ReportFormInput.self)
        let pin = input.coordinates()
        let api = SubmissionRequest(type: input.type, title: input.title ?? "", body: input.body ?? "", incident_date: input.incident_date,
                                    jurisdiction: input.jurisdiction ?? "", address: input.address, lat: pin.lat, lng: pin.lng,
                                    category: input.category.flatMap { $0.isEmpty ? nil : $0 },
                                    target_unit: input.target_unit.flatMap { $0.isEmpty ? nil : $0 },
                                    anonymous: input.anonymous != nil, confidential: input.confidential != nil,
                                    reporter: ReporterIdentity(name: input.name, email: input.email, phone: input.phone, nik: nil),
                                    qr_code: nil, language: req.language.rawValue, notify: input.notify,
                                    attachments: input.attachments)
        let checked = SubmitComplaint.check(api, reference: ws.reference, now: ws.now)
        var errors = pin.problems + checked.problems
        if !allowed.contains(input.jurisdiction ?? "") { errors.append(FieldError("jurisdiction", req.text("intake_error_jurisdiction"))) }
        if !mediums.contains(input.medium ?? "") { errors.append(FieldError("medium", req.text("intake_error_medium"))) }
        let files = try SubmitComplaint.formAttachments(input.attachments, settings: req.application.settings, errors: &errors)
        guard errors.isEmpty else {
            return try await req.page("officer_intake", title: "intake_title", IntakeView(form: form(ws, input: input, errors: errors)),
                                      status: .unprocessableEntity)
        }
        var submission = checked.submission
        submission.channel = .officer
        submission.intakeMedium = input.medium
        let result = try await SubmitComplaint.create(
            submission: submission, reporter: checked.reporter, content: .init(api), language: checked.language, files: files,
            actor: ws.participant, actorID: ws.principal.username, app: req.application)
        req.application.metrics.submissions.increment()
        // The receipt for the citizen (tracking ID, PIN, secret link) is shown once, after a redirect.
        let response = req.redirect(to: SiteURL.intakeReceipt.path)
        let flash = ReceiptCookie(tracking_id: result.tracking_id, secret: result.secret, pin: result.pin, expires: ws.now.addingTimeInterval(900))
        response.cookies[ReceiptCookie.name] = HTTPCookies.Value(string: try flash.seal(req.application.secrets), path: SiteURL.officerNewComplaint.path,
                                                                 isSecure: req.application.settings.baseURL.hasPrefix("https"),
                                                                 isHTTPOnly: true, sameSite: .strict)
        return response
    }

    struct ReceiptView: Encodable, Sendable {
        var trackingID: String; var formattedID: String; var link: String; var pin: String; var verificationDue: String?; var caseURL: String
    }

    static func receipt(_ req: Request) async throws -> Response {
        let ws = try await Workspace.of(req)
        guard let sealed = req.cookies[ReceiptCookie.name]?.string, let receipt = try? ReceiptCookie.open(sealed, req.application.secrets),
              receipt.expires > ws.now, let c = try await Complaint.byTrackingID(receipt.tracking_id, on: req.db),
              Access.canRead(ws.officer, c.record, tree: ws.reference.tree) else {
            return req.redirect(to: SiteURL.officerHome.path)
        }
        let view = ReceiptView(trackingID: c.trackingID, formattedID: TrackingID(c.trackingID)?.formatted ?? c.trackingID,
                               link: req.application.settings.baseURL + SiteURL.publicComplaint(c.trackingID).path + "?s=" + receipt.secret,
                               pin: receipt.pin, verificationDue: c.verificationDue.map(ws.wording(for: c.jurisdictionCode).date),
                               caseURL: SiteURL.officerComplaint(c.trackingID).path)
        let response = try await req.page("officer_receipt", title: "intake_receipt_title", view)
        response.cookies[ReceiptCookie.name] = HTTPCookies.Value(string: "", expires: Date(timeIntervalSince1970: 0), path: SiteURL.officerNewComplaint.path)
        return response
    }
}
