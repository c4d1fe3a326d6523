import Foundation

/// The figures of SPEC §8 over a set of complaints and stages. Rates are fractions 0...1 and nil when nothing
/// could be measured (a zero denominator); durations are elapsed working days (SPEC §5). Count dictionaries
/// hold only the keys that occur: a missing key means 0.
public struct MetricSummary: Sendable, Equatable, Codable {
    /// The `byCategory` key of complaints without a category.
    public static let uncategorised = "none"

    public var received = 0
    public var byType: [String: Int] = [:]
    public var byChannel: [String: Int] = [:]
    public var byCategory: [String: Int] = [:]
    public var byState: [String: Int] = [:]
    public var archived = 0
    public var archivedByReason: [String: Int] = [:]
    /// Complaints forwarded outside the installation (`diteruskan`).
    public var forwardedOut = 0
    public var dispositioned = 0
    public var followedUpRate: Double?
    public var completionRate: Double?
    public var verificationOnTimeRate: Double?
    public var responseOnTimeRate: Double?
    public var resolutionOnTimeRate: Double?
    public var verificationDaysMedian: Double?
    public var verificationDaysMean: Double?
    public var responseDaysMedian: Double?
    public var responseDaysMean: Double?
    public var resolutionDaysMedian: Double?
    public var resolutionDaysMean: Double?
    public var satisfactionMean: Double?
    /// Rated `selesai` complaints ÷ `selesai` complaints.
    public var ratedShare: Double?
    public var reopenRate: Double?
    public var overdueNow = 0
    /// How far the medians may be from the exact medians of SPEC §8, in working days: 0 (they are exact) unless the
    /// stage rows could not be read where the counters said (then the band's width, 0.1 or 1).
    public var medianPrecisionDays = 0.0

    public init() {}

    // SPEC §12 names the API fields in snake case.
    enum CodingKeys: String, CodingKey {
        case received, archived, dispositioned
        case byType = "by_type", byChannel = "by_channel", byCategory = "by_category", byState = "by_state"
        case archivedByReason = "archived_by_reason", forwardedOut = "forwarded_out"
        case followedUpRate = "followed_up_rate", completionRate = "completion_rate"
        case verificationOnTimeRate = "verification_on_time_rate", responseOnTimeRate = "response_on_time_rate"
        case resolutionOnTimeRate = "resolution_on_time_rate"
        case verificationDaysMedian = "verification_days_median", verificationDaysMean = "verification_days_mean"
        case responseDaysMedian = "response_days_median", responseDaysMean = "response_days_mean"
        case resolutionDaysMedian = "resolution_days_median", resolutionDaysMean = "resolution_days_mean"
        case satisfactionMean = "satisfaction_mean", ratedShare = "rated_share", reopenRate = "reopen_rate"
        case overdueNow = "overdue_now", medianPrecisionDays = "median_precision_days"
    }

    /// Writes every field, unmeasured ones as `null`, so API clients see a stable shape.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(received, forKey: .received)
        try c.encode(byType, forKey: .byType)
        try c.encode(byChannel, forKey: .byChannel)
        try c.encode(byCategory, forKey: .byCategory)
        try c.encode(byState, forKey: .byState)
        try c.encode(archived, forKey: .archived)
        try c.encode(archivedByReason, forKey: .archivedByReason)
        try c.encode(forwardedOut, forKey: .forwardedOut)
        try c.encode(dispositioned, forKey: .dispositioned)
        try c.encode(followedUpRate, forKey: .followedUpRate)
        try c.encode(completionRate, forKey: .completionRate)
        try c.encode(verificationOnTimeRate, forKey: .verificationOnTimeRate)
        try c.encode(responseOnTimeRate, forKey: .responseOnTimeRate)
        try c.encode(resolutionOnTimeRate, forKey: .resolutionOnTimeRate)
        try c.encode(verificationDaysMedian, forKey: .verificationDaysMedian)
        try c.encode(verificationDaysMean, forKey: .verificationDaysMean)
        try c.encode(responseDaysMedian, forKey: .responseDaysMedian)
        try c.encode(responseDaysMean, forKey: .responseDaysMean)
        try c.encode(resolutionDaysMedian, forKey: .resolutionDaysMedian)
        try c.encode(resolutionDaysMean, forKey: .resolutionDaysMean)
        try c.encode(satisfactionMean, forKey: .satisfactionMean)
        try c.encode(ratedShare, forKey: .ratedShare)
        try c.encode(reopenRate, forKey: .reopenRate)
        try c.encode(overdueNow, forKey: .overdueNow)
        try c.encode(medianPrecisionDays, forKey: .medianPrecisionDays)
    }

    /// The median of a kind of stage.
    public subscript(median kind: StageKind) -> Double? {
        get {
            switch kind {
            case .verification: return verificationDaysMedian
            case .response: return responseDaysMedian
            case .resolution: return resolutionDaysMedian
            }
        }
        set {
            switch kind {
            case .verification: verificationDaysMedian = newValue
            case .response: responseDaysMedian = newValue
            case .resolution: resolutionDaysMedian = newValue
            }
        }
    }
}

