import Fluent
import Foundation

/// An answer to a service definition attribute, kept with the complaint it came with (one row per value).
final class ComplaintAttribute: Model, @unchecked Sendable {
    static let schema = "complaint_attributes"
    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Field(key: "complaint_id") var complaintID: Int
    @Field(key: "code") var code: String
    @Field(key: "value") var value: String

    init() {}
    init(complaintID: Int, code: String, value: String) { self.complaintID = complaintID; self.code = code; self.value = value }
}
