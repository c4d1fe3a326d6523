import Foundation

/// Kinds of non-working day (SPEC §2, `data/id-holidays.csv`).
public enum HolidayKind: String, Sendable, Codable, CaseIterable {
    case libur_nasional, cuti_bersama, libur_daerah
}

/// One non-working day read from an import file.
public struct HolidayEntry: Sendable, Equatable {
    public var date: LocalDate
    public var name: String
    /// Nil when the file does not say (an empty CSV cell, an iCalendar event without a kind in CATEGORIES).
    public var kind: HolidayKind?
    /// The line of the file the entry comes from.
    public var line: Int

    public init(date: LocalDate, name: String, kind: HolidayKind?, line: Int) {
        self.date = date; self.name = name; self.kind = kind; self.line = line
    }
}

/// One problem in an import file, with the line it is on.
public struct HolidayImportError: Error, Sendable, Equatable {
    public enum Reason: Sendable, Equatable {
        case empty
        case tooManyEntries
        // CSV
        case missingColumn(String)
        case unterminatedQuote
        case badDate(String)
        case missingName
        case nameTooLong
        case badKind(String)
        case duplicateDate(LocalDate, firstLine: Int)
        // iCalendar
        case notCalendar
        case malformedLine
        case unexpectedEnd(String)
        case unclosed(String)
        case missingStart
        case notAllDay(String)
        case endNotAfterStart
        case badDuration(String)
        case spanTooLong(days: Int)
        case recurring
    }

    public var line: Int
    public var reason: Reason

    public init(line: Int, _ reason: Reason) { self.line = line; self.reason = reason }
}

/// All the problems of a file that was refused: an import is all or nothing.
public struct HolidayImportFailure: Error, Sendable, Equatable {
    public var errors: [HolidayImportError]
}

/// Reads holiday lists an administrator uploads: CSV with the columns of `id-holidays.csv` (`date,name,kind`; `kind`
/// optional; `;` as the separator too, as spreadsheets in an Indonesian locale save it) or iCalendar (RFC 5545)
/// all-day events. Pure: the shell decides what to store.
public enum HolidayImport {
    public enum Format: Sendable, Equatable { case csv, iCalendar }

    public static let maxNameLength = 200
    public static let maxEntries = 2_000
    /// The longest single event, in days: longer spans are typing mistakes, not holidays.
    public static let maxSpanDays = 31
    /// Reporting stops after this many problems; the file needs fixing anyway.
    public static let maxErrors = 50

    public static func format(of text: String) -> Format {
        withoutBOM(text).drop { $0.isWhitespace }.prefix(15).uppercased() == "BEGIN:VCALENDAR" ? .iCalendar : .csv
    }

    /// The entries of `text`, or every problem found (each with its line). Each date may appear once.
    public static func parse(_ text: String) throws(HolidayImportFailure) -> [HolidayEntry] {
        var (entries, errors) = format(of: text) == .iCalendar ? parseICalendar(withoutBOM(text)) : parseCSV(withoutBOM(text))
        if errors.isEmpty && entries.isEmpty { errors.append(HolidayImportError(line: 1, .empty)) }
        if entries.count > maxEntries { errors.append(HolidayImportError(line: entries[maxEntries].line, .tooManyEntries)) }
        var firstLine: [LocalDate: Int] = [:]
        for entry in entries {
            if let first = firstLine[entry.date] {
                errors.append(HolidayImportError(line: entry.line, .duplicateDate(entry.date, firstLine: first)))
            } else {
                firstLine[entry.date] = entry.line
            }
        }
        guard errors.isEmpty else {
            let byLine = errors.enumerated().sorted { ($0.element.line, $0.offset) < ($1.element.line, $1.offset) }.map(\.element)
            throw HolidayImportFailure(errors: Array(byLine.prefix(maxErrors)))
        }
        return entries
    }

    private static func withoutBOM(_ text: String) -> String {
        text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
    }

