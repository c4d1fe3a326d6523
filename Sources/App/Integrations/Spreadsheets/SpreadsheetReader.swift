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

/// Where a spreadsheet is: uploaded bytes, or a file on disk (read in pieces, never whole).
enum SpreadsheetSource: Sendable {
    case data(Data)
    case file(URL)
}

/// Reads the first sheet of an XLSX workbook or a CSV file, row by row, in constant memory: a row is handed over and
/// forgotten before the next is read. XLSX is told from CSV by content (a ZIP container), never by name. The ZIP
/// container is read with ZIPFoundation, whose extraction streams each part to a temporary file, and the sheet's XML
/// with Foundation's event parser reading that file in chunks (libxml2's push parser): no part is ever held whole.
/// Shared strings go to a temporary file too, with only their offsets in memory. Cell values are text (numbers as
/// written, dates as Excel serial numbers), formulas by their cached value.
enum SpreadsheetReader {
    /// Largest part of a workbook read (guards against ZIP bombs).
    static let maxPartBytes: UInt64 = 512 * 1_048_576
    static let chunkBytes = 1 << 16

    /// Every row of a small file, for callers that want them all (an organisation CSV, tests).
    static func rows(from data: Data) throws -> [SheetRow] {
        var rows: [SheetRow] = []
        try forEachRow(in: .data(data)) { rows.append($0) }
        return rows
    }

    /// Calls `body` with each row that has a non-empty cell, in order; an error thrown by `body` stops the reading and
    /// is rethrown.
    static func forEachRow(in source: SpreadsheetSource, _ body: (SheetRow) throws -> Void) throws {
        if try isZIP(source) { try XLSX.forEachRow(in: source, body) } else { try CSV.forEachRow(in: source, body) }
    }

    static func isZIP(_ source: SpreadsheetSource) throws -> Bool {
        let magic: [UInt8] = [0x50, 0x4B, 0x03, 0x04]
        switch source {
        case .data(let data): return data.starts(with: magic)
        case .file(let url):
            guard let handle = try? FileHandle(forReadingFrom: url) else { throw SpreadsheetError.unreadable("cannot read \(url.path)") }
            defer { try? handle.close() }
            return (try handle.read(upToCount: 4)).map { Array($0) == magic } ?? false
        }
    }

    /// The source in chunks.
    static func chunks(of source: SpreadsheetSource, _ body: (Data) throws -> Void) throws {
        switch source {
        case .data(let data):
            var start = data.startIndex
            while start < data.endIndex {
                let end = data.index(start, offsetBy: chunkBytes, limitedBy: data.endIndex) ?? data.endIndex
                try body(data[start..<end])
                start = end
            }
        case .file(let url):
            guard let handle = try? FileHandle(forReadingFrom: url) else { throw SpreadsheetError.unreadable("cannot read \(url.path)") }
            defer { try? handle.close() }
            while let chunk = try handle.read(upToCount: chunkBytes), !chunk.isEmpty { try body(chunk) }
        }
    }

    // MARK: CSV

    enum CSV {
        /// RFC 4180 with what spreadsheets write in practice: a UTF-8 byte order mark, CRLF or LF, `;` or a tab as the
        /// separator when the first line has more of those than commas (Excel in an Indonesian locale), and Windows-1252
        /// text (Excel's plain "CSV" on Windows) where a field is not UTF-8. Read byte by byte: the separators, quotes
        /// and line ends are ASCII, so a field's bytes are decoded only when it ends.
        static func forEachRow(in source: SpreadsheetSource, _ body: (SheetRow) throws -> Void) throws {
            var parser = Parser()
            var first = true
            try chunks(of: source) { chunk in
                var bytes = [UInt8](chunk)
                if first {
                    first = false
                    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
                    if bytes.prefix(65_536).contains(0) {
                        throw SpreadsheetError.unreadable("the file is neither an XLSX workbook nor a CSV text file")
                    }
                    parser.separator = detectSeparator(bytes)
                }
                try parser.feed(bytes, body)
            }
            try parser.finish(body)
        }

        struct Parser {
            var separator = UInt8(ascii: ",")
            var cells: [String] = []
            var field: [UInt8] = []
            var quoted = false, wasQuoted = false, pendingQuote = false, pendingCR = false
            var line = 1, rowLine = 1

            mutating func endField() {
                cells.append(String(bytes: field, encoding: .utf8) ?? String(bytes: field, encoding: .windowsCP1252) ?? "")
                field.removeAll(keepingCapacity: true)
                wasQuoted = false
            }

            mutating func endRow(_ body: (SheetRow) throws -> Void) throws {
                endField()
                if cells.contains(where: { !$0.isEmpty }) { try body(SheetRow(line: rowLine, cells: cells)) }
                cells.removeAll(keepingCapacity: true)
            }

