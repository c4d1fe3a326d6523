import AduanCore
import Fluent
import Foundation
import NIOConcurrencyHelpers
import Vapor

/// The organisation tree, calendars, categories and policy: small, read on every decision, cached.
struct ReferenceData: Sendable {
    struct CategoryInfo: Sendable {
        var name: String; var parent: String?; var resolutionClass: ResolutionClass
        var nameEn: String? = nil
        /// The name for a page in `language`: English where the category has an English name, else the Indonesian.
        func name(_ language: Language) -> String { language == .en ? nameEn ?? name : name }
    }

    var tree: OrgTree
    var calendars: [String: WorkingCalendar]
    var categories: [String: CategoryInfo]
    /// Default handling unit per (category, jurisdiction).
    var categoryUnits: [String: String]
    var policy: Policy
    /// Roles whose officers must sign in with a second factor (setting `totp_required_roles`, a JSON array).
    var totpRequiredRoles: Set<Role> = []
    /// The years whose national holidays are loaded (issue 19: dues in other years are provisional).
    var coverage = CalendarCoverage(loadedYears: [])
    /// Where map tiles come from (setting `map_tiles`: the `TileServer` as JSON, or `off`); OpenStreetMap when unset,
    /// nil when the sysadmin turned maps off (issue 19: location on a map).
    var tiles: TileServer? = .openStreetMap

    /// The setting's key and the value that turns maps off.
    static let tilesKey = "map_tiles"
    static let tilesOff = "off"

    static func tiles(fromSetting value: String?) -> TileServer? {
        guard let value else { return .openStreetMap }
        if value == tilesOff { return nil }
        return (try? JSONDecoder().decode(TileServer.self, from: Data(value.utf8))) ?? .openStreetMap
    }

    /// The province the bundled seed describes (Kalimantan Selatan).
    static let seedProvince = "63"

    /// The jurisdiction forms and lists start from: the root of the tree (the province, `63` in Kalsel).
    var defaultJurisdiction: String {
        tree.jurisdictions.values.filter { $0.parent == nil }.map(\.code).sorted().first
            ?? tree.jurisdictions.keys.sorted().first ?? Self.seedProvince
    }

    func calendar(for jurisdiction: String) -> WorkingCalendar {
        calendars[jurisdiction] ?? WorkingCalendar(timeZone: WorkingCalendar.wita)
    }

    func context(now: Date) -> DecisionContext {
        let calendars = self.calendars
        return DecisionContext(now: now, policy: policy, tree: tree) { code in
            calendars[code] ?? WorkingCalendar(timeZone: WorkingCalendar.wita)
        }
    }

    static func load(on db: any Database) async throws -> ReferenceData {
        let jurisdictions = try await Jurisdiction.query(on: db).all()
        let units = try await OrgUnit.query(on: db).all()
        let holidays = try await Holiday.query(on: db).all()
        let categories = try await Category.query(on: db).all()
        let defaults = try await CategoryDefault.query(on: db).all()
        let policySetting = try await Setting.find("policy", on: db)
        let totpSetting = try await Setting.find("totp_required_roles", on: db)
        let tilesSetting = try await Setting.find(tilesKey, on: db)

        let tree = OrgTree(
            jurisdictions: jurisdictions.map { .init(code: $0.id!, name: $0.name, parent: $0.parentCode) },
            units: units.map { .init(id: $0.id!, jurisdiction: $0.jurisdictionCode, name: $0.name,
                                     kind: UnitKind(rawValue: $0.kind) ?? .agency, parent: $0.parentID, active: $0.active) })
        let national = Set(holidays.filter { $0.jurisdictionCode == nil }.compactMap { LocalDate($0.date) })
        let coverage = CalendarCoverage(national: holidays.filter { $0.jurisdictionCode == nil }.compactMap { h in
            LocalDate(h.date).flatMap { date in HolidayKind(rawValue: h.kind).map { (date: date, kind: $0) } }
        })
        var calendars: [String: WorkingCalendar] = [:]
        for j in jurisdictions {
            let local = Set(holidays.filter { $0.jurisdictionCode == j.id }.compactMap { LocalDate($0.date) })
            let weekdays = Set(j.workingWeekdays.split(separator: ",").compactMap { Int($0) }.filter { (1...7).contains($0) })
            calendars[j.id!] = WorkingCalendar(timeZone: TimeZone(identifier: j.timeZone) ?? WorkingCalendar.wita,
                                               workingWeekdays: weekdays, holidays: national.union(local))
        }
        var policy = Policy()
        if let text = policySetting?.value, let decoded = try? JSONDecoder().decode(Policy.self, from: Data(text.utf8)) {
            policy = decoded
        }
        return ReferenceData(
            tree: tree, calendars: calendars,
            categories: Dictionary(uniqueKeysWithValues: categories.map {
                ($0.id!, CategoryInfo(name: $0.name, parent: $0.parentCode,
                                       resolutionClass: ResolutionClass(rawValue: $0.resolutionClass) ?? policy.defaultResolutionClass, nameEn: $0.nameEn))
            }),
            categoryUnits: Dictionary(defaults.map { ("\($0.categoryCode)@\($0.jurisdictionCode)", $0.unitID) }, uniquingKeysWith: { a, _ in a }),
            policy: policy,
            totpRequiredRoles: Set((totpSetting.flatMap { try? JSONDecoder().decode([String].self, from: Data($0.value.utf8)) } ?? [])
                .compactMap(Role.init(rawValue:))),
            coverage: coverage, tiles: tiles(fromSetting: tilesSetting?.value))
    }
}

/// Holds the loaded reference data until something changes it.
final class ReferenceCache: Sendable {
    private let box = NIOLockedValueBox<ReferenceData?>(nil)

    func get(on db: any Database) async throws -> ReferenceData {
        if let cached = box.withLockedValue({ $0 }) { return cached }
        let loaded = try await ReferenceData.load(on: db)
        box.withLockedValue { $0 = loaded }
        return loaded
    }

    func invalidate() { box.withLockedValue { $0 = nil } }
}

extension Application {
    private struct ReferenceKey: StorageKey { typealias Value = ReferenceCache }
    var reference: ReferenceCache {
        if let cache = storage[ReferenceKey.self] { return cache }
        let cache = ReferenceCache()
        storage[ReferenceKey.self] = cache
        return cache
    }
}

extension Request {
    func reference() async throws -> ReferenceData { try await application.reference.get(on: db) }
}
