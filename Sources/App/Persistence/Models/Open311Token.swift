import Fluent
import Foundation

/// The token `POST requests` hands out (GeoReport v2). Complaints are created at once, so it always names one.
final class Open311Token: Model, @unchecked Sendable {
    static let schema = "open311_tokens"
    @ID(custom: "token", generatedBy: .user) var id: String?
    @Field(key: "complaint_id") var complaintID: Int
    @Field(key: "created_at") var createdAt: Date

    init() {}
    init(token: String, complaintID: Int, at: Date) { self.id = token; self.complaintID = complaintID; self.createdAt = at }
}
