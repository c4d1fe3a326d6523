import Foundation
import Testing
@testable import AduanCore

// The small installation the lifecycle and access stories run in: the province of Kalimantan Selatan
// (63) and Kota Banjarmasin (63.71), each with a coordinator unit, an inspectorate and a health office,
// the province's health office with a hospital below it, and a public-works office.
// Everything a test expects is written out here or in the test, never computed by the code under test.

enum Fixture {
    // MARK: Organisation

    static let province = "63"
    static let kota = "63.71"

    static let units: [OrgTree.Unit] = [
        .init(id: "63/diskominfo", jurisdiction: "63", name: "Diskominfo Provinsi", kind: .coordinator, parent: nil),
        .init(id: "63/inspektorat", jurisdiction: "63", name: "Inspektorat Provinsi", kind: .inspectorate, parent: nil),
        .init(id: "63/dinkes", jurisdiction: "63", name: "Dinas Kesehatan", kind: .agency, parent: nil),
        .init(id: "63/rsud-ulin", jurisdiction: "63", name: "RSUD Ulin", kind: .subunit, parent: "63/dinkes"),
        .init(id: "63/dpupr", jurisdiction: "63", name: "Dinas PUPR", kind: .agency, parent: nil),
        .init(id: "63.71/diskominfo", jurisdiction: "63.71", name: "Diskominfo Kota Banjarmasin", kind: .coordinator, parent: nil),
        .init(id: "63.71/inspektorat", jurisdiction: "63.71", name: "Inspektorat Kota Banjarmasin", kind: .inspectorate, parent: nil),
        .init(id: "63.71/dinkes", jurisdiction: "63.71", name: "Dinas Kesehatan Kota Banjarmasin", kind: .agency, parent: nil),
    ]

    static let jurisdictions: [OrgTree.Jurisdiction] = [
        .init(code: "63", name: "Provinsi Kalimantan Selatan", parent: nil),
        .init(code: "63.71", name: "Kota Banjarmasin", parent: "63"),
    ]

    static let tree = OrgTree(jurisdictions: jurisdictions, units: units)

    /// The fixture tree with extra units, for the few stories that need one (an inactive office, say).
    static func tree(adding extra: [OrgTree.Unit]) -> OrgTree {
        OrgTree(jurisdictions: jurisdictions, units: units + extra)
    }

    // MARK: Time

    /// National holidays and cuti bersama of 2026, as in SPEC data/id-holidays.csv.
    static let holidays: Set<LocalDate> = Set([
        "2026-01-01", "2026-01-16", "2026-02-16", "2026-02-17", "2026-03-18", "2026-03-19", "2026-03-20",
        "2026-03-21", "2026-03-22", "2026-03-23", "2026-03-24", "2026-04-03", "2026-04-05", "2026-05-01",
        "2026-05-14", "2026-05-15", "2026-05-27", "2026-05-28", "2026-05-31", "2026-06-01", "2026-06-16",
        "2026-08-17", "2026-08-25", "2026-12-24", "2026-12-25",
    ].map { LocalDate($0)! })

    /// Kalimantan Selatan's working calendar: WITA, Monday to Friday, the 2026 national list.
    static let calendar = WorkingCalendar(timeZone: WorkingCalendar.wita, holidays: holidays)

    /// A WITA wall-clock instant written "2026-03-13 15:00" or "2026-03-13 15:00:00".
    static func at(_ local: String) -> Date {
        let parts = local.split(separator: " ")
        guard parts.count == 2 else { fatalError("bad fixture instant \(local)") }
        let time = parts[1].count == 5 ? "\(parts[1]):00" : String(parts[1])
        guard let date = ISO8601DateFormatter().date(from: "\(parts[0])T\(time)+08:00") else {
            fatalError("bad fixture instant \(local)")
        }
        return date
    }

    /// 23:59:59 WITA of a date, the shape of every due (SPEC §5).
    static func endOf(_ day: String) -> Date { at("\(day) 23:59:59") }

    /// What a decision reads besides the complaint, on a pinned clock.
    static func context(at now: Date, policy: Policy = Policy(), tree: OrgTree = tree,
                        calendars: [String: WorkingCalendar] = [:]) -> DecisionContext {
        DecisionContext(now: now, policy: policy, tree: tree, calendar: { calendars[$0] ?? Fixture.calendar })
    }

