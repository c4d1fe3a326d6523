import Foundation
import NIOConcurrencyHelpers
import Vapor

/// The two languages of the portal: Bahasa Indonesia first, English second (SPEC §11).
enum Language: String, CaseIterable, Sendable, Codable {
    case id, en

    static let cookie = "aduan_lang"

    /// `?lang=` wins, then the cookie, then Indonesian.
    static func of(_ req: Request) -> Language {
        if let q = req.query[String.self, at: "lang"], let l = Language(rawValue: q) { return l }
        if let c = req.cookies[cookie]?.string, let l = Language(rawValue: c) { return l }
        return .id
    }
}

/// All user-facing strings, one JSON catalogue per language in Resources/i18n. Templates read `t.key`.
struct Catalog: Sendable {
    let strings: [Language: [String: String]]

    static func load() throws -> Catalog {
        var strings: [Language: [String: String]] = [:]
        for language in Language.allCases {
            guard let url = Bundle.module.url(forResource: language.rawValue, withExtension: "json", subdirectory: "Resources/i18n") else {
                throw AppError(status: .internalServerError, code: "internal", message: "catalogue \(language.rawValue).json is missing")
            }
            strings[language] = try JSONDecoder().decode([String: String].self, from: Data(contentsOf: url))
        }
        return Catalog(strings: strings)
    }

    func table(_ language: Language) -> [String: String] { strings[language] ?? [:] }

    /// One string with `{name}` placeholders filled in.
    func text(_ key: String, _ language: Language, _ values: [String: String] = [:]) -> String {
        var text = strings[language]?[key] ?? strings[.id]?[key] ?? key
        for (name, value) in values { text = text.replacingOccurrences(of: "{\(name)}", with: value) }
        return text
    }
}

extension Application {
    private struct CatalogKey: StorageKey { typealias Value = Catalog }
    var catalog: Catalog {
        get { storage[CatalogKey.self]! }
        set { storage[CatalogKey.self] = newValue }
    }
}

/// Dates and durations in the reporter's words, in the jurisdiction's time zone.
struct Wording: Sendable {
    let language: Language
    let timeZone: TimeZone

    static let monthsID = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"]
    static let monthsEN = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
    static let daysID = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]
    static let daysEN = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

    /// "Rabu, 25 Maret 2026" / "Wednesday 25 March 2026".
    func date(_ instant: Date) -> String {
        let local = WorkingCalendarBridge.localDate(instant, timeZone)
        let months = language == .id ? Wording.monthsID : Wording.monthsEN
        let days = language == .id ? Wording.daysID : Wording.daysEN
        let day = days[local.isoWeekday - 1]
        return language == .id ? "\(day), \(local.day) \(months[local.month - 1]) \(local.year)"
                               : "\(day) \(local.day) \(months[local.month - 1]) \(local.year)"
    }

    /// "25 Mar 2026 14:05 WITA".
    func dateTime(_ instant: Date) -> String {
        let offset = timeZone.secondsFromGMT(for: instant)
        let shifted = instant.addingTimeInterval(TimeInterval(offset))
        var utc = Calendar(identifier: .gregorian); utc.timeZone = TimeZone(identifier: "UTC")!
        let c = utc.dateComponents([.year, .month, .day, .hour, .minute], from: shifted)
        let months = language == .id ? Wording.monthsID : Wording.monthsEN
        let zone = timeZone.identifier == "Asia/Makassar" ? "WITA" : timeZone.identifier == "Asia/Jakarta" ? "WIB"
            : timeZone.identifier == "Asia/Jayapura" ? "WIT" : timeZone.identifier
        return String(format: "%d %@ %d %02d:%02d %@", c.day!, String(months[c.month! - 1].prefix(3)), c.year!, c.hour!, c.minute!, zone)
    }
}

import AduanCore
enum WorkingCalendarBridge {
    static func localDate(_ instant: Date, _ zone: TimeZone) -> LocalDate {
        WorkingCalendar(timeZone: zone).localDate(of: instant)
    }
}

/// Where the App target's bundled resources are (templates, static files, catalogues).
enum AppResourceLocator {
    static var root: URL? { Bundle.module.url(forResource: "Resources", withExtension: nil)?.resolvingSymlinksInPath() }
    static var views: URL? { root?.appendingPathComponent("Views") }
}
