import Foundation
import Testing
@testable import AduanCore

// Who may act on a complaint and who may read it (SPEC §1: every officer permission is scoped to a place
// in the organisation tree; §3: whistleblowing goes to the inspectorate only; §4: who takes which action).

private typealias F = Fixture
typealias Who = Fixture.Who
private typealias Clock = Fixture.Clock

/// A complaint in which `action` is legal, walked by the people whose job each step is, and when to try it.
private func situation(for action: Action, type: ComplaintType = .pengaduan,
                       jurisdiction: String = "63") throws(LifecycleError) -> (record: ComplaintRecord, now: Date) {
    switch action {
    case .redispose:
        let walk = try F.walk(to: .didisposisikan, type: type, jurisdiction: jurisdiction)
        try walk.step(.returnToCoordinator, by: F.liaison(of: walk.record), at: Clock.followedUp)
        return (walk.record, Clock.later)
    case .decide_extension:
        let walk = try F.walk(to: .didisposisikan, type: type, jurisdiction: jurisdiction)
        try walk.step(.requestExtension(days: 3), by: F.liaison(of: walk.record), at: Clock.followedUp)
        return (walk.record, Clock.later)
    case .follow_up, .return, .request_extension, .respond_final, .flag_supervision, .note:
        return (try F.record(in: .didisposisikan, type: type, jurisdiction: jurisdiction), Clock.later)
    case .reply:
        return (try F.record(in: .perlu_info, type: type, jurisdiction: jurisdiction), Clock.later)
    case .auto_archive:
        return (try F.record(in: .perlu_info, type: type, jurisdiction: jurisdiction), Clock.muchLater)
    case .confirm, .dispute, .feedback:
        return (try F.record(in: .ditanggapi, type: type, jurisdiction: jurisdiction), Clock.later)
    case .auto_close:
        return (try F.record(in: .ditanggapi, type: type, jurisdiction: jurisdiction), Clock.muchLater)
    case .external_update:
        return (try F.record(in: .diteruskan, type: type, jurisdiction: jurisdiction), Clock.later)
    default:   // the coordinator's decisions on a new complaint
        return (try F.record(in: .baru, type: type, jurisdiction: jurisdiction), Clock.later)
    }
}

/// Tries the action's well-formed command; the refusal, or nil and the transition when it succeeds.
private func attempt(_ action: Action, by who: Participant, on record: ComplaintRecord,
                     at now: Date = Clock.later) -> (refusal: Refusal?, transition: Transition?) {
    do {
        if action == .merge {
            let original = try F.record(in: .baru, type: record.type, jurisdiction: record.jurisdiction, trackingID: "ORIG00001")
            let (duplicate, _) = try Lifecycle.merge(record, into: original, by: who, context: F.context(at: now))
            return (nil, duplicate)
        }
        var command = F.sampleCommand(for: action, on: record)
        // Issue 19: a liaison takes the complaint (the sample); anyone else can only name a liaison of the unit.
        if action == .assign, case .officer(let officer) = who, !Assignment.isEligible(officer, for: record, tree: F.tree), let unit = record.unit {
            command = .assign(to: F.officer(.liaison, unit))
        }
        return (nil, try F.decide(command, by: who, on: record, at: now))
    } catch {
        return (error.refusal, nil)
    }
}

// MARK: - Who may act

@Suite("Who may act")
struct WhoMayActTests {
    /// Who SPEC §1 and §4 let take the action on a provincial complaint handled by 63/dinkes, and the role recorded.
    static func allowed(_ action: Action) -> [Who: String] {
        if F.coordinatorWork.contains(action) { return [.coordinator63: "coordinator"] }
        if F.liaisonWork.contains(action) { return [.liaisonDinkes: "liaison"] }
        if F.reporterWork.contains(action) { return [.reporter: "reporter"] }
        if F.systemWork.contains(action) { return [.system: "system"] }
        if action == .flag_supervision { return [.inspector63: "inspector"] }
        // note: anyone in scope who reads the complaint, as the role that lets them read it
        return [.coordinator63: "coordinator", .inspector63: "inspector", .liaisonDinkes: "liaison", .headDinkes: "unit_head"]
    }

