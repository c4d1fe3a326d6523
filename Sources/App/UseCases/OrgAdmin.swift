import AduanCore
import Fluent
import Foundation
import Vapor

/// The sysadmin's changes to the organisation tree, accounts, categories, calendars and settings. Callers have
/// validated the input and checked the administrator's scope; each change is one write transaction with its audit
/// entry, and whatever the reference cache holds is reloaded after it.
enum OrgAdmin {
    /// Setting key of the roles that must sign in with two-factor: a JSON array of role codes, e.g. `["coordinator","sysadmin"]`.
    static let totpRequiredRolesKey = "totp_required_roles"
    static let policyKey = "policy"

    /// Runs `body` in a write transaction, writes its audit entry there, and reloads the reference data after it.
    @discardableResult
    static func change<T: Sendable>(_ app: Application, actor: String, action: String, detail: String,
                                    _ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        let now = app.clock.now
        let result = try await withWriteTransaction(app) { db in
            let value = try await body(db)
            try await audit(db, at: now, actor: actor, action: action, detail: detail)
            return value
        }
        app.reference.invalidate()
        return result
    }

    static func audit(_ db: any Database, at now: Date, actor: String, action: String, detail: String) async throws {
        try await AuditEntry(at: now, actor: actor, action: action, complaintID: nil, detail: detail).create(on: db)
    }

    // MARK: Units

    /// False when a unit with this id exists already (a form sent twice): nothing is written then.
    static func createUnit(_ app: Application, actor: String, jurisdiction: String, slug: String, name: String, kind: UnitKind,
                           parent: String?) async throws -> Bool {
        let id = "\(jurisdiction)/\(slug)", now = app.clock.now
        let created = try await withWriteTransaction(app) { db in
            guard try await OrgUnit.find(id, on: db) == nil else { return false }
            try await OrgUnit(jurisdiction: jurisdiction, slug: slug, name: name, kind: kind.rawValue, parentID: parent).create(on: db)
            try await audit(db, at: now, actor: actor, action: "unit_create", detail: "\(id) kind=\(kind.rawValue) parent=\(parent ?? "-") name=\(name)")
            return true
        }
        app.reference.invalidate()
        return created
    }

    static func renameUnit(_ app: Application, actor: String, id: String, name: String) async throws {
        try await change(app, actor: actor, action: "unit_rename", detail: "\(id) name=\(name)") { db in
            guard let unit = try await OrgUnit.find(id, on: db) else { throw AppError.notFound() }
            unit.name = name
            try await unit.update(on: db)
        }
    }

    static func setUnitActive(_ app: Application, actor: String, id: String, active: Bool) async throws {
        try await change(app, actor: actor, action: active ? "unit_reactivate" : "unit_deactivate", detail: id) { db in
            guard let unit = try await OrgUnit.find(id, on: db) else { throw AppError.notFound() }
            unit.active = active
            try await unit.update(on: db)
        }
    }

    // MARK: Accounts

    static func removeRole(_ app: Application, actor: String, user: User, _ role: UserRole) async throws {
        let roleID = try role.requireID()
        try await change(app, actor: actor, action: "role_remove", detail: "\(user.username) \(role.role)@\(role.scope)") { db in
            try await UserRole.query(on: db).filter(\.$id == roleID).delete()
        }
    }

    /// A deactivated officer is signed out everywhere: their browser sessions and token logins end (API keys stay, unusable while inactive).
    static func setUserActive(_ app: Application, actor: String, user: User, active: Bool) async throws {
        let userID = try user.requireID()
        try await change(app, actor: actor, action: active ? "user_reactivate" : "user_deactivate", detail: user.username) { db in
            try await User.query(on: db).filter(\.$id == userID).set(\.$active, to: active).update()
            if !active {
                try await BrowserSession.query(on: db).filter(\.$kind == "officer").filter(\.$subjectID == userID).delete()
                try await APIToken.query(on: db).filter(\.$user.$id == userID).filter(\.$kind == "session").delete()
            }
        }
    }

    /// Forgets the officer's counted failed sign-ins, from every address (`SecretLimiter`).
    static func unlock(_ app: Application, actor: String, user: User) async throws {
        let subject = SecretSubject.stored(.signIn, SecretSubject.officer(user.username))
        try await change(app, actor: actor, action: "user_unlock", detail: user.username) { db in
            try await SecretLimiter.clear(subject: subject, on: db)
        }
    }

