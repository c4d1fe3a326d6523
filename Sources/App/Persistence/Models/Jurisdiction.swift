import Fluent
import Foundation

/// A province or kabupaten/kota, keyed by its Kemendagri code, with its working-day calendar settings.
final class Jurisdiction: Model, @unchecked Sendable {
    static let schema = "jurisdictions"
    @ID(custom: "code", generatedBy: .user) var id: String?
    @Field(key: "name") var name: String
    @Field(key: "kind") var kind: String
    @OptionalField(key: "parent_code") var parentCode: String?
    @Field(key: "time_zone") var timeZone: String
    /// ISO weekdays, comma-separated ("1,2,3,4,5").
    @Field(key: "working_weekdays") var workingWeekdays: String

    init() {}
    init(code: String, name: String, kind: String, parentCode: String?, timeZone: String = "Asia/Makassar", workingWeekdays: String = "1,2,3,4,5") {
        self.id = code; self.name = name; self.kind = kind; self.parentCode = parentCode
        self.timeZone = timeZone; self.workingWeekdays = workingWeekdays
    }
}
