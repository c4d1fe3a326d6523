import Fluent
import Foundation
import SQLKit
import Vapor

/// Health, metrics and the API contract.
enum OpsController {
    struct Health: Content { var status: String; var database: String; var version: String }

    static func health(_ req: Request) async throws -> Response {
        let reachable = await databaseReachable(req)
        let response = Response(status: reachable ? .ok : .serviceUnavailable)
        if !reachable { response.headers.replaceOrAdd(name: .retryAfter, value: String(DatabaseOutage.retryAfter)) }
        try response.content.encode(Health(status: reachable ? "ok" : "degraded", database: reachable ? "ok" : "unavailable",
                                           version: AduanVersion.current), as: .json)
        return response
    }

    /// The proxy's readiness check: 200 while this instance takes requests (database reachable, not stopping);
    /// 503 from SIGTERM on (`GracefulStop`) and while the database is unreachable.
    static func ready(_ req: Request) async throws -> Response {
        struct Ready: Content { var status: String; var database: String }
        let draining = req.application.readiness.draining
        let reachable = await databaseReachable(req)
        let status = draining ? "draining" : (reachable ? "ready" : "unavailable")
        let response = Response(status: status == "ready" ? .ok : .serviceUnavailable)
        if status != "ready" { response.headers.replaceOrAdd(name: .retryAfter, value: String(DatabaseOutage.retryAfter)) }
        try response.content.encode(Ready(status: status, database: reachable ? "ok" : "unavailable"), as: .json)
        return response
    }

    static func databaseReachable(_ req: Request) async -> Bool {
        await req.application.databaseReachable(on: req.db)
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
