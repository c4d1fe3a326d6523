import Vapor

/// Reporter identity as submitted; stored sealed, never shown for anonymous complaints.
struct ReporterIdentity: Content, Equatable {
    var name: String?
    var email: String?
    var phone: String?
    var nik: String?
}