    @Test("each action on a provincial health-office complaint is taken by exactly the people whose job it is",
          arguments: Fixture.commandActions + [.merge], Who.allCases)
    func matrix(action: Action, who: Who) throws {
        // Given a complaint in which the action is legal
        let (record, now) = try situation(for: action)
        // When this participant tries it with well-formed input
        let (refusal, transition) = attempt(action, by: who.participant, on: record, at: now)
        // Then it succeeds, recorded under the expected role, or it is refused as not theirs (403)
        if let role = Self.allowed(action)[who] {
            #expect(refusal == nil)
            #expect(transition?.events.first?.actorRole == role)
        } else {
            #expect(refusal == .forbidden)
        }
    }

    @Test("a kota's coordinator acts on the kota's complaints and the province's coordinator does not",
          arguments: Array(Fixture.coordinatorWork))
    func coordinatorsStayInTheirJurisdiction(action: Action) throws {
        let (record, now) = try situation(for: action, jurisdiction: "63.71")
        #expect(attempt(action, by: Who.coordinator6371.participant, on: record, at: now).refusal == nil)
        #expect(attempt(action, by: Who.coordinator63.participant, on: record, at: now).refusal == .forbidden)
        #expect(attempt(action, by: Who.inspector63.participant, on: record, at: now).refusal == .forbidden)
    }

    @Test("a unit's liaison acts for its sub-units; the sub-unit's own liaison too; a sibling's never",
          arguments: Array(Fixture.liaisonWork))
    func liaisonsActForSubunits(action: Action) throws {
        // Given a complaint dispositioned to the hospital under the health office
        let walk = try F.walk(to: .baru)
        try walk.step(.verify(Disposition(unit: "63/rsud-ulin")), by: Who.coordinator63.participant, at: Clock.decided)
        // Then the health office's liaison and the hospital's may act, public works' may not
        let dinkes = attempt(action, by: Who.liaisonDinkes.participant, on: walk.record)
        #expect(dinkes.refusal == nil)
        #expect(dinkes.transition?.event?.actorRole == "liaison")
        #expect(attempt(action, by: Who.liaisonRsud.participant, on: walk.record).refusal == nil)
        #expect(attempt(action, by: Who.liaisonDpupr.participant, on: walk.record).refusal == .forbidden)
        #expect(attempt(action, by: Who.headDinkes.participant, on: walk.record).refusal == .forbidden)
    }

    @Test("a collaborating unit's liaison may read and note, but only the handling unit acts", arguments: Array(Fixture.liaisonWork))
    func collaboratorsDoNotAct(action: Action) throws {
        let walk = try F.walk(to: .baru)
        try walk.step(.verify(Disposition(unit: "63/dinkes", collaboratingUnits: ["63/dpupr"])), by: Who.coordinator63.participant,
                      at: Clock.decided)
        #expect(attempt(action, by: Who.liaisonDpupr.participant, on: walk.record).refusal == .forbidden)
        #expect(attempt(.note, by: Who.liaisonDpupr.participant, on: walk.record).transition?.event?.actorRole == "liaison")
    }

    @Test("whistleblowing: the inspector of the jurisdiction acts as its coordinator; coordinators and other inspectors do not",
          arguments: Array(Fixture.coordinatorWork))
    func whistleblowingDecisions(action: Action) throws {
        // Given a provincial whistleblowing report in which the action is legal
        let (record, now) = try situation(for: action, type: .wbs)
        // Then the provincial inspector takes it, recorded as inspector
        let inspector = attempt(action, by: Who.inspector63.participant, on: record, at: now)
        #expect(inspector.refusal == nil)
        #expect(inspector.transition?.events.first?.actorRole == "inspector")
        // And neither coordinator, nor the kota's inspector, may
        #expect(attempt(action, by: Who.coordinator63.participant, on: record, at: now).refusal == .forbidden)
        #expect(attempt(action, by: Who.coordinator6371.participant, on: record, at: now).refusal == .forbidden)
        #expect(attempt(action, by: Who.inspector6371.participant, on: record, at: now).refusal == .forbidden)
    }

