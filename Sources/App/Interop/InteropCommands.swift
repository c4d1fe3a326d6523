import AduanCore
import Fluent
import Foundation
import Vapor

/// `aduan import lapor FILE [--jurisdiction CODE] [--partial]`
struct ImportGroup: AsyncCommandGroup {
    var help: String { "Import complaints from other systems." }
    var commands: [String: any AnyAsyncCommand] { ["lapor": ImportLaporCommand()] }
}

struct ImportLaporCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "file", help: "an SP4N-LAPOR! admin export, CSV or XLSX") var file: String
        @Option(name: "jurisdiction", help: "the jurisdiction whose coordinator receives them (default: the province)") var jurisdiction: String?
        @Flag(name: "partial", help: "import the good rows even when others are rejected") var partial: Bool
    }
    var help: String { "Import an SP4N-LAPOR! admin export (CSV or XLSX); idempotent by LAPOR tracking number." }

    struct Refused: Error, CustomStringConvertible {
        var description: String
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        guard let data = FileManager.default.contents(atPath: signature.file) else {
            throw AppError.badRequest("cannot read \(signature.file)")
        }
        try await Bootstrap.migrate(app)
        let reference = try await app.reference.get(on: app.db)
        let jurisdiction = signature.jurisdiction ?? reference.defaultJurisdiction
        let report = try await LaporImport.run(data, jurisdiction: jurisdiction, partial: signature.partial, actorRole: "system",
                                               actorID: "cli", app: app)
        try await AuditEntry(at: app.clock.now, actor: "cli", action: "lapor_import", complaintID: nil,
                             detail: "\(signature.file) → \(jurisdiction): \(report.summary)".prefix(2_000).description).create(on: app.writeDB)
        for item in report.complaints { context.console.print("line \(item.line): LAPOR \(item.lapor_id) → \(item.tracking_id) (\(item.state))") }
        for item in report.rejected { context.console.error("line \(item.line)\(item.lapor_id.map { " (\($0))" } ?? ""): \(item.reason)") }
        context.console.print(report.summary)
        if !report.applied { throw Refused(description: "rows were rejected; fix them or pass --partial") }
    }
}

/// `aduan export complaints --format csv|xlsx --out FILE [filters]`
struct ExportGroup: AsyncCommandGroup {
    var help: String { "Export data." }
    var commands: [String: any AnyAsyncCommand] { ["complaints": ExportComplaintsCommand()] }
}

struct ExportComplaintsCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "format", help: "csv (default) or xlsx") var format: String?
        @Option(name: "out", help: "the file to write") var out: String?
        @Option(name: "scope", help: "a jurisdiction (63) or a unit (63/dinkes)") var scope: String?
        @Flag(name: "include-sub", help: "with a jurisdiction scope: the kabupaten/kota below it too") var includeSub: Bool
        @Option(name: "state", help: "states, comma-separated") var state: String?
        @Option(name: "type", help: "pengaduan, aspirasi, permintaan_informasi or wbs") var type: String?
        @Option(name: "category", help: "a category code") var category: String?
        @Option(name: "q", help: "words in the title or body, or a tracking ID") var q: String?
    }
    var help: String { "Export complaints as CSV or XLSX, streamed: --format csv|xlsx --out FILE [--scope S --state S …]" }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let out = signature.out else { throw AppError.badRequest("--out FILE is required") }
        guard let format = ExportFormat(rawValue: signature.format ?? "csv") else { throw AppError.badRequest("--format must be csv or xlsx") }
        let app = context.application
        try await Bootstrap.migrate(app)
        let reference = try await app.reference.get(on: app.db)
        let now = app.clock.now
        let usesSQLite = app.usesSQLite
        let p = ListingController.Parameters(scope: signature.scope, include_sub: signature.includeSub, state: signature.state,
                                             type: signature.type, category: signature.category, q: signature.q)
        // The operator's export: every complaint, filtered as asked (officers export through the API, in their scope).
        let probe = Complaint.query(on: app.db)
        try ListingController.filter(probe, by: p, reference: reference, now: now, usesSQLite: usesSQLite)
        let partialPath = out + ".partial"
        FileManager.default.createFile(atPath: partialPath, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: partialPath) else { throw AppError.badRequest("cannot write \(out)") }
        let summary: ComplaintExport.Summary
        do {
            summary = try await ComplaintExport.stream(format, query: {
                let q = Complaint.query(on: app.db)
                try? ListingController.filter(q, by: p, reference: reference, now: now, usesSQLite: usesSQLite) // checked above
                return q
            }, app: app) { bytes in try handle.write(contentsOf: bytes) }
            try handle.close()
            if FileManager.default.fileExists(atPath: out) { try FileManager.default.removeItem(atPath: out) }
            try FileManager.default.moveItem(atPath: partialPath, toPath: out)
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(atPath: partialPath)
            throw error
        }
        try await AuditEntry(at: now, actor: "cli", action: "export", complaintID: nil,
                             detail: "complaints.\(format.rawValue) → \(out): \(summary.rows) rows").create(on: app.writeDB)
        context.console.print("exported \(summary.rows) complaints to \(out)")
    }
}