            mutating func feed(_ bytes: [UInt8], _ body: (SheetRow) throws -> Void) throws {
                let quote = UInt8(ascii: "\""), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
                for c in bytes {
                    if pendingCR {
                        pendingCR = false
                        if c == lf { continue }
                    }
                    if pendingQuote {
                        // A quote inside a quoted field: doubled is a quote, otherwise it closed the field.
                        pendingQuote = false
                        if c == quote { field.append(quote); continue }
                        quoted = false
                    }
                    if quoted {
                        if c == quote { pendingQuote = true; continue }
                        if c == lf { line += 1 }
                        field.append(c)
                    } else if c == quote && field.isEmpty && !wasQuoted {
                        quoted = true; wasQuoted = true
                    } else if c == separator {
                        endField()
                    } else if c == cr || c == lf {
                        try endRow(body)
                        line += 1
                        rowLine = line
                        pendingCR = c == cr
                    } else {
                        field.append(c)
                    }
                }
            }

            mutating func finish(_ body: (SheetRow) throws -> Void) throws {
                if pendingQuote { pendingQuote = false; quoted = false }
                if quoted { throw SpreadsheetError.unreadable("line \(rowLine): a quoted field is not closed") }
                if !field.isEmpty || !cells.isEmpty || wasQuoted { try endRow(body) }
            }
        }

        /// The separator of the first line: the most frequent of `,`, `;` and tab outside quotes (comma on a tie).
        static func detectSeparator(_ bytes: [UInt8]) -> UInt8 {
            var counts: [UInt8: Int] = [UInt8(ascii: ","): 0, UInt8(ascii: ";"): 0, UInt8(ascii: "\t"): 0]
            var quoted = false
            for c in bytes {
                if c == UInt8(ascii: "\n") || c == UInt8(ascii: "\r") { if !quoted { break } }
                if c == UInt8(ascii: "\"") { quoted.toggle() } else if !quoted, counts[c] != nil { counts[c]! += 1 }
            }
            let best = counts.max { a, b in a.value < b.value || (a.value == b.value && a.key != UInt8(ascii: ",")) }
            return (best?.value ?? 0) > 0 ? best!.key : UInt8(ascii: ",")
        }
    }

    // MARK: XLSX

    enum XLSX {
        static func forEachRow(in source: SpreadsheetSource, _ body: (SheetRow) throws -> Void) throws {
            let archive: Archive
            do {
                switch source {
                case .data(let data): archive = try Archive(data: data, accessMode: .read)
                case .file(let url): archive = try Archive(url: url, accessMode: .read)
                }
            } catch {
                throw SpreadsheetError.unreadable("the file looks like a ZIP container but cannot be opened as an XLSX workbook")
            }
            let sheetPath = try firstSheetPath(in: archive)
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("aduan-xlsx-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: scratch) }

            var shared: SharedStrings?
            if let entry = archive["xl/sharedStrings.xml"] {
                let xml = scratch.appendingPathComponent("sharedStrings.xml")
                try extract(entry, from: archive, to: xml)
                shared = try SharedStrings(xml: xml, store: scratch.appendingPathComponent("strings"))
            }
            guard let sheet = archive[sheetPath] else { throw SpreadsheetError.unreadable("the workbook has no sheet \(sheetPath)") }
            let xml = scratch.appendingPathComponent("sheet.xml")
            try extract(sheet, from: archive, to: xml)
            try SheetParser.parse(xml, sharedStrings: shared, body)
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

        /// A small part (the workbook and its relationships) in memory.
        static func read(_ entry: Entry, from archive: Archive) throws -> Data {
            var data = Data()
            try extract(entry, from: archive) { data.append($0) }
            return data
        }

        static func extract(_ entry: Entry, from archive: Archive, to url: URL) throws {
            FileManager.default.createFile(atPath: url.path, contents: nil)
            let handle = try FileHandle(forWritingTo: url)
            defer { try? handle.close() }
            try extract(entry, from: archive) { try handle.write(contentsOf: $0) }
        }

        static func extract(_ entry: Entry, from archive: Archive, _ consume: (Data) throws -> Void) throws {
            let limit = "\(entry.path) is larger than \(maxPartBytes / 1_048_576) MB"
            guard UInt64(entry.uncompressedSize) <= maxPartBytes else { throw SpreadsheetError.unreadable(limit) }
            var total: UInt64 = 0
            do {
                _ = try archive.extract(entry, skipCRC32: false) { chunk in
                    total += UInt64(chunk.count)
                    if total > maxPartBytes { throw SpreadsheetError.unreadable(limit) }
                    try consume(chunk)
                }
            } catch let error as SpreadsheetError {
                throw error
            } catch {
                throw SpreadsheetError.unreadable("\(entry.path) in the workbook is damaged")
            }
        }
    }

    /// `x:row` → `row` (some writers prefix the spreadsheet namespace).
    static func localName(_ name: String) -> Substring {
        name.split(separator: ":").last ?? Substring(name)
    }

    /// Parses an XML file in chunks with `delegate`; false when the XML is damaged.
    static func parse(_ url: URL, with delegate: any XMLParserDelegate) -> (ok: Bool, parser: XMLParser)? {
        guard let stream = InputStream(url: url) else { return nil }
        let parser = XMLParser(stream: stream)
        parser.delegate = delegate
        return (parser.parse(), parser)
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

    /// `xl/sharedStrings.xml` kept on disk: each `si` (plain `t` or rich text runs `r/t`; phonetic runs skipped) is
    /// written to a file as it is parsed, and only its offset and length stay in memory.
    final class SharedStrings: NSObject, XMLParserDelegate {
        private var spans: [(offset: UInt64, length: Int)] = []
        private var writer: FileHandle?
        private let reader: FileHandle
        private var written: UInt64 = 0
        private var current = ""
        private var inText = false, inPhonetic = false
        private var failure: (any Error)?
        private var complete = false

        init(xml: URL, store: URL) throws {
            FileManager.default.createFile(atPath: store.path, contents: nil)
            writer = try FileHandle(forWritingTo: store)
            reader = try FileHandle(forReadingFrom: store)
            super.init()
            let result = SpreadsheetReader.parse(xml, with: self)
            try writer?.close()
            writer = nil
            if let failure { throw failure }
            guard result?.ok == true, complete else { throw SpreadsheetError.unreadable("the workbook's shared strings are damaged") }
        }

        deinit { try? reader.close() }

        var count: Int { spans.count }

        func string(at index: Int) -> String? {
            guard spans.indices.contains(index) else { return nil }
            let span = spans[index]
            guard span.length > 0 else { return "" }
            guard (try? reader.seek(toOffset: span.offset)) != nil, let data = try? reader.read(upToCount: span.length) else { return nil }
            return String(decoding: data, as: UTF8.self)
        }

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?,
                    attributes attributeDict: [String: String] = [:]) {
            switch SpreadsheetReader.localName(elementName) {
            case "si": current = ""
            case "t": inText = !inPhonetic
            case "rPh": inPhonetic = true
            default: break
            }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) { if inText { current += string } }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
            switch SpreadsheetReader.localName(elementName) {
            case "si":
                let bytes = Data(current.utf8)
                do { try writer?.write(contentsOf: bytes) } catch { failure = error; parser.abortParsing(); return }
                spans.append((written, bytes.count))
                written += UInt64(bytes.count)
            case "t": inText = false
            case "rPh": inPhonetic = false
            case "sst": complete = true
            default: break
            }
        }
    }