    @Test("a kota's whistleblowing report is decided by the kota's inspector, not the province's",
          arguments: [Action.verify, .request_info, .archive, .forward_jurisdiction, .forward_external, .set_privacy])
    func kotaWhistleblowing(action: Action) throws {
        let record = try F.record(in: .baru, type: .wbs, jurisdiction: "63.71")
        #expect(attempt(action, by: Who.inspector6371.participant, on: record).refusal == nil)
        #expect(attempt(action, by: Who.inspector63.participant, on: record).refusal == .forbidden)
        #expect(attempt(action, by: Who.coordinator6371.participant, on: record).refusal == .forbidden)
    }

    @Test("whistleblowing follow-up is the inspectorate unit's liaisons' work")
    func whistleblowingFollowUp() throws {
        let record = try F.record(in: .didisposisikan, type: .wbs)
        #expect(attempt(.follow_up, by: Who.liaisonInspektorat.participant, on: record).refusal == nil)
        #expect(attempt(.follow_up, by: Who.liaisonDinkes.participant, on: record).refusal == .forbidden)
        #expect(attempt(.note, by: Who.coordinator63.participant, on: record).refusal == .forbidden)
        #expect(attempt(.note, by: Who.inspector63.participant, on: record).refusal == nil)
    }

    @Test("the province's inspector supervises the kota's complaints; the kota's inspector never the province's")
    func supervisionAcrossJurisdictions() throws {
        let kota = try F.record(in: .diproses, jurisdiction: "63.71")
        let flagged = try #require(attempt(.flag_supervision, by: Who.inspector63.participant, on: kota).transition)
        // The kota's own inspectorate joins as collaborator
        #expect(flagged.record.collaboratingUnits == ["63.71/inspektorat"])
        #expect(attempt(.flag_supervision, by: Who.inspector6371.participant, on: try F.record(in: .diproses)).refusal == .forbidden)
        #expect(attempt(.note, by: Who.inspector63.participant, on: kota).refusal == nil)
        #expect(attempt(.note, by: Who.inspector6371.participant, on: try F.record(in: .diproses)).refusal == .forbidden)
    }

    @Test("executives and system administrators act on nothing, in any state", arguments: [Who.executive63, .sysadmin63],
          ComplaintState.allCases)
    func readersDoNotAct(who: Who, state: ComplaintState) throws {
        for type in [ComplaintType.pengaduan, .wbs] {
            let record = try F.record(in: state, type: type)
            for action in Action.officerActions {
                #expect(attempt(action, by: who.participant, on: record).refusal == .forbidden, "\(action.rawValue) on \(type.rawValue)")
                #expect(!Lifecycle.isAvailable(action, to: who.participant, on: record, tree: F.tree))
            }
        }
    }

    @Test("an officer with two roles acts under the role the action needs")
    func twoRoles() throws {
        // Given someone who is both the province's coordinator and the health office's liaison
        let both = Participant.officer(Officer(id: "rangkap", assignments: [
            RoleAssignment(role: .coordinator, scope: .jurisdiction("63")),
            RoleAssignment(role: .liaison, scope: .unit("63/dinkes")),
        ]))
        let walk = try F.walk(to: .baru)
        // Then verifying is recorded as coordinator, following up as liaison, a note as coordinator
        #expect(try walk.step(.verify(Disposition(unit: "63/dinkes")), by: both, at: Clock.decided).event?.actorRole == "coordinator")
        #expect(try walk.step(.followUp, by: both, at: Clock.followedUp).event?.actorRole == "liaison")
        #expect(try walk.step(.note, by: both, at: Clock.answered).event?.actorRole == "coordinator")
    }

    @Test("a role on a scope of the wrong kind grants nothing")
    func wrongKindOfScope() throws {
        let coordinatorOfAUnit = Participant.officer(
            Officer(id: "x", assignments: [RoleAssignment(role: .coordinator, scope: .unit("63/diskominfo"))]))
        let liaisonOfAJurisdiction = Participant.officer(
            Officer(id: "y", assignments: [RoleAssignment(role: .liaison, scope: .jurisdiction("63"))]))
        #expect(attempt(.verify, by: coordinatorOfAUnit, on: try F.record(in: .baru)).refusal == .forbidden)
        #expect(attempt(.note, by: coordinatorOfAUnit, on: try F.record(in: .baru)).refusal == .forbidden)
        #expect(attempt(.follow_up, by: liaisonOfAJurisdiction, on: try F.record(in: .didisposisikan)).refusal == .forbidden)
    }