    /// Why a (trimmed) holiday name is refused, or nil.
    private static func nameProblem(_ name: String) -> HolidayImportError.Reason? {
        name.isEmpty ? .missingName : name.count > maxNameLength ? .nameTooLong : nil
    }

    // MARK: CSV (RFC 4180)

    static func parseCSV(_ text: String) -> ([HolidayEntry], [HolidayImportError]) {
        let firstLine = text.prefix { $0 != "\n" && $0 != "\r" && $0 != "\r\n" }
        let separator: Unicode.Scalar = firstLine.contains(";") && !firstLine.contains(",") ? ";" : ","
        let (records, quoteError) = csvRecords(text, separator: separator)
        var errors: [HolidayImportError] = quoteError.map { [HolidayImportError(line: $0, .unterminatedQuote)] } ?? []
        guard let header = records.first else { return ([], errors) }
        let columns = header.cells.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let dateColumn = columns.firstIndex(of: "date"), nameColumn = columns.firstIndex(of: "name")
        let kindColumn = columns.firstIndex(of: "kind")
        guard let dateColumn, let nameColumn else {
            for missing in ["date", "name"] where !columns.contains(missing) {
                errors.append(HolidayImportError(line: header.line, .missingColumn(missing)))
            }
            return ([], errors)
        }
        var entries: [HolidayEntry] = []
        for record in records.dropFirst() {
            func cell(_ index: Int) -> String {
                index < record.cells.count ? record.cells[index].trimmingCharacters(in: .whitespaces) : ""
            }
            let dateText = cell(dateColumn), kindText = kindColumn.map(cell) ?? ""
            let date = LocalDate(dateText)
            if date == nil { errors.append(HolidayImportError(line: record.line, .badDate(dateText))) }
            let kind = HolidayKind(rawValue: kindText)
            if !kindText.isEmpty && kind == nil { errors.append(HolidayImportError(line: record.line, .badKind(kindText))) }
            let name = cell(nameColumn).trimmingCharacters(in: .whitespacesAndNewlines)
            let nameProblem = nameProblem(name)
            if let nameProblem { errors.append(HolidayImportError(line: record.line, nameProblem)) }
            if let date, nameProblem == nil { entries.append(HolidayEntry(date: date, name: name, kind: kind, line: record.line)) }
        }
        return (entries, errors)
    }

    struct Record { var line: Int; var cells: [String] }

