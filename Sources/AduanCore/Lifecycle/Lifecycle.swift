import Foundation

/// What a coordinator decides when dispositioning.
public struct Disposition: Sendable, Equatable {
    public var unit: String
    public var category: String?
    /// Chosen by the coordinator; otherwise the category's default, then the policy's.
    public var resolutionClass: ResolutionClass?
    /// The chosen category's default class, looked up by the shell.
    public var categoryClass: ResolutionClass?
    public var collaboratingUnits: [String]

    public init(unit: String, category: String? = nil, resolutionClass: ResolutionClass? = nil,
                categoryClass: ResolutionClass? = nil, collaboratingUnits: [String] = []) {
        self.unit = unit; self.category = category; self.resolutionClass = resolutionClass
        self.categoryClass = categoryClass; self.collaboratingUnits = collaboratingUnits
    }
}

/// A request to change a complaint, from whoever takes it.
public enum ComplaintCommand: Sendable, Equatable {
    case verify(Disposition)
    case redispose(Disposition)
    case requestInfo
    case archive(ArchiveReason?)
    case forwardJurisdiction(String)
    case forwardExternal(destination: String, reference: String?)
    case decideExtension(approve: Bool)
    case setPrivacy(anonymous: Bool?, confidential: Bool?)
    case reply
    case confirm
    case dispute
    case feedback(rating: Int)
    case followUp
    case returnToCoordinator
    case requestExtension(days: Int)
    case respondFinal
    case flagSupervision
    /// The handling unit's officer who has the complaint from now on (their roles, so the core can check they belong to
    /// it); nil: the acting officer takes it ("Saya tangani").
    case assign(to: Officer?)
    /// Nobody in the unit has the complaint any more.
    case release
    case note
    case autoClose
    case autoArchive
    /// What the external system reported for a forwarded complaint: its reference, a status and when it was set.
    case externalUpdate(reference: String?, status: String?, statusAt: Date?)

    public var action: Action {
        switch self {
        case .verify: return .verify
        case .redispose: return .redispose
        case .requestInfo: return .request_info
        case .archive: return .archive
        case .forwardJurisdiction: return .forward_jurisdiction
        case .forwardExternal: return .forward_external
        case .decideExtension: return .decide_extension
        case .setPrivacy: return .set_privacy
        case .reply: return .reply
        case .confirm: return .confirm
        case .dispute: return .dispute
        case .feedback: return .feedback
        case .followUp: return .follow_up
        case .returnToCoordinator: return .return
        case .requestExtension: return .request_extension
        case .respondFinal: return .respond_final
        case .flagSupervision: return .flag_supervision
        case .assign: return .assign
        case .release: return .release
        case .note: return .note
        case .autoClose: return .auto_close
        case .autoArchive: return .auto_archive
        case .externalUpdate: return .external_update
        }
    }
}

/// Public and internal words that come with an action.
public struct Texts: Sendable, Equatable {
    public var publicText: String?
    public var internalText: String?
    public init(public publicText: String? = nil, internal internalText: String? = nil) {
        self.publicText = Texts.clean(publicText); self.internalText = Texts.clean(internalText)
    }
    /// Trimmed, without control characters (line breaks and tabs kept), nil when nothing is left.
    static func clean(_ text: String?) -> String? {
        guard let text, case let t = TextHygiene.clean(text, multiline: true).trimmingCharacters(in: .whitespacesAndNewlines), !t.isEmpty else {
            return nil
        }
        return t
    }
    /// Longest accepted text, in characters.
    public static let maxLength = 20_000
}

/// Everything a decision reads besides the complaint itself.
public struct DecisionContext: Sendable {
    public var now: Date
    public var policy: Policy
    public var tree: OrgTree
    public var calendar: @Sendable (String) -> WorkingCalendar
    /// Whether the SP4N-LAPOR! bridge is configured: forwards to `lapor` without a reference are then sent by it,
    /// and follow-ups and final answers on complaints imported from LAPOR are pushed back to it.
    public var nationalBridge = false

    public init(now: Date, policy: Policy, tree: OrgTree, calendar: @escaping @Sendable (String) -> WorkingCalendar) {
        self.now = now; self.policy = policy; self.tree = tree; self.calendar = calendar
    }

    func due(in jurisdiction: String, from start: Date, days: Int) -> Date {
        calendar(jurisdiction).due(from: start, workingDays: days)
    }
}

