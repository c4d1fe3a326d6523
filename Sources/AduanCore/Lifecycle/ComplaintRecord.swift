import Foundation

/// The lifecycle-relevant projection of a complaint: what its events add up to.
/// The shell stores it as the complaint row; the core reads and returns it.
public struct ComplaintRecord: Sendable, Equatable {
    public var trackingID: String
    public var type: ComplaintType
    public var channel: Channel
    public var state: ComplaintState
    /// The jurisdiction whose coordinator holds the complaint.
    public var jurisdiction: String
    /// The handling unit of the latest disposition.
    public var unit: String?
    public var collaboratingUnits: [String] = []
    /// The officer of the handling unit who has the complaint (issue 19), by user name; only while that unit holds it.
    public var assignee: String?
    /// The unit the reporter (or the QR code) pointed at.
    public var targetUnit: String?
    public var category: String?
    public var resolutionClass: ResolutionClass?
    public var supervision = false
    public var anonymous = false
    public var anonymousByReporter = false
    public var confidential = false
    public var confidentialByReporter = false
    public var hasReporterContact = false
    public var submittedAt: Date

    public var verificationDue: Date?
    public var responseDue: Date?
    public var resolutionDue: Date?
    /// While `perlu_info`: the reporter's reply deadline; while `ditanggapi`: the end of the confirm window.
    public var reporterDue: Date?
    public var resolutionStartedAt: Date?

    public var extensionRequestedDays: Int?
    public var extensionDays = 0
    public var extensionUsed = false
    public var dispositionCount = 0
    /// The jurisdictions of the units the complaint was dispositioned to, sorted, each once (monev: "dispositioned
    /// complaints" of a scope are those that reached a handling unit in it, SPEC §8).
    public var dispositionJurisdictions: [String] = []
    public var reopenCount = 0
    public var rating: Int?
    public var archiveReason: ArchiveReason?
    public var mergedInto: String?
    public var externalDestination: String?
    public var externalRef: String?
    /// The last status the external system reported for a forwarded complaint (SP4N-LAPOR!: "Dalam Proses" …).
    public var externalStatus: String?
    /// When the external system says that status was set.
    public var externalStatusAt: Date?
    /// The SP4N-LAPOR! tracking number of a complaint imported from LAPOR (set on submission, never changed).
    public var laporID: String?
    public var escalationLevel = 0
    public var closedAt: Date?
    /// Number of events so far; also the optimistic-concurrency version of the row.
    public var eventCount = 0

    public init(trackingID: String, type: ComplaintType, channel: Channel, state: ComplaintState, jurisdiction: String, submittedAt: Date) {
        self.trackingID = trackingID; self.type = type; self.channel = channel; self.state = state
        self.jurisdiction = jurisdiction; self.submittedAt = submittedAt
    }

    /// The due the government is working against now (`due_at` in the API), if any.
    public var officerDue: Date? {
        switch state {
        case .baru: return verificationDue
        case .didisposisikan: return [responseDue, resolutionDue].compactMap { $0 }.min()
        case .diproses: return resolutionDue
        default: return nil
        }
    }

    /// The due of the current stage, whoever it waits for.
    public var dueAt: Date? {
        switch state {
        case .perlu_info, .ditanggapi: return reporterDue
        default: return officerDue
        }
    }

    /// Whether the government's current due has passed.
    public func isOverdue(at now: Date) -> Bool { officerDue.map { now > $0 } ?? false }
}

/// A stage of SPEC §8 starting, ending or being rescheduled. The shell keeps a stage table from these.
public enum StageChange: Sendable, Equatable {
    case start(StageKind, jurisdiction: String, unit: String?, at: Date, due: Date)
    case end(StageKind, at: Date, late: Bool)
    case reschedule(StageKind, due: Date)
}

/// Who should hear about a transition. The shell resolves these to addresses and writes outbox rows.
public enum Audience: Sendable, Equatable, Hashable {
    case reporter
    /// Another system reached through a bridge (`lapor`): the message is a call to it, not a notification.
    case externalSystem(String)
    case unitLiaisons(String)
    case unitHead(String)
    case coordinators(String)
    case inspectorate(String)
}

/// A message the transition calls for (kind codes are stable template names).
public struct Notice: Sendable, Equatable {
    public var audience: Audience
    public var kind: String
    public init(_ audience: Audience, _ kind: String) { self.audience = audience; self.kind = kind }
}

extension Notice {
    /// The kinds the lifecycle addresses to reporters (the rest go to officers); their wording is in the reporter's
    /// language.
    public static let reporterKinds: Set<String> = ["received", "info_requested", "dispositioned", "follow_up", "final_answer", "closed",
                                                    "archived", "forwarded", "merged"]
}

/// An event as the core decides it; the shell adds identity, sequence and hashes.
public struct EventDraft: Sendable, Equatable {
    public var action: Action
    public var fromState: ComplaintState?
    public var toState: ComplaintState
    public var at: Date
    public var actorRole: String
    public var unit: String?
    public var jurisdiction: String
    public var publicText: String?
    public var internalText: String?
    /// The due this event set, if it started a stage.
    public var dueAt: Date?
    /// Whether the stage this event ended had passed its due (frozen, never recomputed).
    public var late: Bool?
    public var data: [String: String]

    public init(action: Action, fromState: ComplaintState?, toState: ComplaintState, at: Date, actorRole: String,
                unit: String?, jurisdiction: String, publicText: String? = nil, internalText: String? = nil,
                dueAt: Date? = nil, late: Bool? = nil, data: [String: String] = [:]) {
        self.action = action; self.fromState = fromState; self.toState = toState; self.at = at; self.actorRole = actorRole
        self.unit = unit; self.jurisdiction = jurisdiction; self.publicText = publicText; self.internalText = internalText
        self.dueAt = dueAt; self.late = late; self.data = data
    }

    /// Whether the reporter and the public may see this event (internal notes and system bookkeeping are hidden).
    public var isPublic: Bool {
        switch action {
        case .note, .escalate, .set_privacy, .flag_supervision, .request_extension, .decide_extension, .merged_duplicate,
             .external_update, .assign, .release:
            return false
        default:
            return true
        }
    }
}

/// The result of a legal decision: the new projection, the events to append, stage bookkeeping and messages.
public struct Transition: Sendable, Equatable {
    public var record: ComplaintRecord
    public var events: [EventDraft]
    public var stages: [StageChange]
    public var notices: [Notice]
}
