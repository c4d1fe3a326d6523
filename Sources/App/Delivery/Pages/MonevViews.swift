import AduanCore
import Foundation
import Vapor

/// The view pieces the public statistics pages and the officers' monev pages share: numbers in the reader's
/// language, the stage rows, links with a query, the year choice, the score's formula.
enum FigureViews {
    /// Numbers in the visitor's language: "1.234" and "81,8%" in Indonesian, "1,234" and "81.8%" in English;
    /// "—" for a figure that could not be measured.
    struct Numbers: Sendable {
        let language: Language
        static let none = "—"

        func count(_ value: Int) -> String {
            let digits = String(value.magnitude)
            var grouped = ""
            for (index, digit) in digits.enumerated() {
                if index > 0 && (digits.count - index) % 3 == 0 { grouped.append(language == .id ? "." : ",") }
                grouped.append(digit)
            }
            return (value < 0 ? "-" : "") + grouped
        }

        /// One decimal at most, without a trailing zero.
        func decimal(_ value: Double?) -> String {
            guard let value, value.isFinite else { return Self.none }
            let tenths = Int((value * 10).rounded())
            let sign = tenths < 0 ? "-" : ""
            let whole = count(abs(tenths) / 10)
            let fraction = abs(tenths) % 10
            return fraction == 0 ? sign + whole : sign + whole + (language == .id ? "," : ".") + String(fraction)
        }

        func percent(_ rate: Double?) -> String {
            guard let rate else { return Self.none }
            return decimal(rate * 100) + "%"
        }

        func days(_ value: Double?, _ req: Request) -> String {
            guard value != nil else { return Self.none }
            return req.text("metric_days", ["days": decimal(value)])
        }

        func satisfaction(_ value: Double?, _ req: Request) -> String {
            guard value != nil else { return Self.none }
            return req.text("metric_out_of_five", ["value": decimal(value)])
        }

        /// "25 Mar 2026" in the jurisdiction's time zone.
        func shortDate(_ instant: Date, _ calendar: WorkingCalendar, _ req: Request) -> String {
            let date = calendar.localDate(of: instant)
            return "\(date.day) \(req.text("month_\(date.month)").prefix(3)) \(date.year)"
        }
    }

    struct StageRowView: Encodable, Sendable {
        var label: String
        var onTime: String
        var median: String
        var mean: String
        var kind: String = ""
    }

    /// `path` with a query string; values are percent-encoded.
    static func link(_ path: String, _ items: [(String, String)]) -> String {
        guard !items.isEmpty else { return path }
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+?#/")
        let query = items.map { name, value in
            "\(name)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)"
        }.joined(separator: "&")
        return path + "?" + query
    }

    /// The five most recent years, newest first.
    static func yearOptions(selected: Int, current: Int) -> [Choice] {
        (max(2000, current - 4)...current).reversed().map { Choice(value: String($0), label: String($0), selected: $0 == selected) }
    }

    /// The score's formula with the weights in force.
    static func scoreNote(_ w: ComplianceWeights, _ req: Request, _ n: Numbers) -> String {
        req.text("metric_compliance_note", ["response": n.decimal(w.response * 100), "completion": n.decimal(w.completion * 100),
                                            "satisfaction": n.decimal(w.satisfaction * 100)])
    }

    /// "Kesehatan › Pelayanan Rumah Sakit" for a sub-category, so the list reads without indentation.
    static func categoryLabel(_ code: String, _ reference: ReferenceData, _ language: Language) -> String {
        guard let info = reference.categories[code] else { return code }
        guard let parent = info.parent.flatMap({ reference.categories[$0] }) else { return info.name(language) }
        return parent.name(language) + " › " + info.name(language)
    }

    /// Largest count first, then by key.
    static func sortedCounts(_ counts: [String: Int]) -> [(key: String, count: Int)] {
        counts.map { (key: $0.key, count: $0.value) }.sorted { ($1.count, $0.key) < ($0.count, $1.key) }
    }
}

/// A chart of a monev or statistics page: the server-drawn SVG (`SVGChart`, embedded as markup) and the same numbers
/// as a table, its text alternative for everyone (SPEC §8: readable without JavaScript).
struct ChartView: Encodable, Sendable {
    struct Row: Encodable, Sendable { var label: String; var values: [String] }
    var id: String
    var title: String
    var svg: String
    var headers: [String]
    var rows: [Row]
    var hasData: Bool

    typealias Numbers = FigureViews.Numbers