/// The complaint lifecycle of SPEC §4: who may take which action in which state, and what it produces.
public enum Lifecycle {
    /// The states from which each action is legal (before the action-specific checks).
    public static let legalFrom: [Action: Set<ComplaintState>] = [
        .verify: [.baru], .redispose: [.baru], .request_info: [.baru], .archive: [.baru, .perlu_info],
        .forward_jurisdiction: [.baru], .forward_external: [.baru], .merge: [.baru, .perlu_info],
        .decide_extension: [.didisposisikan, .diproses],
        .set_privacy: Set(ComplaintState.allCases),
        .reply: [.perlu_info], .confirm: [.ditanggapi], .dispute: [.ditanggapi], .feedback: [.ditanggapi, .selesai],
        .follow_up: [.didisposisikan, .diproses], .return: [.didisposisikan],
        .request_extension: [.didisposisikan, .diproses], .respond_final: [.didisposisikan, .diproses],
        .flag_supervision: [.baru, .perlu_info, .didisposisikan, .diproses, .ditanggapi],
        .note: Set(ComplaintState.allCases),
        .auto_close: [.ditanggapi], .auto_archive: [.perlu_info],
        .assign: Assignment.states, .release: Assignment.states,
        .external_update: [.diteruskan],
    ]

    /// Whether `participant` may take `action` on the complaint now (role, scope and state), without side effects.
    /// Pass `now` to include the time conditions of the system's automatic actions.
    public static func isAvailable(_ action: Action, to participant: Participant, on record: ComplaintRecord, tree: OrgTree,
                                   now: Date? = nil) -> Bool {
        guard legalFrom[action]?.contains(record.state) == true else { return false }
        switch participant {
        case .reporter:
            return Action.reporterActions.contains(action)
        case .system:
            guard action == .auto_close || action == .auto_archive, let due = record.reporterDue else { return false }
            return now.map { $0 > due } ?? true
        case .officer(let officer):
            if action == .redispose && record.dispositionCount == 0 { return false }
            if action == .decide_extension && record.extensionRequestedDays == nil { return false }
            if action == .request_extension && record.extensionUsed { return false }
            if action == .flag_supervision && record.supervision { return false }
            if action == .assign || action == .release { return Assignment.isAvailable(action, to: officer, on: record, tree: tree) }
            return Access.actingRole(of: officer, for: action, on: record, tree: tree) != nil
        }
    }

    /// Decides `command` by `actor` on the complaint: the transition, or why not.
    public static func decide(_ command: ComplaintCommand, by actor: Participant, on record: ComplaintRecord,
                              texts: Texts = Texts(), context: DecisionContext) throws(LifecycleError) -> Transition {
        var command = command
        if case .assign(nil) = command, case .officer(let officer) = actor { command = .assign(to: officer) }
        let action = command.action
        try authorize(action, actor: actor, record: record, tree: context.tree)
        guard legalFrom[action]?.contains(record.state) == true else {
            throw .illegalTransition(action: action, state: record.state,
                                     reason: "\(action.rawValue) is not possible while the complaint is \(record.state.rawValue)")
        }
        try checkLengths(texts)
        if case .officer(let officer) = actor { try Assignment.check(command, by: officer, on: record, tree: context.tree) }
        var builder = TransitionBuilder(record: record, action: action,
                                        actorRole: actor.roleCode(for: action, complaint: record, tree: context.tree),
                                        texts: texts, context: context)
        try builder.apply(command)
        return builder.finish()
    }

    /// Merges a duplicate into the original: the duplicate is archived with a link, the original notes it.
    /// The answer to a merge into a complaint that does not exist or that the officer may not read: the same words.
    public static let unknownMergeTarget = "`into` names no complaint you can see: give the tracking ID of an original complaint in your scope"

    public static func merge(_ duplicate: ComplaintRecord, into original: ComplaintRecord, by actor: Participant,
                             texts: Texts = Texts(), context: DecisionContext) throws(LifecycleError) -> (duplicate: Transition, original: Transition) {
        try authorize(.merge, actor: actor, record: duplicate, tree: context.tree)
        guard legalFrom[.merge]?.contains(duplicate.state) == true else {
            throw .illegalTransition(action: .merge, state: duplicate.state, reason: "merge is not possible while the complaint is \(duplicate.state.rawValue)")
        }
        // Outside the officer's reach the original is answered as if it did not exist, before anything about its state.
        if case .officer(let officer) = actor, !Access.canRead(officer, original, tree: context.tree) {
            throw .invalid(field: "into", message: unknownMergeTarget)
        }
        guard duplicate.trackingID != original.trackingID else { throw .invalid(field: "into", message: "a complaint cannot be merged into itself") }
        guard original.state != .diarsipkan && original.state != .diteruskan else {
            throw .invalid(field: "into", message: "the original complaint is \(original.state.rawValue) and cannot receive duplicates")
        }
        try checkLengths(texts)
        let role = actor.roleCode(for: .merge, complaint: duplicate, tree: context.tree)
        var dup = TransitionBuilder(record: duplicate, action: .merge, actorRole: role, texts: texts, context: context)
        dup.close(to: .diarsipkan)
        dup.after.archiveReason = .duplikat
        dup.after.mergedInto = original.trackingID
        dup.endOpenStages()
        dup.event(data: ["into": original.trackingID, "reason": ArchiveReason.duplikat.rawValue])
        dup.notify(.reporter, "merged")

        var orig = TransitionBuilder(record: original, action: .merged_duplicate, actorRole: role,
                                     texts: Texts(internal: "Duplicate \(duplicate.trackingID) merged into this complaint."), context: context)
        orig.event(data: ["duplicate": duplicate.trackingID])
        return (dup.finish(), orig.finish())
    }

