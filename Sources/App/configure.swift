import AduanCore
import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import Leaf
import LeafKit
import NIOSSL
import Vapor

/// Configures the application: settings, database, middleware, migrations, routes and commands.
public func configure(_ app: Application) async throws {
    try configure(app, settings: Settings.fromEnvironment())
    app.laporSettings = try LaporSettings.fromEnvironment()
}

func configure(_ app: Application, settings: Settings, databaseOverride: DatabaseConfigurationFactory? = nil) throws {
    app.settings = settings
    app.secrets = try Secrets.load(settings: settings, logger: app.logger)
    app.metrics = AppMetrics()
    app.submissionLimiter = RateLimiter()
    app.apiKeyLimiter = APIKeyLimiter()
    app.addressGate = AddressGate()
    app.bodyBudget = BodyBudget(capacity: settings.limits.bodyMemoryBytes)
    // Every outbound HTTP request is checked against the outbound policy (Core/OutboundPolicy.swift).
    app.clients.use { app in GuardedClient(app: app, eventLoop: app.eventLoopGroup.next()) }
    _ = app.clock
    _ = app.reference

    if let databaseOverride {
        app.databases.use(databaseOverride, as: .main)
        app.usesSQLite = !(settings.databaseURL != nil)
    } else if let url = settings.databaseURL {
        var config = try SQLPostgresConfiguration(url: url)
        if url.contains("sslmode=disable") || !(url.contains("sslmode=")) {
            config.coreConfiguration.tls = .disable
        }
        app.databases.use(.postgres(configuration: config, maxConnectionsPerEventLoop: 4), as: .main)
        app.usesSQLite = false
        app.databaseProbe = DatabaseProbe(configuration: config.coreConfiguration, eventLoopGroup: app.eventLoopGroup, logger: app.logger)
        app.lifecycle.use(DatabaseProbeShutdown())
    } else {
        // Private before SQLite opens it: the file is made 0600 here, and SQLite gives its -wal and -shm the same mode.
        try DataFolder.secure(settings.dataDirectory)
        let file = settings.dataDirectory.appendingPathComponent("aduan.sqlite")
        try DataFolder.privateFile(file)
        app.databases.use(.sqlite(.file(file.path), sqlLogLevel: .trace), as: .main)
        app.usesSQLite = true
    }
    SQLiteWriter.wait = settings.databaseWait
    app.http.server.configuration.shutdownTimeout = .seconds(Int64(settings.shutdownGrace))
    app.prepareWriter()
    app.migrations.add(M001_CreateSchema())
    app.migrations.add(M002_ReporterAccounts())
    app.migrations.add(M003_QRCodes())
    app.migrations.add(M004_APIKeys())
    app.migrations.add(M005_OfficerWorkspace())
    app.migrations.add(M006_Warnings())
    app.migrations.add(M007_MessageChannels())
    app.migrations.add(M008_DigestAndReminders())
    app.migrations.add(M009_LaporInterop())
    app.migrations.add(M010_APIKeyLimits())
    app.migrations.add(M011_WebhooksGateway())
    app.migrations.add(M012_MonevTally())
    app.migrations.add(M013_MonitoringNotes())
    app.migrations.add(M014_MonevExact())
    app.migrations.add(M015_ConfidentialCounts())
    app.migrations.add(M016_IdentityAndSecrets(totpKey: app.secrets.totpSealing))
    app.migrations.add(M017_AuditChain())
    app.migrations.add(M017_DeliveryCircuits())
    app.migrations.add(M018_LaporInstansi())
    app.migrations.add(M019_TriageModels())
    app.migrations.add(M021_OpenStagesByPlace())
    app.migrations.add(M022_MustChangePassword())
    app.migrations.add(M025_SharedRateLimits())
    app.migrations.add(M026_ComplaintAssignee())
    app.migrations.add(M027_CategoryEnglishName())
    _ = app.triageModels
    // The audit log chains each row as it is written, whoever writes it.
    app.databases.middleware.use(AuditChainMiddleware(secrets: app.secrets), on: .main)
    app.prepareDummyPasswordHash()

    let encoder = JSONEncoder()
    encoder.dateEncodingStrategy = .iso8601
    encoder.outputFormatting = [.withoutEscapingSlashes]
    ContentConfiguration.global.use(encoder: encoder, for: .json)

    app.catalog = try Catalog.load()
    guard let resources = AppResourceLocator.root else {
        throw AppError(status: .internalServerError, code: "internal", message: "resources are missing from this build")
    }
    app.views.use(.leaf)
    // Not `.default`: its "visible files only" rule refuses the build folder (.build) the resources live in.
    app.leaf.sources = .singleSource(NIOLeafFiles(fileio: app.fileio, limits: [.toSandbox, .requireExtensions], sandboxDirectory: resources.path,
                                                  viewDirectory: resources.appendingPathComponent("Views").path))

    app.middleware = Middlewares()
    app.middleware.use(ObservabilityMiddleware())
    app.middleware.use(SecurityHeadersMiddleware(https: settings.baseURL.hasPrefix("https://")))
    app.middleware.use(ResponseHeaderGuard())
    app.middleware.use(ErrorMiddleware())
    // Before anything reads a body: its size, pace and memory, and requests per address (Core/RequestLimits.swift).
    app.middleware.use(RequestLimitsMiddleware())
    app.middleware.use(PublicFiles(publicDirectory: resources.appendingPathComponent("Public").path + "/"))
    app.routes.defaultMaxBodySize = "1mb"
    app.http.server.configuration.hostname = "127.0.0.1"
    app.http.server.configuration.port = 8080
    app.http.server.configuration.idleTimeout = .seconds(settings.limits.idleTimeout)

    try routes(app)
    registerCommands(app)
}

/// Runs the command line; `serve` (the default) first makes an empty installation usable and starts the worker.
public func prepareAndRun(_ app: Application) async throws {
    let first = app.environment.arguments.dropFirst().first
    if first == nil || first == "serve" || first!.hasPrefix("-") {
        try await Bootstrap.firstRun(app)
        if app.settings.serveRunsWorker { app.lifecycle.use(WorkerLifecycle()) }
        // After the worker: handlers stop in reverse, so requests drain before the worker and the database stop.
        app.lifecycle.use(GracefulStop())
    }
    do {
        try await app.execute()
    } catch {
        // A command that found SQLite's writer held past ADUAN_DB_WAIT, or the database out of reach, says so plainly.
        throw DatabaseOutage.appError(for: error) ?? error
    }
}
