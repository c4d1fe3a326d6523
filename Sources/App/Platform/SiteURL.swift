import Foundation

/// Every path the server answers, in one place, so routes and the links built from them cannot drift apart.
enum SiteURL {
    case healthz
    case readyz
    case metrics
    case openAPI
    case authToken
    case me
    case complaints
    case complaint(String)
    case complaintEvents(String)
    case reporterAction(String, Action)
    case officerAction(String, String)
    case attachment(String, UUID)
    case jurisdictions
    case units
    case categories
    case publicComplaint(String)
    // Public portal pages
    case home
    case report
    case reportSent
    case track
    case trackAction(String, TrackAction)
    case complaintList
    case unitCard(String)
    case statistics
    case language(String)
    case stylesheet
    case script
    case account
    case qrForm(String)
    case officerHome
    case officerSignIn
    case officerQR
    case officerComplaints
    case officerComplaint(String)
    case officerNewComplaint
    case officerBulk
    case officerInbox
    case officerTemplates
    case officerWarnings
    case officerMonev
    case unsubscribe(String, String)
    case officerAccount
    case officerForgot
    case officerReset(String)
    case qrList
    case qrImage(String, String)
    case qrPoster(String)
    case qrSnippet(String)
    case qrAction(String, String)
    case signIn
    case signUp
    case signOut
    /// The signed links of reporter accounts (`AccountLink`).
    case accountVerify(String)
    case accountPassword(String)
    /// An attachment of a complaint on its public page and on the officer's page.
    case trackingAttachment(String, UUID)
    case caseAttachment(String, UUID)
    /// The thumbnail of an image attachment (issue 19), behind the same checks as the file itself.
    case trackingThumbnail(String, UUID)
    case caseThumbnail(String, UUID)
    case intakeReceipt
    case monevCSV
    case monevXLSX
    case monevReport
    case officerTwoFactor
    case officerSignOut

    enum TrackAction: String, CaseIterable { case pin, balas, konfirmasi, sanggah, nilai, keluar }

    enum Action: String { case reply, confirm, dispute, feedback }

    var path: String {
        typealias P = RoutePattern
        switch self {
        case .healthz: return P.healthz.link()
        case .readyz: return P.readyz.link()
        case .metrics: return P.metrics.link()
        case .openAPI: return P.openAPI.link()
        case .authToken: return P.authToken.link()
        case .me: return P.me.link()
        case .complaints: return P.complaints.link()
        case .complaint(let id): return P.complaint.link(id)
        case .complaintEvents(let id): return P.complaintEvents.link(id)
        case .reporterAction(let id, let action): return P.reporterAction.link(id, action.rawValue)
        case .officerAction(let id, let action): return P.officerAction.link(id, action)
        case .attachment(let id, let attachment): return P.attachment.link(id, attachment.uuidString.lowercased())
        case .jurisdictions: return P.jurisdictions.link()
        case .units: return P.units.link()
        case .categories: return P.categories.link()
        case .publicComplaint(let id): return P.publicComplaint.link(id)
        case .home: return P.home.link()
        case .report: return P.report.link()
        case .reportSent: return P.reportSent.link()
        case .track: return P.track.link()
        case .trackAction(let id, let action): return P.trackAction.link(id, action.rawValue)
        case .complaintList: return P.complaintList.link()
        case .unitCard(let unit):
            // A unit's id is `jurisdiction/slug`.
            let jurisdiction = unit.prefix { $0 != "/" }
            return P.unitCard.link(jurisdiction, unit.dropFirst(jurisdiction.count + 1))
        case .statistics: return P.statistics.link()
        case .language(let lang): return P.language.link(lang)
        case .stylesheet: return P.stylesheet.link()
        case .script: return P.script.link()
        case .account: return P.account.link()
        case .qrForm(let code): return P.qrForm.link(code)
        case .officerHome: return P.officerHome.link()
        case .officerSignIn: return P.officerSignIn.link()
        case .officerQR: return P.officerQR.link()
        case .officerComplaints: return P.officerComplaints.link()
        case .officerComplaint(let id): return P.officerComplaint.link(id)
        case .officerNewComplaint: return P.officerNewComplaint.link()
        case .officerBulk: return P.officerBulk.link()
        case .officerInbox: return P.officerInbox.link()
        case .officerTemplates: return P.officerTemplates.link()
        case .officerWarnings: return P.officerWarnings.link()
        case .officerMonev: return P.officerMonev.link()
        case .unsubscribe(let id, let channel): return P.unsubscribe.link(id, channel)
        case .officerAccount: return P.officerAccount.link()
        case .officerForgot: return P.officerForgot.link()
        case .officerReset(let token): return P.officerReset.link(token)
        case .qrList: return P.qrList.link()
        case .qrImage(let code, let ext): return P.qrImage.link("\(code).\(ext)")
        case .qrPoster(let code): return P.qrPoster.link(code)
        case .qrSnippet(let code): return P.qrSnippet.link(code)
        case .qrAction(let code, let action): return P.qrAction.link(code, action)
        case .signIn: return P.signIn.link()
        case .signUp: return P.signUp.link()
        case .signOut: return P.signOut.link()
        case .accountVerify(let token): return P.accountVerify.link(token)
        case .accountPassword(let token): return P.accountPassword.link(token)
        case .trackingAttachment(let id, let attachment): return P.trackingAttachment.link(id, attachment.uuidString.lowercased())
        case .caseAttachment(let id, let attachment): return P.caseAttachment.link(id, attachment.uuidString.lowercased())
        case .trackingThumbnail(let id, let attachment): return P.trackingThumbnail.link(id, attachment.uuidString.lowercased())
        case .caseThumbnail(let id, let attachment): return P.caseThumbnail.link(id, attachment.uuidString.lowercased())
        case .intakeReceipt: return P.intakeReceipt.link()
        case .monevCSV: return P.monevCSV.link()
        case .monevXLSX: return P.monevXLSX.link()
        case .monevReport: return P.monevReport.link()
        case .officerTwoFactor: return P.officerTwoFactor.link()
        case .officerSignOut: return P.officerSignOut.link()
        }
    }
}

