import Fluent
import Foundation

/// A file attached to a complaint (or to one of its events); the bytes live in the attachment store.
final class Attachment: Model, @unchecked Sendable {
    static let schema = "attachments"
    @ID(key: .id) var id: UUID?
    @Field(key: "complaint_id") var complaintID: Int
    @OptionalField(key: "event_seq") var eventSeq: Int?
    @Field(key: "filename") var filename: String
    @Field(key: "content_type") var contentType: String
    @Field(key: "size") var size: Int
    @Field(key: "sha256") var sha256: String
    @Field(key: "storage_key") var storageKey: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
}
