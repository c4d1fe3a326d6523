import Foundation

/// A stored event as the replay reads it.
public struct ReplayEvent: Sendable, Equatable {
    public var seq: Int
    public var action: String
    public var fromState: String?
    public var toState: String
    public var at: Date
    public var unit: String?
    public var jurisdiction: String
    public var data: [String: String]

    public init(seq: Int, action: String, fromState: String?, toState: String, at: Date, unit: String?, jurisdiction: String,
                data: [String: String]) {
        self.seq = seq; self.action = action; self.fromState = fromState; self.toState = toState; self.at = at; self.unit = unit
        self.jurisdiction = jurisdiction; self.data = data
    }
}

/// The columns of a complaint row that its events decide, as `Replay.projection` recomputes them. Nil where the
/// events do not say (a privacy flag of a complaint submitted before the submit event recorded it).
public struct ReplayedProjection: Sendable, Equatable {
    public var type: String?
    public var channel: String?
    public var state: String
    public var jurisdiction: String
    public var unit: String?
    public var eventCount: Int
    public var closedAt: Date?
    public var archiveReason: String?
    public var dispositionCount: Int
    public var reopenCount: Int
    public var rating: Int?
    public var anonymous: Bool?
    public var confidential: Bool?
    public var externalDestination: String?
    public var externalRef: String?
    /// The officer of the handling unit who has the complaint (issue 19).
    public var assignee: String? = nil
}

/// Recomputes a complaint's projection from its event log with the lifecycle's own rules, for `audit verify`: the
/// complaint row is a projection of its events (SPEC §4), so a row edited in the database (a state, a unit, a
/// privacy flag) no longer matches what its events add up to.
public enum Replay {
    /// The projection, and every step of the log the lifecycle would not have taken (an event that does not start
    /// where the previous one ended, an action not possible from its state).
    public static func projection(_ events: [ReplayEvent]) -> (ReplayedProjection?, [String]) {
        guard let first = events.first else { return (nil, ["the complaint has no events"]) }
        var problems: [String] = []
        var p = ReplayedProjection(type: first.data["type"], channel: first.data["channel"], state: first.toState,
                                   jurisdiction: first.jurisdiction, unit: nil, eventCount: 0, closedAt: nil, archiveReason: nil,
                                   dispositionCount: 0, reopenCount: 0, rating: nil,
                                   anonymous: first.data["anonymous"].map { $0 == "true" },
                                   confidential: first.data["confidential"].map { $0 == "true" })
        if first.action != Action.submit.rawValue || first.fromState != nil {
            problems.append("event \(first.seq) (\(first.action)) does not start the complaint")
        }
        if p.type == ComplaintType.wbs.rawValue, p.confidential == false {
            problems.append("event \(first.seq) records a whistleblowing complaint as not confidential")
        }
        var previous: String?
        for event in events {
            p.eventCount += 1
            guard let action = Action(rawValue: event.action), ComplaintState(rawValue: event.toState) != nil else {
                problems.append("event \(event.seq) has an unknown action or state (\(event.action) → \(event.toState))")
                continue
            }
            if event.seq != first.seq {
                if event.fromState != previous {
                    problems.append("event \(event.seq) (\(event.action)) starts from \(event.fromState ?? "nothing"), but the complaint was \(previous ?? "nothing")")
                }
                if let from = event.fromState.flatMap(ComplaintState.init(rawValue:)), let legal = Lifecycle.legalFrom[action], !legal.contains(from),
                   !(action == .external_update && event.data["lapor_instansi"] != nil && National.agencyMappingStates.contains(from)) {
                    problems.append("event \(event.seq): \(event.action) is not possible while the complaint is \(from.rawValue)")
                }
                if action == .submit { problems.append("event \(event.seq) submits the complaint a second time") }
            }
            let closed: Set<ComplaintState> = [.selesai, .diarsipkan, .diteruskan]
            let wasClosed = previous.flatMap(ComplaintState.init(rawValue:)).map(closed.contains) ?? false
            let to = ComplaintState(rawValue: event.toState)!
            let closes = closed.contains(to)
            if closes && !wasClosed { p.closedAt = event.at }
            if !closes { p.closedAt = nil }
            p.state = event.toState
            p.jurisdiction = event.jurisdiction
            switch action {
            // A submission names its target unit, not a handling one; a LAPOR import finished there keeps the agency
            // that handled it (`data["unit"]`).
            case .submit: p.unit = closes ? event.data["unit"] : nil
            case .return: p.unit = nil
            // What LAPOR reported: a finished import's handling unit (`data["unit"]`); an open one's target unit is not its unit.
            case .external_update: if let unit = event.data["unit"] { p.unit = unit }
            default: p.unit = event.unit
            }
            switch action {
            case .assign: p.assignee = event.data["assignee"]
            // An assignment belongs to the unit that holds the complaint: a return or a disposition ends it.
            case .release, .return, .verify, .redispose: p.assignee = nil
            default: break
            }
            switch action {
            case .verify, .redispose: p.dispositionCount += 1
            case .dispute: p.reopenCount += 1
            case .feedback: p.rating = event.data["rating"].flatMap(Int.init) ?? p.rating
            case .set_privacy:
                if let value = event.data["anonymous"] { p.anonymous = value == "true" }
                if let value = event.data["confidential"] { p.confidential = value == "true" }
            case .forward_external:
                p.externalDestination = event.data["destination"]
                p.externalRef = event.data["external_ref"]
            case .external_update:
                if let ref = event.data["external_ref"] { p.externalRef = ref }
            default: break
            }
            if to == .diarsipkan && !wasClosed {
                p.archiveReason = event.data["reason"] ?? (action == .submit ? ArchiveReason.lainnya.rawValue : nil)
            }
            previous = event.toState
        }
        return (p, problems)
    }
}