    /// One bar per item, largest scale at the largest count; a withheld count (`SmallCounts`) gets no bar, "< 5" and
    /// no share.
    static func counts(id: String, title: String, header: String, items: [(label: String, count: Int, withheld: Bool)],
                       numbers n: Numbers, req: Request) -> ChartView {
        let small = req.text("small_count")
        let total = items.reduce(0) { $0 + $1.count }
        let chartItems = items.map { SVGChart.Item(label: $0.label, value: $0.withheld ? nil : Double($0.count),
                                                   text: $0.withheld ? small : n.count($0.count)) }
        let layout = SVGChart.barsLayout(chartItems.map { SVGChart.Group(label: $0.label, items: [$0]) }, series: [], integers: true,
                                         tickText: { n.count(Int($0)) })
        let rows = items.map { item in
            Row(label: item.label, values: item.withheld ? [small, Numbers.none]
                : [n.count(item.count), n.percent(total == 0 ? nil : Double(item.count) / Double(total))])
        }
        return ChartView(id: id, title: title, svg: SVGChart.svg(layout, frame: frame(id, title, chartItems, req, axis: req.text("stats_col_count"))),
                         headers: [header, req.text("stats_col_count"), req.text("stats_col_share")], rows: rows, hasData: total > 0)
    }

    /// Complaints received per month of the period: columns with a count axis, each labelled with the month's short
    /// name (`short`); the table and the text alternative name it in full (`label`, "April 2026").
    static func months(id: String, title: String, items: [(short: String, label: String, count: Int, withheld: Bool)], numbers n: Numbers,
                       req: Request) -> ChartView {
        let small = req.text("small_count")
        let full = items.map { SVGChart.Item(label: $0.label, value: $0.withheld ? nil : Double($0.count), text: $0.withheld ? small : n.count($0.count)) }
        var drawn = full
        for i in drawn.indices { drawn[i].label = items[i].short }
        let layout = SVGChart.columnsLayout(drawn, axisTitle: req.text("monev_axis_complaints"), tickText: { n.count(Int($0)) })
        return ChartView(id: id, title: title, svg: SVGChart.svg(layout, frame: frame(id, title, full, req, axis: req.text("monev_axis_complaints"))),
                         headers: [req.text("monev_col_month"), req.text("stats_col_count")],
                         rows: full.map { Row(label: $0.label, values: [$0.text]) }, hasData: items.contains { $0.count > 0 })
    }

    /// A rate per row (e.g. response on time per unit), highest first, on a 0-100 % axis; rows without a measured
    /// rate come last, without a bar.
    static func rates(id: String, title: String, header: String, items: [(label: String, rate: Double?, text: String)],
                      numbers n: Numbers, req: Request) -> ChartView {
        let sorted = items.enumerated().sorted { a, b in
            switch (a.element.rate, b.element.rate) {
            case let (x?, y?): return x != y ? x > y : a.offset < b.offset
            case (.some, nil): return true
            case (nil, .some): return false
            case (nil, nil): return a.offset < b.offset
            }
        }.map(\.element)
        let chartItems = sorted.map { SVGChart.Item(label: $0.label, value: $0.rate, text: $0.text) }
        // One line per unit, the name beside its bar: every unit of a province fits on a printed page.
        let layout = SVGChart.barsLayout(chartItems.map { SVGChart.Group(label: $0.label, items: [$0]) }, series: [], maximum: 1,
                                         labelWidth: 150, tickText: { n.percent($0) })
        return ChartView(id: id, title: title, svg: SVGChart.svg(layout, frame: frame(id, title, chartItems, req, axis: "%")),
                         headers: [header, title], rows: chartItems.map { Row(label: $0.label, values: [$0.text]) },
                         hasData: chartItems.contains { $0.value != nil })
    }

    /// Each row (a kabupaten/kota) on several rates side by side, one bar per series, on a 0-100 % axis.
    static func grouped(id: String, title: String, header: String, series: [String],
                        groups: [(label: String, values: [(rate: Double?, text: String)])], numbers n: Numbers, req: Request) -> ChartView {
        let chartGroups = groups.map { g in
            SVGChart.Group(label: g.label, items: zip(series, g.values).map { SVGChart.Item(label: $0, value: $1.rate, text: $1.text) })
        }
        let layout = SVGChart.barsLayout(chartGroups, series: series, maximum: 1, tickText: { n.percent($0) })
        let description = chartGroups.map { g in g.label + ": " + g.items.map { "\($0.label) \($0.text)" }.joined(separator: ", ") }
            .joined(separator: "; ")
        return ChartView(id: id, title: title,
                         svg: SVGChart.svg(layout, frame: SVGChart.Frame(id: id, title: title, description: description, series: series, axisTitle: "%")),
                         headers: [header] + series, rows: groups.map { Row(label: $0.label, values: $0.values.map(\.text)) },
                         hasData: groups.contains { $0.values.contains { $0.rate != nil } })
    }