    /// A worksheet: rows (`row r`), cells (`c r t`), values (`v`) and inline strings (`is/t`); each row goes to `body`
    /// when it ends.
    final class SheetParser: NSObject, XMLParserDelegate {
        let shared: SharedStrings?
        let body: (SheetRow) throws -> Void
        var cells: [String] = []
        var rowNumber = 0
        var column = 0
        var cellType: String?
        var value = ""
        var inValue = false, inInlineText = false
        var failure: (any Error)?
        /// The worksheet element closed: a sheet cut short (libxml2's push parser does not always say so) is damaged.
        var complete = false

        init(shared: SharedStrings?, body: @escaping (SheetRow) throws -> Void) { self.shared = shared; self.body = body }

        static func parse(_ xml: URL, sharedStrings: SharedStrings?, _ body: (SheetRow) throws -> Void) throws {
            try withoutActuallyEscaping(body) { body in
                let handler = SheetParser(shared: sharedStrings, body: body)
                let result = SpreadsheetReader.parse(xml, with: handler)
                if let failure = handler.failure { throw failure }
                guard result?.ok == true, handler.complete else { throw SpreadsheetError.unreadable("the workbook's sheet is damaged") }
            }
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

        func fail(_ parser: XMLParser, _ error: any Error) {
            failure = error
            parser.abortParsing()
        }

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?,
                    attributes attributeDict: [String: String] = [:]) {
            switch SpreadsheetReader.localName(elementName) {
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
            guard failure == nil else { return }
            switch SpreadsheetReader.localName(elementName) {
            case "v": inValue = false
            case "t": inInlineText = false
            case "c":
                var text = value
                if cellType == "s" {
                    guard let index = Int(value), let string = shared?.string(at: index) else {
                        return fail(parser, SpreadsheetError.unreadable("row \(rowNumber): a cell points at a shared string that does not exist"))
                    }
                    text = string
                } else if cellType == "b" {
                    text = value == "1" ? "TRUE" : "FALSE"
                }
                guard column < 16_384 else { return fail(parser, SpreadsheetError.unreadable("row \(rowNumber): column out of range")) }
                if cells.count < column { cells.append(contentsOf: Array(repeating: "", count: column - cells.count)) }
                if cells.count == column { cells.append(text) } else { cells[column] = text }
                column += 1
            case "row":
                guard cells.contains(where: { !$0.isEmpty }) else { return }
                do { try body(SheetRow(line: rowNumber, cells: cells)) } catch { fail(parser, error) }
            case "worksheet": complete = true
            default: break
            }
        }
    }
}
