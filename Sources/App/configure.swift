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
    } else {
        try FileManager.default.createDirectory(at: settings.dataDirectory, withIntermediateDirectories: true)
        let path = settings.dataDirectory.appendingPathComponent("aduan.sqlite").path
        app.databases.use(.sqlite(.file(path), sqlLogLevel: .trace), as: .main)
        app.usesSQLite = true
    }
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
    app.migrations.add(M018_LaporInstansi())

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
    app.middleware.use(ErrorMiddleware())
    app.middleware.use(FileMiddleware(publicDirectory: resources.appendingPathComponent("Public").path + "/"))
    app.routes.defaultMaxBodySize = "1mb"
    app.http.server.configuration.hostname = "127.0.0.1"
    app.http.server.configuration.port = 8080

    try routes(app)
    registerCommands(app)
}

/// Runs the command line; `serve` (the default) first makes an empty installation usable and starts the worker.
public func prepareAndRun(_ app: Application) async throws {
    let first = app.environment.arguments.dropFirst().first
    if first == nil || first == "serve" || first!.hasPrefix("-") {
        try await Bootstrap.firstRun(app)
        if app.settings.serveRunsWorker { app.lifecycle.use(WorkerLifecycle()) }
    }
    try await app.execute()
}
