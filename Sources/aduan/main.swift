import App
import Foundation
import Logging
import Vapor

var env = try Environment.detect()
if ProcessInfo.processInfo.environment["ADUAN_LOG_FORMAT"] == "json" {
    let level = Logger.Level(rawValue: ProcessInfo.processInfo.environment["LOG_LEVEL"] ?? "info") ?? .info
    LoggingSystem.bootstrap { label in
        var handler = JSONLogHandler(label: label)
        handler.logLevel = level
        return handler
    }
} else {
    try LoggingSystem.bootstrap(from: &env)
}
let app = try await Application.make(env)
do {
    try await configure(app)
    try await prepareAndRun(app)
} catch {
    app.logger.report(error: error)
    try? await app.asyncShutdown()
    exit(1)
}
try await app.asyncShutdown()
