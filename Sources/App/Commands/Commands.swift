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
    app.asyncCommands.use(TriageGroup(), as: "triage")
    app.asyncCommands.use(ThumbnailCommand(), as: "thumbnail")
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
    var commands: [String: any AnyAsyncCommand] { ["create": UserCreateCommand(), "password": UserPasswordCommand(), "grant": UserGrantCommand()] }
}

/// For an officer who cannot use the e-mail reset (no SMTP, no address), or who is locked out (`admin` included):
/// sets a new password, forgets the account's counted failed sign-ins and ends every session and API token.
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
        user.mustChangePassword = nil
        try await user.update(on: app.writeDB)
        try await SecretLimiter.clear(subject: SecretSubject.stored(.signIn, SecretSubject.officer(username)), on: app.writeDB)
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
        let assignment = try UserAdmin.assignment(role: roleText, scope: scopeText)
        let app = context.application
        try await Bootstrap.migrate(app)
        try await UserAdmin.create(app, username: username, password: password, displayName: signature.name ?? username,
                                   email: signature.email, assignments: [], check: [assignment], actor: "cli")
        guard let user = try await User.query(on: app.db).filter(\.$username == username).first() else { throw AppError.notFound() }
        try await RoleGrants.request(app, actor: "cli", server: true, user: user, assignment)
        context.console.print("created \(username) (\(assignment.role.rawValue) on \(assignment.scope)); the Inspektorat of \(assignment.scope.jurisdiction) is told")
    }
}

/// Gives an officer a role from the server, at once: the way to grant a role that needs a second administrator
/// when there is none (issue 17), and how an administrator's own roles change. Audited as `cli`; the Inspektorat of
/// the scope's jurisdiction is told.
struct UserGrantCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "username") var username: String?
        @Option(name: "role", help: "coordinator, liaison, unit_head, inspector, executive or sysadmin") var role: String?
        @Option(name: "scope", help: "a jurisdiction (63) or a unit (63/dinkes)") var scope: String?
    }
    var help: String { "Give an officer a role at once: --username U --role ROLE --scope SCOPE (audited; the Inspektorat is told)" }
    func run(using context: CommandContext, signature: Signature) async throws {
        guard let username = signature.username, let roleText = signature.role, let scopeText = signature.scope else {
            throw AppError.badRequest("--username, --role and --scope are required")
        }
        let assignment = try UserAdmin.assignment(role: roleText, scope: scopeText)
        let app = context.application
        try await Bootstrap.migrate(app)
        try UserAdmin.check([assignment], tree: try await app.reference.get(on: app.db).tree)
        guard let user = try await User.query(on: app.db).filter(\.$username == username).first() else {
            throw AppError.notFound("no officer \(username)")
        }
        try await RoleGrants.request(app, actor: "cli", server: true, user: user, assignment)
        context.console.print("\(username) now holds \(assignment.role.rawValue) on \(assignment.scope); the Inspektorat of \(assignment.scope.jurisdiction) is told")
    }
}

struct AuditGroup: AsyncCommandGroup {
    var help: String { "Check the integrity of the event log." }
    var commands: [String: any AnyAsyncCommand] { ["verify": AuditVerifyCommand()] }
}

struct AuditVerifyCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String {
        "Check the event chains, each complaint against its events, the audit log's chain and the signed anchors; exits non-zero on any break."
    }
    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let result = try await AuditVerifier.verify(app)
        // Each kind of break apart, at most 50 lines of each.
        for kind in AuditVerifier.Kind.allCases {
            for finding in result.findings.filter({ $0.kind == kind }).prefix(50) { context.console.error("\(kind.rawValue): \(finding.text)") }
        }
        let counts = AuditVerifier.Kind.allCases.map { "\($0.rawValue) \(result.count($0) == 0 ? "intact" : "\(result.count($0)) problems")" }
        context.console.print("checked \(result.complaints) complaints, \(result.events) events, \(result.auditRows) audit rows and \(result.anchors) anchors: "
                              + counts.joined(separator: "; "))
        if let sql = app.db as? any SQLDatabase, let latest = try await AuditAnchors.latest(on: sql) {
            // Kept outside the database (a log, a ticket), the latest anchor also shows a deletion of the newest anchors.
            context.console.print("latest anchor: \(latest.id!) \(latest.mac)")
        }
        if !result.findings.isEmpty { throw AuditVerifier.Broken(count: result.findings.count) }
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
    var help: String { "Recompute the monev counters from the complaints, their events and stages (after a repair or a restore of only some tables)." }
    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await Bootstrap.migrate(app)
        let result = try await MonevTally.rebuild(on: app.writeDB, reference: try await app.reference.get(on: app.db))
        context.console.print("recomputed the monev counters of \(result.complaints) complaints (\(result.events) events) and \(result.stages) ended stages")
    }
}

struct MonevCheckCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String {
        "Check the stored monev counters: the three tables agree, they equal SQL counts of the rows, and a recomputation from the events; exits non-zero when not."
    }
    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await Bootstrap.migrate(app)
        let differences = try await MonevCheck.run(on: app.db, reference: try await app.reference.get(on: app.db))
        for d in differences.prefix(50) { context.console.error(d.description) }
        context.console.print(differences.isEmpty
            ? "monev counters agree: month, day and change tables; SQL counts of the complaint and stage rows; a recomputation from the events"
            : "\(differences.count) monev counters differ (1: the tables disagree, 2: SQL counts of the rows, 3: a recomputation)")
        if !differences.isEmpty { throw AppError.badRequest("\(differences.count) monev counters differ; run `aduan monev rebuild`") }
    }
}
