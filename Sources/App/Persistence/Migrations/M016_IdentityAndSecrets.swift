import Crypto
import Fluent
import Foundation
import SQLKit

/// Issue 17, identity and secrets: the counters of the one limiter every secret check goes through, officers' TOTP
/// secrets sealed instead of stored in clear (the existing ones are sealed here), e-mail verification of reporter
/// accounts, and role grants that wait for a second administrator.
struct M016_IdentityAndSecrets: AsyncMigration {
    /// The key `users.totp_sealed` is sealed with (AES-GCM, base64 of nonce + ciphertext + tag).
    let totpKey: SymmetricKey

    var name: String { "M016_IdentityAndSecrets" }

    func prepare(on db: any Database) async throws {
        try await db.schema("secret_attempts")
            .field("bucket", .string, .identifier(auto: false))
            .field("subject", .string, .required)
            .field("failures", .int, .required)
            .field("window_ends", .int64, .required)
            .create()

        try await db.schema("users").field("totp_sealed", .string).update()
        try await db.schema("reporter_accounts").field("verified_at", .datetime).update()

        try await db.schema("role_grants")
            .field("id", .int, .identifier(auto: true))
            .field("user_id", .uuid, .required)
            .field("role", .string, .required)
            .field("scope", .string, .required)
            .field("requested_by", .string, .required)
            .field("requested_at", .datetime, .required)
            .field("status", .string, .required)
            .field("decided_by", .string)
            .field("decided_at", .datetime)
            .create()

        guard let sql = db as? any SQLDatabase else { return }
        try await sql.raw("CREATE INDEX secret_attempts_subject ON secret_attempts (subject)").run()
        try await sql.raw("CREATE INDEX role_grants_status ON role_grants (status, user_id)").run()
        // Existing TOTP secrets are sealed and the clear column emptied.
        for row in try await sql.select().columns("id", "totp_secret").from("users").where("totp_secret", .isNot, SQLLiteral.null).all() {
            let id = try row.decode(column: "id", as: UUID.self)
            let secret = try row.decode(column: "totp_secret", as: String.self)
            let sealed = try AES.GCM.seal(Data(secret.utf8), using: totpKey).combined!.base64EncodedString()
            try await sql.update("users").set("totp_sealed", to: SQLBind(sealed)).set("totp_secret", to: SQLLiteral.null)
                .where("id", .equal, SQLBind(id)).run()
        }
    }

    func revert(on db: any Database) async throws {
        if let sql = db as? any SQLDatabase {
            for row in try await sql.select().columns("id", "totp_sealed").from("users").where("totp_sealed", .isNot, SQLLiteral.null).all() {
                let id = try row.decode(column: "id", as: UUID.self)
                guard let data = Data(base64Encoded: try row.decode(column: "totp_sealed", as: String.self)) else { continue }
                let secret = String(decoding: try AES.GCM.open(AES.GCM.SealedBox(combined: data), using: totpKey), as: UTF8.self)
                try await sql.update("users").set("totp_secret", to: SQLBind(secret)).where("id", .equal, SQLBind(id)).run()
            }
        }
        try await db.schema("role_grants").delete()
        try await db.schema("reporter_accounts").deleteField("verified_at").update()
        try await db.schema("users").deleteField("totp_sealed").update()
        try await db.schema("secret_attempts").delete()
    }
}
