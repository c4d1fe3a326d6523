import Fluent
import Foundation

/// An administrator setting, stored as JSON text under a key (e.g. `policy`).
final class Setting: Model, @unchecked Sendable {
    static let schema = "settings"
    @ID(custom: "key", generatedBy: .user) var id: String?
    @Field(key: "value") var value: String
    @Field(key: "updated_at") var updatedAt: Date

    init() {}
    init(key: String, value: String, updatedAt: Date) { self.id = key; self.value = value; self.updatedAt = updatedAt }
}