    /// Clears the TOTP secret: the officer signs in with the password alone until they enrol again.
    static func resetTwoFactor(_ app: Application, actor: String, user: User) async throws {
        let userID = try user.requireID()
        try await change(app, actor: actor, action: "totp_reset", detail: user.username) { db in
            try await User.query(on: db).filter(\.$id == userID).set(\.$totpSealed, to: nil).set(\.$recoveryCodes, to: nil)
                .set(\.$totpLastStep, to: nil).update()
        }
    }

    // MARK: Categories

    static func setResolutionClass(_ app: Application, actor: String, category code: String, _ resolutionClass: ResolutionClass) async throws {
        try await change(app, actor: actor, action: "category_class", detail: "\(code) \(resolutionClass.rawValue)") { db in
            guard let category = try await Category.find(code, on: db) else { throw AppError.notFound() }
            category.resolutionClass = resolutionClass.rawValue
            try await category.update(on: db)
        }
    }

    /// Renames a category in both languages (`nameEn` nil: English pages show the Indonesian name).
    static func setCategoryNames(_ app: Application, actor: String, category code: String, name: String, nameEn: String?) async throws {
        try await change(app, actor: actor, action: "category_names", detail: "\(code) id=\(name) en=\(nameEn ?? "-")") { db in
            guard let category = try await Category.find(code, on: db) else { throw AppError.notFound() }
            category.name = name
            category.nameEn = nameEn
            try await category.update(on: db)
        }
    }

    /// Sets the unit that usually handles the category in the jurisdiction, or clears it when `unit` is nil.
    static func setDefaultUnit(_ app: Application, actor: String, category code: String, jurisdiction: String, unit: String?) async throws {
        try await change(app, actor: actor, action: "category_unit", detail: "\(code)@\(jurisdiction) unit=\(unit ?? "-")") { db in
            let existing = try await CategoryDefault.query(on: db).filter(\.$categoryCode == code).filter(\.$jurisdictionCode == jurisdiction).first()
            switch (existing, unit) {
            case (let row?, let unit?): row.unitID = unit; try await row.update(on: db)
            case (let row?, nil): try await row.delete(on: db)
            case (nil, let unit?): try await CategoryDefault(categoryCode: code, jurisdictionCode: jurisdiction, unitID: unit).create(on: db)
            case (nil, nil): break
            }
        }
    }

    // MARK: Calendars

    static func setWorkingWeek(_ app: Application, actor: String, jurisdiction code: String, weekdays: [Int], timeZone: String) async throws {
        let days = weekdays.sorted().map(String.init).joined(separator: ",")
        try await change(app, actor: actor, action: "calendar_week", detail: "\(code) weekdays=\(days) time_zone=\(timeZone)") { db in
            guard let jurisdiction = try await Jurisdiction.find(code, on: db) else { throw AppError.notFound() }
            jurisdiction.workingWeekdays = days
            jurisdiction.timeZone = timeZone
            try await jurisdiction.update(on: db)
        }
    }

    static func holidays(_ calendar: HolidayCalendar, on db: any Database) -> QueryBuilder<Holiday> {
        switch calendar {
        case .national: return Holiday.query(on: db).filter(\.$jurisdictionCode == nil)
        case .jurisdiction(let code): return Holiday.query(on: db).filter(\.$jurisdictionCode == code)
        }
    }

    /// One holiday per date and calendar: false when the date is taken already (nothing is written then).
    static func addHoliday(_ app: Application, actor: String, calendar: HolidayCalendar, date: LocalDate, name: String,
                           kind: HolidayKind) async throws -> Bool {
        let now = app.clock.now
        let added = try await withWriteTransaction(app) { db in
            guard try await holidays(calendar, on: db).filter(\.$date == date.description).count() == 0 else { return false }
            try await Holiday(jurisdictionCode: calendar.jurisdictionCode, date: date.description, name: name, kind: kind.rawValue).create(on: db)
            try await audit(db, at: now, actor: actor, action: "holiday_add", detail: "\(calendar.pathComponent) \(date) \(kind.rawValue) \(name)")
            return true
        }
        app.reference.invalidate()
        return added
    }

    static func deleteHoliday(_ app: Application, actor: String, calendar: HolidayCalendar, _ holiday: Holiday) async throws {
        let id = try holiday.requireID()
        try await change(app, actor: actor, action: "holiday_delete", detail: "\(calendar.pathComponent) \(holiday.date) \(holiday.name)") { db in
            try await Holiday.query(on: db).filter(\.$id == id).delete()
        }
    }

