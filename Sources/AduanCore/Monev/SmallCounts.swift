import Foundation

/// How many confidential complaints (every whistleblowing complaint is confidential) a population of complaints
/// holds, per cell of the monev breakdowns, so a figure can be withheld when it would show a small count of them.
///
/// Built from the complaints as they are now. When only the total is known (figures "as of" a past date, where a
/// complaint's state or unit then may differ from now), `exact` is false and every cell is bounded by the total.
public struct SensitiveCounts: Sendable, Equatable {
    public enum Dimension: String, Sendable, CaseIterable {
        case type = "by_type", channel = "by_channel", category = "by_category", state = "by_state"
        case archiveReason = "archived_by_reason"
    }

    /// Confidential complaints in the population.
    public var total = 0
    /// Of them, those that were ever dispositioned.
    public var dispositioned = 0
    public var cells: [Dimension: [String: Int]] = [:]
    /// Per unit holding the complaint's latest disposition, and per jurisdiction holding the complaint.
    public var byUnit: [String: Int] = [:]
    public var byJurisdiction: [String: Int] = [:]
    /// Per jurisdiction, those ever dispositioned.
    public var dispositionedByJurisdiction: [String: Int] = [:]
    /// Per month of submission (`yyyymm`, in the complaint's jurisdiction's calendar), for the trend chart.
    public var byMonth: [Int: Int] = [:]
    /// False when only `total` is known.
    public var exact = true

    public init() {}

    /// Only the total is known: every cell may hold all of them.
    public init(bound total: Int) { self.total = total; self.exact = false }

    /// Adds one confidential complaint, submitted in `month` (`yyyymm`).
    public mutating func add(_ c: ComplaintFacts, month: Int) {
        total += 1
        byMonth[month, default: 0] += 1
        if c.wasDispositioned { dispositioned += 1; dispositionedByJurisdiction[c.jurisdiction, default: 0] += 1 }
        cells[.type, default: [:]][c.type.rawValue, default: 0] += 1
        cells[.channel, default: [:]][c.channel.rawValue, default: 0] += 1
        cells[.category, default: [:]][c.category ?? MetricSummary.uncategorised, default: 0] += 1
        cells[.state, default: [:]][c.state.rawValue, default: 0] += 1
        if c.state == .diarsipkan { cells[.archiveReason, default: [:]][(c.archiveReason ?? .lainnya).rawValue, default: 0] += 1 }
        if let unit = c.unit { byUnit[unit, default: 0] += 1 }
        byJurisdiction[c.jurisdiction, default: 0] += 1
    }

    /// At most how many confidential complaints the cell holds.
    public func cell(_ dimension: Dimension, _ key: String) -> Int {
        exact ? cells[dimension]?[key] ?? 0 : total
    }
    public func unit(_ id: String) -> Int { exact ? byUnit[id] ?? 0 : total }
    public func jurisdiction(_ code: String) -> Int { exact ? byJurisdiction[code] ?? 0 : total }
    public func dispositioned(in code: String) -> Int { exact ? dispositionedByJurisdiction[code] ?? 0 : total }
    public func month(_ yyyymm: Int) -> Int { exact ? byMonth[yyyymm] ?? 0 : total }
    public var dispositionedBound: Int { exact ? dispositioned : total }
}

/// SPEC §9: small counts (fewer than 5) of confidential or whistleblowing complaints are never shown in public
/// figures; Aduan withholds them from executives too. Inspectors (APIP) keep the exact figures.
///
/// The rule, applied figure by figure: a count of complaints is withheld — shown as "< 5", never hidden silently —
/// when it counts from 1 to 4 complaints and at least one of them is confidential (or whistleblowing). A count of 5
/// or more is shown: it does not single a confidential complaint out. What is computed over a withheld count is
/// withheld with it (the rates and means over the dispositioned complaints, the share of rated `selesai`
/// complaints); when the population itself (the complaints received) is withheld, every figure of it is.
public enum SmallCounts {
    /// Counts below this are small.
    public static let threshold = 5

    /// Whether a count of `count` complaints, at most `sensitive` of them confidential, is withheld.
    public static func isWithheld(count: Int, sensitive: Int) -> Bool {
        count > 0 && count < threshold && min(sensitive, count) > 0
    }

