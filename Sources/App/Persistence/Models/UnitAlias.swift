import AduanCore
import Fluent
import Foundation

/// Another name of a unit in its jurisdiction — how SP4N-LAPOR! or people write it ("Dinas PU dan Tata Ruang Kab.
/// Bandung") — used to map imported LAPOR agencies to units (`InstansiMatcher`).
final class UnitAlias: Model, @unchecked Sendable {
    static let schema = "unit_aliases"

    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Field(key: "jurisdiction_code") var jurisdictionCode: String
    @Field(key: "alias") var alias: String
    @Field(key: "alias_key") var aliasKey: String
    @Field(key: "unit_id") var unitID: String
    @Field(key: "created_by") var createdBy: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
    init(jurisdiction: String, alias: String, unit: String, createdBy: String, at: Date) {
        self.jurisdictionCode = jurisdiction; self.alias = alias; self.aliasKey = InstansiName.key(alias, places: [])
        self.unitID = unit; self.createdBy = createdBy; self.createdAt = at
    }
}