    /// The clock of the standard walk: a Monday in April 2026 with no holiday near.
    enum Clock {
        static let submitted = Fixture.at("2026-04-06 09:00")   // Monday; verification due Thu 9 April
        static let decided = Fixture.at("2026-04-07 10:00")     // Tuesday; response due 14 April, resolution 27 April
        static let followedUp = Fixture.at("2026-04-08 10:00")  // Wednesday
        static let answered = Fixture.at("2026-04-09 10:00")    // Thursday; reporter window ends 23 April
        static let confirmed = Fixture.at("2026-04-10 10:00")   // Friday
        /// When the next step of a story happens, unless the story says otherwise: Monday 13 April.
        static let later = Fixture.at("2026-04-13 10:00")
        /// Past every window of the standard walk (reply 21 April, confirm 23 April).
        static let muchLater = Fixture.at("2026-04-24 10:00")
    }

    // MARK: People

    /// An officer holding one role on one scope ("63", "63/dinkes").
    static func officer(_ role: Role, _ scope: String) -> Officer {
        Officer(id: "\(role.rawValue)@\(scope)", assignments: [RoleAssignment(role: role, scope: Scope(scope)!)])
    }

    /// Everyone who may try to act, by a readable name.
    enum Who: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case reporter = "reporter"
        case system = "system"
        case coordinator63 = "coordinator of 63"
        case coordinator6371 = "coordinator of 63.71"
        case inspector63 = "inspector of 63"
        case inspector6371 = "inspector of 63.71"
        case liaisonDinkes = "liaison of 63/dinkes"
        case liaisonRsud = "liaison of 63/rsud-ulin"
        case liaisonDpupr = "liaison of 63/dpupr"
        case liaisonInspektorat = "liaison of 63/inspektorat"
        case liaisonDinkes6371 = "liaison of 63.71/dinkes"
        case headDinkes = "unit head of 63/dinkes"
        case executive63 = "executive of 63"
        case sysadmin63 = "sysadmin of 63"

        var testDescription: String { rawValue }

        var officer: Officer? {
            switch self {
            case .reporter, .system: return nil
            case .coordinator63: return Fixture.officer(.coordinator, "63")
            case .coordinator6371: return Fixture.officer(.coordinator, "63.71")
            case .inspector63: return Fixture.officer(.inspector, "63")
            case .inspector6371: return Fixture.officer(.inspector, "63.71")
            case .liaisonDinkes: return Fixture.officer(.liaison, "63/dinkes")
            case .liaisonRsud: return Fixture.officer(.liaison, "63/rsud-ulin")
            case .liaisonDpupr: return Fixture.officer(.liaison, "63/dpupr")
            case .liaisonInspektorat: return Fixture.officer(.liaison, "63/inspektorat")
            case .liaisonDinkes6371: return Fixture.officer(.liaison, "63.71/dinkes")
            case .headDinkes: return Fixture.officer(.unit_head, "63/dinkes")
            case .executive63: return Fixture.officer(.executive, "63")
            case .sysadmin63: return Fixture.officer(.sysadmin, "63")
            }
        }

        var participant: Participant {
            switch self {
            case .reporter: return .reporter
            case .system: return .system
            default: return .officer(officer!)
            }
        }

