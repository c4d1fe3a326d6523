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
        case overdueNow = "overdue_now"
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
    public var responseDaysMedian: Double?
    public var satisfactionMean: Double?
    /// 0-100, or nil ("—") for a unit with no dispositioned complaint; see `MetricEngine.complianceScore`.
    public var complianceScore: Double?
    public var overdueNow = 0

    public init(unit: String) { self.unit = unit }

    enum CodingKeys: String, CodingKey {
        case unit, dispositioned
        case followedUpRate = "followed_up_rate", completionRate = "completion_rate"
        case responseOnTimeRate = "response_on_time_rate", responseDaysMedian = "response_days_median"
        case satisfactionMean = "satisfaction_mean", complianceScore = "compliance_score", overdueNow = "overdue_now"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(unit, forKey: .unit)
        try c.encode(dispositioned, forKey: .dispositioned)
        try c.encode(followedUpRate, forKey: .followedUpRate)
        try c.encode(completionRate, forKey: .completionRate)
        try c.encode(responseOnTimeRate, forKey: .responseOnTimeRate)
        try c.encode(responseDaysMedian, forKey: .responseDaysMedian)
        try c.encode(satisfactionMean, forKey: .satisfactionMean)
        try c.encode(complianceScore, forKey: .complianceScore)
        try c.encode(overdueNow, forKey: .overdueNow)
    }
}

/// An open stage past its due, for the overdue list.
public struct OverdueStage: Sendable, Equatable {
    public var stage: StageFacts
    /// Working days since the due, on the stage's jurisdiction's calendar.
    public var ageDays: Double
}

/// The monev formulas of SPEC §8. Pure: the shell reads the facts, the engine counts.
///
/// The caller chooses what is in scope. Complaints are those submitted in the period within the scope; stages
/// are those of complaints submitted in the period that *belong* to the scope (a verification stage to the
/// jurisdiction whose coordinator held it, the other stages to their unit). The engine does not join the two
/// lists: a unit keeps the response stage of a complaint that was later redispositioned elsewhere.
///
/// `now` is the instant of evaluation: open stages past their due at `now` count against the on-time rates.
public enum MetricEngine {
    /// The figures over all given complaints and stages.
    public static func summary(complaints: [ComplaintFacts], stages: [StageFacts], now: Date,
                               calendar: (String) -> WorkingCalendar) -> MetricSummary {
        var s = MetricSummary()
        var followedUp = 0, completed = 0, selesai = 0, ratedSelesai = 0, finalAnswers = 0, reopened = 0
        var ratings = Mean()
        for c in complaints {
            s.received += 1
            s.byType[c.type.rawValue, default: 0] += 1
            s.byChannel[c.channel.rawValue, default: 0] += 1
            s.byCategory[c.category ?? MetricSummary.uncategorised, default: 0] += 1
            s.byState[c.state.rawValue, default: 0] += 1
            if c.state == .diarsipkan {
                s.archived += 1
                // An archived row always has a reason; an unreadable one is still an archived complaint.
                s.archivedByReason[(c.archiveReason ?? .lainnya).rawValue, default: 0] += 1
            }
            if c.state == .diteruskan { s.forwardedOut += 1 }
            if c.wasDispositioned {
                s.dispositioned += 1
                if isFollowedUp(c.state) { followedUp += 1 }
                if c.state == .selesai { completed += 1 }
            }
            if let rating = c.rating { ratings.add(Double(rating)) }
            if c.state == .selesai {
                selesai += 1
                if c.rating != nil { ratedSelesai += 1 }
            }
            if c.gotFinalAnswer {
                finalAnswers += 1
                if c.reopenCount >= 1 { reopened += 1 }
            }
        }
        s.followedUpRate = ratio(followedUp, s.dispositioned)
        s.completionRate = ratio(completed, s.dispositioned)
        s.satisfactionMean = ratings.value
        s.ratedShare = ratio(ratedSelesai, selesai)
        s.reopenRate = ratio(reopened, finalAnswers)

        var calendars = CalendarCache()
        var tallies: [StageKind: StageTally] = [:]
        for stage in stages {
            tallies[stage.kind, default: StageTally()].add(stage, now: now, calendar: calendars.calendar(of: stage.jurisdiction, calendar))
            if stage.isOverdue(at: now) { s.overdueNow += 1 }
        }
        let verification = tallies[.verification] ?? StageTally()
        let response = tallies[.response] ?? StageTally()
        let resolution = tallies[.resolution] ?? StageTally()
        s.verificationOnTimeRate = verification.onTimeRate
        s.verificationDaysMedian = median(verification.days)
        s.verificationDaysMean = mean(verification.days)
        s.responseOnTimeRate = response.onTimeRate
        s.responseDaysMedian = median(response.days)
        s.responseDaysMean = mean(response.days)
        s.resolutionOnTimeRate = resolution.onTimeRate
        s.resolutionDaysMedian = median(resolution.days)
        s.resolutionDaysMean = mean(resolution.days)
        return s
    }

