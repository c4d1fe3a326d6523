import AduanCore
import Fluent
import Foundation
import Vapor

/// `aduan import lapor FILE [--jurisdiction CODE] [--partial] [--dry-run]`
struct ImportGroup: AsyncCommandGroup {
    var help: String { "Import complaints from other systems." }
    var commands: [String: any AnyAsyncCommand] { ["lapor": ImportLaporCommand()] }
}

struct ImportLaporCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "file", help: "an SP4N-LAPOR! admin export, CSV or XLSX") var file: String
        @Option(name: "jurisdiction", help: "the jurisdiction whose coordinator receives them (default: the province)") var jurisdiction: String?
        @Flag(name: "partial", help: "import the good rows even when others are rejected") var partial: Bool
        @Flag(name: "dry-run", help: "read and count everything, write nothing") var dryRun: Bool
    }
    var help: String { "Import an SP4N-LAPOR! admin export (CSV or XLSX); idempotent by LAPOR tracking number." }

    struct Refused: Error, CustomStringConvertible {
        var description: String
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let url = URL(fileURLWithPath: signature.file)
        guard FileManager.default.isReadableFile(atPath: url.path) else { throw AppError.badRequest("cannot read \(signature.file)") }
        try await Bootstrap.migrate(app)
        let reference = try await app.reference.get(on: app.db)
        let jurisdiction = signature.jurisdiction ?? reference.defaultJurisdiction
        let report = try await LaporImport.run(.file(url), jurisdiction: jurisdiction, partial: signature.partial, dryRun: signature.dryRun,
                                               actorRole: "system", actorID: "cli", app: app)
        if !signature.dryRun {
            try await AuditEntry(at: app.clock.now, actor: "cli", action: "lapor_import", complaintID: nil,
                                 detail: "\(signature.file) → \(jurisdiction): \(report.summary)".prefix(2_000).description).create(on: app.writeDB)
        }
        for item in report.complaints { context.console.print("line \(item.line): LAPOR \(item.lapor_id) → \(item.tracking_id) (\(item.state))") }
        for item in report.rejected { context.console.error("line \(item.line)\(item.lapor_id.map { " (\($0))" } ?? ""): \(item.reason)") }
        for line in report.details() { context.console.print(line) }
        context.console.print(report.summary)
        if !report.applied && !signature.dryRun { throw Refused(description: "rows were rejected; fix them or pass --partial") }
    }
}

extension LaporImportReport {
    /// The report's figures as lines of text (the command line's dry run and import).
    func details() -> [String] {
        func counts(_ d: [String: Int]) -> String {
            d.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { "\($0.key.isEmpty ? "(kosong)" : $0.key) \($0.value)" }.joined(separator: ", ")
        }
        var lines = ["rows: \(rows)" + (source_instansi.map { " (\($0)\(source_period.map { ", \($0)" } ?? ""))" } ?? "")]
        lines.append("by state: " + counts(by_state))
        lines.append("by LAPOR status: " + counts(by_lapor_status))
        lines.append("by type: " + counts(by_type))
        lines.append("by channel: " + counts(by_channel))
        if !by_archive_reason.isEmpty { lines.append("archive reasons: " + counts(by_archive_reason)) }
        lines.append("flags: anonim \(anonymous), rahasia \(confidential), berkadar pengawasan \(supervision)")
        lines.append("instansi: \(instansi_mapped) rows mapped to a unit, \(instansi_unmapped) rows not mapped, \(instansi_empty) rows without one")
        for item in instansi { lines.append("  \(item.name) (\(item.count)) → \(item.unit ?? "no unit")") }
        for item in unknown_values { lines.append("unknown value: \(item.column) \u{201C}\(item.value)\u{201D} ×\(item.count)") }
        if !missing_columns.isEmpty { lines.append("missing columns: " + missing_columns.joined(separator: ", ")) }
        for item in repeated { lines.append("line \(item.line): LAPOR \(item.lapor_id) again (first on line \(item.first_line)), skipped") }
        return lines
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
        let p = ScopedComplaints.Parameters(scope: signature.scope, include_sub: signature.includeSub, state: signature.state,
                                             type: signature.type, category: signature.category, q: signature.q)
        // The operator's export: every complaint, filtered as asked (officers export through the API, in their scope).
        let probe = Complaint.query(on: app.db)
        try ScopedComplaints.filter(probe, by: p, reference: reference, now: now, usesSQLite: usesSQLite)
        let partialPath = out + ".partial"
        FileManager.default.createFile(atPath: partialPath, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: partialPath) else { throw AppError.badRequest("cannot write \(out)") }
        let summary: ComplaintExport.Summary
        do {
            summary = try await ComplaintExport.stream(format, query: {
                let q = Complaint.query(on: app.db)
                try? ScopedComplaints.filter(q, by: p, reference: reference, now: now, usesSQLite: usesSQLite) // checked above
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