    /// Splits CSV text into records of cells; quoted cells may hold the separator, doubled quotes and line breaks.
    /// Blank lines are skipped. Returns the line of an unterminated quote, if any.
    static func csvRecords(_ text: String, separator: Unicode.Scalar) -> ([Record], Int?) {
        var records: [Record] = []
        var cells: [String] = [], cell = "", quoted = false, recordHadQuotes = false
        var line = 1, recordLine = 1, quoteLine = 1
        var scalars = Array(text.unicodeScalars)[...]
        func endRecord() {
            cells.append(cell)
            if recordHadQuotes || cells.contains(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) {
                records.append(Record(line: recordLine, cells: cells))
            }
            cells = []; cell = ""; recordHadQuotes = false
        }
        while let scalar = scalars.popFirst() {
            if quoted {
                if scalar == "\"" {
                    if scalars.first == "\"" { scalars.removeFirst(); cell.unicodeScalars.append("\"") } else { quoted = false }
                } else {
                    if scalar == "\n" || (scalar == "\r" && scalars.first != "\n") { line += 1 }
                    cell.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"" where cell.trimmingCharacters(in: .whitespaces).isEmpty:
                quoted = true; recordHadQuotes = true; quoteLine = line; cell = ""
            case separator:
                cells.append(cell); cell = ""
            case "\r" where scalars.first == "\n":
                continue
            case "\n", "\r":
                endRecord()
                line += 1; recordLine = line
            default:
                cell.unicodeScalars.append(scalar)
            }
        }
        if quoted { return (records, quoteLine) }
        endRecord()
        return (records, nil)
    }

    // MARK: iCalendar (RFC 5545)

    struct ContentLine {
        var line: Int
        var name: String
        var parameters: [String: String]
        var value: String
    }

    static func parseICalendar(_ text: String) -> ([HolidayEntry], [HolidayImportError]) {
        var entries: [HolidayEntry] = []
        var errors: [HolidayImportError] = []
        var open: [(name: String, line: Int)] = []
        var event: [String: ContentLine] = [:]
        var sawCalendar = false

        for logical in unfold(text) {
            guard let content = contentLine(logical.text, line: logical.line) else {
                errors.append(HolidayImportError(line: logical.line, .malformedLine)); continue
            }
            switch content.name {
            case "BEGIN":
                let component = content.value.uppercased()
                if open.isEmpty && component != "VCALENDAR" {
                    return (entries, [HolidayImportError(line: content.line, .notCalendar)])
                }
                sawCalendar = true
                open.append((component, content.line))
                if component == "VEVENT" { event = [:] }
            case "END":
                let component = content.value.uppercased()
                guard let top = open.last, top.name == component else {
                    errors.append(HolidayImportError(line: content.line, .unexpectedEnd(component))); continue
                }
                open.removeLast()
                if component == "VEVENT" {
                    do throws(HolidayImportError) {
                        entries += try holidays(of: event, beginLine: top.line)
                    } catch {
                        errors.append(error)
                    }
                }
            default:
                // Properties of the event itself; those of the calendar or of an alarm inside the event do not matter.
                if open.last?.name == "VEVENT" && event[content.name] == nil { event[content.name] = content }
            }
        }
        if !sawCalendar { return ([], [HolidayImportError(line: 1, .notCalendar)]) }
        for component in open { errors.append(HolidayImportError(line: component.line, .unclosed(component.name))) }
        return (entries, errors)
    }

    /// The days one VEVENT covers: DTSTART, up to DTEND (exclusive) or for DURATION, else that one day.
    static func holidays(of event: [String: ContentLine], beginLine: Int) throws(HolidayImportError) -> [HolidayEntry] {
        if event["STATUS"]?.value.uppercased() == "CANCELLED" { return [] }
        guard let startLine = event["DTSTART"] else { throw HolidayImportError(line: beginLine, .missingStart) }
        if let rule = event["RRULE"] ?? event["RDATE"] { throw HolidayImportError(line: rule.line, .recurring) }
        let start = try allDayDate(startLine)
        var days = 1
        if let endLine = event["DTEND"] {
            let end = try allDayDate(endLine)
            days = end.dayNumber - start.dayNumber
            guard days > 0 else { throw HolidayImportError(line: endLine.line, .endNotAfterStart) }
        } else if let durationLine = event["DURATION"] {
            guard let parsed = durationDays(durationLine.value) else {
                throw HolidayImportError(line: durationLine.line, .badDuration(durationLine.value))
            }
            days = parsed
        }
        guard days <= maxSpanDays else { throw HolidayImportError(line: startLine.line, .spanTooLong(days: days)) }
        guard let summary = event["SUMMARY"] else { throw HolidayImportError(line: beginLine, .missingName) }
        let name = unescape(summary.value).trimmingCharacters(in: .whitespacesAndNewlines)
        if let problem = nameProblem(name) { throw HolidayImportError(line: summary.line, problem) }
        let kind = event["CATEGORIES"].flatMap { line in
            splitUnescaped(line.value, on: ",").lazy.compactMap { HolidayKind(rawValue: unescape($0).trimmingCharacters(in: .whitespaces).lowercased()) }.first
        }
        return (0..<days).map { HolidayEntry(date: start.adding(days: $0), name: name, kind: kind, line: startLine.line) }
    }

    /// A DATE value (`20260101`); a DATE-TIME (`20260101T090000Z`) is not an all-day holiday.
    static func allDayDate(_ content: ContentLine) throws(HolidayImportError) -> LocalDate {
        let v = content.value.trimmingCharacters(in: .whitespaces)
        if v.contains("T") || v.contains("t") || content.parameters["VALUE"]?.uppercased() == "DATE-TIME" {
            throw HolidayImportError(line: content.line, .notAllDay(v))
        }
        guard v.count == 8, v.allSatisfy({ $0.isASCII && $0.isNumber }),
              let date = LocalDate("\(v.prefix(4))-\(v.dropFirst(4).prefix(2))-\(v.suffix(2))") else {
            throw HolidayImportError(line: content.line, .badDate(v))
        }
        return date
    }

    /// Whole days of a DURATION such as `P3D` or `P1W`; nil for anything with hours or for nothing at all.
    static func durationDays(_ text: String) -> Int? {
        let v = text.trimmingCharacters(in: .whitespaces).uppercased()
        guard v.hasPrefix("P"), let unit = v.last, unit == "D" || unit == "W",
              let count = Int(v.dropFirst().dropLast()), count > 0, count <= 10_000 else { return nil }
        return unit == "W" ? count * 7 : count
    }

    /// Logical lines: a physical line starting with a space or tab continues the previous one (RFC 5545 §3.1).
    static func unfold(_ text: String) -> [(line: Int, text: String)] {
        var result: [(line: Int, text: String)] = []
        var number = 0
        for physical in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            number += 1
            if let first = physical.first, first == " " || first == "\t", !result.isEmpty {
                result[result.count - 1].text += physical.dropFirst()
            } else if !physical.trimmingCharacters(in: .whitespaces).isEmpty {
                result.append((number, String(physical)))
            }
        }
        return result
    }

