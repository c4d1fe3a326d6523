import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import AduanCore

/// Reads an SVG document back with Foundation's XML parser (libxml2): elements in order with their attributes and
/// text, or the parse error.
private final class SVGReader: NSObject, XMLParserDelegate {
    struct Element { var name: String; var attributes: [String: String]; var text = "" }
    var elements: [Element] = []
    private var open: [Int] = []

    static func read(_ svg: String) throws -> [Element] {
        let reader = SVGReader()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = reader
        guard parser.parse() else { throw parser.parserError ?? CocoaError(.coderReadCorrupt) }
        return reader.elements
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        elements.append(Element(name: name, attributes: attributes)); open.append(elements.count - 1)
    }
    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) { open.removeLast() }
    func parser(_ parser: XMLParser, foundCharacters string: String) { if let i = open.last { elements[i].text += string } }
}

@Suite("Server-drawn SVG charts")
struct SVGChartTests {
    let plain: (Double) -> String = { String(Int($0)) }
    let percent: (Double) -> String = { "\(Int(($0 * 100).rounded()))%" }

    @Test("round ticks: steps of 1, 2 or 5 times a power of ten, from 0 to at least the largest value")
    func ticks() {
        #expect(SVGChart.ticks(maximum: 37, count: 4) == [0, 10, 20, 30, 40])
        #expect(SVGChart.ticks(maximum: 40, count: 4) == [0, 10, 20, 30, 40])
        #expect(SVGChart.ticks(maximum: 7, count: 4) == [0, 2, 4, 6, 8])
        #expect(SVGChart.ticks(maximum: 1234, count: 4) == [0, 500, 1000, 1500])
        #expect(SVGChart.ticks(maximum: 3, count: 4, integers: true) == [0, 1, 2, 3])
        #expect(SVGChart.ticks(maximum: 1, count: 4, integers: true) == [0, 1])
        #expect(SVGChart.ticks(maximum: 0) == [0, 1])
        #expect(SVGChart.ticks(maximum: .nan) == [0, 1])
    }

