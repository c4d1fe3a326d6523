// A4 poster with the QR code as vector modules, as a one-page PDF 1.4 file.

/// A printable A4 poster: title, optional subtitle, the QR code, instruction lines and the
/// URL in plain text for people who cannot scan.
///
/// Text uses the standard Type 1 fonts Helvetica and Helvetica-Bold with WinAnsiEncoding, so
/// no font is embedded; characters outside Windows-1252 print as "?".
public struct QRPoster: Sendable {
    public var title: String
    public var subtitle: String
    public var instructions: [String]
    public var url: String
    public let code: QRCode

    /// A4 in PostScript points.
    public static let pageWidth = 595.28
    public static let pageHeight = 841.89

    /// Encodes `url` (at `errorCorrection`, quartile by default: posters get scuffed).
    public init(
        title: String, subtitle: String = "", instructions: [String] = [], url: String,
        errorCorrection: ErrorCorrection = .quartile
    ) throws(QRCodeError) {
        self.title = title
        self.subtitle = subtitle
        self.instructions = instructions
        self.url = url
        self.code = try QRCode(encoding: url, errorCorrection: errorCorrection)
    }

    /// The PDF file.
    public func pdf() -> [UInt8] {
        let width = Self.pageWidth, height = Self.pageHeight
        let margin = 56.0
        let textWidth = width - 2 * margin
        var content = ""
        content.reserveCapacity(64 * 1024)
        var y = height - 96

        func textLine(_ text: String, font: PDFFont, fontSize: Double) {
            let encoded = WinAnsi.encode(text)
            let lineWidth = font.width(of: encoded, size: fontSize)
            let x = (width - lineWidth) / 2
            content += "BT /\(font.resourceName) \(pdfNumber(fontSize)) Tf \(pdfNumber(x)) \(pdfNumber(y)) Td "
            content += WinAnsi.literal(encoded)
            content += " Tj ET\n"
        }
        func paragraph(_ text: String, font: PDFFont, fontSize: Double, leading: Double) {
            for line in font.wrap(text, size: fontSize, width: textWidth) {
                textLine(line, font: font, fontSize: fontSize)
                y -= leading
            }
        }

        content += "0 g\n"
        paragraph(title, font: .bold, fontSize: 28, leading: 34)
        if !subtitle.isEmpty {
            y -= 4
            paragraph(subtitle, font: .regular, fontSize: 16, leading: 21)
        }

        // The symbol: 340 pt wide (about 12 cm), its quiet zone kept clear of text.
        let side = 340.0
        let module = side / Double(code.size)
        let quiet = 4 * module
        let top = y - quiet + 8
        let left = (width - side) / 2
        var path = ""
        path.reserveCapacity(32 * 1024)
        for rect in code.darkRectangles() {
            let x = left + Double(rect.x) * module
            let rectTop = top - Double(rect.y) * module
            let h = Double(rect.height) * module
            path += "\(pdfNumber(x)) \(pdfNumber(rectTop - h)) \(pdfNumber(Double(rect.width) * module)) \(pdfNumber(h)) re\n"
        }
        // One fill for all rectangles: shared edges merge, so viewers draw no seams.
        content += path + "f\n"
        y = top - side - quiet - 14

        for instruction in instructions {
            paragraph(instruction, font: .regular, fontSize: 14, leading: 19)
        }
        y -= 10
        paragraph(url, font: .bold, fontSize: 12, leading: 16)

        return PDFWriter.document(
            pageWidth: width, pageHeight: height, content: Array(content.utf8), title: title)
    }
}

/// Assembles the objects and the cross-reference table.
enum PDFWriter {
    static func document(pageWidth: Double, pageHeight: Double, content: [UInt8], title: String) -> [UInt8] {
        let stream = Deflate.zlib(content)
        var objects: [[UInt8]] = []
        func object(_ text: String) { objects.append(Array(text.utf8)) }
        object("<< /Type /Catalog /Pages 2 0 R >>")
        object("<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
        object(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 \(pdfNumber(pageWidth)) \(pdfNumber(pageHeight))] "
                + "/Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>")
        object("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
        object("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>")
        objects.append(
            Array("<< /Length \(stream.count) /Filter /FlateDecode >>\nstream\n".utf8) + stream
                + Array("\nendstream".utf8))
        object("<< /Title \(utf16HexString(title)) /Producer (Aduan QRCode) >>")

        // Header with a comment of high bytes, so transfer tools treat the file as binary.
        var pdf: [UInt8] = Array("%PDF-1.4\n%".utf8) + [0xE2, 0xE3, 0xCF, 0xD3, 0x0A]
        var offsets: [Int] = []
        for (index, body) in objects.enumerated() {
            offsets.append(pdf.count)
            pdf += Array("\(index + 1) 0 obj\n".utf8)
            pdf += body
            pdf += Array("\nendobj\n".utf8)
        }
        let xref = pdf.count
        var table = "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for offset in offsets {
            let digits = String(offset)
            table += String(repeating: "0", count: 10 - digits.count) + digits + " 00000 n \n"
        }
        table += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R /Info 7 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        pdf += Array(table.utf8)
        return pdf
    }

