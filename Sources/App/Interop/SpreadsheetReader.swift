import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import ZIPFoundation

/// One row of a spreadsheet with the number people see next to it (the CSV line where the record starts, or the
/// XLSX row number), so problems can be reported by line.
struct SheetRow: Sendable, Equatable {
    var line: Int
    var cells: [String]
}

enum SpreadsheetError: Error, CustomStringConvertible, Equatable {
    case unreadable(String)
    var description: String {
        switch self { case .unreadable(let why): return why }
    }
}

/// Reads the first sheet of an XLSX workbook or a CSV file into rows of text. XLSX is told from CSV by content
/// (a ZIP container), never by name. The ZIP container is read with ZIPFoundation and the sheet's XML with
/// Foundation's event parser: cell values as text (numbers as written, dates as Excel serial numbers), formulas by
/// their cached value.
enum SpreadsheetReader {
    /// Largest XML part read from a workbook (guards against ZIP bombs).
    static let maxPartBytes = 256 * 1_048_576

    static func rows(from data: Data) throws -> [SheetRow] {
        if data.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return try XLSX.rows(from: data) }
        return try CSV.rows(from: data)
    }

    // MARK: CSV

    enum CSV {
        /// RFC 4180 with what spreadsheets write in practice: a UTF-8 byte order mark, CRLF or LF, and `;` or a tab
        /// as the separator when the header line has more of those than commas (Excel in an Indonesian locale).
        static func rows(from data: Data) throws -> [SheetRow] {
            guard var text = String(data: data, encoding: .utf8) else {
                throw SpreadsheetError.unreadable("the file is neither an XLSX workbook nor UTF-8 text (CSV)")
            }
            if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
            if text.unicodeScalars.contains(where: { $0.value == 0 }) {
                throw SpreadsheetError.unreadable("the file is neither an XLSX workbook nor a CSV text file")
            }
            let separator = detectSeparator(text)
            var rows: [SheetRow] = []
            var cells: [String] = []
            var field = ""
            var quoted = false, wasQuoted = false
            var line = 1, rowLine = 1
            let scalars = Array(text.unicodeScalars)
            var i = 0
            func endField() { cells.append(field); field = ""; wasQuoted = false }
            func endRow() {
                endField()
                if !(cells.count == 1 && cells[0].isEmpty) { rows.append(SheetRow(line: rowLine, cells: cells)) }
                cells = []
            }
            while i < scalars.count {
                let c = scalars[i]
                if quoted {
                    if c == "\"" {
                        if i + 1 < scalars.count && scalars[i + 1] == "\"" { field.unicodeScalars.append("\""); i += 1 }
                        else { quoted = false }
                    } else {
                        if c == "\n" { line += 1 }
                        field.unicodeScalars.append(c)
                    }
                } else if c == "\"" && field.isEmpty && !wasQuoted {
                    quoted = true; wasQuoted = true
                } else if c == separator {
                    endField()
                } else if c == "\r" || c == "\n" {
                    if c == "\r" && i + 1 < scalars.count && scalars[i + 1] == "\n" { i += 1 }
                    endRow()
                    line += 1
                    rowLine = line
                } else {
                    field.unicodeScalars.append(c)
                }
                i += 1
            }
            if quoted { throw SpreadsheetError.unreadable("line \(rowLine): a quoted field is not closed") }
            if !field.isEmpty || !cells.isEmpty || wasQuoted { endRow() }
            return rows
        }

        static func detectSeparator(_ text: String) -> Unicode.Scalar {
            let firstLine = text.prefix { $0 != "\n" && $0 != "\r" }
            var counts: [Unicode.Scalar: Int] = [",": 0, ";": 0, "\t": 0]
            var quoted = false
            for c in firstLine.unicodeScalars {
                if c == "\"" { quoted.toggle() } else if !quoted, counts[c] != nil { counts[c]! += 1 }
            }
            let best = counts.max { a, b in a.value < b.value || (a.value == b.value && a.key != ",") }
            return (best?.value ?? 0) > 0 ? best!.key : ","
        }
    }

    // MARK: XLSX

    enum XLSX {
        static func rows(from data: Data) throws -> [SheetRow] {
            let archive: Archive
            do { archive = try Archive(data: data, accessMode: .read) } catch {
                throw SpreadsheetError.unreadable("the file looks like a ZIP container but cannot be opened as an XLSX workbook")
            }
            let sheetPath = try firstSheetPath(in: archive)
            let shared = try archive["xl/sharedStrings.xml"].map { try SharedStringsParser.parse(read($0, from: archive)) } ?? []
            guard let sheet = archive[sheetPath] else { throw SpreadsheetError.unreadable("the workbook has no sheet \(sheetPath)") }
            return try SheetParser.parse(read(sheet, from: archive), sharedStrings: shared)
        }

        /// The first sheet in the workbook's order, through the workbook's relationships.
        static func firstSheetPath(in archive: Archive) throws -> String {
            guard let workbook = archive["xl/workbook.xml"] else { throw SpreadsheetError.unreadable("the file is a ZIP container but not an XLSX workbook (no xl/workbook.xml)") }
            let relationID = try AttributeFinder.first(element: "sheet", attribute: "r:id", in: read(workbook, from: archive))
            guard let relationID, let rels = archive["xl/_rels/workbook.xml.rels"] else { return "xl/worksheets/sheet1.xml" }
            let targets = try AttributeFinder.all(element: "Relationship", in: read(rels, from: archive))
            guard let target = targets.first(where: { $0["Id"] == relationID })?["Target"] else { return "xl/worksheets/sheet1.xml" }
            return target.hasPrefix("/") ? String(target.dropFirst()) : "xl/" + target
        }

        static func read(_ entry: Entry, from archive: Archive) throws -> Data {
            guard entry.uncompressedSize <= UInt64(maxPartBytes) else {
                throw SpreadsheetError.unreadable("\(entry.path) is larger than \(maxPartBytes / 1_048_576) MB")
            }
            var data = Data()
            do {
                _ = try archive.extract(entry, skipCRC32: false) { chunk in
                    data.append(chunk)
                    if data.count > maxPartBytes { throw SpreadsheetError.unreadable("\(entry.path) is larger than \(maxPartBytes / 1_048_576) MB") }
                }
            } catch let error as SpreadsheetError {
                throw error
            } catch {
                throw SpreadsheetError.unreadable("\(entry.path) in the workbook is damaged")
            }
            return data
        }
    }

    /// `x:row` → `row` (some writers prefix the spreadsheet namespace).
    static func localName(_ name: String) -> Substring {
        name.split(separator: ":").last ?? Substring(name)
    }

    /// Collects attributes of elements with one name.
    final class AttributeFinder: NSObject, XMLParserDelegate {
        let element: String
        var found: [[String: String]] = []
        init(element: String) { self.element = element }

        static func all(element: String, in data: Data) throws -> [[String: String]] {
            let finder = AttributeFinder(element: element)
            let parser = XMLParser(data: data)
            parser.delegate = finder
            guard parser.parse() else { throw SpreadsheetError.unreadable("the workbook's XML is damaged") }
            return finder.found
        }

        static func first(element: String, attribute: String, in data: Data) throws -> String? {
            try all(element: element, in: data).first?[attribute]
        }

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?,
                    attributes attributeDict: [String: String] = [:]) {
            if SpreadsheetReader.localName(elementName) == element { found.append(attributeDict) }
        }
    }

    /// `xl/sharedStrings.xml`: each `si` is one string, plain (`t`) or rich text runs (`r/t`); phonetic runs skipped.
    final class SharedStringsParser: NSObject, XMLParserDelegate {
        func localName(_ name: String) -> Substring { SpreadsheetReader.localName(name) }
        var strings: [String] = []
        var current = ""
        var inText = false, inPhonetic = false

        static func parse(_ data: Data) throws -> [String] {
            let handler = SharedStringsParser()
            let parser = XMLParser(data: data)
            parser.delegate = handler
            guard parser.parse() else { throw SpreadsheetError.unreadable("the workbook's shared strings are damaged") }
            return handler.strings
        }

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?,
                    attributes attributeDict: [String: String] = [:]) {
            switch localName(elementName) {
            case "si": current = ""
            case "t": inText = !inPhonetic
            case "rPh": inPhonetic = true
            default: break
            }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) { if inText { current += string } }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
            switch localName(elementName) {
            case "si": strings.append(current)
            case "t": inText = false
            case "rPh": inPhonetic = false
            default: break
            }
        }
    }

    /// A worksheet: rows (`row r`), cells (`c r t`), values (`v`) and inline strings (`is/t`).
    final class SheetParser: NSObject, XMLParserDelegate {
        func localName(_ name: String) -> Substring { SpreadsheetReader.localName(name) }
        let shared: [String]
        var rows: [SheetRow] = []
        var cells: [String] = []
        var rowNumber = 0
        var column = 0
        var cellType: String?
        var value = ""
        var inValue = false, inInlineText = false
        var failure: SpreadsheetError?

        init(shared: [String]) { self.shared = shared }

        static func parse(_ data: Data, sharedStrings: [String]) throws -> [SheetRow] {
            let handler = SheetParser(shared: sharedStrings)
            let parser = XMLParser(data: data)
            parser.delegate = handler
            let ok = parser.parse()
            if let failure = handler.failure { throw failure }
            guard ok else { throw SpreadsheetError.unreadable("the workbook's sheet is damaged") }
            return handler.rows
        }

        /// "C12" → 2 (zero-based column).
        static func columnIndex(_ reference: String) -> Int? {
            var index = 0, letters = 0
            for scalar in reference.unicodeScalars {
                guard ("A"..."Z").contains(scalar) else { break }
                index = index * 26 + Int(scalar.value - 64)
                letters += 1
            }
            return letters == 0 ? nil : index - 1
        }

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?,
                    attributes attributeDict: [String: String] = [:]) {
            switch localName(elementName) {
            case "row":
                rowNumber = attributeDict["r"].flatMap(Int.init) ?? rowNumber + 1
                cells = []
                column = 0
            case "c":
                if let ref = attributeDict["r"], let index = Self.columnIndex(ref) { column = index }
                cellType = attributeDict["t"]
                value = ""
            case "v": inValue = true
            case "t": inInlineText = cellType == "inlineStr"
            default: break
            }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if inValue || inInlineText { value += string }
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
            switch localName(elementName) {
            case "v": inValue = false
            case "t": inInlineText = false
            case "c":
                var text = value
                if cellType == "s" {
                    guard let index = Int(value), shared.indices.contains(index) else {
                        failure = .unreadable("row \(rowNumber): a cell points at a shared string that does not exist")
                        parser.abortParsing(); return
                    }
                    text = shared[index]
                } else if cellType == "b" {
                    text = value == "1" ? "TRUE" : "FALSE"
                }
                guard column < 16_384 else { failure = .unreadable("row \(rowNumber): column out of range"); parser.abortParsing(); return }
                if cells.count < column { cells.append(contentsOf: Array(repeating: "", count: column - cells.count)) }
                if cells.count == column { cells.append(text) } else { cells[column] = text }
                column += 1
            case "row":
                if cells.contains(where: { !$0.isEmpty }) { rows.append(SheetRow(line: rowNumber, cells: cells)) }
            default: break
            }
        }
    }
}