        static var officers: [Who] { allCases.filter { $0.officer != nil } }
    }

    // MARK: Who does what, per SPEC §1 and §4 (written out, not read from Access)

    static let coordinatorWork: Set<Action> = [
        .verify, .request_info, .archive, .forward_jurisdiction, .forward_external, .redispose,
        .decide_extension, .merge, .set_privacy,
    ]
    static let liaisonWork: Set<Action> = [.follow_up, .return, .request_extension, .respond_final]
    static let reporterWork: Set<Action> = [.reply, .confirm, .dispute, .feedback]
    static let systemWork: Set<Action> = [.auto_close, .auto_archive, .external_update]

    /// The states each action is legal from, as SPEC §4 describes them.
    static let specLegalFrom: [Action: Set<ComplaintState>] = [
        .verify: [.baru], .redispose: [.baru], .request_info: [.baru], .archive: [.baru, .perlu_info],
        .forward_jurisdiction: [.baru], .forward_external: [.baru], .merge: [.baru, .perlu_info],
        .decide_extension: [.didisposisikan, .diproses],
        .set_privacy: Set(ComplaintState.allCases), .note: Set(ComplaintState.allCases),
        .reply: [.perlu_info], .confirm: [.ditanggapi], .dispute: [.ditanggapi], .feedback: [.ditanggapi, .selesai],
        .follow_up: [.didisposisikan, .diproses], .return: [.didisposisikan],
        .request_extension: [.didisposisikan, .diproses], .respond_final: [.didisposisikan, .diproses],
        .flag_supervision: [.baru, .perlu_info, .didisposisikan, .diproses, .ditanggapi],
        .auto_close: [.ditanggapi], .auto_archive: [.perlu_info],
        .external_update: [.diteruskan],
        // Issue 19: assignment within the handling unit, while the unit holds the complaint.
        .assign: [.didisposisikan, .diproses], .release: [.didisposisikan, .diproses],
    ]

    /// The actions a `ComplaintCommand` expresses (merge has its own entry point; submit and escalate too).
    static let commandActions: [Action] = [
        .verify, .redispose, .request_info, .archive, .forward_jurisdiction, .forward_external, .decide_extension,
        .set_privacy, .reply, .confirm, .dispute, .feedback, .follow_up, .return, .request_extension,
        .respond_final, .flag_supervision, .note, .auto_close, .auto_archive, .external_update,
    ]

    /// The unit that handles a complaint of this type in this jurisdiction in the standard walk.
    static func handlingUnit(type: ComplaintType, jurisdiction: String) -> String {
        type == .wbs ? "\(jurisdiction)/inspektorat" : "\(jurisdiction)/dinkes"
    }

    /// The coordinator of the complaint's jurisdiction, or its inspector for whistleblowing.
    static func coordinator(of record: ComplaintRecord) -> Participant {
        .officer(officer(record.type == .wbs ? .inspector : .coordinator, record.jurisdiction))
    }

    /// The liaison of the complaint's handling unit (or of the unit it would go to, when it has none).
    static func liaison(of record: ComplaintRecord) -> Participant {
        .officer(officer(.liaison, record.unit ?? handlingUnit(type: record.type, jurisdiction: record.jurisdiction)))
    }

    /// The participant whose job the action is on this complaint.
    static func rightfulActor(for action: Action, on record: ComplaintRecord) -> Participant {
        if coordinatorWork.contains(action) || action == .note { return coordinator(of: record) }
        if liaisonWork.contains(action) { return liaison(of: record) }
        if reporterWork.contains(action) { return .reporter }
        if systemWork.contains(action) { return .system }
        return .officer(officer(.inspector, record.jurisdiction))   // flag_supervision
    }

    /// A well-formed command for the action on this complaint: one that only its state or actor can refuse.
    static func sampleCommand(for action: Action, on record: ComplaintRecord) -> ComplaintCommand {
        let unit = handlingUnit(type: record.type, jurisdiction: record.jurisdiction)
        switch action {
        case .verify: return .verify(Disposition(unit: unit))
        case .redispose: return .redispose(Disposition(unit: record.type == .wbs ? unit : "\(record.jurisdiction)/diskominfo"))
        case .request_info: return .requestInfo
        case .archive: return .archive(.spam)
        case .forward_jurisdiction: return .forwardJurisdiction(record.jurisdiction == "63" ? "63.71" : "63")
        case .forward_external: return .forwardExternal(destination: "Ombudsman RI", reference: "ORI-2026-001")
        case .decide_extension: return .decideExtension(approve: true)
        case .set_privacy:
            return record.anonymous ? .setPrivacy(anonymous: nil, confidential: true) : .setPrivacy(anonymous: true, confidential: nil)
        case .reply: return .reply
        case .confirm: return .confirm
        case .dispute: return .dispute
        case .feedback: return .feedback(rating: 4)
        case .follow_up: return .followUp
        case .return: return .returnToCoordinator
        case .request_extension: return .requestExtension(days: 3)
        case .respond_final: return .respondFinal
        case .flag_supervision: return .flagSupervision
        case .note: return .note
        case .auto_close: return .autoClose
        case .auto_archive: return .autoArchive
        case .external_update: return .externalUpdate(reference: nil, status: "Dalam Proses", statusAt: nil)
        // A liaison taking the complaint ("Saya tangani").
        case .assign: return .assign(to: nil)
        case .release: return .release
        case .submit, .merge, .escalate, .merged_duplicate:
            fatalError("\(action.rawValue) is not a ComplaintCommand")
        }
    }

    /// The words a command needs to be well formed (exhaustive over commands, so a new one must say).
    static func texts(for command: ComplaintCommand) -> Texts {
        switch command {
        case .requestInfo: return Texts(public: "Mohon lampirkan foto lokasi dan nomor antrean.")
        case .reply: return Texts(public: "Foto lokasi terlampir, antrean nomor 42.")
        case .dispute: return Texts(public: "Jalan masih berlubang, belum diperbaiki.")
        case .followUp: return Texts(public: "Tim sudah meninjau lokasi.")
        case .respondFinal: return Texts(public: "Perbaikan selesai pada 8 April.")
        case .note, .returnToCoordinator, .requestExtension:
            return Texts(internal: "Catatan internal untuk petugas.")
        case .archive(.some(.lainnya)): return Texts(internal: "Laporan uji coba dari petugas.")
        case .verify, .redispose, .archive, .forwardJurisdiction, .forwardExternal, .decideExtension, .setPrivacy,
             .confirm, .feedback, .flagSupervision, .autoClose, .autoArchive, .assign, .release:
            return Texts()
        case .externalUpdate: return Texts(internal: "Status di SP4N-LAPOR!: Dalam Proses.")
        }
    }

    // MARK: Submissions and walks

    /// A valid submission; a reporter with contact unless told otherwise.
    static func submission(type: ComplaintType = .pengaduan, jurisdiction: String = "63", contact: Bool = true,
                           anonymous: Bool = false, confidential: Bool = false, target: String? = nil,
                           channel: Channel = .web) -> Submission {
        var s = Submission(title: "Antrean RSUD terlalu lama",
                           body: "Saya menunggu lebih dari lima jam di loket pendaftaran tanpa kejelasan.",
                           jurisdiction: jurisdiction)
        s.type = type; s.hasReporterContact = contact; s.anonymous = anonymous; s.confidential = confidential
        s.targetUnit = target; s.channel = channel
        return s
    }

    /// Decides a command on a pinned clock, with the command's standard texts unless others are given.
    static func decide(_ command: ComplaintCommand, by actor: Participant, on record: ComplaintRecord,
                       texts: Texts? = nil, at now: Date = Clock.later, policy: Policy = Policy(),
                       tree: OrgTree = tree) throws(LifecycleError) -> Transition {
        try Lifecycle.decide(command, by: actor, on: record, texts: texts ?? Fixture.texts(for: command),
                             context: context(at: now, policy: policy, tree: tree))
    }

    /// A complaint submitted and walked to `state` by the people whose job each step is, on the standard clock.
    static func walk(to state: ComplaintState, type: ComplaintType = .pengaduan, jurisdiction: String = "63",
                     contact: Bool = true, trackingID: String = "7KQ2MX9PJ") throws(LifecycleError) -> Walk {
        let walk = Walk(submission(type: type, jurisdiction: jurisdiction, contact: contact), trackingID: trackingID,
                        at: Clock.submitted)
        let coordinatorActor = coordinator(of: walk.record)
        switch state {
        case .baru:
            break
        case .perlu_info:
            try walk.step(.requestInfo, by: coordinatorActor, at: Clock.decided)
        case .diarsipkan:
            try walk.step(.archive(.spam), by: coordinatorActor, at: Clock.decided)
        case .diteruskan:
            try walk.step(.forwardExternal(destination: "Ombudsman RI", reference: nil), by: coordinatorActor, at: Clock.decided)
        case .didisposisikan, .diproses, .ditanggapi, .selesai:
            try walk.step(.verify(Disposition(unit: handlingUnit(type: type, jurisdiction: jurisdiction))), by: coordinatorActor, at: Clock.decided)
            let liaisonActor = liaison(of: walk.record)
            if state == .didisposisikan { return walk }
            try walk.step(.followUp, by: liaisonActor, at: Clock.followedUp)
            if state == .diproses { return walk }
            try walk.step(.respondFinal, by: liaisonActor, at: Clock.answered)
            if state == .ditanggapi { return walk }
            try walk.step(.confirm, by: .reporter, at: Clock.confirmed)
        }
        return walk
    }

    /// The complaint of `walk(to:)`.
    static func record(in state: ComplaintState, type: ComplaintType = .pengaduan, jurisdiction: String = "63",
                       contact: Bool = true, trackingID: String = "7KQ2MX9PJ") throws(LifecycleError) -> ComplaintRecord {
        try walk(to: state, type: type, jurisdiction: jurisdiction, contact: contact, trackingID: trackingID).record
    }

    /// A projection written by hand, for the read rules (which look at nothing but these fields).
    static func complaint(_ id: String = "R1", jurisdiction: String = "63", type: ComplaintType = .pengaduan,
                          unit: String? = nil, collaborating: [String] = [], confidential: Bool = false) -> ComplaintRecord {
        var record = ComplaintRecord(trackingID: id, type: type, channel: .web, state: unit == nil ? .baru : .didisposisikan,
                                     jurisdiction: jurisdiction, submittedAt: Clock.submitted)
        record.unit = unit
        record.collaboratingUnits = collaborating
        record.confidential = confidential || type == .wbs
        return record
    }

    /// The refusal a decision ends in, or nil when it succeeds.
    static func refusal<T>(_ decision: () throws -> T) -> Refusal? {
        do {
            _ = try decision()
            return nil
        } catch let error as LifecycleError {
            return error.refusal
        } catch {
            return .unexpected("\(error)")
        }
    }
}