/// A route's path, spelled once (issue 14): its pattern (`/petugas/aduan/:id`) registers the route
/// (`RoutesBuilder.on(_:_:use:)` and friends, Platform/Routing.swift) and, filled in, is the link (`link(id)`).
/// Patterns are made only here and in the other SiteURL files; tests/layers/check_routes.py holds that line.
struct RoutePattern: Sendable, Hashable, CustomStringConvertible {
    let pattern: String

    init(_ pattern: String) { self.pattern = pattern }

    /// The pattern's segments, `:name` for a parameter (none for `/`).
    var segments: [String] { pattern.split(separator: "/").map(String.init) }

    var description: String { pattern }

    /// The link: each parameter, in order, replaced by the next value.
    func link(_ values: any CustomStringConvertible...) -> String {
        var rest = values[...]
        let filled = segments.map { segment -> String in
            guard segment.hasPrefix(":") else { return segment }
            precondition(!rest.isEmpty, "\(pattern): a value is missing")
            return rest.removeFirst().description
        }
        precondition(rest.isEmpty, "\(pattern): too many values")
        return "/" + filled.joined(separator: "/")
    }

    /// The pattern with the parameter `name` fixed to `value` (one route per action of an action parameter).
    func with(_ name: String, _ value: String) -> RoutePattern {
        precondition(segments.contains(":" + name), "\(pattern) has no parameter \(name)")
        return RoutePattern("/" + segments.map { $0 == ":" + name ? value : $0 }.joined(separator: "/"))
    }
}

extension RoutePattern {
    static let healthz = RoutePattern("/healthz")
    static let readyz = RoutePattern("/readyz")
    static let metrics = RoutePattern("/metrics")
    static let openAPI = RoutePattern("/api/openapi.json")

    // The JSON API (SPEC §9)
    static let authToken = RoutePattern("/api/v1/auth/token")
    static let me = RoutePattern("/api/v1/me")
    static let monevSummary = RoutePattern("/api/v1/monev/summary")
    static let monevUnits = RoutePattern("/api/v1/monev/units")
    static let triageSuggest = RoutePattern("/api/v1/triage/suggest")
    static let jurisdictions = RoutePattern("/api/v1/jurisdictions")
    static let units = RoutePattern("/api/v1/units")
    static let categories = RoutePattern("/api/v1/categories")
    static let complaints = RoutePattern("/api/v1/complaints")
    static let complaint = RoutePattern("/api/v1/complaints/:\(SiteURL.trackingParameter)")
    static let complaintEvents = RoutePattern("/api/v1/complaints/:\(SiteURL.trackingParameter)/events")
    static let attachment = RoutePattern("/api/v1/complaints/:\(SiteURL.trackingParameter)/attachments/:attachment_id")
    /// Registered once per `SiteURL.Action` (`with("action", …)`).
    static let reporterAction = RoutePattern("/api/v1/complaints/:\(SiteURL.trackingParameter)/:action")
    static let officerAction = RoutePattern("/api/v1/complaints/:\(SiteURL.trackingParameter)/actions/:action")
    static let qrList = RoutePattern("/api/v1/qr")
    /// `code.svg` / `code.png`: the handler splits the extension.
    static let qrImage = RoutePattern("/api/v1/qr/:code")
    static let qrPoster = RoutePattern("/api/v1/qr/:code/poster.pdf")
    static let qrSnippet = RoutePattern("/api/v1/qr/:code/snippet")
    static let qrAction = RoutePattern("/api/v1/qr/:code/:action")
    static let importLapor = RoutePattern("/api/v1/import/lapor")
    static let exportCSV = RoutePattern("/api/v1/export/complaints.csv")
    static let exportXLSX = RoutePattern("/api/v1/export/complaints.xlsx")
    static let gatewayInbound = RoutePattern("/api/v1/gateway/inbound")

    // Open311 GeoReport v2 (SPEC §10): every path ends in `.json` or `.xml`.
    static let open311 = RoutePattern("/open311/v2")
    static let open311Method = RoutePattern("/open311/v2/:file")
    static let open311Service = RoutePattern("/open311/v2/services/:file")
    static let open311Request = RoutePattern("/open311/v2/requests/:file")
    static let open311Token = RoutePattern("/open311/v2/tokens/:file")