    @Test("columns: heights proportional to the values over the same baseline, zero draws no column")
    func columns() throws {
        let items = [("Jan", 10.0), ("Feb", 0), ("Mar", 35), ("Apr", 20)].map { SVGChart.Item(label: $0.0, value: $0.1, text: String(Int($0.1))) }
        let layout = SVGChart.columnsLayout(items, axisTitle: "aduan", tickText: plain)
        #expect(layout.bars.count == 3)
        let heights = layout.bars.map(\.height)
        // Ticks 0..40 over 150 points: 10 → 37.5, 35 → 131.25, 20 → 75.
        #expect(heights.map { ($0 * 100).rounded() / 100 } == [37.5, 131.25, 75])
        let baselines = Set(layout.bars.map { $0.y + $0.height })
        #expect(baselines.count == 1)
        #expect(layout.bars.allSatisfy { $0.x >= 40 && $0.x + $0.width <= layout.width })
        // Left to right in the given order.
        #expect(layout.bars.map(\.x) == layout.bars.map(\.x).sorted())
        let labels = layout.labels.map(\.text)
        for text in ["Jan", "Feb", "Mar", "Apr", "0", "10", "20", "30", "40", "35", "aduan"] { #expect(labels.contains(text), "\(text)") }
    }

    @Test("horizontal bars: longest for the largest value, scaled to the axis, a value without a bar keeps its text")
    func bars() {
        let groups = [("Dinas Kesehatan", 0.9), ("Dinas PUPR", 0.45), ("Biro Umum", nil)].map { g in
            SVGChart.Group(label: g.0, items: [SVGChart.Item(label: g.0, value: g.1, text: g.1.map { "\(Int($0 * 100))%" } ?? "—")])
        }
        let layout = SVGChart.barsLayout(groups, series: [], maximum: 1, tickText: percent)
        #expect(layout.bars.count == 2)
        let full = 360.0 - 4 - 56
        #expect(abs(layout.bars[0].width - 0.9 * full) < 0.001 && abs(layout.bars[1].width - 0.45 * full) < 0.001)
        #expect(layout.bars.allSatisfy { $0.x + $0.width <= layout.width })
        #expect(layout.labels.contains { $0.text == "—" })
        #expect(layout.labels.filter { $0.size == 11 }.map(\.text).starts(with: ["0%", "25%", "50%", "75%", "100%"]))
        // Each group's label sits above its bar.
        let first = layout.labels.first { $0.text == "Dinas Kesehatan" }!
        #expect(first.y < layout.bars[0].y)
    }

    @Test("grouped bars: one bar per series side by side in each group, a legend naming the series")
    func grouped() {
        let series = ["Ditindaklanjuti", "Selesai", "Respons tepat waktu"]
        let groups = [("Kota Banjarmasin", [0.8, 0.5, 0.6]), ("Kabupaten Banjar", [0.4, 0.2, 1.0])].map { g in
            SVGChart.Group(label: g.0, items: zip(series, g.1).map { SVGChart.Item(label: $0, value: $1, text: "\(Int($1 * 100))%") })
        }
        let layout = SVGChart.barsLayout(groups, series: series, maximum: 1, tickText: percent)
        #expect(layout.bars.count == 6)
        #expect(layout.bars.map(\.series) == [0, 1, 2, 0, 1, 2])
        #expect(layout.keys.map(\.name) == series)
        // Within a group the bars stack downwards without overlapping.
        for g in 0..<2 {
            let bars = Array(layout.bars[(g * 3)..<(g * 3 + 3)])
            for (a, b) in zip(bars, bars.dropFirst()) { #expect(a.y + a.height <= b.y) }
        }
        #expect(abs(layout.bars[5].width - layout.bars[0].width / 0.8) < 0.001)   // 100% vs 80%
    }

    @Test("the SVG is well-formed XML with a title and description, labels escaped, no script and no style attribute")
    func document() throws {
        let hostile = #"<script>alert("x")</script> & 'Biro'"#
        let items = [SVGChart.Item(label: hostile, value: 3, text: "3"), SVGChart.Item(label: "Feb", value: nil, text: "< 5")]
        let layout = SVGChart.columnsLayout(items, axisTitle: "aduan", tickText: plain)
        let svg = SVGChart.svg(layout, frame: SVGChart.Frame(id: "chart-trend", title: "Aduan masuk per bulan", description: "Jan: 3; Feb: < 5"))
        let elements = try SVGReader.read(svg)
        #expect(elements.first?.name == "svg")
        let root = try #require(elements.first)
        #expect(root.attributes["role"] == "img" && root.attributes["aria-labelledby"] == "chart-trend-title chart-trend-desc")
        #expect(elements.first { $0.name == "title" }?.text == "Aduan masuk per bulan")
        #expect(elements.first { $0.name == "title" }?.attributes["id"] == "chart-trend-title")
        #expect(elements.first { $0.name == "desc" }?.text == "Jan: 3; Feb: < 5")
        #expect(!elements.contains { $0.name == "script" || $0.name == "style" || $0.name == "foreignObject" })
        #expect(!elements.contains { $0.attributes.keys.contains("style") || $0.attributes.keys.contains { $0.hasPrefix("on") } })
        // The hostile label comes back as text (shortened to fit its column), never as markup.
        let texts = elements.filter { $0.name == "text" }.map(\.text)
        #expect(texts.contains { $0.hasPrefix("<scri") })
        #expect(texts.contains("< 5"))
        #expect(SVGChart.escape("a\u{1}b\u{FFFE}c & <d>") == "abc &amp; &lt;d&gt;")
    }

    @Test("the hatched series comes with its pattern, named by the chart's id so two charts on a page do not collide")
    func patterns() throws {
        let series = ["A", "B", "C"]
        let groups = [SVGChart.Group(label: "X", items: series.map { SVGChart.Item(label: $0, value: 0.5, text: "50%") })]
        let svg = SVGChart.svg(SVGChart.barsLayout(groups, series: series, maximum: 1, tickText: percent),
                               frame: SVGChart.Frame(id: "chart-places", title: "t", description: "d", series: series))
        let elements = try SVGReader.read(svg)
        let pattern = try #require(elements.first { $0.name == "pattern" })
        #expect(pattern.attributes["id"] == "chart-places-hatch-2")
        #expect(elements.contains { $0.name == "rect" && $0.attributes["fill"] == "url(#chart-places-hatch-2)" })
    }

    @Test("colours: text and every series at least 4.5:1 on white (WCAG 1.4.3 and 1.4.11), the contrast formula checked on known pairs")
    func colours() {
        // Known ratios: black on white 21:1, white on white 1:1, #767676 on white 4.54:1 (the usual AA grey).
        #expect(abs(SVGChart.contrast("#000000", "#ffffff") - 21) < 0.01)
        #expect(abs(SVGChart.contrast("#ffffff", "#ffffff") - 1) < 0.01)
        #expect(abs(SVGChart.contrast("#767676", "#ffffff") - 4.54) < 0.01)
        for colour in SVGChart.Palette.series + [SVGChart.Palette.ink, SVGChart.Palette.muted] {
            #expect(SVGChart.contrast(colour, "#ffffff") >= 4.5, "\(colour)")
        }
    }

    @Test("long labels are shortened with an ellipsis to their room")
    func fitting() {
        #expect(SVGChart.fit("Dinas Kesehatan", width: 300, size: 12) == "Dinas Kesehatan")
        let short = SVGChart.fit("Dinas Pekerjaan Umum dan Penataan Ruang Provinsi Kalimantan Selatan", width: 120, size: 12)
        #expect(short.hasSuffix("…") && short.count <= 19)
    }
}

@Suite("Server-drawn SVG charts: labels beside the bars")
struct SVGChartBesideTests {
    @Test("with a label column, each row takes one line: the name left of its bar, bars starting after the column")
    func beside() {
        let groups = (1...40).map { i in
            SVGChart.Group(label: "Unit \(i)", items: [SVGChart.Item(label: "Unit \(i)", value: Double(i) / 40, text: "\(i * 100 / 40)%")])
        }
        let layout = SVGChart.barsLayout(groups, series: [], maximum: 1, labelWidth: 150, tickText: { "\(Int($0 * 100))%" })
        #expect(layout.bars.count == 40)
        #expect(layout.bars.allSatisfy { $0.x == 154 && $0.x + $0.width <= layout.width })
        // 40 rows of 12 + 3 + 4 points, plus the axis: about 800 points, not the 1,400 of labels above the bars.
        #expect(layout.height < 820)
        let name = layout.labels.first { $0.text == "Unit 1" }!
        #expect(name.x < 154 && abs(name.y - (layout.bars[0].y + 10)) < 0.001)
    }
}
