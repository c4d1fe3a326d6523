import AduanCore
import Fluent
import Foundation
import Vapor

/// Loading units from a CSV (`OrgImport`, the rules) and the aliases of units (other names, e.g. how SP4N-LAPOR! writes
/// an agency), for the sysadmin's organisation page, the LAPOR agencies page and `aduan org import`.
extension OrgAdmin {
    struct UnitImport: Sendable {
        /// What the file changes (or would change, in a dry run); nil when it was refused.
        var plan: OrgImport.Plan?
        var errors: [OrgImport.LineError]
        /// Something was written.
        var applied: Bool
    }

    /// Reads an organisation CSV and, unless `dryRun` or any line is wrong, applies it in one transaction: all or
    /// nothing. The plan is made inside that transaction from the tree as it is then. `covers` limits the
    /// jurisdictions the caller may change.
    static func importUnits(_ app: Application, actor: String, data: Data, filename: String, dryRun: Bool,
                            covers: @escaping @Sendable (String) -> Bool = { _ in true }) async throws -> UnitImport {
        let table: [SheetRow]
        do { table = try SpreadsheetReader.rows(from: data) } catch let error as SpreadsheetError {
            return UnitImport(plan: nil, errors: [OrgImport.LineError(line: 1, problem: .header, value: error.description)], applied: false)
        }
        let (rows, headerErrors) = OrgImport.rows(table.map { ($0.line, $0.cells) })
        if !headerErrors.isEmpty { return UnitImport(plan: nil, errors: headerErrors, applied: false) }
        if dryRun {
            switch try await plan(rows, covers: covers, on: app.db) {
            case .success(let plan): return UnitImport(plan: plan, errors: [], applied: false)
            case .failure(let refusal): return UnitImport(plan: nil, errors: refusal.errors, applied: false)
            }
        }
        let now = app.clock.now
        let result = try await withWriteTransaction(app) { db -> UnitImport in
            let planned: OrgImport.Plan
            switch try await plan(rows, covers: covers, on: db) {
            case .success(let p): planned = p
            case .failure(let refusal): return UnitImport(plan: nil, errors: refusal.errors, applied: false)
            }
            guard !planned.isEmpty else { return UnitImport(plan: planned, errors: [], applied: false) }
            for change in planned.creates {
                let parts = change.unit.split(separator: "/", maxSplits: 1).map(String.init)
                try await OrgUnit(jurisdiction: parts[0], slug: parts[1], name: change.name, kind: change.kind.rawValue,
                                  parentID: change.parent).create(on: db)
            }
            for change in planned.updates {
                guard let unit = try await OrgUnit.find(change.unit, on: db) else { throw AppError.notFound() }
                unit.name = change.name
                unit.parentID = change.parent
                try await unit.update(on: db)
            }
            for alias in planned.aliases {
                let jurisdiction = String(alias.unit.split(separator: "/")[0])
                try await UnitAlias(jurisdiction: jurisdiction, alias: alias.alias, unit: alias.unit, createdBy: actor, at: now).create(on: db)
            }
            try await audit(db, at: now, actor: actor, action: "org_import",
                            detail: "\(filename): created=\(planned.creates.count) updated=\(planned.updates.count) aliases=\(planned.aliases.count)")
            return UnitImport(plan: planned, errors: [], applied: true)
        }
        if result.applied { app.reference.invalidate() }
        return result
    }

    /// The file's plan against the tree and aliases as they are in `db`.
    static func plan(_ rows: [OrgImport.Row], covers: @Sendable (String) -> Bool,
                     on db: any Database) async throws -> Result<OrgImport.Plan, OrgImport.Refusal> {
        let reference = try await ReferenceData.load(on: db)
        let aliases = try await UnitAlias.query(on: db).all().map { (jurisdiction: $0.jurisdictionCode, alias: $0.alias, unit: $0.unitID) }
        return OrgImport.plan(rows, tree: reference.tree, aliases: aliases, covers: covers)
    }

    enum AliasOutcome: Sendable, Equatable {
        case saved
        /// The name already means a unit (its own name, or an alias): nothing was written.
        case taken(unit: String)
    }

    /// Saves `alias` as another name of `unit` (an active unit of `jurisdiction`, checked by the caller).
    static func saveAlias(_ app: Application, actor: String, jurisdiction: String, alias: String, unit: String) async throws -> AliasOutcome {
        let now = app.clock.now
        let key = InstansiName.key(alias, places: [])
        let reference = try await app.reference.get(on: app.db)
        if let owner = reference.tree.units.values.first(where: { $0.jurisdiction == jurisdiction && InstansiName.key($0.name, places: []) == key }) {
            return .taken(unit: owner.id)
        }
        return try await withWriteTransaction(app) { db in
            if let existing = try await UnitAlias.query(on: db).filter(\.$jurisdictionCode == jurisdiction).filter(\.$aliasKey == key).first() {
                return .taken(unit: existing.unitID)
            }
            try await UnitAlias(jurisdiction: jurisdiction, alias: alias, unit: unit, createdBy: actor, at: now).create(on: db)
            try await audit(db, at: now, actor: actor, action: "unit_alias_add", detail: "\(unit) alias=\(alias)")
            return .saved
        }
    }

    static func deleteAlias(_ app: Application, actor: String, _ alias: UnitAlias) async throws {
        let id = try alias.requireID()
        let now = app.clock.now
        let detail = "\(alias.unitID) alias=\(alias.alias)"
        try await withWriteTransaction(app) { db in
            try await UnitAlias.query(on: db).filter(\.$id == id).delete()
            try await audit(db, at: now, actor: actor, action: "unit_alias_delete", detail: detail)
        }
    }

    /// One line's problem in the reader's language.
    static func describe(_ error: OrgImport.LineError, catalog: Catalog, language: Language) -> String {
        catalog.text("org_import_line", language, ["line": "\(error.line)",
                                                   "problem": catalog.text("org_import_error_\(error.problem.rawValue)", language, ["value": error.value])])
    }
}
