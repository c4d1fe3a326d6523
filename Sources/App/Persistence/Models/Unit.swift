import Fluent
import Foundation

/// An agency, sub-unit, coordinator or inspectorate, keyed `{jurisdiction}/{slug}`.
final class OrgUnit: Model, @unchecked Sendable {
    static let schema = "units"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "jurisdiction_code") var jurisdictionCode: String
    @Field(key: "slug") var slug: String
    @Field(key: "name") var name: String
    @Field(key: "kind") var kind: String
    @OptionalField(key: "parent_id") var parentID: String?
    @Field(key: "active") var active: Bool

    init() {}
    init(jurisdiction: String, slug: String, name: String, kind: String, parentID: String?) {
        self.id = "\(jurisdiction)/\(slug)"; self.jurisdictionCode = jurisdiction; self.slug = slug
        self.name = name; self.kind = kind; self.parentID = parentID; self.active = true
    }
}
