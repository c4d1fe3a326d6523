import Fluent

/// A category's English name (issue 19, fix 8): shown on English pages; the seed fills it for the shipped categories.
struct M027_CategoryEnglishName: AsyncMigration {
    var name: String { "M027_CategoryEnglishName" }

    func prepare(on db: any Database) async throws {
        try await db.schema("categories").field("name_en", .string).update()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("categories").deleteField("name_en").update()
    }
}
