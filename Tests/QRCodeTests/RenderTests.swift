import Foundation
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

@testable import QRCode

@Suite("Checksums and compression")
struct ChecksumTests {
    @Test("CRC-32 and Adler-32 check values")
    func checkValues() {
        #expect(Deflate.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(Deflate.crc32(Array("IEND".utf8)) == 0xAE42_6082)
        #expect(Deflate.adler32(Array("Wikipedia".utf8)) == 0x11E6_0398)
        #expect(Deflate.adler32([]) == 1)
        // Long input crosses the 5552-byte reduction boundary.
        let long = [UInt8](repeating: 0xFF, count: 100_000)
        var a = 1, b = 0
        for byte in long { a = (a + Int(byte)) % 65521; b = (b + a) % 65521 }
        #expect(Deflate.adler32(long) == UInt32(b << 16 | a))
    }

    @Test("Huffman code lengths are limited, complete (Kraft sum 1) and canonical codes are prefix-free")
    func huffman() {
        // Fibonacci-like frequencies force a deep tree that must be flattened to the limit.
        var frequencies = [Int](repeating: 0, count: 40)
        var a = 1, b = 1
        for i in 0..<30 { frequencies[i] = a; (a, b) = (b, a + b) }
        for limit in [7, 15] {
            let lengths = Huffman.lengths(frequencies, limit: limit, minimumSymbols: 2)
            #expect(lengths.max()! <= limit)
            #expect(lengths[30...].allSatisfy { $0 == 0 })
            let kraft = lengths.filter { $0 > 0 }.reduce(0.0) { $0 + 1.0 / Double(1 << $1) }
            #expect(kraft == 1.0)
            let codes = Huffman.codes(lengths).filter { $0 != 0 }
            #expect(Set(codes).count == codes.count)
        }
        // A single used symbol still gets a second code.
        #expect(Huffman.lengths([0, 0, 5], limit: 15, minimumSymbols: 2).filter { $0 > 0 }.count == 2)
    }

    @Test("zlib stream: valid header, Huffman-coded block (not stored), Adler-32 trailer, real compression")
    func zlibStructure() {
        let input = [UInt8](repeating: 0, count: 5000) + Array("Aduan".utf8) + [UInt8](repeating: 0xFF, count: 5000)
        let stream = Deflate.zlib(input)
        #expect((Int(stream[0]) << 8 | Int(stream[1])) % 31 == 0)
        #expect(stream[0] & 0x0F == 8)  // deflate
        #expect(stream[2] & 1 == 1)  // final block
        #expect([1, 2].contains((stream[2] >> 1) & 3))  // fixed or dynamic Huffman, never stored
        let trailer = stream.suffix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        #expect(trailer == Deflate.adler32(input))
        #expect(stream.count < input.count / 50)
    }
}

@Suite("Renderings")
struct RenderTests {
    let code: QRCode

    init() throws {
        code = try QRCode(encoding: "https://aduan.kalselprov.go.id/q/AB12CD34")
    }

    @Test("Dark rectangles cover exactly the dark modules, without overlap")
    func rectangles() {
        var covered = [Int](repeating: 0, count: code.size * code.size)
        for rect in code.darkRectangles() {
            for y in rect.y..<(rect.y + rect.height) {
                for x in rect.x..<(rect.x + rect.width) { covered[y * code.size + x] += 1 }
            }
        }
        for y in 0..<code.size {
            for x in 0..<code.size {
                #expect(covered[y * code.size + x] == (code.isDark(x: x, y: y) ? 1 : 0))
            }
        }
    }

    @Test("SVG is well-formed XML with one crisp path on integer coordinates")
    func svg() throws {
        let svg = code.svg(moduleSize: 4, quietZone: 4, darkColor: "#123456", lightColor: "\"><script>")
        let parser = XMLParser(data: Data(svg.utf8))
        let collector = ElementCollector()
        parser.delegate = collector
        #expect(parser.parse(), "SVG must parse: \(parser.parserError.map(String.init(describing:)) ?? "")")
        #expect(collector.elements == ["svg", "rect", "path"])
        let root = collector.attributes[0]
        let side = code.size + 8
        #expect(root["viewBox"] == "0 0 \(side) \(side)")
        #expect(root["width"] == "\(side * 4)" && root["shape-rendering"] == "crispEdges")
        #expect(collector.attributes[1]["fill"] == "\"><script>")  // escaped, not injected
        let path = try #require(collector.attributes[2]["d"])
        #expect(path.allSatisfy { "0123456789Mhvz- ".contains($0) })
    }

