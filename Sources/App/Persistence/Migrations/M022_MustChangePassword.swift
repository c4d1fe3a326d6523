import Fluent

/// An officer who must choose a new password before any other page (issue 19, fix 10): the `admin` account made at
/// first start with a password printed on the console. Empty (null) for every other account.
struct M022_MustChangePassword: AsyncMigration {
    var name: String { "M022_MustChangePassword" }

    func prepare(on db: any Database) async throws {
        try await db.schema("users").field("must_change_password", .bool).update()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("users").deleteField("must_change_password").update()
    }
}