/// One unit's row of the monev table (SPEC §8). Complaint-level figures count the complaints whose latest
/// disposition the unit holds; stage figures count the stages that belong to the unit.
public struct UnitMetrics: Sendable, Equatable, Codable {
    /// The unit id, `{jurisdiction}/{slug}`.
    public var unit: String
    public var dispositioned = 0
    public var followedUpRate: Double?
    public var completionRate: Double?
    public var responseOnTimeRate: Double?
    /// The mean working days of the unit's ended response stages (the ranking reads stored counters, which keep
    /// means; the median is in the summary).
    public var responseDaysMean: Double?
    public var satisfactionMean: Double?
    /// 0-100, or nil ("—") for a unit with no dispositioned complaint; see `MetricEngine.complianceScore`.
    public var complianceScore: Double?
    public var overdueNow = 0

    public init(unit: String) { self.unit = unit }

    enum CodingKeys: String, CodingKey {
        case unit, dispositioned
        case followedUpRate = "followed_up_rate", completionRate = "completion_rate"
        case responseOnTimeRate = "response_on_time_rate", responseDaysMean = "response_days_mean"
        case satisfactionMean = "satisfaction_mean", complianceScore = "compliance_score", overdueNow = "overdue_now"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(unit, forKey: .unit)
        try c.encode(dispositioned, forKey: .dispositioned)
        try c.encode(followedUpRate, forKey: .followedUpRate)
        try c.encode(completionRate, forKey: .completionRate)
        try c.encode(responseOnTimeRate, forKey: .responseOnTimeRate)
        try c.encode(responseDaysMean, forKey: .responseDaysMean)
        try c.encode(satisfactionMean, forKey: .satisfactionMean)
        try c.encode(complianceScore, forKey: .complianceScore)
        try c.encode(overdueNow, forKey: .overdueNow)
    }
}

extension UnitMetrics {
    /// The ranking order: highest compliance score first; units without a score ("—") last; then by id for a
    /// stable order.
    public static func rankedFirst(_ a: UnitMetrics, _ b: UnitMetrics) -> Bool {
        switch (a.complianceScore, b.complianceScore) {
        case let (x?, y?): return x != y ? x > y : a.unit < b.unit
        case (.some, nil): return true
        case (nil, .some): return false
        case (nil, nil): return a.unit < b.unit
        }
    }
}

/// An open stage past its due, for the overdue list.
public struct OverdueStage: Sendable, Equatable {
    public var stage: StageFacts
    /// Working days since the due, on the stage's jurisdiction's calendar.
    public var ageDays: Double

    public init(stage: StageFacts, ageDays: Double) { self.stage = stage; self.ageDays = ageDays }
}

/// The monev formulas of SPEC §8. Pure: the shell reads the facts (or the stored counters), the engine counts.
///
/// The caller chooses what is in scope. Complaints are those submitted in the period within the scope; stages
/// are those of complaints submitted in the period that *belong* to the scope (a verification stage to the
/// jurisdiction whose coordinator held it, the other stages to their unit). The engine does not join the two
/// lists: a unit keeps the response stage of a complaint that was later redispositioned elsewhere.
///
/// `now` is the instant of evaluation: open stages past their due at `now` count against the on-time rates.
/// Both ways in — facts, or `TallySums` read from the database plus the open stages past due — end in the same
/// two readers, `summary(_:overdue:)` and `unit(_:_:responseOverdue:overdueNow:weights:)`.
public enum MetricEngine {
    /// The figures over all given complaints and stages; `scope` is the jurisdictions whose units count a complaint
    /// as dispositioned (`ComplaintFacts.dispositionKey`). Medians are exact.
    public static func summary(complaints: [ComplaintFacts], stages: [StageFacts], now: Date, scope: Set<String>,
                               calendar: (String) -> WorkingCalendar) -> MetricSummary {
        var sums = TallySums()
        for c in complaints {
            for x in Tally.of(c) where x.unit == nil { sums.add(x) }
        }
        var overdue: [StageKind: Int] = [:]
        var durations: [StageKind: [Double]] = [:]
        var calendars = CalendarCache()
        for stage in stages {
            if let days = stage.duration(on: calendars.calendar(of: stage.jurisdiction, calendar)) {
                for x in Tally.of(ended: stage, workingDays: days) where x.unit == nil { sums.add(x) }
                durations[stage.kind, default: []].append(days)
            } else if stage.isOverdue(at: now) {
                overdue[stage.kind, default: 0] += 1
            }
        }
        var s = summary(sums, overdue: overdue, scope: scope)
        for kind in StageKind.allCases { s[median: kind] = MedianLocation.exact(durations[kind] ?? []) }
        s.medianPrecisionDays = 0
        return s
    }

