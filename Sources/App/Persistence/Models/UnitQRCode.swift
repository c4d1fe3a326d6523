import Fluent
import Foundation

/// A QR code for a unit, or for a service point inside it (a ward, a counter).
final class UnitQRCode: Model, @unchecked Sendable {
    static let schema = "qr_codes"
    @ID(key: .id) var id: UUID?
    /// Eight Crockford base32 symbols, in the URL `/q/{code}`.
    @Field(key: "code") var code: String
    @Field(key: "unit_id") var unitID: String
    /// The service point, e.g. "Loket Poli Anak".
    @OptionalField(key: "label") var label: String?
    @OptionalField(key: "location") var location: String?
    @Field(key: "active") var active: Bool
    /// Set when the code was rotated: the old code's page leads to the new one.
    @OptionalField(key: "replaced_by") var replacedBy: String?
    @Field(key: "scans") var scans: Int
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "created_by") var createdBy: String

    init() {}
}
