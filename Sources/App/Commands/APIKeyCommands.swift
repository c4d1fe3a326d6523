import Vapor

/// `aduan apikey create --name NAME --scopes submit,read-public [--scope 63/dinkes] [--rate-limit 60]`
struct APIKeyGroup: AsyncCommandGroup {
    var help: String { "Manage integration API keys." }
    var commands: [String: any AnyAsyncCommand] { ["create": APIKeyCreateCommand()] }
}

struct APIKeyCreateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "name", help: "who the key is for") var name: String?
        @Option(name: "scopes", help: "comma list of submit, read-public, read-scope, act") var scopes: String?
        @Option(name: "scope", help: "jurisdiction (63) or unit (63/dinkes) a read-scope or act key is bound to") var scope: String?
        @Option(name: "rate-limit", help: "requests a minute (default 60; 0 = unlimited)") var rateLimit: String?
    }
    var help: String { "Create an API key: --name NAME --scopes submit,read-public [--scope UNIT] [--rate-limit N] (the key is printed once)." }
    func run(using context: CommandContext, signature: Signature) async throws {
        guard let name = signature.name, let scopesText = signature.scopes else { throw AppError.badRequest("--name and --scopes are required") }
        let app = context.application
        let scopes = try APIKeys.parseScopes(scopesText)
        let limit = try APIKeys.parseRateLimit(signature.rateLimit)
        try await Bootstrap.migrate(app)
        let reference = try await app.reference.get(on: app.db)
        let definition = try APIKeys.define(scopes: scopes, bound: signature.scope, rateLimit: limit, tree: reference.tree)
        let created = try await APIKeys.create(app, name: name, definition, actor: "cli")
        context.console.print("created API key \(created.id) for \(name) (\(APIKeys.describe(definition)))")
        context.console.print("key (shown once, store it now): \(created.key)")
    }
}