    /// One row per unit that holds a complaint's latest disposition or owns a stage, plus every unit in
    /// `including` (so a table can list quiet units as "—"), ordered by unit id.
    public static func units(complaints: [ComplaintFacts], stages: [StageFacts], now: Date,
                             calendar: (String) -> WorkingCalendar, weights: ComplianceWeights = .standard,
                             including extraUnits: [String] = []) -> [UnitMetrics] {
        struct Accumulator {
            var dispositioned = 0, followedUp = 0, completed = 0, overdue = 0
            var ratings = Mean()
            var response = StageTally()
        }
        var byUnit: [String: Accumulator] = [:]
        for unit in extraUnits { byUnit[unit] = byUnit[unit] ?? Accumulator() }
        for c in complaints {
            guard let unit = c.unit else { continue }
            var a = byUnit[unit] ?? Accumulator()
            if c.wasDispositioned {
                a.dispositioned += 1
                if isFollowedUp(c.state) { a.followedUp += 1 }
                if c.state == .selesai { a.completed += 1 }
            }
            if let rating = c.rating { a.ratings.add(Double(rating)) }
            byUnit[unit] = a
        }
        var calendars = CalendarCache()
        for stage in stages {
            guard let unit = stage.unit else { continue }
            var a = byUnit[unit] ?? Accumulator()
            if stage.kind == .response { a.response.add(stage, now: now, calendar: calendars.calendar(of: stage.jurisdiction, calendar)) }
            if stage.isOverdue(at: now) { a.overdue += 1 }
            byUnit[unit] = a
        }
        return byUnit.keys.sorted().map { unit in
            let a = byUnit[unit]!
            var m = UnitMetrics(unit: unit)
            m.dispositioned = a.dispositioned
            m.followedUpRate = ratio(a.followedUp, a.dispositioned)
            m.completionRate = ratio(a.completed, a.dispositioned)
            m.responseOnTimeRate = a.response.onTimeRate
            m.responseDaysMedian = median(a.response.days)
            m.satisfactionMean = a.ratings.value
            m.overdueNow = a.overdue
            m.complianceScore = complianceScore(dispositioned: a.dispositioned, responseOnTime: m.responseOnTimeRate,
                                                completion: m.completionRate, satisfaction: m.satisfactionMean,
                                                weights: weights)
            return m
        }
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

    /// The middle value of `values` (the mean of the two middle ones for an even count); nil when empty.
    public static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// The arithmetic mean of `values`; nil when empty.
    public static func mean(_ values: [Double]) -> Double? {
        values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }

    // MARK: - Private

    /// Followed up (ditindaklanjuti): the unit has posted at least a follow-up and the complaint has not gone back.
    private static func isFollowedUp(_ state: ComplaintState) -> Bool {
        state == .diproses || state == .ditanggapi || state == .selesai
    }

    private static func ratio(_ part: Int, _ whole: Int) -> Double? {
        whole == 0 ? nil : Double(part) / Double(whole)
    }
}

/// The on-time count and durations of one kind of stage.
private struct StageTally {
    var ended = 0
    var endedOnTime = 0
    var openOverdue = 0
    var days: [Double] = []

    mutating func add(_ stage: StageFacts, now: Date, calendar: WorkingCalendar) {
        if let endedAt = stage.endedAt {
            ended += 1
            if stage.endedOnTime == true { endedOnTime += 1 }
            days.append(calendar.elapsedWorkingDays(from: stage.startedAt, to: endedAt))
        } else if stage.isOverdue(at: now) {
            openOverdue += 1
        }
    }

    /// Ended on time ÷ (ended + open and already past due).
    var onTimeRate: Double? {
        let denominator = ended + openOverdue
        return denominator == 0 ? nil : Double(endedOnTime) / Double(denominator)
    }
}

/// A running mean.
private struct Mean {
    var sum = 0.0
    var count = 0
    mutating func add(_ value: Double) { sum += value; count += 1 }
    var value: Double? { count == 0 ? nil : sum / Double(count) }
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