    @Test("a returned complaint is no longer the unit's to act on")
    func returnedIsNoLongerTheUnits() throws {
        let walk = try F.walk(to: .didisposisikan)
        try walk.step(.returnToCoordinator, by: Who.liaisonDinkes.participant, at: Clock.followedUp)
        #expect(attempt(.note, by: Who.liaisonDinkes.participant, on: walk.record).refusal == .forbidden)
        #expect(attempt(.note, by: Who.coordinator63.participant, on: walk.record).refusal == nil)
    }
}

// MARK: - isAvailable agrees with decide

/// The complaints the availability property is checked on.
enum Situation: String, CaseIterable, Sendable {
    case baru, perluInfo, didisposisikan, diproses, ditanggapi, selesai, diarsipkan, diteruskan
    case wbsBaru, wbsPerluInfo, wbsDidisposisikan, wbsDiproses, wbsDitanggapi, wbsSelesai, wbsDiarsipkan, wbsDiteruskan
    case kotaBaru, kotaDiproses, returned, pendingExtension, pendingExtensionDiproses, extensionUsed, flagged
    case atHospital, withCollaborator

    func record() throws(LifecycleError) -> ComplaintRecord {
        let coordinator = Fixture.Who.coordinator63.participant
        let liaison = Fixture.Who.liaisonDinkes.participant
        switch self {
        case .baru: return try F.record(in: .baru)
        case .perluInfo: return try F.record(in: .perlu_info)
        case .didisposisikan: return try F.record(in: .didisposisikan)
        case .diproses: return try F.record(in: .diproses)
        case .ditanggapi: return try F.record(in: .ditanggapi)
        case .selesai: return try F.record(in: .selesai)
        case .diarsipkan: return try F.record(in: .diarsipkan)
        case .diteruskan: return try F.record(in: .diteruskan)
        case .wbsBaru: return try F.record(in: .baru, type: .wbs)
        case .wbsPerluInfo: return try F.record(in: .perlu_info, type: .wbs)
        case .wbsDidisposisikan: return try F.record(in: .didisposisikan, type: .wbs)
        case .wbsDiproses: return try F.record(in: .diproses, type: .wbs)
        case .wbsDitanggapi: return try F.record(in: .ditanggapi, type: .wbs)
        case .wbsSelesai: return try F.record(in: .selesai, type: .wbs)
        case .wbsDiarsipkan: return try F.record(in: .diarsipkan, type: .wbs)
        case .wbsDiteruskan: return try F.record(in: .diteruskan, type: .wbs)
        case .kotaBaru: return try F.record(in: .baru, jurisdiction: "63.71")
        case .kotaDiproses: return try F.record(in: .diproses, jurisdiction: "63.71")
        case .returned:
            let walk = try F.walk(to: .didisposisikan)
            try walk.step(.returnToCoordinator, by: liaison, at: Clock.followedUp)
            return walk.record
        case .pendingExtension:
            let walk = try F.walk(to: .didisposisikan)
            try walk.step(.requestExtension(days: 3), by: liaison, at: Clock.followedUp)
            return walk.record
        case .pendingExtensionDiproses:
            let walk = try F.walk(to: .diproses)
            try walk.step(.requestExtension(days: 3), by: liaison, at: Clock.answered)
            return walk.record
        case .extensionUsed:
            let walk = try F.walk(to: .diproses)
            try walk.step(.requestExtension(days: 3), by: liaison, at: Clock.answered)
            try walk.step(.decideExtension(approve: false), by: coordinator, at: Clock.confirmed)
            return walk.record
        case .flagged:
            let walk = try F.walk(to: .diproses)
            try walk.step(.flagSupervision, by: Fixture.Who.inspector63.participant, at: Clock.answered)
            return walk.record
        case .atHospital:
            let walk = try F.walk(to: .baru)
            try walk.step(.verify(Disposition(unit: "63/rsud-ulin")), by: coordinator, at: Clock.decided)
            return walk.record
        case .withCollaborator:
            let walk = try F.walk(to: .baru)
            try walk.step(.verify(Disposition(unit: "63/dinkes", collaboratingUnits: ["63/dpupr"])), by: coordinator, at: Clock.decided)
            return walk.record
        }
    }
}

