import Foundation

/// Every path the server answers, in one place, so routes and the links built from them cannot drift apart.
enum SiteURL {
    case healthz
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

    enum Action: String { case reply, confirm, dispute, feedback }

    var path: String {
        switch self {
        case .healthz: return "/healthz"
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
        }
    }

    /// Route pattern segments for registration (`:id` placeholders).
    static let trackingParameter = "tracking_id"
}
