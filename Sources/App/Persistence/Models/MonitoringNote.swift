import Fluent
import Foundation

/// A monitoring note of the inspectorate on a unit (SPEC §8 "its own notes"): read and written by the inspectors
/// whose jurisdiction holds the unit (`Access.canWarn`); the unit does not see it and owes no answer.
final class MonitoringNote: Model, @unchecked Sendable {
    static let schema = "monitoring_notes"

    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Field(key: "unit_id") var unitID: String
    @Field(key: "jurisdiction_code") var jurisdictionCode: String
    @Field(key: "text") var text: String
    @Field(key: "written_by") var writtenBy: String
    @Field(key: "written_at") var writtenAt: Date

    init() {}
}