@Suite("isAvailable agrees with decide")
struct AvailabilityTests {
    @Test("an officer action is offered exactly when a well-formed request for it would succeed",
          arguments: Situation.allCases, Who.officers)
    func agreement(situation: Situation, who: Who) throws {
        let record = try situation.record()
        for action in Action.officerActions {
            // Given the complaint / When the officer is shown what they may do, and tries each action
            let offered = Lifecycle.isAvailable(action, to: who.participant, on: record, tree: F.tree)
            let (refusal, _) = attempt(action, by: who.participant, on: record)
            // Then the offer and the outcome agree; a refused action is refused for its state or its actor, not its input
            #expect(offered == (refusal == nil), "\(action.rawValue): offered \(offered), outcome \(refusal?.description ?? "ok")")
            if let refusal {
                switch refusal {
                case .forbidden, .illegal: break
                case .invalid, .unexpected: Issue.record("\(action.rawValue) refused for its input (\(refusal)): the sample is not well formed")
                }
            }
        }
    }

    @Test("nobody may do something that is nobody's", arguments: [Action.submit, .escalate, .merged_duplicate, .auto_close, .auto_archive])
    func unofferable(action: Action) throws {
        for situation in Situation.allCases {
            let record = try situation.record()
            for who in Who.officers {
                #expect(!Lifecycle.isAvailable(action, to: who.participant, on: record, tree: F.tree))
            }
        }
    }
}

// MARK: - Who may read

/// The complaints the read rules are checked on (projections written by hand).
enum ReadSample: String, CaseIterable, Sendable {
    case dinkes63, new63, dpuprConfidential63, wbs63, dinkes6371, wbsNew6371, rsud63, dpuprWithRsud63, confidentialNew6371

    var record: ComplaintRecord {
        switch self {
        case .dinkes63: return F.complaint(rawValue, unit: "63/dinkes")
        case .new63: return F.complaint(rawValue)
        case .dpuprConfidential63: return F.complaint(rawValue, unit: "63/dpupr", confidential: true)
        case .wbs63: return F.complaint(rawValue, type: .wbs, unit: "63/inspektorat")
        case .dinkes6371: return F.complaint(rawValue, jurisdiction: "63.71", unit: "63.71/dinkes")
        case .wbsNew6371: return F.complaint(rawValue, jurisdiction: "63.71", type: .wbs)
        case .rsud63: return F.complaint(rawValue, unit: "63/rsud-ulin")
        case .dpuprWithRsud63: return F.complaint(rawValue, unit: "63/dpupr", collaborating: ["63/rsud-ulin"])
        case .confidentialNew6371: return F.complaint(rawValue, jurisdiction: "63.71", confidential: true)
        }
    }
}

@Suite("Who may read")
struct WhoMayReadTests {
    static let expected: [Who: Set<ReadSample>] = [
        // own jurisdiction only (not the kota below), confidential included, whistleblowing never
        .coordinator63: [.dinkes63, .new63, .dpuprConfidential63, .rsud63, .dpuprWithRsud63],
        .coordinator6371: [.dinkes6371, .confidentialNew6371],
        // the jurisdiction and every kota below it, whistleblowing and confidential included
        .inspector63: Set(ReadSample.allCases),
        .inspector6371: [.dinkes6371, .wbsNew6371, .confidentialNew6371],
        // handling or collaborating unit, and its sub-units
        .liaisonDinkes: [.dinkes63, .rsud63, .dpuprWithRsud63],
        .liaisonRsud: [.rsud63, .dpuprWithRsud63],
        .liaisonDpupr: [.dpuprConfidential63, .dpuprWithRsud63],
        .liaisonInspektorat: [.wbs63],
        .liaisonDinkes6371: [.dinkes6371],
        .headDinkes: [.dinkes63, .rsud63, .dpuprWithRsud63],
        // the jurisdiction and below, nothing confidential
        .executive63: [.dinkes63, .new63, .dinkes6371, .rsud63, .dpuprWithRsud63],
        // no complaint content at all
        .sysadmin63: [],
    ]