/// A complaint walked through the lifecycle on a controlled clock, keeping every transition on the way.
/// A class, so that a step or a sweep can be taken inside `#expect` and `#require`.
final class Walk {
    private(set) var record: ComplaintRecord
    private(set) var transitions: [Transition]

    init(_ submission: Submission, trackingID: String = "7KQ2MX9PJ", at now: Date, by actor: Participant = .reporter) {
        let submitted = Lifecycle.submit(submission, trackingID: trackingID, by: actor, context: Fixture.context(at: now))
        record = submitted.record
        transitions = [submitted]
    }

    /// Takes one step; the complaint moves on only when the step is legal.
    @discardableResult
    func step(_ command: ComplaintCommand, by actor: Participant, texts: Texts? = nil, at now: Date,
                       policy: Policy = Policy()) throws(LifecycleError) -> Transition {
        let transition = try Fixture.decide(command, by: actor, on: record, texts: texts, at: now, policy: policy)
        record = transition.record
        transitions.append(transition)
        return transition
    }

    /// Runs the escalation sweep at `now`; the complaint moves on when it escalates.
    @discardableResult
    func sweep(at now: Date) -> Transition? {
        guard let escalation = Lifecycle.escalation(of: record, context: Fixture.context(at: now)) else { return nil }
        record = escalation.record
        transitions.append(escalation)
        return escalation
    }
}

