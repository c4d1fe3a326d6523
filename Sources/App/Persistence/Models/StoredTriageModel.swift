import Fluent
import Foundation

/// One trained triage model of a jurisdiction (`M019_TriageModels`); the newest version is the one in use.
final class StoredTriageModel: Model, @unchecked Sendable {
    static let schema = "triage_models"

    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Field(key: "jurisdiction_code") var jurisdictionCode: String
    @Field(key: "version") var version: Int
    @Field(key: "model") var model: Data
    @Field(key: "trained_at") var trainedAt: Date
    @Field(key: "examples") var examples: Int
    @Field(key: "unit_examples") var unitExamples: Int
    @Field(key: "category_examples") var categoryExamples: Int
    @OptionalField(key: "evaluation") var evaluation: String?
    @Field(key: "trained_by") var trainedBy: String

    init() {}
}
