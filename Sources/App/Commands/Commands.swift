import AduanCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// Registers the CLI subcommands of SPEC §12 on the one `aduan` binary.
func registerCommands(_ app: Application) {
    app.asyncCommands.use(MigrateCommand(), as: "migrate")
    app.asyncCommands.use(SeedCommand(), as: "seed")
    app.asyncCommands.use(WorkerCommand(), as: "worker")
    app.asyncCommands.use(UserGroup(), as: "user")
    app.asyncCommands.use(AuditGroup(), as: "audit")
    app.asyncCommands.use(DemoGroup(), as: "demo")
    app.asyncCommands.use(QRGroup(), as: "qr")
    app.asyncCommands.use(APIKeyGroup(), as: "apikey")
    app.asyncCommands.use(BackupCommand(), as: "backup")
    app.asyncCommands.use(RestoreCommand(), as: "restore")
    app.asyncCommands.use(ImportGroup(), as: "import")
    app.asyncCommands.use(OrgGroup(), as: "org")
    app.asyncCommands.use(ExportGroup(), as: "export")
    app.asyncCommands.use(MonevGroup(), as: "monev")
}

struct MigrateCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Create or upgrade the database schema (both engines)." }
    func run(using context: CommandContext, signature: Signature) async throws {
        try await Bootstrap.migrate(context.application)
        context.console.print("database is up to date")
    }
}

struct SeedCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Load the reference data (regions, units, holidays, categories). Safe to run again." }
    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await Bootstrap.migrate(app)
        let counts = try await ReferenceSeeder.seed(on: app.writeDB)
        app.reference.invalidate()
        context.console.print(counts.description)
    }
}

struct WorkerCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Flag(name: "once", help: "Run one sweep and exit.") var once: Bool
    }
    var help: String { "Run the background worker on its own (serve already runs one)." }
    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let worker = Worker(app: app, transport: try ChannelRouter.make(for: app).routingNationalBridge(app))
        if signature.once {
            let report = try await worker.runOnce()
            context.console.print("\(report)")
            return
        }
        let task = Task { await worker.loop(interval: app.settings.workerInterval) }
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let source = DispatchSource.makeSignalSource(signal: SIGTERM)
            signal(SIGTERM, SIG_IGN); signal(SIGINT, SIG_IGN)
            let interrupt = DispatchSource.makeSignalSource(signal: SIGINT)
            for s in [source, interrupt] { s.setEventHandler { done.resume(); source.cancel(); interrupt.cancel() }; s.resume() }
        }
        task.cancel()
        await task.value
    }
}

struct UserGroup: AsyncCommandGroup {
    var help: String { "Manage officer accounts." }
    var commands: [String: any AnyAsyncCommand] { ["create": UserCreateCommand(), "password": UserPasswordCommand()] }
}

/// For an officer who cannot use the e-mail reset (no SMTP, no address): sets a new password, clears a lock-out
/// and ends every session and API token of the account.
struct UserPasswordCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "username") var username: String?
        @Option(name: "password", help: "at least 10 characters") var password: String?
    }
    var help: String { "Set an officer's password: --username U --password P (ends their sessions)" }
    func run(using context: CommandContext, signature: Signature) async throws {
        guard let username = signature.username, let password = signature.password else {
            throw AppError.badRequest("--username and --password are required")
        }
        guard password.count >= 10 else { throw AppError.invalid("the password needs at least 10 characters", field: "password") }
        let app = context.application
        try await Bootstrap.migrate(app)
        guard let user = try await User.query(on: app.db).filter(\.$username == username).first() else {
            throw AppError.notFound("no officer \(username)")
        }
        user.passwordHash = try await app.password.async.hash(password)
        user.passwordChangedAt = app.clock.now
        user.failedLogins = 0
        user.lockedUntil = nil
        try await user.update(on: app.writeDB)
        try await Sessions.endOfficer(user.requireID(), on: app.writeDB)
        try await AuditEntry(at: app.clock.now, actor: "cli", action: "password_set", complaintID: nil, detail: username).create(on: app.writeDB)
        context.console.print("password of \(username) set; their sessions and API tokens have ended")
    }
}