    /// The last rung of the escalation ladder (SPEC §5): the inspectorate. 1 is the unit, 2 the coordinator.
    public static let topEscalationLevel = 3

    /// The escalation the complaint has reached now, if it is higher than what was already raised (SPEC §5).
    public static func escalation(of record: ComplaintRecord, context: DecisionContext) -> Transition? {
        guard let due = record.officerDue, context.now > due else { return nil }
        let calendar = context.calendar(record.jurisdiction)
        var level = 1
        if context.now > calendar.due(from: due, workingDays: context.policy.escalateToCoordinatorAfterDays) { level = 2 }
        if context.now > calendar.due(from: due, workingDays: context.policy.escalateToInspectorateAfterDays) { level = topEscalationLevel }
        guard level > record.escalationLevel else { return nil }
        var builder = TransitionBuilder(record: record, action: .escalate, actorRole: "system", texts: Texts(), context: context)
        builder.after.escalationLevel = level
        builder.event(data: ["level": String(level), "due": due.formatted(.iso8601)])
        // Each level reached since the last sweep gets its messages, so no rung of the ladder is skipped.
        for reached in (record.escalationLevel + 1)...level {
            switch reached {
            case 1:
                if let unit = record.unit, record.state != .baru {
                    builder.notify(.unitLiaisons(unit), "overdue"); builder.notify(.unitHead(unit), "overdue")
                } else {
                    builder.notify(builder.coordinatorAudience, "overdue")
                }
            case 2: builder.notify(builder.coordinatorAudience, "escalation")
            default: builder.notify(.inspectorate(record.jurisdiction), "escalation")
            }
        }
        return builder.finish()
    }

    /// The reminder owed one working day before the government's current due (SPEC §7 "due soon"): to the
    /// coordinator (the inspectorate for whistleblowing) while the complaint waits for verification, to the
    /// handling unit's liaisons while it waits for the unit. Nil when nothing is due within a working day.
    /// The shell sends it once per due.
    public static func dueSoon(of record: ComplaintRecord, now: Date, calendar: WorkingCalendar) -> Notice? {
        guard let due = record.officerDue, Countdown(due: due, now: now, calendar: calendar).status == .dueSoon else { return nil }
        switch record.state {
        case .baru:
            return Notice(record.type == .wbs ? .inspectorate(record.jurisdiction) : .coordinators(record.jurisdiction), "due_soon")
        case .didisposisikan, .diproses:
            return record.unit.map { Notice(.unitLiaisons($0), "due_soon") }
        default:
            return nil
        }
    }

    static func authorize(_ action: Action, actor: Participant, record: ComplaintRecord, tree: OrgTree) throws(LifecycleError) {
        switch actor {
        case .reporter:
            guard Action.reporterActions.contains(action) else { throw .notPermitted("a reporter cannot \(action.rawValue)") }
        case .system:
            guard [.auto_close, .auto_archive, .escalate, .external_update].contains(action) else { throw .notPermitted("the system does not \(action.rawValue)") }
        case .officer(let officer):
            guard Action.officerActions.contains(action) else { throw .notPermitted("officers cannot \(action.rawValue)") }
            guard Access.actingRole(of: officer, for: action, on: record, tree: tree) != nil else {
                throw .notPermitted("your roles do not allow \(action.rawValue) on this complaint")
            }
        }
    }

    static func checkLengths(_ texts: Texts) throws(LifecycleError) {
        if (texts.publicText?.count ?? 0) > Texts.maxLength { throw .invalid(field: "text", message: "text is longer than \(Texts.maxLength) characters") }
        if (texts.internalText?.count ?? 0) > Texts.maxLength { throw .invalid(field: "internal_text", message: "internal_text is longer than \(Texts.maxLength) characters") }
    }
}
