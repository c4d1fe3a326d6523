import Fluent
import Foundation

/// A formal warning (teguran) from the inspectorate to a unit, optionally about one complaint; the unit head
/// acknowledges it with a response.
final class UnitWarning: Model, @unchecked Sendable {
    static let schema = "warnings"
    /// Working days the unit head has to acknowledge a warning.
    static let acknowledgeWithinDays = 5

    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Field(key: "unit_id") var unitID: String
    @Field(key: "jurisdiction_code") var jurisdictionCode: String
    @OptionalField(key: "complaint_id") var complaintID: Int?
    @Field(key: "text") var text: String
    @Field(key: "issued_by") var issuedBy: String
    @Field(key: "issued_at") var issuedAt: Date
    @Field(key: "acknowledge_by") var acknowledgeBy: Date
    @OptionalField(key: "acknowledged_at") var acknowledgedAt: Date?
    @OptionalField(key: "acknowledged_by") var acknowledgedBy: String?
    @OptionalField(key: "response") var response: String?
    /// When the late-answer reminder went to the unit head (once).
    @OptionalField(key: "reminded_at") var remindedAt: Date?

    init() {}
}
