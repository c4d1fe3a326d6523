import Fluent
import Foundation
import SQLKit
import Vapor

/// An integration's key. The key itself is shown once at creation; only its SHA-256 is kept.
final class APIKey: Model, @unchecked Sendable {
    static let schema = "api_keys"
    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Field(key: "key_hash") var keyHash: String
    /// Comma-separated `APIKeyScope` codes.
    @Field(key: "scopes") var scopes: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "last_used_at") var lastUsedAt: Date?
    @Field(key: "use_count") var useCount: Int
    @Field(key: "active") var active: Bool

    init() {}

    var scopeSet: Set<APIKeyScope> { Set(scopes.split(separator: ",").compactMap { APIKeyScope(rawValue: String($0)) }) }
}

/// What a key may do (issue 8): submit complaints, read public data, read within a scope, act on complaints.
enum APIKeyScope: String, Sendable, CaseIterable {
    case submit, readPublic = "read-public", readScope = "read-scope", act
}

/// Creating and checking API keys, callable without HTTP.
enum APIKeys {
    struct Created: Sendable { var id: UUID; var key: String }

    static func parseScopes(_ text: String) throws -> [APIKeyScope] {
        let codes = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let scopes = try codes.map { code in
            guard let scope = APIKeyScope(rawValue: code) else {
                throw AppError.invalid("scope \(code) is not one of \(APIKeyScope.allCases.map(\.rawValue).joined(separator: ", "))", field: "scopes")
            }
            return scope
        }
        guard !scopes.isEmpty else { throw AppError.invalid("at least one scope is required", field: "scopes") }
        return scopes
    }

    static func create(_ app: Application, name: String, scopes: [APIKeyScope]) async throws -> Created {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...120).contains(trimmed.count) else { throw AppError.invalid("name is required and at most 120 characters", field: "name") }
        let key = "aduan_" + Secrets.randomToken(bytes: 24)
        let row = APIKey()
        row.id = UUID()
        row.name = trimmed
        row.keyHash = Secrets.sha256(key)
        row.scopes = scopes.map(\.rawValue).joined(separator: ",")
        row.createdAt = app.clock.now
        row.useCount = 0
        row.active = true
        try await withWriteTransaction(app) { db in try await row.create(on: db) }
        return Created(id: row.id!, key: key)
    }

    /// Finds the active key with `scope`, counts the use, or fails with 403.
    @discardableResult
    static func authorize(_ key: String?, scope: APIKeyScope, app: Application) async throws -> UUID {
        guard let key = key?.trimmingCharacters(in: .whitespaces), !key.isEmpty else {
            throw AppError.forbidden("api_key is required")
        }
        let hash = Secrets.sha256(key)
        guard let row = try await APIKey.query(on: app.db).filter(\.$keyHash == hash).filter(\.$active == true).first(),
              row.scopeSet.contains(scope), let id = row.id else {
            throw AppError.forbidden("api_key is not valid for \(scope.rawValue)")
        }
        let now = app.clock.now
        // One atomic increment, so concurrent uses are all counted.
        try await withWriteTransaction(app) { db in
            guard let sql = db as? any SQLDatabase else { return }
            try await sql.update(APIKey.schema)
                .set("use_count", to: SQLBinaryExpression(SQLIdentifier("use_count"), .add, SQLLiteral.numeric("1")))
                .set("last_used_at", to: SQLBind(now))
                .where("id", .equal, SQLBind(id))
                .run()
        }
        return id
    }
}

/// `aduan apikey create --name NAME --scopes submit,read-public`
struct APIKeyGroup: AsyncCommandGroup {
    var help: String { "Manage integration API keys." }
    var commands: [String: any AnyAsyncCommand] { ["create": APIKeyCreateCommand()] }
}

struct APIKeyCreateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "name", help: "who the key is for") var name: String?
        @Option(name: "scopes", help: "comma list of submit, read-public, read-scope, act") var scopes: String?
    }
    var help: String { "Create an API key: --name NAME --scopes submit,read-public (the key is printed once)." }
    func run(using context: CommandContext, signature: Signature) async throws {
        guard let name = signature.name, let scopesText = signature.scopes else { throw AppError.badRequest("--name and --scopes are required") }
        let scopes = try APIKeys.parseScopes(scopesText)
        try await Bootstrap.migrate(context.application)
        let created = try await APIKeys.create(context.application, name: name, scopes: scopes)
        context.console.print("created API key \(created.id) for \(name) (\(scopes.map(\.rawValue).joined(separator: ",")))")
        context.console.print("key (shown once, store it now): \(created.key)")
    }
}
