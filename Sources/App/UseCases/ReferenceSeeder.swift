import AduanCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// Loads the reference data shipped in Resources/seed (regions, provincial units, 2026 holidays, categories).
/// Idempotent: rows that exist are left as the administrator may have edited them.
enum ReferenceSeeder {
    struct Counts: Sendable, CustomStringConvertible {
        var jurisdictions = 0, units = 0, holidays = 0, categories = 0, defaults = 0
        var description: String {
            "added \(jurisdictions) jurisdictions, \(units) units, \(holidays) holidays, \(categories) categories, \(defaults) category defaults"
        }
    }

    static let province = ReferenceData.seedProvince

    static func seed(on db: any Database) async throws -> Counts {
        var counts = Counts()
        let regions = try csv("kalsel-regions")
        for row in regions {
            guard try await Jurisdiction.find(row["code"]!, on: db) == nil else { continue }
            try await Jurisdiction(code: row["code"]!, name: row["name"]!, kind: row["kind"]!, parentCode: row["parent"]).create(on: db)
            counts.jurisdictions += 1
        }

        var units: [(String, String, String, String, String?)] = []  // jurisdiction, slug, name, kind, parent slug
        for row in try csv("kalsel-opd") {
            units.append((province, row["slug"]!, row["name"]!, row["kind"] == "subunit" ? "subunit" : row["kind"]!, row["parent_slug"]))
        }
        // Every kabupaten/kota gets its own coordinator and inspectorate (SPEC §2); agencies are added by its admin.
        for row in regions where row["code"] != province {
            let place = row["name"]!
            units.append((row["code"]!, "diskominfo", "Dinas Komunikasi dan Informatika \(place)", "coordinator", nil))
            units.append((row["code"]!, "inspektorat", "Inspektorat \(place)", "inspectorate", nil))
        }
        for (jurisdiction, slug, name, kind, parent) in units {
            let id = "\(jurisdiction)/\(slug)"
            guard try await OrgUnit.find(id, on: db) == nil else { continue }
            try await OrgUnit(jurisdiction: jurisdiction, slug: slug, name: name, kind: kind,
                              parentID: parent.map { "\(jurisdiction)/\($0)" }).create(on: db)
            counts.units += 1
        }

        let existingHolidays = Set(try await Holiday.query(on: db).filter(\.$jurisdictionCode == nil).all().map(\.date))
        for row in try csv("id-holidays") where !existingHolidays.contains(row["date"]!) {
            try await Holiday(jurisdictionCode: nil, date: row["date"]!, name: row["name"]!, kind: row["kind"]!).create(on: db)
            counts.holidays += 1
        }

        for row in try csv("categories") {
            let code = row["code"]!
            if let existing = try await Category.find(code, on: db) {
                // A category seeded before English names shipped gets its English name; one already set is kept.
                if existing.nameEn == nil, let english = row["name_en"] { existing.nameEn = english; try await existing.update(on: db) }
            } else {
                try await Category(code: code, parentCode: row["parent"], name: row["name"]!, resolutionClass: row["resolution_class"]!,
                                   nameEn: row["name_en"]).create(on: db)
                counts.categories += 1
            }
            if let slug = row["default_unit"], try await OrgUnit.find("\(province)/\(slug)", on: db) != nil,
               try await CategoryDefault.query(on: db).filter(\.$categoryCode == code).filter(\.$jurisdictionCode == province).first() == nil {
                try await CategoryDefault(categoryCode: code, jurisdictionCode: province, unitID: "\(province)/\(slug)").create(on: db)
                counts.defaults += 1
            }
        }
        return counts
    }

    /// Rows of a seed CSV as dictionaries; empty cells are absent.
    static func csv(_ name: String) throws -> [[String: String]] {
        guard let url = Bundle.module.url(forResource: name, withExtension: "csv", subdirectory: "Resources/seed") else {
            throw AppError(status: .internalServerError, code: "internal", message: "seed file \(name).csv is missing from this build")
        }
        let lines = try String(contentsOf: url, encoding: .utf8).split(whereSeparator: \.isNewline).map(String.init)
        guard let header = lines.first?.split(separator: ",", omittingEmptySubsequences: false).map(String.init) else { return [] }
        return lines.dropFirst().map { line in
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            var row: [String: String] = [:]
            for (key, value) in zip(header, cells) where !value.isEmpty { row[key] = value }
            return row
        }
    }
}

/// First run and `migrate`: schema, SQLite journal mode, reference data, a first sysadmin.
enum Bootstrap {
    static func migrate(_ app: Application) async throws {
        if app.usesSQLite, let sql = app.writeDB as? any SQLDatabase {
            // A command beside a running server waits (bounded) for SQLite's writer on its autocommit writes too.
            try await SQLiteWriter.bound(app.writeDB)
            try await sql.raw("PRAGMA journal_mode = WAL").run()
        }
        try await app.autoMigrate()
        // Counters written by other formulas are recomputed before anything reads them.
        try await MonevTally.ensureCurrent(app)
    }

