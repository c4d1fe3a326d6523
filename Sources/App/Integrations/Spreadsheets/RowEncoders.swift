import Foundation

protocol RowEncoder {
    mutating func header(_ names: [String]) throws
    mutating func row(_ values: [String]) throws
    mutating func finish() throws
    var pendingBytes: Int { get }
    mutating func drain() -> [UInt8]
}

extension RowEncoder {
    /// About this many bytes are gathered before they are handed on (to the export's sink, to the zip stream).
    static var flushBytes: Int { 65_536 }
}

/// RFC 4180 with CRLF, UTF-8 with a byte order mark (so Excel reads it as UTF-8). The one CSV writer of Aduan (the
/// complaint export and the monev table use it). A field is looked at scalar by scalar: Swift's `Character` takes
/// CR LF as one character, so a search for "\r" or "\n" among characters never finds it. A field or a line inside
/// a field that starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading apostrophe, so a
/// spreadsheet shows it instead of running it as a formula (complaint texts come from the public), even a reader that
/// splits lines naively.
struct CSVRowEncoder: RowEncoder {
    var buffer: [UInt8] = [0xEF, 0xBB, 0xBF]

    mutating func header(_ names: [String]) { line(names) }
    mutating func row(_ values: [String]) { line(values) }
    mutating func finish() {}
    var pendingBytes: Int { buffer.count }
    mutating func drain() -> [UInt8] { defer { buffer.removeAll(keepingCapacity: true) }; return buffer }

    mutating func line(_ values: [String]) {
        for (i, value) in values.enumerated() {
            if i > 0 { buffer.append(UInt8(ascii: ",")) }
            buffer.append(contentsOf: Self.field(value).utf8)
        }
        buffer.append(contentsOf: [0x0D, 0x0A])
    }

    static let formulaStarts: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]

    static func field(_ value: String) -> String {
        var text = String.UnicodeScalarView()
        var quoted = false
        var lineStart = true
        for scalar in value.unicodeScalars {
            if lineStart && formulaStarts.contains(scalar) { text.append("'") }
            lineStart = false
            switch scalar {
            case "\"":
                text.append(scalar)
                text.append(scalar)
                quoted = true
            case "\r", "\n":
                text.append(scalar)
                quoted = true
                lineStart = true
            case ",", ";":
                text.append(scalar)
                quoted = true
            default:
                text.append(scalar)
            }
        }
        return quoted ? "\"" + String(text) + "\"" : String(text)
    }
}

/// A one-sheet workbook (SpreadsheetML) written through `ZipStreamWriter`: the small parts first, then the sheet
/// row by row as inline strings (times as RFC 3339 text like the API's), or typed cells (`row(cells:)`, numbers with
/// the number formats of `Style`).
struct XLSXRowEncoder: RowEncoder {
    /// Excel's limit, less the header row.
    static let maxRows = 1_048_575
    let zip: ZipStreamWriter
    var rowNumber = 0
    var xml: [UInt8] = []

    init(modified: Date) throws {
        zip = ZipStreamWriter(modified: modified)
        try zip.addEntry("[Content_Types].xml", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
            <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
            <Default Extension="xml" ContentType="application/xml"/>\
            <Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
            <Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>\
            <Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>\
            </Types>
            """)
        try zip.addEntry("_rels/.rels", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
            <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>\
            </Relationships>
            """)
        try zip.addEntry("xl/workbook.xml", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
            xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">\
            <sheets><sheet name="Aduan" sheetId="1" r:id="rId1"/></sheets></workbook>
            """)
        try zip.addEntry("xl/_rels/workbook.xml.rels", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
            <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>\
            <Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>\
            </Relationships>
            """)
        try zip.addEntry("xl/styles.xml", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
            <numFmts count="3"><numFmt numFmtId="164" formatCode="0.0%"/><numFmt numFmtId="165" formatCode="yyyy\\-mm\\-dd"/>\
            <numFmt numFmtId="166" formatCode="yyyy\\-mm\\-dd hh:mm"/></numFmts>\
            <fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>\
            <fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>\
            <borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
            <cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
            <cellXfs count="7"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
            <xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>\
            <xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
            <xf numFmtId="2" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
            <xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
            <xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
            <xf numFmtId="3" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>\
            <cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>\
            </styleSheet>
            """)
        try zip.beginEntry("xl/worksheets/sheet1.xml")
        try zip.write("""
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
            <sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>\
            <sheetData>
            """)
    }

    mutating func header(_ names: [String]) throws { try row(names, style: 1) }
    mutating func row(_ values: [String]) throws { try row(values, style: 0) }

    /// Text cells (`style` 1: bold, the header).
    mutating func row(_ values: [String], style: Int) throws {
        try row(cells: values.map { .text($0) }, bold: style == 1)
    }

    mutating func finish() throws {
        xml.append(contentsOf: "</sheetData></worksheet>".utf8)
        try zip.write(xml)
        xml.removeAll()
        try zip.endEntry()
        try zip.finish()
    }

    var pendingBytes: Int { zip.pendingBytes }
    mutating func drain() -> [UInt8] { zip.drain() }

    /// 0 → A, 25 → Z, 26 → AA.
    static func columnName(_ index: Int) -> String {
        var n = index + 1
        var name = ""
        while n > 0 {
            let r = (n - 1) % 26
            name = String(UnicodeScalar(UInt8(65 + r))) + name
            n = (n - 1) / 26
        }
        return name
    }

    /// XML text: the five entities escaped, characters XML 1.0 cannot hold (control characters) dropped.
    static func escape(_ text: String, into out: inout [UInt8]) {
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            switch b {
            case UInt8(ascii: "&"): out.append(contentsOf: "&amp;".utf8)
            case UInt8(ascii: "<"): out.append(contentsOf: "&lt;".utf8)
            case UInt8(ascii: ">"): out.append(contentsOf: "&gt;".utf8)
            case UInt8(ascii: "\""): out.append(contentsOf: "&quot;".utf8)
            case 0x09, 0x0A, 0x0D: out.append(b)
            case 0x00..<0x20: break
            case 0xEF where i + 2 < bytes.count && bytes[i + 1] == 0xBF && (bytes[i + 2] == 0xBE || bytes[i + 2] == 0xBF):
                i += 2 // U+FFFE, U+FFFF
            default: out.append(b)
            }
            i += 1
        }
    }
}