    /// The figures from summed counters and the open stages past their due at the instant of evaluation, per kind.
    /// The medians are only located by the counters: they are the means of the bands holding the middle, and
    /// `medianPrecisionDays` says how far that may be; the shell reads the exact ones (`TallySums.medianLocation`).
    public static func summary(_ t: TallySums, overdue: [StageKind: Int], scope: Set<String>) -> MetricSummary {
        var s = MetricSummary()
        s.received = t.count(.received)
        s.byType = t.counts(.type)
        s.byChannel = t.counts(.channel)
        s.byCategory = t.counts(.category)
        s.byState = t.counts(.state)
        s.archivedByReason = t.counts(.archiveReason)
        s.archived = s.archivedByReason.values.reduce(0, +)
        s.forwardedOut = s.byState[ComplaintState.diteruskan.rawValue] ?? 0
        s.dispositioned = t.count(.dispositioned, reaching: scope)
        s.followedUpRate = ratio(t.count(.followedUp, reaching: scope), s.dispositioned)
        s.completionRate = ratio(t.count(.completed, reaching: scope), s.dispositioned)
        s.satisfactionMean = t.mean(.rating)
        s.ratedShare = ratio(t.count(.ratedSelesai), s.byState[ComplaintState.selesai.rawValue] ?? 0)
        s.reopenRate = ratio(t.count(.reopened), t.count(.finalAnswer))
        func onTime(_ kind: StageKind) -> Double? {
            ratio(t.count(.stageOnTime, kind.rawValue), t.count(.stageEnded, kind.rawValue) + (overdue[kind] ?? 0))
        }
        s.verificationOnTimeRate = onTime(.verification)
        s.verificationDaysMean = t.mean(.stageEnded, StageKind.verification.rawValue)
        s.responseOnTimeRate = onTime(.response)
        s.responseDaysMean = t.mean(.stageEnded, StageKind.response.rawValue)
        s.resolutionOnTimeRate = onTime(.resolution)
        s.resolutionDaysMean = t.mean(.stageEnded, StageKind.resolution.rawValue)
        for kind in StageKind.allCases {
            guard let location = t.medianLocation(kind) else { continue }
            s[median: kind] = location.approximate
            s.medianPrecisionDays = max(s.medianPrecisionDays, location.precision)
        }
        s.overdueNow = overdue.values.reduce(0, +)
        return s
    }

    /// One row per unit that holds a complaint's latest disposition or owns a stage, plus every unit in
    /// `including` (so a table can list quiet units as "—"), ordered by unit id.
    public static func units(complaints: [ComplaintFacts], stages: [StageFacts], now: Date,
                             calendar: (String) -> WorkingCalendar, weights: ComplianceWeights = .standard,
                             including extraUnits: [String] = []) -> [UnitMetrics] {
        var sums: [String: TallySums] = [:]
        var responseOverdue: [String: Int] = [:]
        var overdue: [String: Int] = [:]
        for unit in extraUnits { sums[unit] = sums[unit] ?? TallySums() }
        for c in complaints {
            guard let unit = c.unit else { continue }
            for x in Tally.of(c) where x.unit != nil { sums[unit, default: TallySums()].add(x) }
        }
        var calendars = CalendarCache()
        for stage in stages {
            guard let unit = stage.unit else { continue }
            if sums[unit] == nil { sums[unit] = TallySums() }
            if let days = stage.duration(on: calendars.calendar(of: stage.jurisdiction, calendar)) {
                for x in Tally.of(ended: stage, workingDays: days) where x.unit != nil { sums[unit, default: TallySums()].add(x) }
            } else if stage.isOverdue(at: now) {
                overdue[unit, default: 0] += 1
                if stage.kind == .response { responseOverdue[unit, default: 0] += 1 }
            }
        }
        return sums.keys.sorted().map { unit in
            self.unit(unit, sums[unit]!, responseOverdue: responseOverdue[unit] ?? 0, overdueNow: overdue[unit] ?? 0, weights: weights)
        }
    }

