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

    enum TrackAction: String, CaseIterable { case pin, balas, konfirmasi, sanggah, nilai, keluar }

    enum Action: String { case reply, confirm, dispute, feedback }

    var path: String {
        switch self {
        case .healthz: return "/healthz"
        case .readyz: return "/readyz"
        case .metrics: return "/metrics"
        case .openAPI: return "/api/openapi.json"
        case .authToken: return "/api/v1/auth/token"
        case .me: return "/api/v1/me"
        case .complaints: return "/api/v1/complaints"
        case .complaint(let id): return "/api/v1/complaints/\(id)"
        case .complaintEvents(let id): return "/api/v1/complaints/\(id)/events"
        case .reporterAction(let id, let action): return "/api/v1/complaints/\(id)/\(action.rawValue)"
        case .officerAction(let id, let action): return "/api/v1/complaints/\(id)/actions/\(action)"
        case .attachment(let id, let attachment): return "/api/v1/complaints/\(id)/attachments/\(attachment.uuidString.lowercased())"
        case .jurisdictions: return "/api/v1/jurisdictions"
        case .units: return "/api/v1/units"
        case .categories: return "/api/v1/categories"
        case .publicComplaint(let id): return "/t/\(id)"
        case .home: return "/"
        case .report: return "/lapor"
        case .reportSent: return "/lapor/terkirim"
        case .track: return "/lacak"
        case .trackAction(let id, let action): return "/t/\(id)/\(action.rawValue)"
        case .complaintList: return "/laporan"
        case .unitCard(let unit): return "/unit/\(unit)"
        case .statistics: return "/statistik"
        case .language(let lang): return "/bahasa/\(lang)"
        case .stylesheet: return "/css/app.css"
        case .script: return "/js/app.js"
        case .account: return "/akun"
        case .qrForm(let code): return "/q/\(code)"
        case .officerHome: return "/petugas"
        case .officerSignIn: return "/petugas/masuk"
        case .officerQR: return "/petugas/qr"
        case .officerComplaints: return "/petugas/aduan"
        case .officerComplaint(let id): return "/petugas/aduan/\(id)"
        case .officerNewComplaint: return "/petugas/aduan/baru"
        case .officerBulk: return "/petugas/massal"
        case .officerInbox: return "/petugas/kotak-masuk"
        case .officerTemplates: return "/petugas/templat"
        case .officerWarnings: return "/petugas/teguran"
        case .officerMonev: return "/petugas/monev"
        case .unsubscribe(let id, let channel): return "/berhenti/\(id)/\(channel)"
        case .officerAccount: return "/petugas/akun"
        case .officerForgot: return "/petugas/lupa-sandi"
        case .officerReset(let token): return "/petugas/atur-sandi/\(token)"
        case .qrList: return "/api/v1/qr"
        case .qrImage(let code, let ext): return "/api/v1/qr/\(code).\(ext)"
        case .qrPoster(let code): return "/api/v1/qr/\(code)/poster.pdf"
        case .qrSnippet(let code): return "/api/v1/qr/\(code)/snippet"
        case .qrAction(let code, let action): return "/api/v1/qr/\(code)/\(action)"
        case .signIn: return "/akun/masuk"
        case .signUp: return "/akun/daftar"
        case .signOut: return "/akun/keluar"
        case .accountVerify(let token): return "/akun/verifikasi/\(token)"
        case .accountPassword(let token): return "/akun/sandi/\(token)"
        }
    }

    /// Route pattern segments for registration (`:id` placeholders).
    static let trackingParameter = "tracking_id"
}
