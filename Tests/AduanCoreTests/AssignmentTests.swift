import Foundation
import Testing
@testable import AduanCore

// Issue 19: assignment within a unit. A liaison takes a complaint ("Saya tangani"), the unit head assigns it to a
// named liaison of the unit; either releases it. The assignment is an internal event of the log, belongs to the unit
// that holds the complaint, and moves no state, due or stage.

private typealias F = Fixture
private typealias Clock = Fixture.Clock

@Suite("Assignment within a unit")
struct AssignmentTests {
    let liaison = F.officer(.liaison, "63/dinkes")
    let colleague = Officer(id: "siti.dinkes", assignments: [RoleAssignment(role: .liaison, scope: .unit("63/dinkes"))])
    let hospital = F.officer(.liaison, "63/rsud-ulin")
    let head = F.officer(.unit_head, "63/dinkes")
    let publicWorks = F.officer(.liaison, "63/dpupr")
    let coordinator = F.officer(.coordinator, "63")

    func assign(_ target: Officer, by actor: Officer, on record: ComplaintRecord, at now: Date = Clock.later) throws(LifecycleError) -> Transition {
        try F.decide(.assign(to: target), by: .officer(actor), on: record, at: now)
    }

    @Test("a liaison takes a dispositioned complaint: one internal event, nothing else moves", arguments: [ComplaintState.didisposisikan, .diproses])
    func liaisonTakes(state: ComplaintState) throws {
        // Given a complaint the health office holds
        let record = try F.record(in: state)
        // When its liaison takes it
        let t = try assign(liaison, by: liaison, on: record)
        // Then it is theirs, recorded by one internal event under the liaison's role, in the same state, with the same dues
        #expect(t.record.assignee == liaison.id)
        let event = try #require(t.event)
        #expect(event.action == .assign && event.actorRole == "liaison" && event.data["assignee"] == liaison.id)
        #expect(event.fromState == state && event.toState == state && !event.isPublic)
        #expect(t.stages.isEmpty && t.notices.isEmpty)
        #expect(t.record.officerDue == record.officerDue && t.record.resolutionDue == record.resolutionDue)
        var unchanged = t.record
        unchanged.assignee = nil; unchanged.eventCount -= 1
        #expect(unchanged == record)
    }

    @Test("a liaison cannot give the complaint to a colleague, nor take it from one")
    func liaisonOnlyTakes() throws {
        let record = try F.record(in: .didisposisikan)
        #expect(F.refusal { try assign(colleague, by: liaison, on: record) } == .forbidden)
        let taken = try assign(colleague, by: colleague, on: record).record
        #expect(F.refusal { try assign(liaison, by: liaison, on: taken) } == .illegal(.assign, .didisposisikan))
        #expect(!Lifecycle.isAvailable(.release, to: .officer(liaison), on: taken, tree: F.tree))
        #expect(F.refusal { try F.decide(.release, by: .officer(liaison), on: taken) } == .forbidden)
        // Taking what is already yours changes nothing and is refused
        #expect(F.refusal { try assign(colleague, by: colleague, on: taken) } == .illegal(.assign, .didisposisikan))
        #expect(!Lifecycle.isAvailable(.assign, to: .officer(colleague), on: taken, tree: F.tree))
    }

    @Test("the unit head assigns to a named liaison, reassigns, and releases; recorded as unit_head")
    func headAssigns() throws {
        let record = try F.record(in: .didisposisikan)
        let first = try assign(colleague, by: head, on: record)
        #expect(first.record.assignee == colleague.id && first.event?.actorRole == "unit_head")
        let second = try assign(liaison, by: head, on: first.record)
        #expect(second.record.assignee == liaison.id && second.event?.data["previous"] == colleague.id)
        let released = try F.decide(.release, by: .officer(head), on: second.record)
        #expect(released.record.assignee == nil && released.event?.data["previous"] == liaison.id)
        #expect(F.refusal { try F.decide(.release, by: .officer(head), on: released.record) } == .illegal(.release, .didisposisikan))
    }