    /// `NAME;PARAM=value;PARAM="quoted:value":value`; nil when there is no name or no colon.
    static func contentLine(_ text: String, line: Int) -> ContentLine? {
        var inQuotes = false
        var colon: String.Index?
        for index in text.indices {
            if text[index] == "\"" { inQuotes.toggle() } else if text[index] == ":" && !inQuotes { colon = index; break }
        }
        guard let colon else { return nil }
        let head = splitUnescaped(String(text[..<colon]), on: ";", quotesOnly: true)
        guard let name = head.first?.trimmingCharacters(in: .whitespaces).uppercased(), !name.isEmpty else { return nil }
        var parameters: [String: String] = [:]
        for parameter in head.dropFirst() {
            guard let equals = parameter.firstIndex(of: "=") else { return nil }
            parameters[parameter[..<equals].uppercased()] = String(parameter[parameter.index(after: equals)...])
                .trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return ContentLine(line: line, name: name, parameters: parameters, value: String(text[text.index(after: colon)...]))
    }

    /// Splits on `separator` outside double quotes, and (unless `quotesOnly`) not after a backslash.
    static func splitUnescaped(_ text: String, on separator: Character, quotesOnly: Bool = false) -> [String] {
        var parts: [String] = [], current = ""
        var inQuotes = false, escaped = false
        for ch in text {
            if escaped { current.append(ch); escaped = false; continue }
            if ch == "\\" && !quotesOnly { escaped = true; current.append(ch); continue }
            if ch == "\"" { inQuotes.toggle() }
            if ch == separator && !inQuotes { parts.append(current); current = "" } else { current.append(ch) }
        }
        parts.append(current)
        return parts
    }

    /// TEXT values: `\\`, `\;`, `\,` and `\n` (a line break; a space in a one-line name).
    static func unescape(_ text: String) -> String {
        var result = "", escaped = false
        for ch in text {
            if escaped {
                result.append(ch == "n" || ch == "N" ? " " : ch)
                escaped = false
            } else if ch == "\\" {
                escaped = true
            } else {
                result.append(ch)
            }
        }
        return result
    }
}
