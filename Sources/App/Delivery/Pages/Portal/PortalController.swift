import AduanCore
import Fluent
import Foundation
import Vapor

/// The citizen's pages: home, the form and its confirmation, tracking look-up, language switch.
enum PortalController {
    struct HomeView: Encodable, Sendable {
        var form: ReportFormView
        var figures: HeadlineFigures
    }

    struct FormPage: Encodable, Sendable { var form: ReportFormView }

    /// The home page's figures, as people read them ("1.234", or "< 5" when the small-count rule withholds one).
    struct HeadlineFigures: Encodable, Sendable {
        var received: String
        var completed: String
        var inProgress: String
    }

    static func home(_ req: Request) async throws -> Response {
        let reference = try await req.reference()
        let figures = try await headline(req)
        return try await req.page("home", title: "home_title", HomeView(form: ReportFormBuilder.view(req, reference: reference), figures: figures))
    }

    /// Every complaint of every jurisdiction so far, through the monev query like the statistics page (so the home's
    /// counts and `/statistik` agree), small counts of confidential complaints withheld (SPEC §9).
    static func headline(_ req: Request) async throws -> HeadlineFigures {
        let reference = try await req.reference()
        let codes = reference.tree.jurisdictions.keys.sorted()
        let f = try await MonevQuery.figures(on: req.db, reference: reference, jurisdictions: codes, from: nil, to: nil,
                                             now: req.application.clock.now, weights: .standard, overdueLimit: 0)
        let open = ComplaintState.allCases.filter(\.isOpen)
        let inProgress = open.reduce(0) { $0 + (f.summary.byState[$1.rawValue] ?? 0) }
        let completed = f.summary.byState[ComplaintState.selesai.rawValue] ?? 0
        let sensitive = try await MonevQuery.sensitive(on: req.db, reference: reference, figures: f, jurisdictions: codes, from: nil, to: nil,
                                                       shown: [f.summary.received, completed, inProgress])
        let d = SmallCounts.summary(f.summary, sensitive)
        let n = FigureViews.Numbers(language: req.language)
        let sensitiveOpen = open.reduce(0) { $0 + sensitive.cell(.state, $1.rawValue) }
        return HeadlineFigures(
            received: n.count(f.summary.received, withheld: d.withholds("received"), req),
            completed: n.count(completed, withheld: d.withholds(.state, ComplaintState.selesai.rawValue), req),
            inProgress: n.count(inProgress, withheld: d.population || SmallCounts.isWithheld(count: inProgress, sensitive: sensitiveOpen), req))
    }

    static func form(_ req: Request) async throws -> Response {
        let reference = try await req.reference()
        return try await req.page("report", title: "report_title", FormPage(form: ReportFormBuilder.view(req, reference: reference)))
    }

    /// The form's POST: every error comes back next to its field with the input kept; success redirects to the
    /// confirmation (post/redirect/get), which reads the one-time secret from a sealed, short-lived cookie.
    static func submit(_ req: Request) async throws -> Response {
        try await ReportFormBuilder.accept(req, from: nil) { view in
            try await req.page("report", title: "report_title", FormPage(form: view), status: .unprocessableEntity)
        }
    }

    struct SentView: Encodable, Sendable {
        var trackingID: String
        var formattedID: String
        var link: String
        var pin: String
        var verificationDue: String?
        var state: String
    }

    static func sent(_ req: Request) async throws -> Response {
        guard let sealed = req.cookies[ReceiptCookie.name]?.string,
              let receipt = try? ReceiptCookie.open(sealed, req.application.secrets),
              receipt.expires > req.application.clock.now,
              let complaint = try await Complaint.byTrackingID(receipt.tracking_id, on: req.db) else {
            return req.redirect(to: SiteURL.track.path)
        }
        let reference = try await req.reference()
        let wording = Wording(req, timeZone: reference.calendar(for: complaint.jurisdictionCode).timeZone)
        let view = SentView(trackingID: complaint.trackingID, formattedID: TrackingID(complaint.trackingID)?.formatted ?? complaint.trackingID,
                            link: req.application.settings.baseURL + SiteURL.publicComplaint(complaint.trackingID).path + "?s=" + receipt.secret,
                            pin: receipt.pin, verificationDue: complaint.verificationDue.map(wording.date),
                            state: req.text("state_\(complaint.state)"))
        // Shown once: a reload of the confirmation page leads to the tracking page instead.
        let response = try await req.page("sent", title: "sent_title", view)
        response.cookies[ReceiptCookie.name] = HTTPCookies.Value(string: "", expires: Date(timeIntervalSince1970: 0), path: "/lapor")
        return response
    }

    struct LookupView: Encodable, Sendable { var value: String; var error: String? }

    static func lookup(_ req: Request) async throws -> Response {
        guard let raw = req.query[String.self, at: "id"], !raw.isEmpty else {
            return try await req.page("lookup", title: "lookup_title", LookupView(value: "", error: nil))
        }
        guard let id = TrackingID(raw), try await Complaint.byTrackingID(id.rawValue, on: req.db) != nil else {
            return try await req.page("lookup", title: "lookup_title", LookupView(value: raw, error: req.text("lookup_not_found")), status: .notFound)
        }
        return req.redirect(to: SiteURL.publicComplaint(id.rawValue).path)
    }

    static func switchLanguage(_ req: Request) async throws -> Response {
        let lang = Language(rawValue: req.parameters.get("lang") ?? "") ?? .id
        // Only local paths (`RedirectTarget`), so the switch can neither send people elsewhere nor add a header.
        let next = RedirectTarget.local(req.query[String.self, at: "next"]) ?? SiteURL.home.path
        let response = req.redirect(to: next)
        response.cookies[Language.cookie] = HTTPCookies.Value(string: lang.rawValue, maxAge: 365 * 86_400, path: "/", isHTTPOnly: true, sameSite: .lax)
        return response
    }
}

/// The one-time receipt (tracking ID, secret link and PIN) carried from the form's POST to the confirmation page.
struct ReceiptCookie: Codable, Sendable {
    static let name = "aduan_receipt"
    var tracking_id: String
    var secret: String
    var pin: String
    var expires: Date

    func seal(_ secrets: Secrets) throws -> String {
        try secrets.seal(JSONEncoder().encode(self)).replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
    }

    static func open(_ text: String, _ secrets: Secrets) throws -> ReceiptCookie {
        try JSONDecoder().decode(ReceiptCookie.self, from: secrets.open(text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")))
    }
}