    @Test("PNG: signature, IHDR, chunk CRCs, zlib IDAT")
    func png() throws {
        let png = code.png(scale: 3, quietZone: 2)
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        var offset = 8
        var types: [String] = []
        func uint32(_ at: Int) -> Int { png[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
        while offset < png.count {
            let length = uint32(offset)
            let type = String(decoding: png[(offset + 4)..<(offset + 8)], as: UTF8.self)
            let body = Array(png[(offset + 8)..<(offset + 8 + length)])
            #expect(UInt32(uint32(offset + 8 + length)) == Deflate.crc32(Array(type.utf8) + body))
            if type == "IHDR" {
                let side = (code.size + 4) * 3
                #expect(uint32(offset + 8) == side && uint32(offset + 12) == side)
                #expect(Array(body[8...]) == [1, 0, 0, 0, 0])
            }
            if type == "IDAT" {
                #expect(body[0] == 0x78 && (Int(body[0]) << 8 | Int(body[1])) % 31 == 0)
                #expect((body[2] >> 1) & 3 != 0, "not a stored block")
            }
            types.append(type)
            offset += 12 + length
        }
        #expect(types == ["IHDR", "IDAT", "IEND"] && offset == png.count)
    }

    @Test("PDF poster: A4 page, xref offsets point at their objects, startxref at the table")
    func pdf() throws {
        let poster = try QRPoster(
            title: "Dinas Kesehatan (RSUD) \\ Ulin", subtitle: "Ruang Anggrek — lantai 2",
            instructions: ["Pindai kode QR ini dengan kamera ponsel."],
            url: "https://aduan.kalselprov.go.id/q/AB12CD34")
        let pdf = poster.pdf()
        let text = String(decoding: pdf, as: UTF8.self)
        #expect(text.hasPrefix("%PDF-1.4") && text.hasSuffix("%%EOF\n"))
        #expect(text.contains("/MediaBox [0 0 595.28 841.89]"))
        #expect(text.contains("/BaseFont /Helvetica /Encoding /WinAnsiEncoding"))

        let startxrefRange = try #require(text.range(of: "startxref\n", options: .backwards))
        let xrefOffset = try #require(Int(text[startxrefRange.upperBound...].prefix { $0.isNumber }))
        #expect(Array(pdf[xrefOffset..<(xrefOffset + 4)]) == Array("xref".utf8))
        let table = String(decoding: pdf[xrefOffset...], as: UTF8.self).split(separator: "\n")
        let count = try #require(Int(table[1].split(separator: " ")[1]))
        #expect(count == 8 && table[2] == "0000000000 65535 f ")
        for number in 1..<count {
            let entry = table[2 + number]
            #expect(entry.utf8.count == 19 && entry.hasSuffix(" 00000 n "))
            let offset = try #require(Int(entry.prefix(10)))
            let header = Array("\(number) 0 obj\n".utf8)
            #expect(Array(pdf[offset..<(offset + header.count)]) == header, "object \(number)")
        }
    }

    @Test("PDF strings: delimiters escaped, WinAnsi bytes octal-escaped")
    func pdfStrings() {
        #expect(WinAnsi.literal(WinAnsi.encode("a(b)c\\")) == "(a\\(b\\)c\\\\)")
        #expect(WinAnsi.literal(WinAnsi.encode("café — ✓")) == "(caf\\351 \\227 ?)")
        #expect(pdfNumber(595.28) == "595.28" && pdfNumber(3) == "3" && pdfNumber(-1.25) == "-1.25")
        #expect(pdfNumber(0.0005) == "0.001" && pdfNumber(12.3456) == "12.346")
    }
}

final class ElementCollector: NSObject, XMLParserDelegate {
    var elements: [String] = []
    var attributes: [[String: String]] = []

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
        qualifiedName: String?, attributes attributeDict: [String: String] = [:]
    ) {
        elements.append(elementName)
        attributes.append(attributeDict)
    }
}
