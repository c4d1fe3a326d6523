import AduanCore
import Foundation

/// One cell of a report written as CSV or XLSX, typed so that numbers stay numbers: an XLSX numeric cell (with a
/// number format for rates, days, dates) that Excel and LibreOffice sum and chart; in CSV the plain number with a
/// full stop for decimals and no grouping (like the API), dates as ISO 8601.
enum SheetCell: Sendable, Equatable {
    case text(String)
    case integer(Int)
    /// A fraction 0...1, shown as a percentage in XLSX; 4 decimals in CSV.
    case rate(Double)
    /// Working days, scores, means: 2 decimals in CSV, shown with 2 in XLSX.
    case decimal(Double)
    /// A calendar day.
    case date(LocalDate)
    /// A local date and time (already in the jurisdiction's time zone) and its UTC offset in seconds.
    case dateTime(LocalDate, secondsOfDay: Int, offset: Int)
    case empty

    /// A measured rate or decimal, or an empty cell when nothing could be measured.
    static func percent(_ value: Double?) -> SheetCell { value.map { SheetCell.rate($0) } ?? .empty }
    static func number(_ value: Double?) -> SheetCell { value.map { SheetCell.decimal($0) } ?? .empty }

    /// The CSV text of the cell.
    var csv: String {
        switch self {
        case .text(let s): return s
        case .integer(let n): return String(n)
        case .rate(let r): return String(format: "%.4f", r)
        case .decimal(let d): return String(format: "%.2f", d)
        case .date(let day): return day.description
        case .dateTime(let day, let seconds, let offset):
            let sign = offset < 0 ? "-" : "+"
            return String(format: "%@T%02d:%02d:%02d%@%02d:%02d", day.description, seconds / 3600, seconds % 3600 / 60, seconds % 60,
                          sign, abs(offset) / 3600, abs(offset) % 3600 / 60)
        case .empty: return ""
        }
    }

    /// Excel's serial day number (the 1900 date system: day 25569 is 1970-01-01).
    static func serial(_ day: LocalDate) -> Int { day.dayNumber + 25_569 }
}

extension CSVRowEncoder {
    /// A row of typed cells, written through the export's own field quoting.
    mutating func row(cells: [SheetCell]) { line(cells.map(\.csv)) }
}

extension XLSXRowEncoder {
    /// Styles of `xl/styles.xml` (`cellXfs`), by index.
    enum Style: Int {
        case plain = 0, bold = 1, percent = 2, decimal = 3, date = 4, dateTime = 5, integer = 6
    }

    /// A row of typed cells: numbers as numeric cells with a number format, text as inline strings.
    mutating func row(cells: [SheetCell], bold: Bool = false) throws {
        rowNumber += 1
        guard rowNumber <= XLSXRowEncoder.maxRows + 1 else {
            throw AppError.invalid("an XLSX sheet holds at most \(XLSXRowEncoder.maxRows) rows; export CSV or narrow the filters", field: "format")
        }
        let r = String(rowNumber)
        xml.append(contentsOf: "<row r=\"\(r)\">".utf8)
        for (index, cell) in cells.enumerated() {
            let ref = "\(Self.columnName(index))\(r)"
            func number(_ value: String, _ style: Style) {
                xml.append(contentsOf: "<c r=\"\(ref)\" s=\"\(style.rawValue)\"><v>\(value)</v></c>".utf8)
            }
            switch cell {
            case .empty: continue
            case .text(let s):
                xml.append(contentsOf: "<c r=\"\(ref)\" t=\"inlineStr\"".utf8)
                if bold { xml.append(contentsOf: " s=\"\(Style.bold.rawValue)\"".utf8) }
                xml.append(contentsOf: "><is><t xml:space=\"preserve\">".utf8)
                Self.escape(s, into: &xml)
                xml.append(contentsOf: "</t></is></c>".utf8)
            case .integer(let n): number(String(n), .integer)
            case .rate(let v) where v.isFinite: number(String(v), .percent)
            case .decimal(let v) where v.isFinite: number(String(v), .decimal)
            case .rate, .decimal: continue
            case .date(let day): number(String(SheetCell.serial(day)), .date)
            case .dateTime(let day, let seconds, _):
                number(String(Double(SheetCell.serial(day)) + Double(seconds) / 86_400), .dateTime)
            }
        }
        xml.append(contentsOf: "</row>".utf8)
        if xml.count >= Self.flushBytes {
            try zip.write(xml)
            xml.removeAll(keepingCapacity: true)
        }
    }
}
