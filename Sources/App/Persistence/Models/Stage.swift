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
    /// The working days it took, frozen when it ended (M012).
    @OptionalField(key: "working_days") var workingDays: Double?
    /// When its complaint was submitted (M012): the monev period of the stage, so open stages past due are counted
    /// from one index without reading the complaints.
    @OptionalField(key: "submitted_at") var submittedAt: Date?

    init() {}
}