    /// A text string in UTF-16BE with byte order mark, as a hex string: any Unicode title.
    static func utf16HexString(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var result: [UInt8] = Array("<FEFF".utf8)
        for unit in text.utf16 {
            for shift in [12, 8, 4, 0] { result.append(hex[Int(unit >> UInt16(shift)) & 15]) }
        }
        result.append(UInt8(ascii: ">"))
        return String(decoding: result, as: UTF8.self)
    }
}

/// A decimal number with at most three fractional digits and no exponent, as PDF requires.
func pdfNumber(_ value: Double) -> String {
    let scaled = Int((value * 1000).rounded())
    let negative = scaled < 0
    let magnitude = abs(scaled)
    var text = String(magnitude / 1000)
    var fraction = magnitude % 1000
    if fraction != 0 {
        var digits = ""
        var divisor = 100
        while fraction != 0 {
            digits.append(Character(Unicode.Scalar(UInt8(48 + fraction / divisor))))
            fraction %= divisor
            divisor /= 10
        }
        text += "." + digits
    }
    return negative ? "-" + text : text
}

/// Windows-1252 (PDF's WinAnsiEncoding) text for the standard fonts.
enum WinAnsi {
    /// Code points 0x80...0x9F of Windows-1252 that differ from ISO-8859-1.
    private static let high: [UInt32: UInt8] = [
        0x20AC: 0x80, 0x201A: 0x82, 0x0192: 0x83, 0x201E: 0x84, 0x2026: 0x85, 0x2020: 0x86,
        0x2021: 0x87, 0x02C6: 0x88, 0x2030: 0x89, 0x0160: 0x8A, 0x2039: 0x8B, 0x0152: 0x8C,
        0x017D: 0x8E, 0x2018: 0x91, 0x2019: 0x92, 0x201C: 0x93, 0x201D: 0x94, 0x2022: 0x95,
        0x2013: 0x96, 0x2014: 0x97, 0x02DC: 0x98, 0x2122: 0x99, 0x0161: 0x9A, 0x203A: 0x9B,
        0x0153: 0x9C, 0x017E: 0x9E, 0x0178: 0x9F,
    ]

    static func encode(_ text: String) -> [UInt8] {
        text.unicodeScalars.map { scalar in
            let value = scalar.value
            if (0x20...0x7E).contains(value) || (0xA0...0xFF).contains(value) { return UInt8(value) }
            if let byte = high[value] { return byte }
            return value == 0x09 ? 0x20 : UInt8(ascii: "?")
        }
    }

    /// A PDF literal string: parentheses and backslash escaped, bytes outside printable
    /// ASCII as octal escapes, so the content stream stays 7-bit clean.
    static func literal(_ bytes: [UInt8]) -> String {
        var result = "("
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "\\"):
                result.append("\\")
                result.append(Character(Unicode.Scalar(byte)))
            case 0x20...0x7E:
                result.append(Character(Unicode.Scalar(byte)))
            default:
                let octal = String(byte, radix: 8)
                result += "\\" + String(repeating: "0", count: 3 - octal.count) + octal
            }
        }
        return result + ")"
    }
}

/// The two standard fonts used, with their advance widths (from the Adobe font metrics, in
/// 1/1000 em) for centring and wrapping.
enum PDFFont {
    case regular, bold

    var resourceName: String { self == .regular ? "F1" : "F2" }

    // Widths of characters 0x20...0x7E.
    private static let regularWidths: [Int] = [
        278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
        556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
        1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
        667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
        333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
        556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
    ]
    private static let boldWidths: [Int] = [
        278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278,
        556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611,
        975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
        667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556,
        333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611,
        611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
    ]

    func width(of byte: UInt8) -> Int {
        let table = self == .regular ? Self.regularWidths : Self.boldWidths
        switch byte {
        case 0x20...0x7E: return table[Int(byte) - 0x20]
        case 0x97, 0x85, 0x89: return 1000  // em dash, ellipsis, per mille
        case 0x95: return 350  // bullet
        case 0x91, 0x92, 0x82: return self == .regular ? 222 : 278
        case 0x93, 0x94, 0x84: return self == .regular ? 333 : 500
        case 0xC0...0xDE: return 722  // accented capitals, roughly
        default: return 556  // en dash, accented lower case, currency and the rest
        }
    }

    func width(of bytes: [UInt8], size: Double) -> Double {
        Double(bytes.reduce(0) { $0 + width(of: $1) }) * size / 1000
    }

    /// Greedy word wrap to lines no wider than `width` points.
    func wrap(_ text: String, size: Double, width: Double) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            let candidate = line.isEmpty ? String(word) : line + " " + word
            if !line.isEmpty && self.width(of: WinAnsi.encode(candidate), size: size) > width {
                lines.append(line)
                line = String(word)
            } else {
                line = candidate
            }
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }
}
