import Foundation

/// Monev "as of a chosen date" (SPEC §8): the complaint and stage facts as they stood at an instant, rebuilt from
/// the event log, so a report for last quarter reads the same next year.
public enum AsOf {
    /// What the replay needs of one event.
    public struct Step: Sendable, Equatable {
        public var action: Action
        public var toState: ComplaintState
        public var jurisdiction: String
        public var data: [String: String]

        public init(action: Action, toState: ComplaintState, jurisdiction: String, data: [String: String] = [:]) {
            self.action = action; self.toState = toState; self.jurisdiction = jurisdiction; self.data = data
        }
    }

    /// The complaint after `steps` (its events up to the instant, in order), from its facts now; nil without steps
    /// (it was not submitted yet).
    public static func complaint(_ now: ComplaintFacts, steps: [Step]) -> ComplaintFacts? {
        guard let last = steps.last else { return nil }
        var facts = now
        facts.state = last.toState
        facts.jurisdiction = last.jurisdiction
        facts.unit = nil
        facts.dispositionCount = 0
        facts.reopenCount = 0
        facts.rating = nil
        facts.archiveReason = nil
        var category: String?
        for step in steps {
            switch step.action {
            case .verify, .redispose:
                facts.dispositionCount += 1
                facts.unit = step.data["unit"]
                category = step.data["category"] ?? category
            case .return, .forward_jurisdiction:
                facts.unit = nil
            case .dispute:
                facts.reopenCount += 1
            case .feedback:
                facts.rating = step.data["rating"].flatMap(Int.init) ?? facts.rating
            case .archive, .auto_archive, .merge:
                facts.archiveReason = step.data["reason"].flatMap(ArchiveReason.init(rawValue:))
            default:
                break
            }
        }
        // The category chosen at the latest disposition, else the one it had (an uncategorised report keeps none).
        facts.category = category ?? now.category
        if facts.state != .diarsipkan { facts.archiveReason = nil }
        return facts
    }

    /// The stage as it stood at `instant`: nil if it had not started; open again if it ended later.
    public static func stage(_ stage: StageFacts, at instant: Date) -> StageFacts? {
        guard stage.startedAt <= instant else { return nil }
        var s = stage
        if let ended = s.endedAt, ended > instant { s.endedAt = nil; s.late = nil; s.workingDays = nil }
        return s
    }
}