    /// A unit's row from its summed counters, its open response stages past due and all its open stages past due.
    public static func unit(_ unit: String, _ t: TallySums, responseOverdue: Int, overdueNow: Int,
                            weights: ComplianceWeights = .standard) -> UnitMetrics {
        var m = UnitMetrics(unit: unit)
        m.dispositioned = t.count(.dispositioned)
        m.followedUpRate = ratio(t.count(.followedUp), m.dispositioned)
        m.completionRate = ratio(t.count(.completed), m.dispositioned)
        m.responseOnTimeRate = ratio(t.count(.stageOnTime, StageKind.response.rawValue),
                                     t.count(.stageEnded, StageKind.response.rawValue) + responseOverdue)
        m.responseDaysMean = t.mean(.stageEnded, StageKind.response.rawValue)
        m.satisfactionMean = t.mean(.rating)
        m.overdueNow = overdueNow
        m.complianceScore = complianceScore(dispositioned: m.dispositioned, responseOnTime: m.responseOnTimeRate,
                                            completion: m.completionRate, satisfaction: m.satisfactionMean, weights: weights)
        return m
    }

    /// A whole scope (a kabupaten/kota) scored like a unit from its summary, for the ranking of jurisdictions.
    public static func unit(_ id: String, summary s: MetricSummary, weights: ComplianceWeights = .standard) -> UnitMetrics {
        var m = UnitMetrics(unit: id)
        m.dispositioned = s.dispositioned; m.followedUpRate = s.followedUpRate; m.completionRate = s.completionRate
        m.responseOnTimeRate = s.responseOnTimeRate; m.responseDaysMean = s.responseDaysMean
        m.satisfactionMean = s.satisfactionMean; m.overdueNow = s.overdueNow
        m.complianceScore = complianceScore(dispositioned: s.dispositioned, responseOnTime: s.responseOnTimeRate,
                                            completion: s.completionRate, satisfaction: s.satisfactionMean, weights: weights)
        return m
    }

    /// 100 × (w.response × response on time + w.completion × completion rate + w.satisfaction × (satisfaction − 1) ÷ 4).
    ///
    /// Nil ("—") for a unit with no dispositioned complaint: there is nothing to judge. Otherwise a component that
    /// could not be measured counts as 0, so a unit cannot raise its score by leaving its stages unanswered
    /// before the due or its reporters unrated: no response stage ended or overdue yet gives 0 for response,
    /// no rating gives 0 for satisfaction.
    public static func complianceScore(dispositioned: Int, responseOnTime: Double?, completion: Double?,
                                       satisfaction: Double?, weights: ComplianceWeights = .standard) -> Double? {
        guard dispositioned > 0 else { return nil }
        let satisfactionShare = satisfaction.map { ($0 - 1) / 4 } ?? 0
        return 100 * (weights.response * (responseOnTime ?? 0) + weights.completion * (completion ?? 0)
                      + weights.satisfaction * satisfactionShare)
    }

    /// The open stages past their due at `now`, most overdue first, each with its age in working days.
    public static func overdue(stages: [StageFacts], now: Date, calendar: (String) -> WorkingCalendar) -> [OverdueStage] {
        var calendars = CalendarCache()
        return stages.filter { $0.isOverdue(at: now) }
            .sorted { ($0.dueAt, $0.complaintTrackingID) < ($1.dueAt, $1.complaintTrackingID) }
            .map { OverdueStage(stage: $0, ageDays: calendars.calendar(of: $0.jurisdiction, calendar).elapsedWorkingDays(from: $0.dueAt, to: now)) }
    }

    // MARK: - Private

    private static func ratio(_ part: Int, _ whole: Int) -> Double? {
        whole == 0 ? nil : Double(part) / Double(whole)
    }
}

/// Looks each jurisdiction's calendar up once per computation: the lookup may build it from settings.
private struct CalendarCache {
    var cache: [String: WorkingCalendar] = [:]

    mutating func calendar(of jurisdiction: String, _ lookup: (String) -> WorkingCalendar) -> WorkingCalendar {
        if let known = cache[jurisdiction] { return known }
        let calendar = lookup(jurisdiction)
        cache[jurisdiction] = calendar
        return calendar
    }
}