    /// What of a summary may be shown: every figure (`population`) or the fields named in `fields` — the API's names,
    /// `received`, `dispositioned`, `followed_up_rate`, and `by_type.wbs` for one cell of a breakdown.
    public struct Disclosure: Sendable, Equatable {
        public var population = false
        public var fields: Set<String> = []

        public init(population: Bool = false, fields: Set<String> = []) { self.population = population; self.fields = fields }

        public func withholds(_ field: String) -> Bool { population || fields.contains(field) }
        public func withholds(_ dimension: SensitiveCounts.Dimension, _ key: String) -> Bool {
            population || fields.contains(dimension.rawValue + "." + key)
        }
        /// Nothing is withheld.
        public var isEmpty: Bool { !population && fields.isEmpty }
    }

    /// Nothing withheld: the inspectorate's view.
    public static let exact = Disclosure()

    /// The figures of `summary` that a restricted reader (the public, an executive) may not see.
    public static func summary(_ s: MetricSummary, _ sensitive: SensitiveCounts) -> Disclosure {
        var d = Disclosure()
        if isWithheld(count: s.received, sensitive: sensitive.total) { d.population = true; return d }
        let maps: [(SensitiveCounts.Dimension, [String: Int])] = [(.type, s.byType), (.channel, s.byChannel), (.category, s.byCategory),
                                                                   (.state, s.byState), (.archiveReason, s.archivedByReason)]
        for (dimension, counts) in maps {
            for (key, count) in counts where isWithheld(count: count, sensitive: sensitive.cell(dimension, key)) {
                d.fields.insert(dimension.rawValue + "." + key)
            }
        }
        if isWithheld(count: s.dispositioned, sensitive: sensitive.dispositionedBound) {
            d.fields.formUnion(["dispositioned", "followed_up_rate", "completion_rate", "satisfaction_mean", "reopen_rate"])
        }
        if isWithheld(count: s.archived, sensitive: sensitive.cell(.state, ComplaintState.diarsipkan.rawValue)) { d.fields.insert("archived") }
        if isWithheld(count: s.forwardedOut, sensitive: sensitive.cell(.state, ComplaintState.diteruskan.rawValue)) { d.fields.insert("forwarded_out") }
        if d.fields.contains("by_state." + ComplaintState.selesai.rawValue) { d.fields.insert("rated_share") }
        return d
    }

    /// Whether a row of the units ranking is withheld as a whole: its dispositioned complaints are 1 to 4 and may
    /// include a confidential one. Everything in the row is computed over them.
    public static func row(_ m: UnitMetrics, sensitive: Int) -> Bool {
        isWithheld(count: m.dispositioned, sensitive: sensitive)
    }

    /// Whether a kabupaten/kota's row of the ranking of jurisdictions is withheld: its complaints received, or those
    /// dispositioned, are 1 to 4 and include a confidential one (as `summary(_:_:)` would withhold them in its own
    /// summary).
    public static func place(_ s: MetricSummary, _ code: String, _ sensitive: SensitiveCounts) -> Bool {
        isWithheld(count: s.received, sensitive: sensitive.jurisdiction(code))
            || isWithheld(count: s.dispositioned, sensitive: sensitive.dispositioned(in: code))
    }

    /// Whether `officer` reads exact figures over the jurisdictions `codes`: an inspector whose jurisdiction (with
    /// the kabupaten/kota below it) holds them all. Executives and everyone else read the restricted figures.
    public static func readsExactFigures(_ officer: Officer, over codes: [String], tree: OrgTree) -> Bool {
        var covered = Set<String>()
        for assignment in officer.assignments where assignment.role == .inspector {
            if case .jurisdiction(let code) = assignment.scope { covered.formUnion(tree.jurisdictionSubtree(code)) }
        }
        return !codes.isEmpty && codes.allSatisfy(covered.contains)
    }
}

extension UnitMetrics {
    /// Nothing happened at the unit in the period: no complaint dispositioned to it, no stage of its ended or overdue,
    /// no rating. The evaluation report leaves such units out unless asked for all.
    public var hasNothing: Bool {
        dispositioned == 0 && overdueNow == 0 && responseOnTimeRate == nil && responseDaysMean == nil && satisfactionMean == nil
    }
}