/// The kind of a `LifecycleError`, comparable in one expectation.
enum Refusal: Equatable, CustomStringConvertible {
    /// 403: not this actor's to do.
    case forbidden
    /// 409: not possible in this state (or not any more / not yet).
    case illegal(Action, ComplaintState)
    /// 422: the named field is missing or wrong.
    case invalid(String)
    /// Not a `LifecycleError` at all.
    case unexpected(String)

    var description: String {
        switch self {
        case .forbidden: return "403 not permitted"
        case .illegal(let action, let state): return "409 \(action.rawValue) in \(state.rawValue)"
        case .invalid(let field): return "422 \(field)"
        case .unexpected(let error): return "unexpected \(error)"
        }
    }
}

extension LifecycleError {
    var refusal: Refusal {
        switch self {
        case .notPermitted: return .forbidden
        case .illegalTransition(let action, let state, _): return .illegal(action, state)
        case .invalid(let field, _): return .invalid(field)
        }
    }
}

extension Transition {
    /// The one event of a single-event transition.
    var event: EventDraft? { events.count == 1 ? events[0] : nil }

    /// The notices as sorted "kind → audience" lines, so an expectation reads like a mailing list.
    var mail: [String] {
        notices.map { notice in
            let audience: String
            switch notice.audience {
            case .reporter: audience = "reporter"
            case .unitLiaisons(let unit): audience = "liaisons \(unit)"
            case .unitHead(let unit): audience = "head \(unit)"
            case .coordinators(let code): audience = "coordinators \(code)"
            case .inspectorate(let code): audience = "inspectorate \(code)"
            case .externalSystem(let name): audience = "external \(name)"
            }
            return "\(notice.kind) → \(audience)"
        }.sorted()
    }
}
