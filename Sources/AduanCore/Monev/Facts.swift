import Foundation

/// What monev needs to know about one complaint: the columns of its `complaints` row that the figures of SPEC §8 read.
///
/// The shell reads these from the projection, so every value is the complaint's state *now*; the engine never
/// replays events.
public struct ComplaintFacts: Sendable, Equatable {
    public var trackingID: String
    public var submittedAt: Date
    public var type: ComplaintType
    public var channel: Channel
    /// The category code, nil while uncategorised.
    public var category: String?
    public var state: ComplaintState
    /// The jurisdiction whose coordinator holds the complaint now.
    public var jurisdiction: String
    /// The unit holding the latest disposition; nil before the first one and after a return (bukan wewenang),
    /// so a unit is never charged with a complaint it handed back.
    public var unit: String?
    public var dispositionCount: Int
    /// The jurisdictions of the units it was dispositioned to (sorted).
    public var dispositionJurisdictions: [String]
    public var reopenCount: Int
    /// The reporter's rating, 1-5.
    public var rating: Int?
    public var archiveReason: ArchiveReason?
    /// Hidden from the public pages (the report counts the public ones).
    public var confidential: Bool

    public init(trackingID: String, submittedAt: Date, type: ComplaintType = .pengaduan, channel: Channel = .web,
                category: String? = nil, state: ComplaintState, jurisdiction: String, unit: String? = nil,
                dispositionCount: Int = 0, dispositionJurisdictions: [String]? = nil, reopenCount: Int = 0, rating: Int? = nil,
                archiveReason: ArchiveReason? = nil, confidential: Bool = false) {
        self.trackingID = trackingID; self.submittedAt = submittedAt; self.type = type; self.channel = channel
        self.category = category; self.state = state; self.jurisdiction = jurisdiction; self.unit = unit
        self.dispositionCount = dispositionCount; self.reopenCount = reopenCount; self.rating = rating
        // Without the list (a caller that does not know it) a dispositioned complaint reached a unit of its jurisdiction.
        self.dispositionJurisdictions = dispositionJurisdictions ?? (dispositionCount > 0 ? [jurisdiction] : [])
        self.archiveReason = archiveReason; self.confidential = confidential
    }

    /// The facts of a complaint's projection.
    public init(_ r: ComplaintRecord) {
        self.init(trackingID: r.trackingID, submittedAt: r.submittedAt, type: r.type, channel: r.channel, category: r.category,
                  state: r.state, jurisdiction: r.jurisdiction, unit: r.unit, dispositionCount: r.dispositionCount,
                  dispositionJurisdictions: r.dispositionJurisdictions, reopenCount: r.reopenCount, rating: r.rating, archiveReason: r.archiveReason, confidential: r.confidential)
    }

    /// Whether the complaint reached a handling unit at least once.
    public var wasDispositioned: Bool { dispositionCount >= 1 }

    /// Whether the complaint got a final answer (`respond_final`) at least once. `ditanggapi` is left only by confirm
    /// or auto-close (to `selesai`) or by a dispute (which counts a reopening), so the projection tells it exactly —
    /// except for a complaint imported from SP4N-LAPOR! already `selesai`, which never reached a unit here and got no
    /// final answer from this installation.
    public var gotFinalAnswer: Bool { state == .ditanggapi || reopenCount > 0 || (state == .selesai && wasDispositioned) }

    /// Which scopes count the complaint as dispositioned (SPEC §8: it "reached a handling unit in scope"): the key
    /// `""` when it reached a unit of the jurisdiction that holds it now — every scope that holds the complaint —, else
    /// the jurisdictions it reached, joined by commas (a complaint returned and forwarded to another jurisdiction
    /// counts only where a scope includes one of them). Nil when it was never dispositioned.
    public var dispositionKey: String? {
        guard wasDispositioned else { return nil }
        if dispositionJurisdictions.isEmpty || dispositionJurisdictions.contains(jurisdiction) { return "" }
        return dispositionJurisdictions.joined(separator: ",")
    }
}

/// One row of the `stages` table (SPEC §8): a verification, response or resolution clock.
public struct StageFacts: Sendable, Equatable {
    public var complaintTrackingID: String
    public var kind: StageKind
    /// The jurisdiction whose calendar measures the stage (for verification: whose coordinator held it).
    public var jurisdiction: String
    /// The unit the stage belongs to; nil for verification stages.
    public var unit: String?
    public var startedAt: Date
    /// The due in force: set at the start, moved only while open (an approved extension, supervision).
    public var dueAt: Date
    public var endedAt: Date?
    /// Whether the stage ended after its due, frozen when it ended; nil while open (or on rows written before the flag).
    public var late: Bool?
    /// The elapsed working days from start to end, frozen when it ended on the calendar then in force; nil while
    /// open (or on rows written before it was kept: then measured on the calendar now).
    public var workingDays: Double?

    public init(complaintTrackingID: String, kind: StageKind, jurisdiction: String, unit: String? = nil,
                startedAt: Date, dueAt: Date, endedAt: Date? = nil, late: Bool? = nil, workingDays: Double? = nil) {
        self.complaintTrackingID = complaintTrackingID; self.kind = kind; self.jurisdiction = jurisdiction
        self.unit = unit; self.startedAt = startedAt; self.dueAt = dueAt; self.endedAt = endedAt; self.late = late
        self.workingDays = workingDays
    }

    /// The working days the stage took: the frozen figure, else measured on `calendar`; nil while open.
    public func duration(on calendar: WorkingCalendar) -> Double? {
        guard let endedAt else { return nil }
        return workingDays ?? calendar.elapsedWorkingDays(from: startedAt, to: endedAt)
    }

    public var isOpen: Bool { endedAt == nil }

    /// Whether the stage ended at or before its due. The frozen flag wins over the timestamps, so a later
    /// calendar edit or data repair never rewrites history (SPEC §5). Nil while open.
    public var endedOnTime: Bool? {
        guard let endedAt else { return nil }
        if let late { return !late }
        return endedAt <= dueAt
    }

    /// Whether the stage is still open and its due has passed at `now`.
    public func isOverdue(at now: Date) -> Bool { endedAt == nil && now > dueAt }
}

/// The weights of the compliance score (SPEC §8); a setting, these are the defaults.
public struct ComplianceWeights: Sendable, Codable, Equatable {
    public var response: Double
    public var completion: Double
    public var satisfaction: Double

    public init(response: Double = 0.4, completion: Double = 0.4, satisfaction: Double = 0.2) {
        self.response = response; self.completion = completion; self.satisfaction = satisfaction
    }

    public static let standard = ComplianceWeights()
}
