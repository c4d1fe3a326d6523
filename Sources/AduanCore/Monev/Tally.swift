import Foundation

/// The monev figures of SPEC §8 as counters. A complaint adds counters for what it is now (its state, type,
/// channel …) and an ended stage adds its on-time flag and its duration; the figures are then ratios, means and
/// medians of summed counters. The database keeps these counters summed per month, jurisdiction and unit
/// (`monev_tally`, updated in the transaction of every event), so the province-wide dashboard reads a few thousand
/// rows instead of every complaint (SPEC §11); `MetricEngine` sums the same counters in memory from facts. One set
/// of counters and one reader serve both, so the stored and the computed figures cannot drift apart.
///
/// What depends on the instant of evaluation — open stages already past their due — is not a counter: it is
/// counted live and handed to the reader (`MetricEngine.summary(_:overdue:)`).
public enum Tally {
    public enum Metric: String, Sendable, CaseIterable, Codable {
        case received, type, channel, category, state, confidential
        case archiveReason = "archive_reason"
        case dispositioned
        case followedUp = "followed_up"
        case completed
        /// n ratings, total the sum of the ratings.
        case rating
        case ratedSelesai = "rated_selesai"
        case finalAnswer = "final_answer"
        case reopened
        /// Keyed by stage kind: n ended stages, total their working days.
        case stageEnded = "stage_ended"
        /// Keyed by stage kind: ended at or before the due.
        case stageOnTime = "stage_on_time"
        /// Keyed `kind:band` (`band(of:)`): ended stages per band of duration, total their working days (where the
        /// median lies; its exact value is read from the stages in that band).
        case stageDays = "stage_days"
    }

    /// The version of these counters' definitions. Stored counters written under another version are recomputed when
    /// the application starts (`MonevTally.ensureCurrent`), so a corrected formula never leaves old figures behind.
    /// 2: dispositioned counted once per complaint and keyed by where it was dispositioned, final answers only after
    /// a disposition, bands with exact edges, counters per day and per day of change.
    public static let version = 2

    /// A count and a sum.
    public struct Value: Sendable, Equatable, Codable {
        public var n: Int
        public var total: Double
        public init(n: Int, total: Double = 0) { self.n = n; self.total = total }
        public static func + (a: Value, b: Value) -> Value { Value(n: a.n + b.n, total: a.total + b.total) }
        public static prefix func - (a: Value) -> Value { Value(n: -a.n, total: -a.total) }
        public var isZero: Bool { n == 0 && total == 0 }
    }

    /// One counter a fact adds: to its jurisdiction's totals (`unit` nil) or to a unit's row, which keeps only what
    /// the ranking of units reads.
    public struct Contribution: Sendable, Equatable {
        public var unit: String?
        public var metric: Metric
        public var key: String
        public var value: Value
    }

    /// Durations are counted in bands: a tenth of a working day below 10 working days, a whole working day above.
    /// The bands say where the middle duration lies; the median itself is then read from the stages in that band
    /// (`MedianLocation`), so it is exact. Band `b` holds [`lowerEdge(b)`, `lowerEdge(b + 1)`): the same doubles
    /// the database is asked with, so a duration is in the same band on both sides.
    public static func band(of days: Double) -> Int {
        guard days.isFinite, days > 0 else { return 0 }
        var band = days < 10 ? Int(days * 10) : 100 + Int(min(days, 1e12) - 10)
        while band > 0 && days < lowerEdge(ofBand: band) { band -= 1 }
        while days >= lowerEdge(ofBand: band + 1) { band += 1 }
        return band
    }

    /// The smallest duration of band `band`.
    public static func lowerEdge(ofBand band: Int) -> Double { band <= 100 ? Double(band) / 10 : Double(band - 90) }

    /// The `stage_days` key of a band: `kind:band`.
    public static func bandKey(_ kind: String, _ band: Int) -> String { "\(kind):\(band)" }

    /// The kind and band of a `stage_days` key.
    public static func splitBand(_ key: String) -> (kind: String, band: Int)? {
        guard let colon = key.firstIndex(of: ":"), let band = Int(key[key.index(after: colon)...]) else { return nil }
        return (String(key[..<colon]), band)
    }

