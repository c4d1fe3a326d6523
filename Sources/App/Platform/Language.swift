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

    /// For machine clients (Open311), which send no cookie: `?lang=` wins, then the most preferred of ours in
    /// `Accept-Language` (RFC 9110 §12.5.4; `in` is Indonesian's withdrawn ISO 639 code), then Indonesian.
    static func negotiated(_ req: Request) -> Language {
        if let q = req.query[String.self, at: "lang"], let l = Language(rawValue: q) { return l }
        return preferred(req.headers.first(name: .acceptLanguage) ?? "")
    }

    static func preferred(_ header: String) -> Language {
        var best: (language: Language, weight: Double)?
        for item in header.split(separator: ",") {
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = parts.first?.lowercased(), !tag.isEmpty else { continue }
            let primary = tag.split(separator: "-").first.map(String.init) ?? tag
            guard let language = primary == "in" ? .id : Language(rawValue: primary) else { continue }
            var weight = 1.0
            for parameter in parts.dropFirst() where parameter.lowercased().hasPrefix("q=") {
                weight = Double(parameter.dropFirst(2)) ?? 0
            }
            if weight > 0, weight > (best?.weight ?? 0) { best = (language, weight) }
        }
        return best?.language ?? .id
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

extension Request {
    var language: Language { Language.of(self) }

    func text(_ key: String, _ values: [String: String] = [:]) -> String {
        application.catalog.text(key, language, values)
    }
}

/// Dates in the reader's words and language, in the jurisdiction's time zone; month and day names come from the
/// catalogues (`month_1`…`month_12`, `day_1` Monday…`day_7`).
struct Wording: Sendable {
    let language: Language
    let timeZone: TimeZone
    let catalog: Catalog

    init(_ req: Request, timeZone: TimeZone) {
        self.language = req.language; self.timeZone = timeZone; self.catalog = req.application.catalog
    }

    func month(_ m: Int) -> String { catalog.text("month_\(m)", language) }

    /// "Rabu, 25 Maret 2026" / "Wednesday, 25 March 2026".
    func date(_ instant: Date) -> String {
        let local = WorkingCalendarBridge.localDate(instant, timeZone)
        return "\(catalog.text("day_\(local.isoWeekday)", language)), \(local.day) \(month(local.month)) \(local.year)"
    }

    /// "25 Mar 2026 14:05 WITA".
    func dateTime(_ instant: Date) -> String {
        let offset = timeZone.secondsFromGMT(for: instant)
        let local = WorkingCalendarBridge.localDate(instant, timeZone)
        let seconds = ((Int(instant.timeIntervalSince1970) + offset) % 86_400 + 86_400) % 86_400
        let zone = timeZone.identifier == "Asia/Makassar" ? "WITA" : timeZone.identifier == "Asia/Jakarta" ? "WIB"
            : timeZone.identifier == "Asia/Jayapura" ? "WIT" : timeZone.identifier
        return String(format: "%d %@ %d %02d:%02d %@", local.day, String(month(local.month).prefix(3)), local.year,
                      seconds / 3600, seconds % 3600 / 60, zone)
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