    struct ImportCounts: Sendable, Equatable { var added = 0, updated = 0, unchanged = 0 }

    /// Adds the file's holidays to the calendar, one per date: a date already there takes the file's name and kind.
    /// Importing the same file again finds everything unchanged, writes nothing and leaves no audit entry.
    static func importHolidays(_ app: Application, actor: String, calendar: HolidayCalendar, entries: [HolidayEntry],
                               defaultKind: HolidayKind, filename: String) async throws -> ImportCounts {
        let now = app.clock.now
        let counts = try await withWriteTransaction(app) { db in
            let existing = try await holidays(calendar, on: db).all()
            let byDate = Dictionary(existing.map { ($0.date, $0) }, uniquingKeysWith: { first, _ in first })
            var counts = ImportCounts()
            for entry in entries {
                let kind = (entry.kind ?? defaultKind).rawValue
                if let holiday = byDate[entry.date.description] {
                    guard holiday.name != entry.name || holiday.kind != kind else { counts.unchanged += 1; continue }
                    holiday.name = entry.name; holiday.kind = kind
                    try await holiday.update(on: db)
                    counts.updated += 1
                } else {
                    try await Holiday(jurisdictionCode: calendar.jurisdictionCode, date: entry.date.description, name: entry.name, kind: kind).create(on: db)
                    counts.added += 1
                }
            }
            if counts.added + counts.updated > 0 {
                try await audit(db, at: now, actor: actor, action: "holiday_import",
                                detail: "\(calendar.pathComponent) \(filename) added=\(counts.added) updated=\(counts.updated)")
            }
            return counts
        }
        app.reference.invalidate()
        return counts
    }

    // MARK: Settings

    static func savePolicy(_ app: Application, actor: String, _ policy: Policy) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let value = String(decoding: try encoder.encode(policy), as: UTF8.self)
        try await saveSetting(app, actor: actor, action: "policy_update", key: policyKey, value: value)
    }

    static func saveTOTPRequiredRoles(_ app: Application, actor: String, _ roles: Set<Role>) async throws {
        let codes = Role.allCases.filter(roles.contains).map(\.rawValue)
        let value = String(decoding: try JSONEncoder().encode(codes), as: UTF8.self)
        try await saveSetting(app, actor: actor, action: "totp_roles_update", key: totpRequiredRolesKey, value: value)
    }

    /// The map tiles' server (issue 19); nil turns maps off. The Content-Security-Policy follows at once (it reads the
    /// reference data, which every change here reloads).
    static func saveMapTiles(_ app: Application, actor: String, _ tiles: TileServer?) async throws {
        let value: String
        if let tiles {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            value = String(decoding: try encoder.encode(tiles), as: UTF8.self)
        } else {
            value = ReferenceData.tilesOff
        }
        try await saveSetting(app, actor: actor, action: "map_tiles_update", key: ReferenceData.tilesKey, value: value)
    }

    static func totpRequiredRoles(on db: any Database) async throws -> Set<Role> {
        guard let text = try await Setting.find(totpRequiredRolesKey, on: db)?.value,
              let codes = try? JSONDecoder().decode([String].self, from: Data(text.utf8)) else { return [] }
        return Set(codes.compactMap(Role.init(rawValue:)))
    }

    private static func saveSetting(_ app: Application, actor: String, action: String, key: String, value: String) async throws {
        let now = app.clock.now
        try await change(app, actor: actor, action: action, detail: value) { db in
            if let setting = try await Setting.find(key, on: db) {
                setting.value = value; setting.updatedAt = now
                try await setting.update(on: db)
            } else {
                try await Setting(key: key, value: value, updatedAt: now).create(on: db)
            }
        }
    }
}

/// A list of holidays: the national one every jurisdiction follows, or one jurisdiction's own local holidays.
enum HolidayCalendar: Hashable, Sendable {
    case national
    case jurisdiction(String)

    static let nationalPathComponent = "nasional"

    init?(pathComponent: String) {
        if pathComponent == Self.nationalPathComponent { self = .national; return }
        guard Scope.isJurisdictionCode(pathComponent) else { return nil }
        self = .jurisdiction(pathComponent)
    }

    var pathComponent: String {
        switch self {
        case .national: return Self.nationalPathComponent
        case .jurisdiction(let code): return code
        }
    }

    /// `Holiday.jurisdictionCode` of its rows.
    var jurisdictionCode: String? {
        switch self {
        case .national: return nil
        case .jurisdiction(let code): return code
        }
    }
}