    /// The counters of a complaint as it is.
    public static func of(_ c: ComplaintFacts) -> [Contribution] {
        var out: [Contribution] = []
        func add(_ metric: Metric, _ key: String = "", _ value: Value = Value(n: 1), unit: String? = nil) {
            out.append(Contribution(unit: unit, metric: metric, key: key, value: value))
        }
        add(.received)
        add(.type, c.type.rawValue)
        add(.channel, c.channel.rawValue)
        add(.category, c.category ?? MetricSummary.uncategorised)
        add(.state, c.state.rawValue)
        if c.confidential { add(.confidential) }
        // An archived row always has a reason; an unreadable one is still an archived complaint.
        if c.state == .diarsipkan { add(.archiveReason, (c.archiveReason ?? .lainnya).rawValue) }
        // Once for the jurisdiction, keyed by where it was dispositioned (`ComplaintFacts.dispositionKey`) …
        let rating = c.rating.map { Value(n: 1, total: Double($0)) }
        if let key = c.dispositionKey {
            add(.dispositioned, key)
            if isFollowedUp(c.state) { add(.followedUp, key) }
            if c.state == .selesai { add(.completed, key) }
        }
        if let rating { add(.rating, "", rating) }
        // … and once more for the unit holding its latest disposition (none after a return; none for a LAPOR import
        // finished there, whose unit is LAPOR's record of who handled it, not a disposition made here).
        if let unit = c.unit, c.dispositionCount > 0 {
            add(.dispositioned, unit: unit)
            if isFollowedUp(c.state) { add(.followedUp, unit: unit) }
            if c.state == .selesai { add(.completed, unit: unit) }
            if let rating { add(.rating, "", rating, unit: unit) }
        }
        if c.state == .selesai && c.rating != nil { add(.ratedSelesai) }
        if c.gotFinalAnswer {
            add(.finalAnswer)
            if c.reopenCount >= 1 { add(.reopened) }
        }
        return out
    }

    /// The counters of an ended stage that took `workingDays`; nothing for an open one. A unit's row keeps its
    /// response stages (the ranking's response on time and mean time).
    public static func of(ended stage: StageFacts, workingDays: Double) -> [Contribution] {
        guard stage.endedAt != nil else { return [] }
        let kind = stage.kind.rawValue
        let days = Value(n: 1, total: workingDays)
        var out = [Contribution(unit: nil, metric: .stageEnded, key: kind, value: days),
                   Contribution(unit: nil, metric: .stageDays, key: bandKey(kind, band(of: workingDays)), value: days)]
        let onTime = stage.endedOnTime == true
        if onTime { out.append(Contribution(unit: nil, metric: .stageOnTime, key: kind, value: Value(n: 1))) }
        if let unit = stage.unit, stage.kind == .response {
            out.append(Contribution(unit: unit, metric: .stageEnded, key: kind, value: days))
            if onTime { out.append(Contribution(unit: unit, metric: .stageOnTime, key: kind, value: Value(n: 1))) }
        }
        return out
    }

    /// Followed up (ditindaklanjuti): the unit has posted at least a follow-up and the complaint has not gone back.
    static func isFollowedUp(_ state: ComplaintState) -> Bool {
        state == .diproses || state == .ditanggapi || state == .selesai
    }
}

/// Counters summed over some months and places: metric → key → value, and the bands of stage durations kind →
/// band → value. Zero counters (left by a complaint that moved on) read as absent.
public struct TallySums: Sendable, Equatable {
    public private(set) var values: [Tally.Metric: [String: Tally.Value]] = [:]
    /// The `stage_days` counters, kept by kind and band number rather than by text key (the dashboard sums
    /// tens of thousands of them).
    public private(set) var bands: [String: [Int: Tally.Value]] = [:]

    public init() {}

    public mutating func add(_ metric: Tally.Metric, _ key: String, _ value: Tally.Value) {
        if metric == .stageDays, let (kind, band) = Tally.splitBand(key) {
            addBand(kind, band, value)
            return
        }
        values[metric, default: [:]][key, default: Tally.Value(n: 0)] = (values[metric]?[key] ?? Tally.Value(n: 0)) + value
    }

    public mutating func addBand(_ kind: String, _ band: Int, _ value: Tally.Value) {
        bands[kind, default: [:]][band, default: Tally.Value(n: 0)] = (bands[kind]?[band] ?? Tally.Value(n: 0)) + value
    }