    /// Gives the query planner statistics: without them SQLite may walk a whole jurisdiction's index where the one
    /// on `updated_at` reads a page. SQLite has no automatic statistics: the worker runs this when it starts and
    /// daily (about 2 s over 1,000,000 complaints; readers are not blocked in WAL mode). PostgreSQL's autovacuum
    /// keeps its own; after a bulk load (`demo generate`) they are asked for at once.
    static func analyze(_ app: Application, afterBulkLoad: Bool = false) async throws {
        guard let sql = app.writeDB as? any SQLDatabase else { return }
        if app.usesSQLite || afterBulkLoad {
            try await sql.raw("ANALYZE").run()
        }
    }

    /// Makes an empty installation usable: reference data and a sysadmin whose password is printed once.
    static func firstRun(_ app: Application) async throws {
        try await migrate(app)
        if try await Jurisdiction.query(on: app.db).count() == 0 {
            let counts = try await ReferenceSeeder.seed(on: app.writeDB)
            app.reference.invalidate()
            app.logger.notice("seeded reference data: \(counts)")
        }
        if try await User.query(on: app.db).count() == 0 {
            let password = Secrets.randomToken(bytes: 12)
            try await UserAdmin.create(app, username: "admin", password: password, displayName: "Administrator",
                                       email: nil, assignments: [RoleAssignment(role: .sysadmin, scope: .jurisdiction(ReferenceSeeder.province))])
            // Printed on a console others may read: replaced at first sign-in before anything else opens.
            try await User.query(on: app.writeDB).filter(\.$username == "admin").set(\.$mustChangePassword, to: true).update()
            print("""
            ==============================================================
             First run: created the system administrator account
               username: admin
               password: \(password)
             This password is shown once. Signing in asks for a new one
             before any other page opens.
            ==============================================================
            """)
        }
    }
}

/// Creating officer accounts (CLI, first run and the sysadmin's user page).
enum UserAdmin {
    static let minPasswordLength = 10

    static func isValidUsername(_ username: String) -> Bool {
        username.count >= 3 && username.count <= 64 && username.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
    }

    /// Creates the account with its roles; `actor`, when given, is the administrator written to the audit log with it.
    /// `check`: roles given afterwards (through `RoleGrants`) that must be valid before the account is created.
    static func create(_ app: Application, username: String, password: String, displayName: String, email: String?,
                       assignments: [RoleAssignment], check: [RoleAssignment] = [], actor: String? = nil) async throws {
        let reference = try await app.reference.get(on: app.db)
        guard isValidUsername(username) else {
            throw AppError.invalid("username must be 3-64 letters, digits, '.', '_' or '-'", field: "username")
        }
        guard password.count >= minPasswordLength else { throw AppError.invalid("password must be at least 10 characters", field: "password") }
        try Self.check(assignments + check, tree: reference.tree)
        let hash = try await app.password.async.hash(password)
        let now = app.clock.now
        try await withRetriedTransaction(app.writeDB) { db in
            // Checked in the write transaction: the same form sent twice finds the first account.
            guard try await User.query(on: db).filter(\.$username == username).first() == nil else {
                throw AppError(status: .conflict, code: "conflict", message: "user \(username) already exists", field: "username")
            }
            let user = User(username: username, passwordHash: hash, displayName: displayName, email: email, createdAt: now)
            try await user.create(on: db)
            for a in assignments {
                try await UserRole(userID: user.id!, role: a.role.rawValue, scope: a.scope.description).create(on: db)
            }
            if let actor {
                let roles = assignments.map { "\($0.role.rawValue)@\($0.scope)" }.joined(separator: " ")
                try await AuditEntry(at: now, actor: actor, action: "user_create", complaintID: nil, detail: "\(username) \(roles)").create(on: db)
            }
        }
    }

    /// `--role` and `--scope` of the command line as an assignment.
    static func assignment(role roleText: String, scope scopeText: String) throws -> RoleAssignment {
        guard let role = Role(rawValue: roleText) else {
            throw AppError.invalid("role must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))", field: "role")
        }
        guard let scope = Scope(scopeText) else { throw AppError.invalid("scope must look like 63 or 63/dinkes", field: "scope") }
        return RoleAssignment(role: role, scope: scope)
    }

    /// Each role must name a scope that exists, of the kind the role takes.
    static func check(_ assignments: [RoleAssignment], tree: OrgTree) throws {
        for a in assignments {
            guard tree.contains(a.scope) else { throw AppError.invalid("unknown scope \(a.scope)", field: "scope") }
            switch a.scope {
            case .jurisdiction where !a.role.isJurisdictionScoped:
                throw AppError.invalid("\(a.role.rawValue) is scoped to a unit (e.g. 63/dinkes)", field: "scope")
            case .unit where a.role.isJurisdictionScoped:
                throw AppError.invalid("\(a.role.rawValue) is scoped to a jurisdiction (e.g. 63)", field: "scope")
            default: break
            }
        }
    }
}