    /// The counts of a summary by state, type, category and channel, each cell withheld where `d` says so: the same
    /// four charts on the dashboard, the report and the public statistics.
    static func breakdowns(_ s: MetricSummary, _ d: SmallCounts.Disclosure, reference: ReferenceData, numbers n: Numbers,
                           req: Request) -> [ChartView] {
        func cells(_ dimension: SensitiveCounts.Dimension, _ pairs: [(key: String, label: String, count: Int)]) -> [(label: String, count: Int, withheld: Bool)] {
            pairs.map { ($0.label, $0.count, d.withholds(dimension, $0.key)) }
        }
        let category: (String) -> String = { code in
            code == MetricSummary.uncategorised ? req.text("stats_no_category") : FigureViews.categoryLabel(code, reference, req.language)
        }
        return [
            counts(id: "chart-state", title: req.text("stats_by_state"), header: req.text("stats_col_state"),
                   items: cells(.state, ComplaintState.allCases.map { ($0.rawValue, req.text("state_\($0.rawValue)"), s.byState[$0.rawValue] ?? 0) }),
                   numbers: n, req: req),
            counts(id: "chart-type", title: req.text("stats_by_type"), header: req.text("stats_col_type"),
                   items: cells(.type, ComplaintType.allCases.map { ($0.rawValue, req.text("type_\($0.rawValue)"), s.byType[$0.rawValue] ?? 0) }),
                   numbers: n, req: req),
            counts(id: "chart-category", title: req.text("stats_by_category"), header: req.text("stats_col_category"),
                   items: cells(.category, FigureViews.sortedCounts(s.byCategory).map { ($0.key, category($0.key), $0.count) }), numbers: n, req: req),
            counts(id: "chart-channel", title: req.text("stats_by_channel"), header: req.text("stats_col_channel"),
                   items: cells(.channel, FigureViews.sortedCounts(s.byChannel).map { ($0.key, req.text("stats_channel_\($0.key)"), $0.count) }),
                   numbers: n, req: req),
        ]
    }

    private static func frame(_ id: String, _ title: String, _ items: [SVGChart.Item], _ req: Request, axis: String) -> SVGChart.Frame {
        let description = items.isEmpty ? req.text("stats_chart_empty") : items.map { "\($0.label): \($0.text)" }.joined(separator: "; ")
        return SVGChart.Frame(id: id, title: title, description: description, axisTitle: axis)
    }
}

extension FigureViews.StageRowView {
    /// The three stages of SPEC §8 (verification, response, resolution): on time, median and mean working days, all
    /// withheld ("(< 5)") with the population.
    static func all(_ s: MetricSummary, withheld: Bool, numbers n: FigureViews.Numbers, req: Request) -> [Self] {
        [(StageKind.verification, s.verificationOnTimeRate, s.verificationDaysMedian, s.verificationDaysMean),
         (.response, s.responseOnTimeRate, s.responseDaysMedian, s.responseDaysMean),
         (.resolution, s.resolutionOnTimeRate, s.resolutionDaysMedian, s.resolutionDaysMean)].map { kind, onTime, median, mean in
            Self(label: req.text("stats_stage_\(kind.rawValue)"), onTime: n.percent(onTime, withheld: withheld, req),
                 median: n.decimal(median, withheld: withheld, req), mean: n.decimal(mean, withheld: withheld, req), kind: kind.rawValue)
        }
    }
}

extension FigureViews.Numbers {
    /// A count, or "< 5" when the small-count rule withholds it.
    func count(_ value: Int, withheld: Bool, _ req: Request) -> String { withheld ? req.text("small_count") : count(value) }
    func percent(_ rate: Double?, withheld: Bool, _ req: Request) -> String { withheld ? req.text("small_count_figure") : percent(rate) }
    func decimal(_ value: Double?, withheld: Bool, _ req: Request) -> String { withheld ? req.text("small_count_figure") : decimal(value) }
}

extension Wording {
    /// "30 April 2026": the day of a signature line.
    func day(_ date: LocalDate) -> String { "\(date.day) \(month(date.month)) \(date.year)" }

    /// A stored day (`2026-03-02`) in words; the text itself when it is not a day.
    func day(_ text: String) -> String { LocalDate(text).map(day) ?? text }

    /// "WITA", "WIB", "WIT", or the zone's identifier.
    static func zoneName(_ zone: TimeZone) -> String {
        switch zone.identifier {
        case "Asia/Makassar": return "WITA"
        case "Asia/Jakarta", "Asia/Pontianak": return "WIB"
        case "Asia/Jayapura": return "WIT"
        default: return zone.identifier
        }
    }
}