    public mutating func add(_ contribution: Tally.Contribution) { add(contribution.metric, contribution.key, contribution.value) }

    /// Adds (`sign` 1) or takes away (`sign` -1) other sums.
    public mutating func add(_ other: TallySums, sign: Int = 1) {
        func signed(_ v: Tally.Value) -> Tally.Value { sign < 0 ? -v : v }
        for (metric, keys) in other.values {
            for (key, value) in keys { add(metric, key, signed(value)) }
        }
        for (kind, kindBands) in other.bands {
            for (band, value) in kindBands { addBand(kind, band, signed(value)) }
        }
    }

    public func value(_ metric: Tally.Metric, _ key: String = "") -> Tally.Value { values[metric]?[key] ?? Tally.Value(n: 0) }

    public func count(_ metric: Tally.Metric, _ key: String = "") -> Int { value(metric, key).n }

    /// The complaints of `metric` (dispositioned, followed up, completed) that reached a handling unit of `scope`:
    /// the key `""` (a unit of the jurisdiction holding them) and the keys naming a jurisdiction of the scope.
    public func count(_ metric: Tally.Metric, reaching scope: Set<String>) -> Int {
        var n = 0
        for (key, value) in values[metric] ?? [:]
        where key.isEmpty || key.split(separator: ",").contains(where: { scope.contains(String($0)) }) {
            n += value.n
        }
        return n
    }

    /// The non-zero counts of `metric` by key.
    public func counts(_ metric: Tally.Metric) -> [String: Int] {
        (values[metric] ?? [:]).compactMapValues { $0.n == 0 ? nil : $0.n }
    }

    /// total ÷ n, nil when nothing was counted.
    public func mean(_ metric: Tally.Metric, _ key: String = "") -> Double? {
        let v = value(metric, key)
        return v.n == 0 ? nil : v.total / Double(v.n)
    }

    /// Where the median duration of the ended stages of `kind` lies (see `Tally.band(of:)`); nil without any.
    public func medianLocation(_ kind: StageKind) -> MedianLocation? {
        let sorted = (bands[kind.rawValue] ?? [:]).filter { $0.value.n > 0 }.sorted { $0.key < $1.key }
        let count = sorted.reduce(0) { $0 + $1.value.n }
        guard count > 0 else { return nil }
        let low = (count - 1) / 2, high = count / 2
        var below = 0
        var first: (band: Int, below: Int, value: Tally.Value)?
        var last: (band: Int, value: Tally.Value)?
        for b in sorted {
            if first == nil && low < below + b.value.n { first = (b.key, below, b.value) }
            if high < below + b.value.n { last = (b.key, b.value); break }
            below += b.value.n
        }
        guard let first, let last else { return nil }
        let mean = { (v: Tally.Value) in v.total / Double(v.n) }
        return MedianLocation(count: count, from: Tally.lowerEdge(ofBand: first.band), to: Tally.lowerEdge(ofBand: last.band + 1),
                              offset: low - first.below, middle: high - low + 1,
                              approximate: (mean(first.value) + mean(last.value)) / 2,
                              precision: Tally.lowerEdge(ofBand: last.band + 1) - Tally.lowerEdge(ofBand: first.band))
    }
}

/// Where the median of some durations lies, for reading its exact value: the durations in [`from`, `to`) sorted,
/// skip `offset`, the next `middle` (1 for an odd count, 2 for an even one: the median is their mean). The
/// durations below `from` are exactly those of the lower bands, so the offset holds whatever the database's order.
public struct MedianLocation: Sendable, Equatable {
    /// How many durations there are in all.
    public var count: Int
    public var from: Double
    public var to: Double
    public var offset: Int
    public var middle: Int
    /// The mean of the band(s) holding the middle: within `precision` of the median, used only if the exact values
    /// cannot be read.
    public var approximate: Double
    public var precision: Double

    /// The median of sorted `values` (the `middle` values read at `offset`), or nil when there are not that many.
    public func median(_ values: [Double]) -> Double? {
        guard values.count == middle else { return nil }
        return values.reduce(0, +) / Double(middle)
    }

    /// The exact median of `values` (SPEC §8; the mean of the two middle values of an even count); nil when empty.
    public static func exact(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let v = values.sorted()
        return v.count % 2 == 1 ? v[v.count / 2] : (v[v.count / 2 - 1] + v[v.count / 2]) / 2
    }
}