    @Test("only a liaison of the handling unit (or of a unit above it) can be given the complaint")
    func eligibleAssignees() throws {
        // Given a complaint at the hospital under the health office
        let walk = try F.walk(to: .baru)
        try walk.step(.verify(Disposition(unit: "63/rsud-ulin")), by: .officer(coordinator), at: Clock.decided)
        let record = walk.record
        // Then the hospital's and the health office's liaisons may be given it; public works' and the coordinator may not
        #expect(try assign(hospital, by: head, on: record).record.assignee == hospital.id)
        #expect(try assign(liaison, by: head, on: record).record.assignee == liaison.id)
        #expect(F.refusal { try assign(publicWorks, by: head, on: record) } == .invalid("assignee"))
        #expect(F.refusal { try assign(coordinator, by: head, on: record) } == .invalid("assignee"))
        #expect(F.refusal { try assign(head, by: head, on: record) } == .invalid("assignee"))
    }

    @Test("nobody outside the handling unit takes part", arguments: [Fixture.Who.coordinator63, .inspector63, .liaisonDpupr, .executive63, .sysadmin63])
    func outsiders(who: Fixture.Who) throws {
        let record = try F.record(in: .didisposisikan)
        let officer = try #require(who.officer)
        #expect(F.refusal { try assign(officer, by: officer, on: record) } == .forbidden)
        #expect(!Lifecycle.isAvailable(.assign, to: who.participant, on: record, tree: F.tree))
        let taken = try assign(liaison, by: liaison, on: record).record
        #expect(F.refusal { try F.decide(.release, by: who.participant, on: taken) } == .forbidden)
    }

    @Test("outside the unit's work (new, waiting, answered, closed) nothing is assigned",
          arguments: [ComplaintState.perlu_info, .ditanggapi, .selesai, .diarsipkan])
    func states(state: ComplaintState) throws {
        let record = try F.record(in: state)
        #expect(!Lifecycle.isAvailable(.assign, to: .officer(head), on: record, tree: F.tree))
        #expect(F.refusal { try assign(liaison, by: head, on: record) } != nil)
    }

    @Test("a return clears the assignment, and a new disposition starts with nobody on it")
    func scopedToTheHoldingUnit() throws {
        let walk = try F.walk(to: .baru)
        try walk.step(.verify(Disposition(unit: "63/dinkes")), by: .officer(coordinator), at: Clock.decided)
        try walk.step(.assign(to: liaison), by: .officer(liaison), at: Clock.decided)
        #expect(walk.record.assignee == liaison.id)
        try walk.step(.returnToCoordinator, by: .officer(liaison), at: Clock.followedUp)
        #expect(walk.record.assignee == nil)
        // Back to the same unit (nobody on it), taken again, then redispositioned elsewhere after another return
        try walk.step(.redispose(Disposition(unit: "63/dinkes")), by: .officer(coordinator), at: Clock.followedUp)
        #expect(walk.record.assignee == nil)
        try walk.step(.assign(to: liaison), by: .officer(liaison), at: Clock.followedUp)
        try walk.step(.returnToCoordinator, by: .officer(liaison), at: Clock.confirmed)
        try walk.step(.redispose(Disposition(unit: "63/dpupr")), by: .officer(coordinator), at: Clock.confirmed)
        #expect(walk.record.assignee == nil)
        // And the replay of the log says the same at each step
        let (replayed, problems) = Replay.projection(walk.replayEvents)
        #expect(problems.isEmpty)
        #expect(replayed?.assignee == nil)
    }

    @Test("the replay follows assignments: taken, reassigned, released")
    func replay() throws {
        let walk = try F.walk(to: .didisposisikan)
        try walk.step(.assign(to: liaison), by: .officer(liaison), at: Clock.later)
        #expect(Replay.projection(walk.replayEvents).0?.assignee == liaison.id)
        try walk.step(.assign(to: colleague), by: .officer(head), at: Clock.later)
        #expect(Replay.projection(walk.replayEvents).0?.assignee == colleague.id)
        try walk.step(.release, by: .officer(colleague), at: Clock.later)
        let (p, problems) = Replay.projection(walk.replayEvents)
        #expect(problems.isEmpty && p?.assignee == nil)
    }
}

extension Walk {
    /// The walk's events as stored rows would give them to `Replay` (numbered from 1).
    var replayEvents: [ReplayEvent] {
        transitions.flatMap(\.events).enumerated().map { i, e in
            ReplayEvent(seq: i + 1, action: e.action.rawValue, fromState: e.fromState?.rawValue, toState: e.toState.rawValue, at: e.at,
                        unit: e.unit, jurisdiction: e.jurisdiction, data: e.data)
        }
    }
}