struct UserCreateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "username") var username: String?
        @Option(name: "password") var password: String?
        @Option(name: "role", help: "coordinator, liaison, unit_head, inspector, executive or sysadmin") var role: String?
        @Option(name: "scope", help: "a jurisdiction (63) or a unit (63/dinkes)") var scope: String?
        @Option(name: "name", help: "display name") var name: String?
        @Option(name: "email") var email: String?
    }
    var help: String { "Create an officer: --username U --password P --role ROLE --scope SCOPE" }
    func run(using context: CommandContext, signature: Signature) async throws {
        guard let username = signature.username, let password = signature.password, let roleText = signature.role, let scopeText = signature.scope else {
            throw AppError.badRequest("--username, --password, --role and --scope are required")
        }
        guard let role = Role(rawValue: roleText) else {
            throw AppError.invalid("role must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))", field: "role")
        }
        guard let scope = Scope(scopeText) else { throw AppError.invalid("scope must look like 63 or 63/dinkes", field: "scope") }
        try await Bootstrap.migrate(context.application)
        try await UserAdmin.create(context.application, username: username, password: password, displayName: signature.name ?? username,
                                   email: signature.email, assignments: [RoleAssignment(role: role, scope: scope)])
        context.console.print("created \(username) (\(role.rawValue) on \(scope))")
    }
}

struct AuditGroup: AsyncCommandGroup {
    var help: String { "Check the integrity of the event log." }
    var commands: [String: any AnyAsyncCommand] { ["verify": AuditVerifyCommand()] }
}

struct AuditVerifyCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Recompute every event hash chain; exits non-zero when an event was edited or deleted." }
    func run(using context: CommandContext, signature: Signature) async throws {
        let result = try await AuditVerifier.verify(context.application)
        for problem in result.problems.prefix(50) { context.console.error(problem) }
        context.console.print("checked \(result.complaints) complaints and \(result.events) events: \(result.problems.isEmpty ? "chain intact" : "\(result.problems.count) problems")")
        if !result.problems.isEmpty { throw AuditVerifier.Broken(count: result.problems.count) }
    }
}

struct QRGroup: AsyncCommandGroup {
    var help: String { "QR codes of units and service points." }
    var commands: [String: any AnyAsyncCommand] { ["create": QRCreateCommand()] }
}

struct QRCreateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "unit", help: "the unit, e.g. 63/rsud-ulin") var unit: String?
        @Option(name: "label", help: "service point, e.g. \"Loket Poli Anak\"") var label: String?
        @Option(name: "location", help: "where the code hangs") var location: String?
    }
    var help: String { "Create a QR code for a unit: --unit UNIT [--label TEXT]; prints the code and its address." }
    func run(using context: CommandContext, signature: Signature) async throws {
        guard let unit = signature.unit else { throw AppError.badRequest("--unit UNIT is required") }
        let app = context.application
        try await Bootstrap.migrate(app)
        let record = try await QRService.create(app, unit: unit, label: signature.label, location: signature.location, by: "cli")
        context.console.print(record.code)
        context.console.print(QRService.url(record.code, app))
    }
}

/// `aduan monev rebuild` and `aduan monev check`: the stored monev counters (`MonevTally`).
struct MonevGroup: AsyncCommandGroup {
    var help: String { "The stored monev counters behind the dashboards." }
    var commands: [String: any AnyAsyncCommand] { ["rebuild": MonevRebuildCommand(), "check": MonevCheckCommand()] }
}

struct MonevRebuildCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Recompute the monev counters from the complaints and stages (after a repair or a restore of only some tables)." }
    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await Bootstrap.migrate(app)
        let result = try await MonevTally.rebuild(on: app.writeDB, reference: try await app.reference.get(on: app.db))
        context.console.print("recomputed the monev counters of \(result.complaints) complaints and \(result.stages) ended stages")
    }
}

struct MonevCheckCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Compare the stored monev counters with a fresh computation; exits non-zero when they differ." }
    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let differences = try await MonevTally.check(on: app.db, reference: try await app.reference.get(on: app.db))
        for d in differences.prefix(50) {
            context.console.error("\(d.key.month) \(d.key.jurisdiction) \(d.key.unit.isEmpty ? "-" : d.key.unit) \(d.key.metric) \(d.key.key): "
                                  + "stored \(d.stored.n)/\(d.stored.total), computed \(d.computed.n)/\(d.computed.total)")
        }
        context.console.print(differences.isEmpty ? "monev counters match the complaints and stages" : "\(differences.count) monev counters differ")
        if !differences.isEmpty { throw AppError.badRequest("\(differences.count) monev counters differ; run `aduan monev rebuild`") }
    }
}
