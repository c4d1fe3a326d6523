import Fluent
import Foundation
import SQLKit
import Vapor

/// Health, metrics and the API contract.
enum OpsController {
    struct Health: Content { var status: String; var database: String; var version: String }

    static func health(_ req: Request) async throws -> Response {
        var database = "ok"
        do {
            guard let sql = req.db as? any SQLDatabase else { throw AppError.notFound() }
            try await sql.raw("SELECT 1").run()
        } catch {
            database = "unavailable"
        }
        let response = Response(status: database == "ok" ? .ok : .serviceUnavailable)
        try response.content.encode(Health(status: database == "ok" ? "ok" : "degraded", database: database, version: AduanVersion.current), as: .json)
        return response
    }

    static func metrics(_ req: Request) async throws -> Response {
        if !req.application.settings.serveRunsWorker {
            try? await Gauges.refresh(req.application, now: req.application.clock.now)
        }
        let response = Response(status: .ok, body: .init(string: req.application.metrics.registry.emitToString()))
        response.headers.replaceOrAdd(name: .contentType, value: "text/plain; version=0.0.4; charset=utf-8")
        return response
    }

    static func openAPI(_ req: Request) async throws -> Response {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json", subdirectory: "Resources"),
              let data = try? Data(contentsOf: url) else { throw AppError.notFound("the API document is missing from this build") }
        let response = Response(status: .ok, body: .init(data: data))
        response.headers.contentType = .json
        return response
    }
}

enum AduanVersion {
    static let current = "0.1.0"
}