    @Test("each officer reads exactly the complaints in their scope", arguments: Who.officers)
    func readableSet(who: Who) throws {
        let officer = try #require(who.officer)
        let filter = Access.readFilter(for: officer, tree: F.tree)
        let readable = Set(ReadSample.allCases.filter { Access.canRead(officer, $0.record, tree: F.tree) })
        #expect(readable == Self.expected[who])
        // And the filter the shell turns into a query says the same
        #expect(Set(ReadSample.allCases.filter { filter.matches($0.record) }) == readable)
    }

    @Test("the filters carry the scope as query terms")
    func filterClauses() {
        let inspector = Access.readFilter(for: Who.inspector63.officer!, tree: F.tree)
        #expect(inspector.clauses == [.init(jurisdictions: ["63", "63.71"], units: nil, includeWhistleblowing: true, includeConfidential: true)])
        let coordinator = Access.readFilter(for: Who.coordinator63.officer!, tree: F.tree)
        #expect(coordinator.clauses == [.init(jurisdictions: ["63"], units: nil, includeWhistleblowing: false, includeConfidential: true)])
        let executive = Access.readFilter(for: Who.executive63.officer!, tree: F.tree)
        #expect(executive.clauses == [.init(jurisdictions: ["63", "63.71"], units: nil, includeWhistleblowing: false, includeConfidential: false)])
        let liaison = Access.readFilter(for: Who.liaisonDinkes.officer!, tree: F.tree)
        #expect(liaison.clauses == [.init(jurisdictions: nil, units: ["63/dinkes", "63/rsud-ulin"],
                                          includeWhistleblowing: true, includeConfidential: true)])
        #expect(Access.readFilter(for: Who.sysadmin63.officer!, tree: F.tree).isEmpty)
    }

    @Test("an officer with two assignments reads the union of both")
    func union() {
        let officer = Officer(id: "rangkap", assignments: [
            RoleAssignment(role: .liaison, scope: .unit("63/dpupr")),
            RoleAssignment(role: .coordinator, scope: .jurisdiction("63.71")),
        ])
        let readable = Set(ReadSample.allCases.filter { Access.canRead(officer, $0.record, tree: F.tree) })
        #expect(readable == [.dpuprConfidential63, .dpuprWithRsud63, .dinkes6371, .confidentialNew6371])
        #expect(Access.readFilter(for: officer, tree: F.tree).clauses.count == 2)
    }

    @Test("roles on scopes of the wrong kind, or on places that do not exist, read nothing", arguments: [
        RoleAssignment(role: .coordinator, scope: .unit("63/diskominfo")),
        RoleAssignment(role: .inspector, scope: .unit("63/inspektorat")),
        RoleAssignment(role: .executive, scope: .unit("63/dinkes")),
        RoleAssignment(role: .liaison, scope: .jurisdiction("63")),
        RoleAssignment(role: .unit_head, scope: .jurisdiction("63")),
        RoleAssignment(role: .inspector, scope: .jurisdiction("64")),
        RoleAssignment(role: .liaison, scope: .unit("63/bappeda")),
        RoleAssignment(role: .sysadmin, scope: .jurisdiction("63")),
    ])
    func nothingToRead(assignment: RoleAssignment) {
        let officer = Officer(id: "x", assignments: [assignment])
        #expect(ReadSample.allCases.allSatisfy { !Access.canRead(officer, $0.record, tree: F.tree) })
    }

    @Test("the inspectorate's liaisons see a complaint once it is flagged for supervision")
    func flaggedComplaintReachesTheInspectorate() throws {
        let walk = try F.walk(to: .diproses)
        let liaison = try #require(Who.liaisonInspektorat.officer)
        #expect(!Access.canRead(liaison, walk.record, tree: F.tree))
        try walk.step(.flagSupervision, by: Who.inspector63.participant, at: Clock.later)
        #expect(Access.canRead(liaison, walk.record, tree: F.tree))
    }

    @Test("a returned complaint leaves the unit's sight and stays in the coordinator's")
    func returnedComplaint() throws {
        let walk = try F.walk(to: .didisposisikan)
        try walk.step(.returnToCoordinator, by: Who.liaisonDinkes.participant, at: Clock.followedUp)
        #expect(!Access.canRead(Who.liaisonDinkes.officer!, walk.record, tree: F.tree))
        #expect(!Access.canRead(Who.headDinkes.officer!, walk.record, tree: F.tree))
        #expect(Access.canRead(Who.coordinator63.officer!, walk.record, tree: F.tree))
    }

    @Test("a complaint forwarded to the kota leaves the province's coordinator and reaches the kota's")
    func forwardedComplaint() throws {
        let walk = try F.walk(to: .baru)
        try walk.step(.forwardJurisdiction("63.71"), by: Who.coordinator63.participant, at: Clock.decided)
        #expect(!Access.canRead(Who.coordinator63.officer!, walk.record, tree: F.tree))
        #expect(Access.canRead(Who.coordinator6371.officer!, walk.record, tree: F.tree))
        #expect(Access.canRead(Who.inspector63.officer!, walk.record, tree: F.tree))
    }
}

