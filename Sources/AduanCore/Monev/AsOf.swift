import Foundation

/// Monev "as of a chosen date" (SPEC §8): the complaint and stage facts as they stood at an instant, rebuilt from
/// the event log, so a report for last quarter reads the same next year.
public enum AsOf {
    /// What the replay needs of one event.
    public struct Step: Sendable, Equatable {
        public var action: Action
        public var toState: ComplaintState
        public var jurisdiction: String
        public var at: Date
        public var data: [String: String]

        public init(action: Action, toState: ComplaintState, jurisdiction: String, at: Date = .distantPast, data: [String: String] = [:]) {
            self.action = action; self.toState = toState; self.jurisdiction = jurisdiction; self.at = at; self.data = data
        }
    }

    /// The complaint after `steps` (its events up to the instant, in order), from its facts now; nil without steps
    /// (it was not submitted yet).
    public static func complaint(_ now: ComplaintFacts, steps: [Step]) -> ComplaintFacts? {
        history(now, steps: steps).last
    }

    /// The complaint after each of `steps` (all its events, in order), from its facts now.
    ///
    /// The category and the confidential flag a complaint started with are in its submission event since monev
    /// counters version 2; for an older one the flag is worked out from its later changes and the category is
    /// today's until a disposition sets one.
    public static func history(_ now: ComplaintFacts, steps: [Step]) -> [ComplaintFacts] {
        guard let submit = steps.first else { return [] }
        var facts = now
        facts.unit = nil
        facts.dispositionCount = 0
        facts.dispositionJurisdictions = []
        facts.reopenCount = 0
        facts.rating = nil
        facts.archiveReason = nil
        // Submission events since counters version 2 record the category ("" for none); older ones do not, and then
        // today's category is the best guess.
        if let category = submit.data["category"] { facts.category = category.isEmpty ? nil : category }
        if let firstChange = steps.first(where: { $0.action == .set_privacy && $0.data["confidential"] != nil }) {
            facts.confidential = firstChange.data["confidential"] != "true"
        }
        if submit.data["confidential"] == "true" { facts.confidential = true }

        var out: [ComplaintFacts] = []
        out.reserveCapacity(steps.count)
        for step in steps {
            switch step.action {
            case .verify, .redispose:
                facts.dispositionCount += 1
                facts.unit = step.data["unit"]
                if !facts.dispositionJurisdictions.contains(step.jurisdiction) {
                    facts.dispositionJurisdictions = (facts.dispositionJurisdictions + [step.jurisdiction]).sorted()
                }
                facts.category = step.data["category"] ?? facts.category
            case .return, .forward_jurisdiction:
                facts.unit = nil
            case .dispute:
                facts.reopenCount += 1
            case .feedback:
                facts.rating = step.data["rating"].flatMap(Int.init) ?? facts.rating
            case .archive, .auto_archive, .merge:
                facts.archiveReason = step.data["reason"].flatMap(ArchiveReason.init(rawValue:))
            case .set_privacy:
                if let value = step.data["confidential"] { facts.confidential = value == "true" }
            default:
                break
            }
            facts.state = step.toState
            facts.jurisdiction = step.jurisdiction
            var after = facts
            if after.state != .diarsipkan { after.archiveReason = nil }
            // An archive without a recorded reason (a LAPOR import already archived there) reads as the stored row does.
            if after.state == .diarsipkan && after.archiveReason == nil { after.archiveReason = now.archiveReason }
            out.append(after)
        }
        return out
    }

    /// The stage as it stood at `instant`: nil if it had not started; open again if it ended later. `dueAt` is the
    /// due in force at the instant when it was moved later (an extension or supervision after it).
    public static func stage(_ stage: StageFacts, at instant: Date, dueAt: Date? = nil) -> StageFacts? {
        guard stage.startedAt <= instant else { return nil }
        var s = stage
        if let ended = s.endedAt, ended > instant {
            s.endedAt = nil; s.late = nil; s.workingDays = nil
            if let dueAt { s.dueAt = dueAt }
        } else if s.endedAt == nil, let dueAt {
            s.dueAt = dueAt
        }
        return s
    }
}
