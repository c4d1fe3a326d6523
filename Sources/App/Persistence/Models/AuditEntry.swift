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
    /// The audit log's own chain (`AuditChain`): the previous row's hash and this row's, set as the row is written.
    @OptionalField(key: "prev_hash") var prevHash: String?
    @OptionalField(key: "hash") var hash: String?

    init() {}
    init(at: Date, actor: String, action: String, complaintID: Int?, detail: String) {
        self.at = at; self.actor = actor; self.action = action; self.complaintID = complaintID; self.detail = detail
    }
}
