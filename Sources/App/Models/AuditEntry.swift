import Fluent
import Foundation

/// Audit log of what is not a lifecycle event: reads of confidential complaints, sign-ins, administration.
final class AuditEntry: Model, @unchecked Sendable {
    static let schema = "audit_log"
    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Field(key: "at") var at: Date
    @Field(key: "actor") var actor: String
    @Field(key: "action") var action: String
    @OptionalField(key: "complaint_id") var complaintID: Int?
    @Field(key: "detail") var detail: String

    init() {}
    init(at: Date, actor: String, action: String, complaintID: Int?, detail: String) {
        self.at = at; self.actor = actor; self.action = action; self.complaintID = complaintID; self.detail = detail
    }
}
