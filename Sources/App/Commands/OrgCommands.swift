import AduanCore
import Fluent
import Foundation
import Vapor

/// `aduan org import FILE.csv [--dry-run]` and `aduan org from-lapor EXPORT --jurisdiction CODE [--out FILE]`.
struct OrgGroup: AsyncCommandGroup {
    var help: String { "Load the organisation (units per jurisdiction) from CSV." }
    var commands: [String: any AnyAsyncCommand] { ["import": OrgImportCommand(), "from-lapor": OrgFromLaporCommand()] }
}

struct CommandRefused: Error, CustomStringConvertible {
    var description: String
}

struct OrgImportCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "file", help: "CSV with the columns jurisdiction,slug,name,kind,parent[,aliases]") var file: String
        @Flag(name: "dry-run", help: "show what would change, change nothing") var dryRun: Bool
    }
    var help: String { "Load units from CSV (jurisdiction,slug,name,kind,parent, optional aliases separated by |); idempotent." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        guard let data = FileManager.default.contents(atPath: signature.file) else { throw AppError.badRequest("cannot read \(signature.file)") }
        try await Bootstrap.migrate(app)
        let result = try await OrgAdmin.importUnits(app, actor: "cli", data: data, filename: signature.file, dryRun: signature.dryRun)
        for error in result.errors { context.console.error(OrgAdmin.describe(error, catalog: app.catalog, language: .id)) }
        guard let plan = result.plan else {
            throw CommandRefused(description: "\(result.errors.count) line(s) refused; nothing was changed")
        }
        for change in plan.creates {
            context.console.print("line \(change.line): create \(change.unit) (\(change.kind.rawValue)) \(change.name)" + (change.parent.map { " under \($0)" } ?? ""))
        }
        for change in plan.updates {
            var what: [String] = []
            if change.oldName != change.name { what.append("name \"\(change.oldName ?? "")\" → \"\(change.name)\"") }
            if change.oldParent != change.parent { what.append("parent \(change.oldParent ?? "-") → \(change.parent ?? "-")") }
            context.console.print("line \(change.line): update \(change.unit): " + what.joined(separator: ", "))
        }
        for alias in plan.aliases { context.console.print("line \(alias.line): alias \"\(alias.alias)\" → \(alias.unit)") }
        let counts = "\(plan.creates.count) to create, \(plan.updates.count) to update, \(plan.aliases.count) aliases to add, \(plan.unchanged) unchanged"
        context.console.print(signature.dryRun ? "dry run: \(counts); nothing was changed" : result.applied ? "done: \(counts)" : "nothing to change")
    }
}

/// Writes an organisation CSV from the agency names of a LAPOR export (`OrgDerivation`): the units the export's
/// complaints were dispositioned to, for `aduan org import`. The file is the operator's: it is derived from their
/// export and never shipped.
struct OrgFromLaporCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "export", help: "an SP4N-LAPOR! admin export, CSV or XLSX") var export: String
        @Option(name: "jurisdiction", help: "the jurisdiction whose units these are (e.g. 63.03)") var jurisdiction: String?
        @Option(name: "out", help: "the CSV to write (default: standard output)") var out: String?
    }
    var help: String { "Write an organisation CSV (for org import) from the agencies named in a LAPOR export." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        guard let jurisdiction = signature.jurisdiction else { throw AppError.badRequest("--jurisdiction CODE is required") }
        try await Bootstrap.migrate(app)
        let reference = try await app.reference.get(on: app.db)
        guard reference.tree.jurisdictions[jurisdiction] != nil else { throw AppError.badRequest("unknown jurisdiction \(jurisdiction)") }
        let (names, instansi) = try Self.agencies(in: .file(URL(fileURLWithPath: signature.export)))
        let (rows, skipped) = OrgDerivation.rows(names: names, jurisdiction: jurisdiction, tree: reference.tree, exportInstansi: instansi)
        let csv = Self.csv(rows)
        if let out = signature.out {
            try Data(csv.utf8).write(to: URL(fileURLWithPath: out))
            context.console.print("wrote \(rows.count) units to \(out)")
        } else {
            FileHandle.standardOutput.write(Data(csv.utf8))
        }
        for name in skipped { context.console.error("left out (the government itself, not a unit): \(name)") }
    }

    /// The agency names (`Instansi Terdisposisi`) of an export with their counts, and the title block's `Nama Instansi`.
    static func agencies(in source: SpreadsheetSource) throws -> ([String: Int], String?) {
        var columns: [LaporExport.Column: Int]?
        var preamble: [[String]] = []
        var names: [String: Int] = [:]
        try SpreadsheetReader.forEachRow(in: source) { row in
            guard let header = columns else {
                let mapped = LaporExport.mapHeader(row.cells)
                if LaporExport.isHeader(mapped) { columns = mapped } else { preamble.append(row.cells) }
                if preamble.count >= LaporExport.headerSearchRows { throw AppError.badRequest("not an SP4N-LAPOR! export: no header row") }
                return
            }
            guard let index = header[.agency], index < row.cells.count else { return }
            let name = row.cells[index].trimmingCharacters(in: .whitespacesAndNewlines)
            if !name.isEmpty { names[name, default: 0] += 1 }
        }
        guard let header = columns else { throw AppError.badRequest("not an SP4N-LAPOR! export: no header row") }
        guard header[.agency] != nil else { throw AppError.badRequest("the export has no \"Instansi Terdisposisi\" column") }
        return (names, LaporExport.instansiName(LaporExport.titleBlock(preamble)))
    }

    static func csv(_ rows: [OrgDerivation.Row]) -> String {
        func field(_ text: String) -> String {
            text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }
        var out = "jurisdiction,slug,name,kind,parent,aliases\n"
        for row in rows {
            out += [row.jurisdiction, row.slug, field(row.name), row.kind.rawValue, "", field(row.aliases.joined(separator: "|"))]
                .joined(separator: ",") + "\n"
        }
        return out
    }
}
