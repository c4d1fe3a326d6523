import Fluent
import Foundation

/// A topic in the category tree, with its default resolution class.
final class Category: Model, @unchecked Sendable {
    static let schema = "categories"
    @ID(custom: "code", generatedBy: .user) var id: String?
    @OptionalField(key: "parent_code") var parentCode: String?
    @Field(key: "name") var name: String
    /// The English name, shown on English pages (M027); nil: the Indonesian name there too.
    @OptionalField(key: "name_en") var nameEn: String?
    @Field(key: "resolution_class") var resolutionClass: String

    init() {}
    init(code: String, parentCode: String?, name: String, resolutionClass: String, nameEn: String? = nil) {
        self.id = code; self.parentCode = parentCode; self.name = name; self.resolutionClass = resolutionClass; self.nameEn = nameEn
    }
}

/// The unit that usually handles a category in one jurisdiction.
final class CategoryDefault: Model, @unchecked Sendable {
    static let schema = "category_defaults"
    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Field(key: "category_code") var categoryCode: String
    @Field(key: "jurisdiction_code") var jurisdictionCode: String
    @Field(key: "unit_id") var unitID: String

    init() {}
    init(categoryCode: String, jurisdictionCode: String, unitID: String) {
        self.categoryCode = categoryCode; self.jurisdictionCode = jurisdictionCode; self.unitID = unitID
    }
}
