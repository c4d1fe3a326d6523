import AduanCore
import Foundation
import Vapor

struct AttachmentView: Content {
    var id: UUID
    var filename: String
    var content_type: String
    var size: Int
    var url: String
}

/// A complaint as one viewer may see it (SPEC §12 field names).
struct ComplaintView: Content {
    var tracking_id: String
    var type: String
    var title: String
    var body: String
    var state: String
    var channel: String
    var jurisdiction: String
    var unit: String?
    var unit_name: String?
    var collaborating_units: [String]
    var target_unit: String?
    /// The QR code the complaint came through (channel `qr`).
    var qr_code: String?
    var category: String?
    var resolution_class: String?
    var incident_date: String?
    var address: String?
    var lat: Double?
    var lng: Double?
    var submitted_at: Date
    var updated_at: Date
    var due_at: Date?
    /// True when `due_at` falls in a year whose national holidays are not loaded (issue 19): it may come too early.
    var due_provisional: Bool? = nil
    var overdue: Bool
    var anonymous: Bool
    var confidential: Bool
    var supervision: Bool
    var reopen_count: Int
    var rating: Int?
    var closed_at: Date?
    var archive_reason: String?
    var merged_into: String?
    var external_destination: String?
    var external_ref: String?
    /// The last status SP4N-LAPOR! reported for a complaint forwarded there through the bridge.
    var external_status: String? = nil
    /// The SP4N-LAPOR! tracking number of a complaint imported from LAPOR.
    var lapor_id: String? = nil
    /// Only for the reporter themselves and for officers in scope, never for anonymous complaints.
    var reporter: ReporterIdentity?
    var attachments: [AttachmentView]?
    /// Officer view: the actions the caller may take now.
    var available_actions: [String]?
    var escalation_level: Int?
    var extension_requested_days: Int?
}

struct ComplaintSummary: Content {
    var tracking_id: String
    var type: String
    var title: String
    var state: String
    var jurisdiction: String
    var unit: String?
    var category: String?
    var channel: String
    var submitted_at: Date
    var due_at: Date?
    var overdue: Bool
    var confidential: Bool
    var escalation_level: Int
    /// As `ComplaintView.due_provisional`.
    var due_provisional: Bool? = nil
}

struct ComplaintPage: Content {
    var items: [ComplaintSummary]
    var page: Int
    var per_page: Int
    var total: Int
}

struct EventView: Content {
    var seq: Int
    var at: Date
    var action: String
    var from_state: String?
    var to_state: String
    var actor_role: String
    var unit: String?
    var jurisdiction: String
    var public_text: String?
    var internal_text: String?
    var due_at: Date?
    var late: Bool?
    var data: [String: String]?
}

/// Body of the reporter's reply, confirm and dispute.
struct ReporterTextRequest: Content {
    var text: String?
}

struct FeedbackRequest: Content {
    var rating: Int
    var comment: String?
}

struct TokenRequest: Content {
    var username: String
    var password: String
    var totp: String?
}

struct TokenResponse: Content {
    var token: String
    var expires_at: Date
    var username: String
    var roles: [RoleView]
}

struct RoleView: Content {
    var role: String
    var scope: String
}
