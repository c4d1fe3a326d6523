import App
import Foundation
import Vapor

var env = try Environment.detect()
try bootstrapLogging(&env)
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
