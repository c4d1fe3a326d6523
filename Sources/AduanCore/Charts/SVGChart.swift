import Foundation

/// Charts drawn by the server (SPEC §8: readable without JavaScript): the layout is plain arithmetic on the values,
/// the output an SVG document with a title and a description for assistive technology. No script, no `style`
/// attribute (the pages' Content-Security-Policy forbids inline styles): colours and fonts are SVG presentation
/// attributes. Numbers and words come formatted from the caller, so the chart knows no language.
///
/// Two shapes: columns over a category axis (received per month), and horizontal bars with the label above each
/// bar (one series, or several side by side, e.g. each kabupaten/kota on three rates). Horizontal bars keep long
/// unit names readable at 360 px; the columns fit twelve months in the same width.
public enum SVGChart {
    /// One value of a chart. `value` nil draws no bar (not measured, or withheld) and shows `text` alone.
    public struct Item: Sendable, Equatable {
        public var label: String
        public var value: Double?
        /// The value as people read it ("81,8%", "1.234", "< 5", "—").
        public var text: String
        public init(label: String, value: Double?, text: String) { self.label = label; self.value = value; self.text = text }
    }

    /// A row of horizontal bars: one label and one item per series.
    public struct Group: Sendable, Equatable {
        public var label: String
        public var items: [Item]
        public init(label: String, items: [Item]) { self.label = label; self.items = items }
    }

    /// What every chart carries besides its values.
    public struct Frame: Sendable, Equatable {
        /// Unique on the page: the prefix of the element ids.
        public var id: String
        public var title: String
        /// The text alternative: what the chart shows, in words and numbers.
        public var description: String
        /// Names of the series, for the legend (shown when there are two or more).
        public var series: [String]
        /// The value axis' caption, e.g. "aduan" or "% tepat waktu".
        public var axisTitle: String
        public init(id: String, title: String, description: String, series: [String] = [], axisTitle: String = "") {
            self.id = id; self.title = title; self.description = description; self.series = series; self.axisTitle = axisTitle
        }
    }

    // MARK: colours

    /// Ink on white: 16.6:1. Muted text: 7.6:1. Series colours are at least 4.5:1 on white (WCAG 2.1 1.4.11 asks 3:1
    /// of graphics), and the third series is hatched, so series stay apart in grey-scale print.
    public enum Palette {
        public static let ink = "#1b1f24"
        public static let muted = "#4a5560"
        public static let grid = "#c9d1d9"
        public static let series = ["#0b5c4a", "#b35900", "#2b5fa6"]
        /// Series drawn with diagonal hatching instead of a solid fill.
        public static let hatched: Set<Int> = [2]
    }

