import AduanCore
import Fluent
import Foundation

/// One entry of a complaint's append-only, hash-chained log.
final class Event: Model, @unchecked Sendable {
    static let schema = "events"
    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Field(key: "complaint_id") var complaintID: Int
    @Field(key: "seq") var seq: Int
    @Field(key: "at") var at: Date
    @Field(key: "action") var action: String
    @OptionalField(key: "from_state") var fromState: String?
    @Field(key: "to_state") var toState: String
    @Field(key: "actor_role") var actorRole: String
    @OptionalField(key: "actor_id") var actorID: String?
    @OptionalField(key: "unit_id") var unitID: String?
    @Field(key: "jurisdiction_code") var jurisdictionCode: String
    @OptionalField(key: "public_text") var publicText: String?
    @OptionalField(key: "internal_text") var internalText: String?
    @OptionalField(key: "due_at") var dueAt: Date?
    @OptionalField(key: "late") var late: Bool?
    @Field(key: "data") var data: String
    @Field(key: "is_public") var isPublic: Bool
    @Field(key: "prev_hash") var prevHash: String
    @Field(key: "hash") var hash: String

    init() {}

    func canonical(trackingID: String) -> CanonicalEvent {
        CanonicalEvent(trackingID: trackingID, seq: seq, at: at, action: action, fromState: fromState, toState: toState,
                       actorRole: actorRole, actorID: actorID, unit: unitID, jurisdiction: jurisdictionCode,
                       publicText: publicText, internalText: internalText, dueAt: dueAt, late: late,
                       data: data, previousHash: prevHash)
    }

    var dataDictionary: [String: String] {
        (try? JSONDecoder().decode([String: String].self, from: Data(data.utf8))) ?? [:]
    }
}
