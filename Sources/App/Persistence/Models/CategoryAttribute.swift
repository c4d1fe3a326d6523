import AduanCore
import Fluent
import Foundation

/// One Open311 service definition attribute of a category (`ServiceAttribute`); `value_list` holds its values as JSON.
final class CategoryAttribute: Model, @unchecked Sendable {
    static let schema = "category_attributes"
    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Field(key: "category_code") var categoryCode: String
    @Field(key: "code") var code: String
    @Field(key: "datatype") var datatype: String
    @Field(key: "required") var required: Bool
    @Field(key: "variable") var variable: Bool
    @Field(key: "description") var description: String
    @OptionalField(key: "datatype_description") var datatypeDescription: String?
    @Field(key: "position") var order: Int
    @Field(key: "value_list") var valueList: String

    init() {}

    init(category: String, _ a: ServiceAttribute) {
        categoryCode = category
        apply(a)
    }

    func apply(_ a: ServiceAttribute) {
        code = a.code; datatype = a.datatype.rawValue; required = a.required; variable = a.variable
        description = a.description; datatypeDescription = a.datatypeDescription; order = a.order
        valueList = String(decoding: (try? JSONEncoder().encode(a.values)) ?? Data("[]".utf8), as: UTF8.self)
    }

    var attribute: ServiceAttribute {
        ServiceAttribute(code: code, datatype: ServiceAttribute.DataType(rawValue: datatype) ?? .string, required: required, variable: variable,
                         description: description, datatypeDescription: datatypeDescription, order: order,
                         values: (try? JSONDecoder().decode([ServiceAttribute.Value].self, from: Data(valueList.utf8))) ?? [])
    }

    /// The attributes of every category, in each category's order.
    static func all(on db: any Database) async throws -> [String: [ServiceAttribute]] {
        let rows = try await CategoryAttribute.query(on: db).sort(\.$categoryCode).sort(\.$order).sort(\.$code).all()
        return Dictionary(grouping: rows, by: \.categoryCode).mapValues { $0.map(\.attribute) }
    }

    static func of(_ category: String, on db: any Database) async throws -> [ServiceAttribute] {
        try await CategoryAttribute.query(on: db).filter(\.$categoryCode == category).sort(\.$order).sort(\.$code).all().map(\.attribute)
    }
}
