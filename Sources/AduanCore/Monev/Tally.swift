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
        /// Keyed `kind:band` (`band(of:)`): ended stages per band of duration, total their working days (the median).
        case stageDays = "stage_days"
    }

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

    /// Durations are kept in bands: a tenth of a working day below 10 working days, a whole working day above. The
    /// median is the mean of the durations in the band holding the middle one — exact when they are equal, within
    /// the band's width otherwise (0.1 or 1 working day). The mean is exact.
    public static func band(of days: Double) -> Int {
        let tenths = max(0, Int((days * 10 + 1e-9).rounded(.down)))
        return tenths < 100 ? tenths : 100 + (tenths - 100) / 10
    }

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
        let rating = c.rating.map { Value(n: 1, total: Double($0)) }
        for unit in [nil, c.unit] where unit == nil || c.unit != nil {
            if c.wasDispositioned {
                add(.dispositioned, unit: unit)
                if isFollowedUp(c.state) { add(.followedUp, unit: unit) }
                if c.state == .selesai { add(.completed, unit: unit) }
            }
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

    public mutating func add(_ other: TallySums) {
        for (metric, keys) in other.values {
            for (key, value) in keys { add(metric, key, value) }
        }
        for (kind, kindBands) in other.bands {
            for (band, value) in kindBands { addBand(kind, band, value) }
        }
    }

    public func value(_ metric: Tally.Metric, _ key: String = "") -> Tally.Value { values[metric]?[key] ?? Tally.Value(n: 0) }

    public func count(_ metric: Tally.Metric, _ key: String = "") -> Int { value(metric, key).n }

    /// The non-zero counts of `metric` by key.
    public func counts(_ metric: Tally.Metric) -> [String: Int] {
        (values[metric] ?? [:]).compactMapValues { $0.n == 0 ? nil : $0.n }
    }

    /// total ÷ n, nil when nothing was counted.
    public func mean(_ metric: Tally.Metric, _ key: String = "") -> Double? {
        let v = value(metric, key)
        return v.n == 0 ? nil : v.total / Double(v.n)
    }

    /// The median duration of the ended stages of `kind`, from their bands (see `Tally.band(of:)`).
    public func medianDays(_ kind: StageKind) -> Double? {
        let sorted = (bands[kind.rawValue] ?? [:]).filter { $0.value.n > 0 }.sorted { $0.key < $1.key }
        let count = sorted.reduce(0) { $0 + $1.value.n }
        guard count > 0 else { return nil }
        func at(_ rank: Int) -> Double {
            var seen = 0
            for b in sorted {
                seen += b.value.n
                if rank < seen { return b.value.total / Double(b.value.n) }
            }
            return sorted.last.map { $0.value.total / Double($0.value.n) } ?? 0
        }
        return (at((count - 1) / 2) + at(count / 2)) / 2
    }
}