    /// WCAG 2.1 contrast ratio of two `#rrggbb` colours.
    public static func contrast(_ a: String, _ b: String) -> Double {
        func luminance(_ hex: String) -> Double {
            let digits = Array(hex.dropFirst())
            guard digits.count == 6 else { return 0 }
            let channels = stride(from: 0, to: 6, by: 2).map { i -> Double in
                let c = Double(Int(String(digits[i..<i + 2]), radix: 16) ?? 0) / 255
                return c <= 0.03928 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4)
            }
            return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]
        }
        let (x, y) = (luminance(a), luminance(b))
        return (max(x, y) + 0.05) / (min(x, y) + 0.05)
    }

    // MARK: axis

    /// Round tick values from 0 to at least `maximum`: steps of 1, 2 or 5 times a power of ten, about `count` of
    /// them; whole numbers when `integers` (counts of complaints).
    public static func ticks(maximum: Double, count: Int = 5, integers: Bool = false) -> [Double] {
        guard maximum > 0, maximum.isFinite, count > 0 else { return [0, 1] }
        let raw = maximum / Double(count)
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let residual = raw / magnitude
        var step = (residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 5 ? 5 : 10) * magnitude
        if integers { step = max(1, step.rounded(.up)) }
        let steps = Int((maximum / step - 1e-9).rounded(.up))
        return (0...max(1, steps)).map { Double($0) * step }
    }

    // MARK: layout

    /// A drawn rectangle; `series` picks its colour.
    public struct Bar: Sendable, Equatable { public var x, y, width, height: Double; public var series: Int }
    /// A piece of text at a point; `anchor` is SVG's `text-anchor`.
    public struct Label: Sendable, Equatable {
        public var x, y: Double; public var text: String; public var anchor: String; public var size: Double; public var muted: Bool
    }
    /// A line (axis, grid line, tick).
    public struct Line: Sendable, Equatable { public var x1, y1, x2, y2: Double; public var grid: Bool }
    /// A legend entry: a swatch of the series at (x, y) and its name beside it.
    public struct Key: Sendable, Equatable { public var x, y: Double; public var series: Int; public var name: String }

    public struct Layout: Sendable, Equatable {
        public var width: Double
        public var height: Double
        public var bars: [Bar] = []
        public var labels: [Label] = []
        public var lines: [Line] = []
        public var keys: [Key] = []
    }

    static let width = 360.0
    static let font = 12.0
    static let small = 11.0

    /// Columns over categories (e.g. months), value axis on the left with round ticks and grid lines, each column's
    /// value above it, the category labels below.
    public static func columnsLayout(_ items: [Item], axisTitle: String, integers: Bool = true,
                                     tickText: (Double) -> String) -> Layout {
        let top = 22.0, bottom = 34.0, left = 40.0, right = 6.0, plotHeight = 150.0
        var layout = Layout(width: width, height: top + plotHeight + bottom)
        let maximum = items.compactMap(\.value).max() ?? 0
        let ticks = ticks(maximum: maximum, count: 4, integers: integers)
        let scale = plotHeight / (ticks.last ?? 1)
        let baseline = top + plotHeight
        for tick in ticks {
            let y = baseline - tick * scale
            layout.lines.append(Line(x1: left, y1: y, x2: width - right, y2: y, grid: tick != 0))
            layout.labels.append(Label(x: left - 4, y: y + 4, text: tickText(tick), anchor: "end", size: small, muted: true))
        }
        layout.lines.append(Line(x1: left, y1: top, x2: left, y2: baseline, grid: false))
        if !axisTitle.isEmpty { layout.labels.append(Label(x: 0, y: 12, text: axisTitle, anchor: "start", size: small, muted: true)) }
        guard !items.isEmpty else { return layout }
        let slot = (width - left - right) / Double(items.count)
        let barWidth = min(36, slot * 0.7)
        for (i, item) in items.enumerated() {
            let centre = left + slot * (Double(i) + 0.5)
            let height = (item.value ?? 0) * scale
            if let value = item.value, value > 0 {
                layout.bars.append(Bar(x: centre - barWidth / 2, y: baseline - height, width: barWidth, height: height, series: 0))
            }
            layout.labels.append(Label(x: centre, y: baseline - height - 4, text: item.text, anchor: "middle", size: small, muted: false))
            layout.labels.append(Label(x: centre, y: baseline + 15, text: fit(item.label, width: slot, size: small),
                                       anchor: "middle", size: small, muted: false))
        }
        return layout
    }

    /// Horizontal bars, the label of each group above its bars (or beside them, in a column `labelWidth` wide: one
    /// line per row, for long lists such as every unit), one bar per series; the value axis runs from 0 to `maximum`
    /// (1 for rates) or to round ticks above the largest value.
    public static func barsLayout(_ groups: [Group], series: [String], maximum fixed: Double? = nil, integers: Bool = false,
                                  labelWidth: Double? = nil, tickText: (Double) -> String) -> Layout {
        let beside = labelWidth.map { max(0, min($0, width / 2)) }
        let left = 4.0 + (beside ?? 0), right = 56.0, barHeight = 12.0, barGap = 3.0
        let labelHeight = beside == nil ? 16.0 : 0, groupGap = beside == nil ? 8.0 : 4.0
        let seriesCount = max(1, series.count)
        let legendHeight = series.count > 1 ? 20.0 * Double((series.count + 1) / 2) : 0
        let axisHeight = 20.0
        let plotWidth = width - left - right
        let maximum = fixed ?? (groups.flatMap(\.items).compactMap(\.value).max() ?? 0)
        let ticks = fixed.map { m in (0...4).map { Double($0) * m / 4 } } ?? ticks(maximum: maximum, count: 4, integers: integers)
        let scale = plotWidth / (ticks.last ?? 1)
        let groupHeight = labelHeight + Double(seriesCount) * (barHeight + barGap) + groupGap
        let plotTop = legendHeight + 4
        let plotBottom = plotTop + groupHeight * Double(groups.count)
        var layout = Layout(width: width, height: plotBottom + axisHeight + 4)

        for (i, name) in series.enumerated() where series.count > 1 {
            layout.keys.append(Key(x: left + Double(i % 2) * (width / 2), y: 4 + 20 * Double(i / 2), series: i,
                                   name: fit(name, width: width / 2 - 20, size: small)))
        }
        for tick in ticks {
            let x = left + tick * scale
            layout.lines.append(Line(x1: x, y1: plotTop, x2: x, y2: plotBottom, grid: tick != 0))
            layout.labels.append(Label(x: x, y: plotBottom + 14, text: tickText(tick), anchor: tick == 0 ? "start" : "middle",
                                       size: small, muted: true))
        }
        layout.lines.append(Line(x1: left, y1: plotBottom, x2: left + plotWidth, y2: plotBottom, grid: false))
        for (g, group) in groups.enumerated() {
            let y0 = plotTop + groupHeight * Double(g)
            if let beside {
                layout.labels.append(Label(x: 4, y: y0 + barHeight - 2, text: fit(group.label, width: beside - 6, size: small),
                                           anchor: "start", size: small, muted: false))
            } else {
                layout.labels.append(Label(x: left, y: y0 + 12, text: fit(group.label, width: width - left, size: font),
                                           anchor: "start", size: font, muted: false))
            }
            for (s, item) in group.items.prefix(seriesCount).enumerated() {
                let y = y0 + labelHeight + Double(s) * (barHeight + barGap)
                let length = max(0, min(item.value ?? 0, ticks.last ?? 1)) * scale
                if let value = item.value, value > 0 {
                    layout.bars.append(Bar(x: left, y: y, width: max(1, length), height: barHeight, series: s))
                }
                layout.labels.append(Label(x: left + length + 4, y: y + barHeight - 2, text: item.text, anchor: "start",
                                           size: small, muted: false))
            }
        }
        return layout
    }

    // MARK: SVG

    /// The chart as an SVG element, with `title` and `desc` naming it for assistive technology.
    public static func svg(_ layout: Layout, frame: Frame) -> String {
        let id = escape(frame.id)
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" id=\"\(id)\" width=\"\(n(layout.width))\" "
            + "height=\"\(n(layout.height))\" viewBox=\"0 0 \(n(layout.width)) \(n(layout.height))\" role=\"img\" "
            + "aria-labelledby=\"\(id)-title \(id)-desc\" font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', sans-serif\">"
        out += "<title id=\"\(id)-title\">\(escape(frame.title))</title>"
        out += "<desc id=\"\(id)-desc\">\(escape(frame.description))</desc>"
        if layout.bars.contains(where: { Palette.hatched.contains($0.series) }) || layout.keys.contains(where: { Palette.hatched.contains($0.series) }) {
            out += "<defs>"
            for s in Palette.hatched.sorted() {
                let colour = Palette.series[s % Palette.series.count]
                out += "<pattern id=\"\(id)-hatch-\(s)\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
                    + "<rect width=\"6\" height=\"6\" fill=\"#ffffff\"/><rect width=\"3\" height=\"6\" fill=\"\(colour)\"/></pattern>"
            }
            out += "</defs>"
        }
        for line in layout.lines {
            out += "<line x1=\"\(n(line.x1))\" y1=\"\(n(line.y1))\" x2=\"\(n(line.x2))\" y2=\"\(n(line.y2))\" "
                + "stroke=\"\(line.grid ? Palette.grid : Palette.muted)\" stroke-width=\"1\"/>"
        }
        for bar in layout.bars {
            out += "<rect x=\"\(n(bar.x))\" y=\"\(n(bar.y))\" width=\"\(n(bar.width))\" height=\"\(n(bar.height))\" "
                + fill(bar.series, id: id) + "/>"
        }
        for key in layout.keys {
            out += "<rect x=\"\(n(key.x))\" y=\"\(n(key.y))\" width=\"12\" height=\"12\" " + fill(key.series, id: id) + "/>"
            out += "<text x=\"\(n(key.x + 16))\" y=\"\(n(key.y + 10))\" font-size=\"\(n(small))\" fill=\"\(Palette.ink)\">\(escape(key.name))</text>"
        }
        for label in layout.labels {
            out += "<text x=\"\(n(label.x))\" y=\"\(n(label.y))\" font-size=\"\(n(label.size))\" text-anchor=\"\(label.anchor)\" "
                + "fill=\"\(label.muted ? Palette.muted : Palette.ink)\">\(escape(label.text))</text>"
        }
        return out + "</svg>"
    }

    /// A solid fill, or the hatching pattern with an outline of the series colour.
    static func fill(_ series: Int, id: String) -> String {
        let colour = Palette.series[series % Palette.series.count]
        return Palette.hatched.contains(series % Palette.series.count)
            ? "fill=\"url(#\(id)-hatch-\(series % Palette.series.count))\" stroke=\"\(colour)\" stroke-width=\"1\""
            : "fill=\"\(colour)\""
    }

    /// XML text and attribute values (`XMLText.escape`).
    public static func escape(_ text: String) -> String { XMLText.escape(text) }

    /// The text shortened with "…" to about `width` points at `size` (an average glyph is about 0.55 em).
    public static func fit(_ text: String, width: Double, size: Double) -> String {
        let room = max(1, Int(width / (size * 0.55)))
        guard text.count > room else { return text }
        return String(text.prefix(max(1, room - 1))) + "…"
    }

    /// Coordinates with at most one decimal, without a trailing ".0".
    static func n(_ value: Double) -> String {
        let tenths = (value * 10).rounded()
        return tenths.truncatingRemainder(dividingBy: 10) == 0 ? String(Int(tenths / 10)) : String(format: "%.1f", tenths / 10)
    }
}