@Suite struct WarningAccessTests {
    let tree = Fixture.tree

    @Test func inspectorsWarnUnitsInTheirJurisdictionAndBelow() {
        let province = Fixture.officer(.inspector, "63")
        let kota = Fixture.officer(.inspector, "63.71")
        #expect(Access.canWarn("63/dinkes", province, tree: tree) && Access.canWarn("63.71/dinkes", province, tree: tree))
        #expect(Access.canWarn("63.71/dinkes", kota, tree: tree) && !Access.canWarn("63/dinkes", kota, tree: tree))
        #expect(!Access.canWarn("63/dinkes", Fixture.officer(.coordinator, "63"), tree: tree))
        #expect(!Access.canWarn("63/unknown", province, tree: tree))
    }

    @Test func theUnitHeadAcknowledgesAndLiaisonsRead() {
        let head = Fixture.officer(.unit_head, "63/dinkes")
        #expect(Access.canAcknowledgeWarning(to: "63/dinkes", head, tree: tree))
        #expect(Access.canAcknowledgeWarning(to: "63/rsud-ulin", head, tree: tree), "a sub-unit's warning reaches the agency head")
        #expect(!Access.canAcknowledgeWarning(to: "63/dpupr", head, tree: tree))
        let liaison = Fixture.officer(.liaison, "63/dinkes")
        #expect(Access.canReadWarnings(of: "63/dinkes", liaison, tree: tree) && !Access.canAcknowledgeWarning(to: "63/dinkes", liaison, tree: tree))
        #expect(!Access.canReadWarnings(of: "63/dpupr", liaison, tree: tree))
    }
}

@Suite struct IntegrationAccessTests {
    let tree = Fixture.tree

    @Test func aKeyBoundToAJurisdictionReadsItAndBelowButNeverConfidentialOrWhistleblowing() {
        let filter = Access.integrationReadFilter(bound: .jurisdiction("63"), tree: tree)
        #expect(filter.clauses.count == 1)
        let clause = filter.clauses[0]
        #expect(clause.jurisdictions == ["63", "63.71"] && clause.units == nil)
        #expect(!clause.includeConfidential && !clause.includeWhistleblowing)
    }

    @Test func aKeyBoundToAUnitReadsItsSubunitsToo() {
        let clause = Access.integrationReadFilter(bound: .unit("63/dinkes"), tree: tree).clauses[0]
        #expect(clause.units == ["63/dinkes", "63/rsud-ulin"] && clause.jurisdictions == nil)
        #expect(!clause.includeConfidential && !clause.includeWhistleblowing)
        #expect(Access.integrationActions == [.follow_up, .respond_final])
    }
}