    // The public portal
    static let home = RoutePattern("/")
    static let report = RoutePattern("/lapor")
    static let reportSent = RoutePattern("/lapor/terkirim")
    static let track = RoutePattern("/lacak")
    static let qrForm = RoutePattern("/q/:code")
    static let complaintList = RoutePattern("/laporan")
    static let unitCard = RoutePattern("/unit/:jurisdiction/:slug")
    static let statistics = RoutePattern("/statistik")
    static let language = RoutePattern("/bahasa/:lang")
    static let publicComplaint = RoutePattern("/t/:id")
    static let trackingAttachment = RoutePattern("/t/:id/lampiran/:attachment")
    static let trackingThumbnail = RoutePattern("/t/:id/lampiran/:attachment/kecil")
    /// Registered once per `SiteURL.TrackAction`.
    static let trackAction = RoutePattern("/t/:id/:action")
    static let unsubscribe = RoutePattern("/berhenti/:id/:channel")
    static let account = RoutePattern("/akun")
    static let signUp = RoutePattern("/akun/daftar")
    static let signIn = RoutePattern("/akun/masuk")
    static let signOut = RoutePattern("/akun/keluar")
    static let accountVerify = RoutePattern("/akun/verifikasi/:token")
    static let accountPassword = RoutePattern("/akun/sandi/:token")
    /// Static files (Public/), linked from the layout.
    static let stylesheet = RoutePattern("/css/app.css")
    static let script = RoutePattern("/js/app.js")

    // The officers' workspace
    static let officerHome = RoutePattern("/petugas")
    static let officerSignIn = RoutePattern("/petugas/masuk")
    static let officerSignOut = RoutePattern("/petugas/keluar")
    static let officerForgot = RoutePattern("/petugas/lupa-sandi")
    static let officerReset = RoutePattern("/petugas/atur-sandi/:token")
    static let officerAccount = RoutePattern("/petugas/akun")
    static let officerTwoFactor = RoutePattern("/petugas/akun/2fa")
    static let officerTwoFactorOff = RoutePattern("/petugas/akun/2fa/nonaktif")
    static let officerRecoveryCodes = RoutePattern("/petugas/akun/kode-pemulihan")
    static let officerPassword = RoutePattern("/petugas/akun/sandi")
    static let officerSignOutEverywhere = RoutePattern("/petugas/akun/keluar-semua")
    static let officerDigest = RoutePattern("/petugas/akun/ringkasan")
    static let officerComplaints = RoutePattern("/petugas/aduan")
    static let officerBulk = RoutePattern("/petugas/massal")
    static let officerInbox = RoutePattern("/petugas/kotak-masuk")
    static let officerInboxRead = RoutePattern("/petugas/kotak-masuk/dibaca")
    static let officerNewComplaint = RoutePattern("/petugas/aduan/baru")
    static let intakeReceipt = RoutePattern("/petugas/aduan/baru/tanda-terima")
    static let officerComplaint = RoutePattern("/petugas/aduan/:id")
    static let caseAction = RoutePattern("/petugas/aduan/:id/aksi/:action")
    static let caseAttachment = RoutePattern("/petugas/aduan/:id/lampiran/:attachment")
    static let caseThumbnail = RoutePattern("/petugas/aduan/:id/lampiran/:attachment/kecil")
    static let officerMonev = RoutePattern("/petugas/monev")
    static let monevCSV = RoutePattern("/petugas/monev.csv")
    static let monevXLSX = RoutePattern("/petugas/monev.xlsx")
    static let monevReport = RoutePattern("/petugas/monev/laporan")
    static let officerWarnings = RoutePattern("/petugas/teguran")
    static let warningNote = RoutePattern("/petugas/teguran/catatan")
    static let warningAcknowledge = RoutePattern("/petugas/teguran/:warning/terima")
    static let officerTemplates = RoutePattern("/petugas/templat")
    static let officerTemplate = RoutePattern("/petugas/templat/:template")
    static let officerTemplateDelete = RoutePattern("/petugas/templat/:template/hapus")
    static let officerExportCSV = RoutePattern("/petugas/ekspor/aduan.csv")
    static let officerExportXLSX = RoutePattern("/petugas/ekspor/aduan.xlsx")
    static let officerQR = RoutePattern("/petugas/qr")
    static let officerQRAction = RoutePattern("/petugas/qr/:code/:action")
    static let interopPage = RoutePattern("/petugas/impor-ekspor")
    static let interopImport = RoutePattern("/petugas/impor-ekspor/lapor")
    static let interopAgencies = RoutePattern("/petugas/impor-ekspor/instansi")
    static let interopDeleteAlias = RoutePattern("/petugas/impor-ekspor/instansi/hapus")
}

extension SiteURL {
    /// Route pattern segments for registration (`:id` placeholders): the tracking number of the API's complaint routes.
    static let trackingParameter = "tracking_id"
}
