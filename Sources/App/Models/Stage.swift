import Fluent
import Foundation

/// A verification, response or resolution stage (SPEC §8), kept from the events for monitoring.
final class Stage: Model, @unchecked Sendable {
    static let schema = "stages"
    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Field(key: "complaint_id") var complaintID: Int
    @Field(key: "kind") var kind: String
    @Field(key: "jurisdiction_code") var jurisdictionCode: String
    @OptionalField(key: "unit_id") var unitID: String?
    @Field(key: "started_at") var startedAt: Date
    @Field(key: "due_at") var dueAt: Date
    @OptionalField(key: "ended_at") var endedAt: Date?
    @OptionalField(key: "late") var late: Bool?

    init() {}
}
