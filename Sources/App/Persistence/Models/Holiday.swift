import Fluent
import Foundation

/// A non-working day: national when `jurisdictionCode` is nil, otherwise local to that jurisdiction.
final class Holiday: Model, @unchecked Sendable {
    static let schema = "holidays"
    @ID(custom: "id", generatedBy: .database) var id: Int?
    @OptionalField(key: "jurisdiction_code") var jurisdictionCode: String?
    /// ISO date "YYYY-MM-DD".
    @Field(key: "date") var date: String
    @Field(key: "name") var name: String
    /// `libur_nasional`, `cuti_bersama` or `libur_daerah`.
    @Field(key: "kind") var kind: String

    init() {}
    init(jurisdictionCode: String?, date: String, name: String, kind: String) {
        self.jurisdictionCode = jurisdictionCode; self.date = date; self.name = name; self.kind = kind
    }
}
