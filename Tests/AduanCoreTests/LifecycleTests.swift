import Foundation
import Testing
@testable import AduanCore

// Stories of SPEC §4 (lifecycle), §5 (deadlines, escalation) and §3 (submission), told against the
// fixture installation. The standard walk (Fixture.Clock) runs in April 2026:
//   submitted Mon 6 Apr 09:00 — verification due Thu 9 Apr
//   decided   Tue 7 Apr 10:00 — response due Tue 14 Apr, resolution (14 HK) due Mon 27 Apr, reply due Tue 21 Apr
//   followed up Wed 8 Apr, answered Thu 9 Apr (confirm window until Thu 23 Apr), confirmed Fri 10 Apr
// Expected projections are built from the record before the step, so an expectation also says that
// nothing else changed.

private typealias F = Fixture
private typealias Clock = Fixture.Clock

private let coordinator63 = Fixture.Who.coordinator63.participant
private let inspector63 = Fixture.Who.inspector63.participant
private let liaisonDinkes = Fixture.Who.liaisonDinkes.participant
private let headDinkes = Fixture.Who.headDinkes.participant

// MARK: - The transition table

@Suite("SPEC §4 transition table")
struct TransitionTableTests {
    @Test("each action is legal from exactly the states SPEC §4 names")
    func legalFromMatchesSpec() {
        #expect(Lifecycle.legalFrom == Fixture.specLegalFrom)
    }

    @Test("the sample command of each action is that action", arguments: Fixture.commandActions)
    func sampleCommands(action: Action) throws {
        let record = try F.record(in: .baru)
        #expect(F.sampleCommand(for: action, on: record).action == action)
    }

    @Test("officers request exactly the actions of SPEC §10, reporters the four of the secret")
    func actionLists() {
        #expect(Set(Action.officerActions) == Fixture.coordinatorWork.union(Fixture.liaisonWork).union([.flag_supervision, .note])
            .union([.assign, .release]))  // issue 19: assignment within the unit
        #expect(Set(Action.reporterActions) == Fixture.reporterWork)
    }

    /// Where each action takes a complaint (nil: it stays where it is), per SPEC §4.
    static let specTarget: [Action: ComplaintState?] = [
        .verify: .didisposisikan, .redispose: .didisposisikan, .request_info: .perlu_info, .archive: .diarsipkan,
        .forward_jurisdiction: .baru, .forward_external: .diteruskan, .merge: .diarsipkan, .decide_extension: nil,
        .set_privacy: nil, .reply: .baru, .confirm: .selesai, .dispute: .diproses, .feedback: nil,
        .follow_up: .diproses, .return: .baru, .request_extension: nil, .respond_final: .ditanggapi,
        .flag_supervision: nil, .note: nil, .auto_close: .selesai, .auto_archive: .diarsipkan, .external_update: nil,
    ]

    /// Every (action, state) pair SPEC §4 allows, merge included.
    static let legalPairs: [(Action, ComplaintState)] = (Fixture.commandActions + [.merge]).flatMap { action in
        ComplaintState.allCases.filter { Fixture.specLegalFrom[action]!.contains($0) }.map { (action, $0) }
    }

    @Test("every legal transition succeeds for the one whose job it is and lands where SPEC §4 says", arguments: legalPairs)
    func everyLegalTransition(action: Action, state: ComplaintState) throws {
        // Given a complaint walked into the state (returned first for redispose, with a pending request for decide_extension)
        let walk = try F.walk(to: state)
        if action == .redispose {
            try walk.step(.verify(Disposition(unit: "63/dinkes")), by: coordinator63, at: Clock.decided)
            try walk.step(.returnToCoordinator, by: liaisonDinkes, at: Clock.followedUp)
        }
        if action == .decide_extension {
            try walk.step(.requestExtension(days: 3), by: liaisonDinkes, at: Clock.confirmed)
        }
        let record = walk.record
        #expect(record.state == state)
        // When the rightful actor takes it with well-formed input, after every window has passed
        let t: Transition
        if action == .merge {
            let original = try F.record(in: .didisposisikan, trackingID: "ORIG00001")
            t = try Lifecycle.merge(record, into: original, by: coordinator63, context: F.context(at: Clock.muchLater)).duplicate
        } else {
            t = try F.decide(F.sampleCommand(for: action, on: record), by: F.rightfulActor(for: action, on: record), on: record,
                             at: Clock.muchLater)
        }
        // Then one event records the move, and the projection is in the target state, one event further
        let target = (Self.specTarget[action] ?? nil) ?? state
        let event = try #require(t.event)
        #expect(event.action == action)
        #expect(event.fromState == state)
        #expect(event.toState == target)
        #expect(event.at == Clock.muchLater)
        #expect(t.record.state == target)
        #expect(t.record.eventCount == record.eventCount + 1)
    }

    @Test("only notes and bookkeeping are hidden from the reporter and the public", arguments: Action.allCases)
    func eventVisibility(action: Action) {
        // Given an event of each kind
        let event = EventDraft(action: action, fromState: .baru, toState: .baru, at: Clock.later, actorRole: "system",
                               unit: nil, jurisdiction: "63")
        // Then internal work (notes, privacy, supervision, extensions, escalations, merge links, what an external
        // system reported) stays internal
        let hidden: Set<Action> = [.note, .escalate, .set_privacy, .flag_supervision, .request_extension,
                                   .decide_extension, .merged_duplicate, .external_update,
                                   .assign, .release]  // who in the unit has the complaint (issue 19)
        #expect(event.isPublic == !hidden.contains(action))
    }
}

// MARK: - Submission

@Suite("Submission")
struct SubmissionTests {
    @Test("a complaint with contact details is received: verification clock runs, reporter and coordinators hear")
    func submitWithContact() {
        // Given a reporter with an e-mail address, pointing at the provincial health office
        var submission = F.submission(target: "63/dinkes")
        submission.category = "kesehatan"
        // When the complaint is submitted on Monday 6 April 09:00
        let t = Lifecycle.submit(submission, trackingID: "7KQ2MX9PJ", by: .reporter, context: F.context(at: Clock.submitted))
        // Then it waits in baru for 3 working days, until Thursday 9 April
        var expected = ComplaintRecord(trackingID: "7KQ2MX9PJ", type: .pengaduan, channel: .web, state: .baru,
                                       jurisdiction: "63", submittedAt: Clock.submitted)
        expected.category = "kesehatan"
        expected.targetUnit = "63/dinkes"
        expected.hasReporterContact = true
        expected.verificationDue = F.endOf("2026-04-09")
        expected.eventCount = 1
        #expect(t.record == expected)
        #expect(t.record.dueAt == F.endOf("2026-04-09"))
        // And the event records the submission with the due it set, and the category it starts with (monev as of a date)
        #expect(t.event == EventDraft(action: .submit, fromState: nil, toState: .baru, at: Clock.submitted, actorRole: "reporter",
                                      unit: "63/dinkes", jurisdiction: "63", dueAt: F.endOf("2026-04-09"),
                                      data: ["channel": "web", "type": "pengaduan", "target_unit": "63/dinkes", "category": "kesehatan",
                                             "anonymous": "false", "confidential": "false"]))
        #expect(t.stages == [.start(.verification, jurisdiction: "63", unit: nil, at: Clock.submitted, due: F.endOf("2026-04-09"))])
        #expect(t.mail == ["new_complaint → coordinators 63", "received → reporter"])
    }

    @Test("without contact details nobody writes to the reporter")
    func submitWithoutContact() {
        let t = Lifecycle.submit(F.submission(contact: false), trackingID: "T1", by: .reporter, context: F.context(at: Clock.submitted))
        #expect(t.mail == ["new_complaint → coordinators 63"])
        #expect(t.event?.data == ["channel": "web", "type": "pengaduan", "category": "", "anonymous": "false", "confidential": "false"],
                "no category yet, said so")
        #expect(t.event?.unit == nil)
    }

    @Test("whistleblowing is always confidential and goes to the inspectorate")
    func whistleblowing() {
        // Given a wbs report whose reporter did not tick rahasia
        let t = Lifecycle.submit(F.submission(type: .wbs, confidential: false), trackingID: "T1", by: .reporter,
                                 context: F.context(at: Clock.submitted))
        // Then it is confidential, as if the reporter asked, and only the inspectorate is told
        #expect(t.record.confidential)
        #expect(t.record.confidentialByReporter)
        #expect(t.mail == ["new_complaint → inspectorate 63", "received → reporter"])
    }

    @Test("the reporter's privacy choices are kept and marked as the reporter's", arguments: [
        (false, false), (true, false), (false, true), (true, true),
    ])
    func privacyFlags(anonymous: Bool, confidential: Bool) {
        let t = Lifecycle.submit(F.submission(anonymous: anonymous, confidential: confidential), trackingID: "T1",
                                 by: .reporter, context: F.context(at: Clock.submitted))
        #expect(t.record.anonymous == anonymous)
        #expect(t.record.anonymousByReporter == anonymous)
        #expect(t.record.confidential == confidential)
        #expect(t.record.confidentialByReporter == confidential)
    }

    @Test("a walk-in complaint typed by a coordinator is recorded under the coordinator's role and channel")
    func officerEntry() {
        let t = Lifecycle.submit(F.submission(channel: .officer), trackingID: "T1", by: coordinator63,
                                 context: F.context(at: Clock.submitted))
        #expect(t.event?.actorRole == "coordinator")
        #expect(t.record.channel == .officer)
        #expect(t.event?.data["channel"] == "officer")
    }

    @Test("a submission of a kota lands with the kota's coordinators")
    func kotaSubmission() {
        let t = Lifecycle.submit(F.submission(jurisdiction: "63.71", contact: false), trackingID: "T1", by: .reporter,
                                 context: F.context(at: Clock.submitted))
        #expect(t.record.jurisdiction == "63.71")
        #expect(t.mail == ["new_complaint → coordinators 63.71"])
        #expect(t.stages == [.start(.verification, jurisdiction: "63.71", unit: nil, at: Clock.submitted, due: F.endOf("2026-04-09"))])
    }

    @Test("a reporter without contact details is never written to, at any step", arguments: [
        ComplaintState.selesai, .diarsipkan, .diteruskan,
    ])
    func noContactNoMail(end: ComplaintState) throws {
        // Given a reporter who left no contact, walked to the end of a path
        let walk = try F.walk(to: end, contact: false)
        // Then the officers are told, the reporter never
        #expect(walk.transitions.count > 1)
        #expect(walk.transitions.allSatisfy { !$0.notices.contains { $0.audience == .reporter } })
        #expect(walk.transitions.contains { !$0.notices.isEmpty })
    }
}

/// One rule of `Submission.problems`: a change to a valid submission and the fields it should flag.
struct SubmissionCase: Sendable, CustomTestStringConvertible {
    let name: String
    let change: @Sendable (inout Submission) -> Void
    let fields: [String]
    init(_ name: String, _ fields: [String], _ change: @escaping @Sendable (inout Submission) -> Void) {
        self.name = name; self.fields = fields; self.change = change
    }
    var testDescription: String { name }
}

@Suite("Submission rules")
struct SubmissionRuleTests {
    /// The fixture tree plus a closed office, so the inactive-unit rule has something to refuse.
    static let tree = Fixture.tree(adding: [
        .init(id: "63/biro-lama", jurisdiction: "63", name: "Biro yang dibubarkan", kind: .agency, parent: nil, active: false),
    ])
    static let categories: Set<String> = ["kesehatan", "infrastruktur"]
    static let today = LocalDate("2026-04-06")!

    static let cases: [SubmissionCase] = [
        .init("a valid submission", []) { _ in },
        .init("empty title", ["title"]) { $0.title = "" },
        .init("blank title", ["title"]) { $0.title = " \n\t " },
        .init("title of 200 characters", []) { $0.title = String(repeating: "a", count: 200) },
        .init("title of 201 characters", ["title"]) { $0.title = String(repeating: "a", count: 201) },
        .init("body of 9 characters", ["body"]) { $0.body = "123456789" },
        .init("body of 10 characters", []) { $0.body = "1234567890" },
        .init("body padded with spaces to look long", ["body"]) { $0.body = "      pendek      " },
        .init("body of 20,000 characters", []) { $0.body = String(repeating: "b", count: 20_000) },
        .init("body of 20,001 characters", ["body"]) { $0.body = String(repeating: "b", count: 20_001) },
        .init("unknown jurisdiction", ["jurisdiction"]) { $0.jurisdiction = "64" },
        .init("incident today", []) { $0.incidentDate = LocalDate("2026-04-06") },
        .init("incident tomorrow", ["incident_date"]) { $0.incidentDate = LocalDate("2026-04-07") },
        .init("incident on 17 August 1945", []) { $0.incidentDate = LocalDate("1945-08-17") },
        .init("incident before 17 August 1945", ["incident_date"]) { $0.incidentDate = LocalDate("1945-08-16") },
        .init("address of 500 characters", []) { $0.address = String(repeating: "j", count: 500) },
        .init("address of 501 characters", ["address"]) { $0.address = String(repeating: "j", count: 501) },
        .init("lat and lng inside Banjarmasin", []) { $0.latitude = -3.3194; $0.longitude = 114.5908 },
        .init("lat without lng", ["lng"]) { $0.latitude = -3.3194 },
        .init("lng without lat", ["lat"]) { $0.longitude = 114.5908 },
        .init("lat beyond the pole", ["lat"]) { $0.latitude = 90.0001; $0.longitude = 114.5908 },
        .init("lat below the pole", ["lat"]) { $0.latitude = -91; $0.longitude = 114.5908 },
        .init("lat not a number", ["lat"]) { $0.latitude = .nan; $0.longitude = 114.5908 },
        .init("lng beyond the date line", ["lng"]) { $0.latitude = -3.3; $0.longitude = 180.5 },
        .init("lng infinite", ["lng"]) { $0.latitude = -3.3; $0.longitude = -.infinity },
        .init("lat and lng at the extremes", []) { $0.latitude = -90; $0.longitude = 180 },
        .init("both out of range", ["lat", "lng"]) { $0.latitude = 100; $0.longitude = 200 },
        .init("known category", []) { $0.category = "kesehatan" },
        .init("unknown category", ["category"]) { $0.category = "olahraga" },
        .init("target unit of the jurisdiction", []) { $0.targetUnit = "63/dinkes" },
        .init("target sub-unit of the jurisdiction", []) { $0.targetUnit = "63/rsud-ulin" },
        .init("target unit of a kota below the province (no wrong door)", []) { $0.targetUnit = "63.71/dinkes" },
        .init("kota complaint aimed at a provincial unit", ["target_unit"]) { $0.jurisdiction = "63.71"; $0.targetUnit = "63/dinkes" },
        .init("unknown target unit", ["target_unit"]) { $0.targetUnit = "63/bappeda" },
        .init("inactive target unit", ["target_unit"]) { $0.targetUnit = "63/biro-lama" },
        .init("everything wrong at once", ["title", "body", "jurisdiction", "incident_date", "address", "lng", "category", "target_unit"]) {
            $0.title = ""; $0.body = "x"; $0.jurisdiction = "99"; $0.incidentDate = LocalDate("2030-01-01")
            $0.address = String(repeating: "j", count: 600); $0.latitude = 1; $0.category = "x"; $0.targetUnit = "63/dinkes"
        },
    ]

    @Test("each field rule flags its own field and nothing else", arguments: cases)
    func rule(_ rule: SubmissionCase) {
        // Given a valid submission with one thing changed
        var submission = F.submission()
        rule.change(&submission)
        // When it is checked on 6 April 2026
        let problems = submission.problems(tree: Self.tree, categories: Self.categories, today: Self.today)
        // Then exactly the expected fields are named, each with a message
        #expect(problems.map(\.field) == rule.fields)
        #expect(problems.allSatisfy { !$0.message.isEmpty })
    }
}

// MARK: - Coordinator decisions

@Suite("Coordinator decisions")
struct CoordinatorDecisionTests {
    @Test("verify dispositions to one unit with collaborators: response and resolution clocks start")
    func verify() throws {
        // Given a new complaint submitted Monday 6 April
        let before = try F.record(in: .baru)
        // When the coordinator verifies it on Tuesday 10:00, to the health office with public works helping,
        // in a category whose default class is sederhana (5 HK)
        let disposition = Disposition(unit: "63/dinkes", category: "kesehatan", categoryClass: .sederhana,
                                      collaboratingUnits: ["63/dpupr"])
        let t = try F.decide(.verify(disposition), by: coordinator63, on: before,
                             texts: Texts(public: "Diteruskan ke Dinas Kesehatan.", internal: "Prioritas."), at: Clock.decided)
        // Then the complaint is dispositioned with both clocks started: response and resolution due 14 April
        var expected = before
        expected.state = .didisposisikan
        expected.unit = "63/dinkes"
        expected.collaboratingUnits = ["63/dpupr"]
        expected.category = "kesehatan"
        expected.resolutionClass = .sederhana
        expected.dispositionCount = 1
        expected.dispositionJurisdictions = ["63"]
        expected.verificationDue = nil
        expected.responseDue = F.endOf("2026-04-14")
        expected.resolutionDue = F.endOf("2026-04-14")
        expected.resolutionStartedAt = Clock.decided
        expected.eventCount = 2
        #expect(t.record == expected)
        #expect(t.record.officerDue == F.endOf("2026-04-14"))
        // And the event carries the decision, the response due it set and the on-time verification
        #expect(t.event == EventDraft(action: .verify, fromState: .baru, toState: .didisposisikan, at: Clock.decided,
                                      actorRole: "coordinator", unit: "63/dinkes", jurisdiction: "63",
                                      publicText: "Diteruskan ke Dinas Kesehatan.", internalText: "Prioritas.",
                                      dueAt: F.endOf("2026-04-14"), late: false,
                                      data: ["unit": "63/dinkes", "resolution_class": "sederhana", "category": "kesehatan",
                                             "collaborating_units": "63/dpupr"]))
        #expect(t.stages == [
            .end(.verification, at: Clock.decided, late: false),
            .start(.response, jurisdiction: "63", unit: "63/dinkes", at: Clock.decided, due: F.endOf("2026-04-14")),
            .start(.resolution, jurisdiction: "63", unit: "63/dinkes", at: Clock.decided, due: F.endOf("2026-04-14")),
        ])
        #expect(t.mail == ["collaboration → liaisons 63/dpupr", "dispositioned → reporter", "new_disposition → liaisons 63/dinkes"])
    }

    @Test("the resolution class is the coordinator's, else the category's, else the policy's", arguments: [
        (ResolutionClass.pemeriksaan_lapangan, ResolutionClass.sederhana, Policy().defaultResolutionClass,
         ResolutionClass.pemeriksaan_lapangan, "2026-07-09"),
        (nil, .sederhana, Policy().defaultResolutionClass, .sederhana, "2026-04-14"),
        (nil, nil, Policy().defaultResolutionClass, .tanpa_pemeriksaan, "2026-04-27"),
        (nil, nil, .informasi, .informasi, "2026-04-14"),
    ] as [(ResolutionClass?, ResolutionClass?, ResolutionClass, ResolutionClass, String)])
    func resolutionClassPrecedence(chosen: ResolutionClass?, ofCategory: ResolutionClass?, policyDefault: ResolutionClass,
                                   expected: ResolutionClass, due: String) throws {
        // Given a new complaint and a policy default
        var policy = Policy()
        policy.defaultResolutionClass = policyDefault
        // When it is verified on Tuesday 7 April
        let t = try F.decide(.verify(Disposition(unit: "63/dinkes", resolutionClass: chosen, categoryClass: ofCategory)),
                             by: coordinator63, on: try F.record(in: .baru), at: Clock.decided, policy: policy)
        // Then the class and its working-day budget decide the resolution due
        #expect(t.record.resolutionClass == expected)
        #expect(t.record.resolutionDue == F.endOf(due))
        #expect(t.event?.data["resolution_class"] == expected.rawValue)
    }

    @Test("a complaint may go straight to a sub-unit; repeated collaborators count once")
    func verifyToSubunit() throws {
        let t = try F.decide(.verify(Disposition(unit: "63/rsud-ulin", collaboratingUnits: ["63/dpupr", "63/dpupr", "63/inspektorat"])),
                             by: coordinator63, on: try F.record(in: .baru), at: Clock.decided)
        #expect(t.record.unit == "63/rsud-ulin")
        #expect(t.record.collaboratingUnits == ["63/dpupr", "63/inspektorat"])
        #expect(t.mail == ["collaboration → liaisons 63/dpupr", "collaboration → liaisons 63/inspektorat",
                           "dispositioned → reporter", "new_disposition → liaisons 63/rsud-ulin"])
    }

    @Test("whistleblowing is verified by the inspector to the inspectorate")
    func verifyWhistleblowing() throws {
        let before = try F.record(in: .baru, type: .wbs)
        let t = try F.decide(.verify(Disposition(unit: "63/inspektorat")), by: inspector63, on: before, at: Clock.decided)
        #expect(t.record.state == .didisposisikan)
        #expect(t.record.unit == "63/inspektorat")
        #expect(t.event?.actorRole == "inspector")
        #expect(t.mail == ["dispositioned → reporter", "new_disposition → liaisons 63/inspektorat"])
    }

    @Test("request_info pauses the complaint: verification ends, the reporter has 10 HK to answer")
    func requestInfo() throws {
        // Given a new complaint
        let before = try F.record(in: .baru)
        // When the coordinator asks for more information on Tuesday 7 April
        let t = try F.decide(.requestInfo, by: coordinator63, on: before, at: Clock.decided)
        // Then it waits for the reporter until Tuesday 21 April
        var expected = before
        expected.state = .perlu_info
        expected.verificationDue = nil
        expected.reporterDue = F.endOf("2026-04-21")
        expected.eventCount = 2
        #expect(t.record == expected)
        #expect(t.record.officerDue == nil)
        #expect(t.record.dueAt == F.endOf("2026-04-21"))
        #expect(t.event == EventDraft(action: .request_info, fromState: .baru, toState: .perlu_info, at: Clock.decided,
                                      actorRole: "coordinator", unit: nil, jurisdiction: "63",
                                      publicText: "Mohon lampirkan foto lokasi dan nomor antrean.",
                                      dueAt: F.endOf("2026-04-21"), late: false))
        #expect(t.stages == [.end(.verification, at: Clock.decided, late: false)])
        #expect(t.mail == ["info_requested → reporter"])
    }

    @Test("archive from baru closes the complaint with its reason", arguments: [
        ArchiveReason.spam, .bukan_pelayanan_publik, .tidak_lengkap, .lainnya,
    ])
    func archiveFromBaru(reason: ArchiveReason) throws {
        // Given a new complaint
        let before = try F.record(in: .baru)
        // When the coordinator archives it (lainnya with an explanation)
        let t = try F.decide(.archive(reason), by: coordinator63, on: before, at: Clock.decided)
        // Then it is closed, archived for that reason, and the reporter hears
        var expected = before
        expected.state = .diarsipkan
        expected.archiveReason = reason
        expected.closedAt = Clock.decided
        expected.verificationDue = nil
        expected.eventCount = 2
        #expect(t.record == expected)
        #expect(t.event == EventDraft(action: .archive, fromState: .baru, toState: .diarsipkan, at: Clock.decided,
                                      actorRole: "coordinator", unit: nil, jurisdiction: "63",
                                      internalText: reason == .lainnya ? "Laporan uji coba dari petugas." : nil,
                                      late: false, data: ["reason": reason.rawValue]))
        #expect(t.stages == [.end(.verification, at: Clock.decided, late: false)])
        #expect(t.mail == ["archived → reporter"])
    }

    @Test("archive from perlu_info ends the reporter's wait; no stage was open")
    func archiveFromPerluInfo() throws {
        let before = try F.record(in: .perlu_info)
        let t = try F.decide(.archive(.bukan_pelayanan_publik), by: coordinator63, on: before)
        var expected = before
        expected.state = .diarsipkan
        expected.archiveReason = .bukan_pelayanan_publik
        expected.closedAt = Clock.later
        expected.reporterDue = nil
        expected.eventCount = 3
        #expect(t.record == expected)
        #expect(t.event?.late == nil)
        #expect(t.stages == [])
    }

    @Test("forward_jurisdiction hands the complaint to the kota's coordinators on the kota's calendar")
    func forwardJurisdiction() throws {
        // Given a provincial complaint, and a kota that keeps Thursday 9 April as a local holiday
        let before = try F.record(in: .baru)
        var kotaCalendar = Fixture.calendar
        kotaCalendar.holidays.insert(LocalDate("2026-04-09")!)
        // When the provincial coordinator forwards it to Kota Banjarmasin on Tuesday 7 April
        let t = try Lifecycle.decide(.forwardJurisdiction("63.71"), by: coordinator63, on: before,
                                     context: F.context(at: Clock.decided, calendars: ["63.71": kotaCalendar]))
        // Then it stays baru there, with a fresh 3 HK verification clock skipping the local holiday (8, 10, 13 April)
        var expected = before
        expected.jurisdiction = "63.71"
        expected.verificationDue = F.endOf("2026-04-13")
        expected.eventCount = 2
        #expect(t.record == expected)
        #expect(t.event == EventDraft(action: .forward_jurisdiction, fromState: .baru, toState: .baru, at: Clock.decided,
                                      actorRole: "coordinator", unit: nil, jurisdiction: "63.71",
                                      dueAt: F.endOf("2026-04-13"), late: false,
                                      data: ["from_jurisdiction": "63", "to_jurisdiction": "63.71"]))
        #expect(t.stages == [
            .end(.verification, at: Clock.decided, late: false),
            .start(.verification, jurisdiction: "63.71", unit: nil, at: Clock.decided, due: F.endOf("2026-04-13")),
        ])
        #expect(t.mail == ["forwarded → reporter", "new_complaint → coordinators 63.71"])
    }

    @Test("a late forward freezes the late verification and clears the escalation of the old desk")
    func lateForward() throws {
        // Given a complaint whose verification (due 9 April) was escalated to level 2
        let walk = try F.walk(to: .baru)
        walk.sweep(at: F.at("2026-04-14 08:00"))
        #expect(walk.record.escalationLevel == 2)
        // When it is forwarded on Tuesday 14 April
        let t = try F.decide(.forwardJurisdiction("63.71"), by: coordinator63, on: walk.record, at: F.at("2026-04-14 08:00"))
        // Then the ended stage is late, the new desk starts at level 0 with a due of Friday 17 April
        #expect(t.event?.late == true)
        #expect(t.stages.first == .end(.verification, at: F.at("2026-04-14 08:00"), late: true))
        #expect(t.record.escalationLevel == 0)
        #expect(t.record.verificationDue == F.endOf("2026-04-17"))
    }

    @Test("a forwarded whistleblowing report goes to the kota's inspectorate")
    func forwardWhistleblowing() throws {
        let t = try F.decide(.forwardJurisdiction("63.71"), by: inspector63, on: try F.record(in: .baru, type: .wbs))
        #expect(t.mail == ["forwarded → reporter", "new_complaint → inspectorate 63.71"])
        #expect(t.event?.actorRole == "inspector")
    }

    @Test("forward_external closes the complaint with the destination and its reference")
    func forwardExternal() throws {
        let before = try F.record(in: .baru)
        let t = try F.decide(.forwardExternal(destination: "  Ombudsman RI  ", reference: " ORI-2026-001 "), by: coordinator63,
                             on: before, at: Clock.decided)
        var expected = before
        expected.state = .diteruskan
        expected.externalDestination = "Ombudsman RI"
        expected.externalRef = "ORI-2026-001"
        expected.closedAt = Clock.decided
        expected.verificationDue = nil
        expected.eventCount = 2
        #expect(t.record == expected)
        #expect(t.event == EventDraft(action: .forward_external, fromState: .baru, toState: .diteruskan, at: Clock.decided,
                                      actorRole: "coordinator", unit: nil, jurisdiction: "63", late: false,
                                      data: ["destination": "Ombudsman RI", "external_ref": "ORI-2026-001"]))
        #expect(t.stages == [.end(.verification, at: Clock.decided, late: false)])
        #expect(t.mail == ["forwarded → reporter"])
    }

    @Test("forward_external without a reference records none")
    func forwardExternalWithoutReference() throws {
        let t = try F.decide(.forwardExternal(destination: "SP4N-LAPOR! nasional", reference: "   "), by: coordinator63,
                             on: try F.record(in: .baru))
        #expect(t.record.externalRef == nil)
        #expect(t.event?.data == ["destination": "SP4N-LAPOR! nasional"])
    }

    @Test("redispose after a return starts a new disposition, keeps the earlier class and allows a new extension")
    func redispose() throws {
        // Given a complaint verified as sederhana, given an extension, then returned by the unit on Monday 13 April
        let walk = try F.walk(to: .baru)
        try walk.step(.verify(Disposition(unit: "63/dinkes", resolutionClass: .sederhana)), by: coordinator63, at: Clock.decided)
        try walk.step(.requestExtension(days: 2), by: liaisonDinkes, at: Clock.followedUp)
        try walk.step(.decideExtension(approve: true), by: coordinator63, at: Clock.answered)
        try walk.step(.returnToCoordinator, by: liaisonDinkes, at: Clock.later)
        let before = walk.record
        // When the coordinator redisposes it to public works on Tuesday 14 April 10:00
        let t = try F.decide(.redispose(Disposition(unit: "63/dpupr")), by: coordinator63, on: before,
                             at: F.at("2026-04-14 10:00"))
        // Then it is the second disposition, 5 HK class kept, and the extension budget is fresh
        var expected = before
        expected.state = .didisposisikan
        expected.unit = "63/dpupr"
        expected.dispositionCount = 2
        expected.extensionUsed = false
        expected.extensionDays = 0
        expected.verificationDue = nil
        expected.responseDue = F.endOf("2026-04-21")
        expected.resolutionDue = F.endOf("2026-04-21")
        expected.resolutionStartedAt = F.at("2026-04-14 10:00")
        expected.eventCount = before.eventCount + 1
        #expect(t.record == expected)
        #expect(t.event == EventDraft(action: .redispose, fromState: .baru, toState: .didisposisikan, at: F.at("2026-04-14 10:00"),
                                      actorRole: "coordinator", unit: "63/dpupr", jurisdiction: "63",
                                      dueAt: F.endOf("2026-04-21"), late: false,
                                      data: ["unit": "63/dpupr", "resolution_class": "sederhana"]))
        #expect(t.stages == [
            .end(.verification, at: F.at("2026-04-14 10:00"), late: false),
            .start(.response, jurisdiction: "63", unit: "63/dpupr", at: F.at("2026-04-14 10:00"), due: F.endOf("2026-04-21")),
            .start(.resolution, jurisdiction: "63", unit: "63/dpupr", at: F.at("2026-04-14 10:00"), due: F.endOf("2026-04-21")),
        ])
        #expect(t.mail == ["dispositioned → reporter", "new_disposition → liaisons 63/dpupr"])
        // And the new unit may ask for its own extension
        #expect(throws: Never.self) {
            try F.decide(.requestExtension(days: 3), by: Fixture.Who.liaisonDpupr.participant, on: t.record, at: F.at("2026-04-15 10:00"))
        }
    }

    @Test("an approved extension moves the open resolution due by the days granted from the stage start")
    func approveExtension() throws {
        // Given a dispositioned complaint (resolution due 27 April) whose unit asked for 3 more days
        let walk = try F.walk(to: .didisposisikan)
        try walk.step(.requestExtension(days: 3), by: liaisonDinkes, at: Clock.followedUp)
        let before = walk.record
        // When the coordinator approves on Monday 13 April
        let t = try F.decide(.decideExtension(approve: true), by: coordinator63, on: before)
        // Then the resolution is due 3 working days later, on Thursday 30 April, and the response due is untouched
        var expected = before
        expected.extensionRequestedDays = nil
        expected.extensionDays = 3
        expected.resolutionDue = F.endOf("2026-04-30")
        expected.eventCount = before.eventCount + 1
        #expect(t.record == expected)
        #expect(t.record.responseDue == F.endOf("2026-04-14"))
        #expect(t.event == EventDraft(action: .decide_extension, fromState: .didisposisikan, toState: .didisposisikan,
                                      at: Clock.later, actorRole: "coordinator", unit: "63/dinkes", jurisdiction: "63",
                                      dueAt: F.endOf("2026-04-30"), data: ["approve": "true", "days": "3"]))
        #expect(t.stages == [.reschedule(.resolution, due: F.endOf("2026-04-30"))])
        #expect(t.mail == ["extension_approved → liaisons 63/dinkes"])
    }

    @Test("a refused extension changes no due and uses up the request")
    func refuseExtension() throws {
        let walk = try F.walk(to: .diproses)
        try walk.step(.requestExtension(days: 5), by: liaisonDinkes, at: Clock.later)
        let before = walk.record
        let t = try F.decide(.decideExtension(approve: false), by: coordinator63, on: before, at: F.at("2026-04-14 09:00"))
        var expected = before
        expected.extensionRequestedDays = nil
        expected.eventCount = before.eventCount + 1
        #expect(t.record == expected)
        #expect(t.record.extensionUsed)
        #expect(t.record.resolutionDue == F.endOf("2026-04-27"))
        #expect(t.event?.data == ["approve": "false", "days": "5"])
        #expect(t.event?.dueAt == nil)
        #expect(t.stages == [])
        #expect(t.mail == ["extension_refused → liaisons 63/dinkes"])
    }

    @Test("set_privacy sets either flag, in any state, as an internal event")
    func setPrivacy() throws {
        // Given a closed complaint with no privacy flags
        let before = try F.record(in: .selesai)
        // When the coordinator makes it anonymous and confidential
        let t = try F.decide(.setPrivacy(anonymous: true, confidential: true), by: coordinator63, on: before)
        // Then both are on, neither is marked as the reporter's, and the change is an audited internal event
        var expected = before
        expected.anonymous = true
        expected.confidential = true
        expected.eventCount = before.eventCount + 1
        #expect(t.record == expected)
        #expect(t.event == EventDraft(action: .set_privacy, fromState: .selesai, toState: .selesai, at: Clock.later,
                                      actorRole: "coordinator", unit: "63/dinkes", jurisdiction: "63",
                                      data: ["anonymous": "true", "confidential": "true"]))
        #expect(t.event?.isPublic == false)
        #expect(t.stages == [] && t.mail == [])
    }

    @Test("flags the coordinator set, the coordinator may clear; a flag already at the value is ignored")
    func clearOwnFlags() throws {
        let walk = try F.walk(to: .baru)
        try walk.step(.setPrivacy(anonymous: true, confidential: true), by: coordinator63, at: Clock.decided)
        let t = try F.decide(.setPrivacy(anonymous: false, confidential: true), by: coordinator63, on: walk.record)
        #expect(!t.record.anonymous)
        #expect(t.record.confidential)
        #expect(t.event?.data == ["anonymous": "false"])
    }

    @Test("merge archives the duplicate with a link and notes it on the original")
    func merge() throws {
        // Given an original being handled and a duplicate still new
        let original = try F.record(in: .didisposisikan, trackingID: "ORIG00001")
        let duplicate = try F.record(in: .baru, trackingID: "DUPL00001")
        // When the coordinator merges the duplicate on Monday 13 April
        let (dup, orig) = try Lifecycle.merge(duplicate, into: original, by: coordinator63,
                                              texts: Texts(public: "Laporan yang sama sudah ditangani."),
                                              context: F.context(at: Clock.later))
        // Then the duplicate is archived as duplikat, linked, its verification ended late (due 9 April)
        var expectedDuplicate = duplicate
        expectedDuplicate.state = .diarsipkan
        expectedDuplicate.archiveReason = .duplikat
        expectedDuplicate.mergedInto = "ORIG00001"
        expectedDuplicate.closedAt = Clock.later
        expectedDuplicate.verificationDue = nil
        expectedDuplicate.eventCount = 2
        #expect(dup.record == expectedDuplicate)
        #expect(dup.event == EventDraft(action: .merge, fromState: .baru, toState: .diarsipkan, at: Clock.later,
                                        actorRole: "coordinator", unit: nil, jurisdiction: "63",
                                        publicText: "Laporan yang sama sudah ditangani.", late: true,
                                        data: ["into": "ORIG00001", "reason": "duplikat"]))
        #expect(dup.stages == [.end(.verification, at: Clock.later, late: true)])
        #expect(dup.mail == ["merged → reporter"])
        // And the original only gains an internal event naming the duplicate
        var expectedOriginal = original
        expectedOriginal.eventCount = original.eventCount + 1
        #expect(orig.record == expectedOriginal)
        #expect(orig.event == EventDraft(action: .merged_duplicate, fromState: .didisposisikan, toState: .didisposisikan,
                                         at: Clock.later, actorRole: "coordinator", unit: "63/dinkes", jurisdiction: "63",
                                         internalText: "Duplicate DUPL00001 merged into this complaint.",
                                         data: ["duplicate": "DUPL00001"]))
        #expect(orig.event?.isPublic == false)
        #expect(orig.stages == [] && orig.mail == [])
    }

    @Test("a duplicate waiting for information can be merged; it had no open stage")
    func mergeFromPerluInfo() throws {
        let original = try F.record(in: .selesai, trackingID: "ORIG00001")
        let duplicate = try F.record(in: .perlu_info, contact: false, trackingID: "DUPL00001")
        let (dup, _) = try Lifecycle.merge(duplicate, into: original, by: coordinator63, context: F.context(at: Clock.later))
        #expect(dup.record.state == .diarsipkan)
        #expect(dup.record.reporterDue == nil)
        #expect(dup.stages == [])
        #expect(dup.mail == [])
        #expect(dup.event?.late == nil)
    }
}

// MARK: - Reporter actions

@Suite("Reporter actions")
struct ReporterActionTests {
    @Test("reply brings the complaint back to the coordinator with a fresh verification clock")
    func reply() throws {
        // Given a complaint waiting for information since Tuesday 7 April
        let before = try F.record(in: .perlu_info)
        // When the reporter replies on Monday 13 April
        let t = try F.decide(.reply, by: .reporter, on: before)
        // Then it is baru again, due Thursday 16 April
        var expected = before
        expected.state = .baru
        expected.reporterDue = nil
        expected.verificationDue = F.endOf("2026-04-16")
        expected.eventCount = 3
        #expect(t.record == expected)
        #expect(t.event == EventDraft(action: .reply, fromState: .perlu_info, toState: .baru, at: Clock.later,
                                      actorRole: "reporter", unit: nil, jurisdiction: "63",
                                      publicText: "Foto lokasi terlampir, antrean nomor 42.", dueAt: F.endOf("2026-04-16")))
        #expect(t.stages == [.start(.verification, jurisdiction: "63", unit: nil, at: Clock.later, due: F.endOf("2026-04-16"))])
        #expect(t.mail == ["reporter_replied → coordinators 63"])
    }

    @Test("confirm closes the complaint")
    func confirm() throws {
        let before = try F.record(in: .ditanggapi)
        let t = try F.decide(.confirm, by: .reporter, on: before)
        var expected = before
        expected.state = .selesai
        expected.closedAt = Clock.later
        expected.reporterDue = nil
        expected.eventCount = 5
        #expect(t.record == expected)
        #expect(t.event == EventDraft(action: .confirm, fromState: .ditanggapi, toState: .selesai, at: Clock.later,
                                      actorRole: "reporter", unit: "63/dinkes", jurisdiction: "63"))
        #expect(t.stages == [])
        #expect(t.mail == ["closed → reporter", "confirmed → liaisons 63/dinkes"])
    }

    @Test("dispute reopens the complaint: a new resolution stage, reopen count +1, unit and coordinators alerted")
    func dispute() throws {
        // Given a final answer on Thursday 9 April
        let before = try F.record(in: .ditanggapi)
        // When the reporter disputes it on Monday 13 April
        let t = try F.decide(.dispute, by: .reporter, on: before)
        // Then the unit has the class budget again (14 HK: Monday 4 May)
        var expected = before
        expected.state = .diproses
        expected.reporterDue = nil
        expected.reopenCount = 1
        expected.resolutionStartedAt = Clock.later
        expected.resolutionDue = F.endOf("2026-05-04")
        expected.eventCount = 5
        #expect(t.record == expected)
        #expect(t.event == EventDraft(action: .dispute, fromState: .ditanggapi, toState: .diproses, at: Clock.later,
                                      actorRole: "reporter", unit: "63/dinkes", jurisdiction: "63",
                                      publicText: "Jalan masih berlubang, belum diperbaiki.", dueAt: F.endOf("2026-05-04")))
        #expect(t.stages == [.start(.resolution, jurisdiction: "63", unit: "63/dinkes", at: Clock.later, due: F.endOf("2026-05-04"))])
        #expect(t.mail == ["disputed → coordinators 63", "disputed → head 63/dinkes", "disputed → liaisons 63/dinkes"])
    }

    @Test("each dispute counts")
    func secondDispute() throws {
        let walk = try F.walk(to: .ditanggapi)
        try walk.step(.dispute, by: .reporter, at: Clock.later)
        try walk.step(.respondFinal, by: liaisonDinkes, at: F.at("2026-04-14 10:00"))
        try walk.step(.dispute, by: .reporter, at: F.at("2026-04-15 10:00"))
        #expect(walk.record.reopenCount == 2)
        #expect(walk.record.state == .diproses)
    }

    @Test("feedback rates the answer, before or after closing", arguments: [ComplaintState.ditanggapi, .selesai])
    func feedback(state: ComplaintState) throws {
        let before = try F.record(in: state)
        let t = try F.decide(.feedback(rating: 4), by: .reporter, on: before)
        var expected = before
        expected.rating = 4
        expected.eventCount = before.eventCount + 1
        #expect(t.record == expected)
        #expect(t.event == EventDraft(action: .feedback, fromState: state, toState: state, at: Clock.later,
                                      actorRole: "reporter", unit: "63/dinkes", jurisdiction: "63", data: ["rating": "4"]))
        #expect(t.stages == [])
        #expect(t.mail == ["feedback → liaisons 63/dinkes"])
    }

    @Test("ratings 1 and 5 are the bounds", arguments: [1, 5])
    func ratingBounds(rating: Int) throws {
        #expect(try F.decide(.feedback(rating: rating), by: .reporter, on: try F.record(in: .selesai)).record.rating == rating)
    }
}

// MARK: - Unit actions

@Suite("Unit actions")
struct UnitActionTests {
    @Test("the first follow-up ends the response stage and moves the complaint to diproses")
    func firstFollowUp() throws {
        let before = try F.record(in: .didisposisikan)
        let t = try F.decide(.followUp, by: liaisonDinkes, on: before, at: Clock.followedUp)
        var expected = before
        expected.state = .diproses
        expected.responseDue = nil
        expected.eventCount = 3
        #expect(t.record == expected)
        #expect(t.record.officerDue == F.endOf("2026-04-27"))
        #expect(t.event == EventDraft(action: .follow_up, fromState: .didisposisikan, toState: .diproses, at: Clock.followedUp,
                                      actorRole: "liaison", unit: "63/dinkes", jurisdiction: "63",
                                      publicText: "Tim sudah meninjau lokasi.", late: false))
        #expect(t.stages == [.end(.response, at: Clock.followedUp, late: false)])
        #expect(t.mail == ["follow_up → reporter"])
    }

    @Test("a later follow-up is only news for the reporter")
    func laterFollowUp() throws {
        let before = try F.record(in: .diproses)
        let t = try F.decide(.followUp, by: liaisonDinkes, on: before)
        var expected = before
        expected.eventCount = 4
        #expect(t.record == expected)
        #expect(t.event?.late == nil)
        #expect(t.event?.fromState == .diproses && t.event?.toState == .diproses)
        #expect(t.stages == [])
        #expect(t.mail == ["follow_up → reporter"])
    }

    @Test("return sends the complaint back to the coordinator, clearing the unit, its helpers and a pending extension")
    func returnToCoordinator() throws {
        // Given a complaint dispositioned with a collaborator, whose unit asked for an extension
        let walk = try F.walk(to: .baru)
        try walk.step(.verify(Disposition(unit: "63/dinkes", collaboratingUnits: ["63/dpupr"])), by: coordinator63, at: Clock.decided)
        try walk.step(.requestExtension(days: 3), by: liaisonDinkes, at: Clock.followedUp)
        let before = walk.record
        // When the unit returns it on Monday 13 April as not its own
        let t = try F.decide(.returnToCoordinator, by: liaisonDinkes, on: before,
                             texts: Texts(internal: "Bukan wewenang: jalan nasional."))
        // Then it is baru at the coordinator with a new verification clock (Thursday 16 April)
        var expected = before
        expected.state = .baru
        expected.unit = nil
        expected.collaboratingUnits = []
        expected.extensionRequestedDays = nil
        expected.responseDue = nil
        expected.resolutionDue = nil
        expected.resolutionStartedAt = nil
        expected.verificationDue = F.endOf("2026-04-16")
        expected.eventCount = before.eventCount + 1
        #expect(t.record == expected)
        #expect(t.record.dispositionCount == 1)
        #expect(t.event == EventDraft(action: .return, fromState: .didisposisikan, toState: .baru, at: Clock.later,
                                      actorRole: "liaison", unit: "63/dinkes", jurisdiction: "63",
                                      internalText: "Bukan wewenang: jalan nasional.", dueAt: F.endOf("2026-04-16"),
                                      late: false, data: ["returned_from": "63/dinkes"]))
        #expect(t.stages == [
            .end(.response, at: Clock.later, late: false),
            .end(.resolution, at: Clock.later, late: false),
            .start(.verification, jurisdiction: "63", unit: nil, at: Clock.later, due: F.endOf("2026-04-16")),
        ])
        #expect(t.mail == ["returned → coordinators 63"])
    }

    @Test("a public reason is enough to return")
    func returnWithPublicReason() throws {
        let t = try F.decide(.returnToCoordinator, by: liaisonDinkes, on: try F.record(in: .didisposisikan),
                             texts: Texts(public: "Bukan kewenangan Dinas Kesehatan."))
        #expect(t.record.state == .baru)
    }

    @Test("request_extension records the days asked for and alerts the coordinators", arguments: [
        (ComplaintState.didisposisikan, 1), (.diproses, 7),
    ])
    func requestExtension(state: ComplaintState, days: Int) throws {
        let before = try F.record(in: state)
        let t = try F.decide(.requestExtension(days: days), by: liaisonDinkes, on: before,
                             texts: Texts(internal: "Menunggu hasil uji laboratorium."))
        var expected = before
        expected.extensionUsed = true
        expected.extensionRequestedDays = days
        expected.eventCount = before.eventCount + 1
        #expect(t.record == expected)
        #expect(t.event == EventDraft(action: .request_extension, fromState: state, toState: state, at: Clock.later,
                                      actorRole: "liaison", unit: "63/dinkes", jurisdiction: "63",
                                      internalText: "Menunggu hasil uji laboratorium.", data: ["days": String(days)]))
        #expect(t.stages == [])
        #expect(t.mail == ["extension_requested → coordinators 63"])
    }

    @Test("the longest extension is a setting")
    func extensionLimitIsASetting() throws {
        var policy = Policy()
        policy.maxExtensionDays = 10
        let t = try F.decide(.requestExtension(days: 10), by: liaisonDinkes, on: try F.record(in: .diproses), policy: policy)
        #expect(t.record.extensionRequestedDays == 10)
    }

    @Test("the final answer from diproses ends the resolution stage and opens the reporter's window")
    func respondFinal() throws {
        let before = try F.record(in: .diproses)
        let t = try F.decide(.respondFinal, by: liaisonDinkes, on: before, at: Clock.answered)
        var expected = before
        expected.state = .ditanggapi
        expected.resolutionDue = nil
        expected.resolutionStartedAt = nil
        expected.reporterDue = F.endOf("2026-04-23")
        expected.eventCount = 4
        #expect(t.record == expected)
        #expect(t.record.officerDue == nil)
        #expect(t.record.dueAt == F.endOf("2026-04-23"))
        #expect(t.event == EventDraft(action: .respond_final, fromState: .diproses, toState: .ditanggapi, at: Clock.answered,
                                      actorRole: "liaison", unit: "63/dinkes", jurisdiction: "63",
                                      publicText: "Perbaikan selesai pada 8 April.", dueAt: F.endOf("2026-04-23"), late: false))
        #expect(t.stages == [.end(.resolution, at: Clock.answered, late: false)])
        #expect(t.mail == ["final_answer → reporter"])
    }

    @Test("a final answer straight after disposition ends the response and the resolution stage together")
    func respondFinalFromDisposition() throws {
        let before = try F.record(in: .didisposisikan)
        let t = try F.decide(.respondFinal, by: liaisonDinkes, on: before, at: Clock.followedUp)
        #expect(t.record.state == .ditanggapi)
        #expect(t.record.responseDue == nil && t.record.resolutionDue == nil)
        #expect(t.stages == [.end(.response, at: Clock.followedUp, late: false), .end(.resolution, at: Clock.followedUp, late: false)])
        #expect(t.event?.fromState == .didisposisikan)
        #expect(t.event?.late == false)
    }
}

// MARK: - Inspectorate, notes and the system

@Suite("Inspectorate, notes and the system")
struct InspectorateAndSystemTests {
    @Test("flag_supervision puts an open resolution on 60 HK and adds the inspectorate as collaborator")
    func flagDuringResolution() throws {
        // Given a complaint in diproses, resolution due 27 April (14 HK from 7 April)
        let before = try F.record(in: .diproses)
        // When the provincial inspector flags it berkadar pengawasan
        let t = try F.decide(.flagSupervision, by: inspector63, on: before,
                             texts: Texts(internal: "Indikasi pungutan liar."))
        // Then the resolution is due 60 HK from 7 April: Thursday 9 July
        var expected = before
        expected.supervision = true
        expected.resolutionClass = .berkadar_pengawasan
        expected.collaboratingUnits = ["63/inspektorat"]
        expected.resolutionDue = F.endOf("2026-07-09")
        expected.eventCount = 4
        #expect(t.record == expected)
        #expect(t.event == EventDraft(action: .flag_supervision, fromState: .diproses, toState: .diproses, at: Clock.later,
                                      actorRole: "inspector", unit: "63/dinkes", jurisdiction: "63",
                                      internalText: "Indikasi pungutan liar.", dueAt: F.endOf("2026-07-09")))
        #expect(t.stages == [.reschedule(.resolution, due: F.endOf("2026-07-09"))])
        #expect(t.mail == ["supervision → head 63/dinkes", "supervision → liaisons 63/dinkes"])
    }

    @Test("a flag on a new complaint carries into its disposition")
    func flagBeforeDisposition() throws {
        // Given a flagged new complaint
        let walk = try F.walk(to: .baru)
        let flag = try walk.step(.flagSupervision, by: inspector63, at: Clock.submitted.addingTimeInterval(3600))
        #expect(flag.stages == [] && flag.mail == [])
        #expect(walk.record.collaboratingUnits == ["63/inspektorat"])
        // When the coordinator verifies it as sederhana with public works helping
        let t = try walk.step(.verify(Disposition(unit: "63/dinkes", resolutionClass: .sederhana, collaboratingUnits: ["63/dpupr"])),
                              by: coordinator63, at: Clock.decided)
        // Then supervision wins: 60 HK, and the inspectorate still collaborates
        #expect(t.record.resolutionClass == .berkadar_pengawasan)
        #expect(t.record.resolutionDue == F.endOf("2026-07-09"))
        #expect(t.record.collaboratingUnits == ["63/dpupr", "63/inspektorat"])
        #expect(t.mail.contains("collaboration → liaisons 63/inspektorat"))
    }

    @Test("a flag during the reporter's window applies to the resolution after a dispute")
    func flagThenDispute() throws {
        let walk = try F.walk(to: .ditanggapi)
        let flag = try walk.step(.flagSupervision, by: inspector63, at: Clock.confirmed)
        #expect(flag.stages == [])
        let t = try walk.step(.dispute, by: .reporter, at: Clock.later)
        #expect(t.record.resolutionDue == F.endOf("2026-07-15"))
    }

    @Test("supervision and an approved extension add up")
    func flagWithExtension() throws {
        let walk = try F.walk(to: .diproses)
        try walk.step(.requestExtension(days: 3), by: liaisonDinkes, at: Clock.later)
        try walk.step(.decideExtension(approve: true), by: coordinator63, at: Clock.later)
        let t = try walk.step(.flagSupervision, by: inspector63, at: Clock.later)
        #expect(t.record.resolutionDue == F.endOf("2026-07-14"))
    }

    @Test("a whistleblowing case the inspectorate handles does not list it as its own collaborator")
    func flagWhistleblowing() throws {
        let t = try F.decide(.flagSupervision, by: inspector63, on: try F.record(in: .diproses, type: .wbs))
        #expect(t.record.collaboratingUnits == [])
        #expect(t.record.supervision)
    }

    @Test("any officer who can read the complaint may add an internal note, even after it closed", arguments: [
        (Fixture.Who.coordinator63, "coordinator"), (.inspector63, "inspector"), (.liaisonDinkes, "liaison"), (.headDinkes, "unit_head"),
    ])
    func note(who: Fixture.Who, role: String) throws {
        let before = try F.record(in: .selesai)
        let t = try F.decide(.note, by: who.participant, on: before)
        var expected = before
        expected.eventCount = before.eventCount + 1
        #expect(t.record == expected)
        #expect(t.event == EventDraft(action: .note, fromState: .selesai, toState: .selesai, at: Clock.later,
                                      actorRole: role, unit: "63/dinkes", jurisdiction: "63",
                                      internalText: "Catatan internal untuk petugas."))
        #expect(t.event?.isPublic == false)
        #expect(t.stages == [] && t.mail == [])
    }

    @Test("auto_close closes the complaint the first second after the reporter's window")
    func autoClose() throws {
        // Given a final answer on Thursday 9 April: the window ends Thursday 23 April 23:59:59
        let before = try F.record(in: .ditanggapi)
        // When the system sweeps at 00:00:00 on Friday 24 April
        let now = F.at("2026-04-24 00:00:00")
        let t = try F.decide(.autoClose, by: .system, on: before, at: now)
        // Then the complaint is selesai
        var expected = before
        expected.state = .selesai
        expected.closedAt = now
        expected.reporterDue = nil
        expected.eventCount = 5
        #expect(t.record == expected)
        #expect(t.event == EventDraft(action: .auto_close, fromState: .ditanggapi, toState: .selesai, at: now,
                                      actorRole: "system", unit: "63/dinkes", jurisdiction: "63"))
        #expect(t.stages == [])
        #expect(t.mail == ["closed → reporter"])
    }

    @Test("auto_archive archives an unanswered request for information as tidak_lengkap")
    func autoArchive() throws {
        // Given a request for information on Tuesday 7 April: the reply is due Tuesday 21 April 23:59:59
        let before = try F.record(in: .perlu_info)
        let now = F.at("2026-04-22 00:00:00")
        let t = try F.decide(.autoArchive, by: .system, on: before, at: now)
        var expected = before
        expected.state = .diarsipkan
        expected.archiveReason = .tidak_lengkap
        expected.closedAt = now
        expected.reporterDue = nil
        expected.eventCount = 3
        #expect(t.record == expected)
        #expect(t.event == EventDraft(action: .auto_archive, fromState: .perlu_info, toState: .diarsipkan, at: now,
                                      actorRole: "system", unit: nil, jurisdiction: "63", data: ["reason": "tidak_lengkap"]))
        #expect(t.mail == ["archived → reporter"])
    }
}

// MARK: - Illegal transitions

@Suite("Illegal transitions")
struct IllegalTransitionTests {
    /// Every (action, state) pair SPEC §4 does not allow.
    static let illegalPairs: [(Action, ComplaintState)] = Fixture.commandActions.flatMap { action in
        ComplaintState.allCases.filter { !Fixture.specLegalFrom[action]!.contains($0) }.map { (action, $0) }
    }

    @Test("every command outside its legal states is refused by the one whose job it is", arguments: illegalPairs)
    func illegalEverywhereElse(action: Action, state: ComplaintState) throws {
        // Given a complaint walked into the state, and the person whose job the action is
        let record = try F.record(in: state)
        let rightful = F.rightfulActor(for: action, on: record)
        // When they try the action with well-formed input, after every window has passed
        let refusal = F.refusal { try F.decide(F.sampleCommand(for: action, on: record), by: rightful, on: record, at: Clock.muchLater) }
        // Then it is a 409 for that action and state — except that a complaint with no handling unit
        // is no liaison's: there the liaison is refused before the state is looked at (403)
        let unitless: Set<ComplaintState> = [.baru, .perlu_info, .diarsipkan, .diteruskan]
        let expected: Refusal = Fixture.liaisonWork.contains(action) && unitless.contains(state) ? .forbidden : .illegal(action, state)
        #expect(refusal == expected)
        #expect(!Lifecycle.isAvailable(action, to: rightful, on: record, tree: F.tree))
    }

    @Test("merge is refused unless the duplicate is baru or perlu_info", arguments: [
        ComplaintState.didisposisikan, .diproses, .ditanggapi, .selesai, .diarsipkan, .diteruskan,
    ])
    func mergeOutsideItsStates(state: ComplaintState) throws {
        let duplicate = try F.record(in: state, trackingID: "DUPL00001")
        let original = try F.record(in: .baru, trackingID: "ORIG00001")
        #expect(F.refusal { try Lifecycle.merge(duplicate, into: original, by: coordinator63, context: F.context(at: Clock.later)) }
                == .illegal(.merge, state))
    }

    @Test("the actor is checked before the state: a reporter cannot verify even a closed complaint")
    func actorBeforeState() throws {
        #expect(F.refusal { try F.decide(.verify(Disposition(unit: "63/dinkes")), by: .reporter, on: try F.record(in: .selesai)) }
                == .forbidden)
    }

    // MARK: Action-specific refusals

    @Test("redispose needs an earlier disposition")
    func redisposeWithoutDisposition() throws {
        let record = try F.record(in: .baru)
        #expect(F.refusal { try F.decide(.redispose(Disposition(unit: "63/dinkes")), by: coordinator63, on: record) }
                == .illegal(.redispose, .baru))
        #expect(!Lifecycle.isAvailable(.redispose, to: coordinator63, on: record, tree: F.tree))
    }

    @Test("an extension is asked once per disposition, whether pending, approved or refused", arguments: [nil, true, false] as [Bool?])
    func secondExtension(decision: Bool?) throws {
        let walk = try F.walk(to: .diproses)
        try walk.step(.requestExtension(days: 2), by: liaisonDinkes, at: Clock.later)
        if let decision { try walk.step(.decideExtension(approve: decision), by: coordinator63, at: Clock.later) }
        #expect(F.refusal { try F.decide(.requestExtension(days: 2), by: liaisonDinkes, on: walk.record) }
                == .illegal(.request_extension, .diproses))
    }

    @Test("decide_extension needs a pending request", arguments: [ComplaintState.didisposisikan, .diproses])
    func decideWithoutRequest(state: ComplaintState) throws {
        let record = try F.record(in: state)
        #expect(F.refusal { try F.decide(.decideExtension(approve: true), by: coordinator63, on: record) }
                == .illegal(.decide_extension, state))
        #expect(!Lifecycle.isAvailable(.decide_extension, to: coordinator63, on: record, tree: F.tree))
    }

    @Test("a complaint is flagged for supervision once")
    func flagTwice() throws {
        let walk = try F.walk(to: .diproses)
        try walk.step(.flagSupervision, by: inspector63, at: Clock.later)
        #expect(F.refusal { try F.decide(.flagSupervision, by: inspector63, on: walk.record) } == .illegal(.flag_supervision, .diproses))
        #expect(!Lifecycle.isAvailable(.flag_supervision, to: inspector63, on: walk.record, tree: F.tree))
    }

    @Test("auto_close waits until the window has passed, its last second included", arguments: [
        "2026-04-13 10:00:00", "2026-04-23 23:59:59",
    ])
    func autoCloseTooEarly(now: String) throws {
        #expect(F.refusal { try F.decide(.autoClose, by: .system, on: try F.record(in: .ditanggapi), at: F.at(now)) }
                == .illegal(.auto_close, .ditanggapi))
    }

    @Test("auto_archive waits until the reply window has passed, its last second included", arguments: [
        "2026-04-13 10:00:00", "2026-04-21 23:59:59",
    ])
    func autoArchiveTooEarly(now: String) throws {
        #expect(F.refusal { try F.decide(.autoArchive, by: .system, on: try F.record(in: .perlu_info), at: F.at(now)) }
                == .illegal(.auto_archive, .perlu_info))
    }

    @Test("archive needs a reason other than duplikat, and lainnya needs words", arguments: [
        (nil, Texts(), "reason"), (ArchiveReason.duplikat, Texts(public: "Sama dengan laporan lain."), "reason"),
        (.lainnya, Texts(), "text"), (.lainnya, Texts(public: "  ", internal: "\n"), "text"),
    ] as [(ArchiveReason?, Texts, String)])
    func archiveReasons(reason: ArchiveReason?, texts: Texts, field: String) throws {
        #expect(F.refusal { try F.decide(.archive(reason), by: coordinator63, on: try F.record(in: .baru), texts: texts) }
                == .invalid(field))
    }

    @Test("lainnya with a public explanation is enough")
    func archiveOtherWithPublicText() throws {
        let t = try F.decide(.archive(.lainnya), by: coordinator63, on: try F.record(in: .baru),
                             texts: Texts(public: "Laporan berisi iklan."))
        #expect(t.record.archiveReason == .lainnya)
    }

    @Test("public words are required to ask, reply, dispute, follow up and answer", arguments: [
        (Action.request_info, ComplaintState.baru), (.reply, .perlu_info), (.dispute, .ditanggapi),
        (.follow_up, .didisposisikan), (.follow_up, .diproses), (.respond_final, .diproses),
    ])
    func publicTextRequired(action: Action, state: ComplaintState) throws {
        let record = try F.record(in: state)
        let rightful = F.rightfulActor(for: action, on: record)
        let command = F.sampleCommand(for: action, on: record)
        // Given no text, blank text, or only internal text / Then the public text is missing
        for texts in [Texts(), Texts(public: " \n\t "), Texts(internal: "Hanya catatan internal.")] {
            #expect(F.refusal { try F.decide(command, by: rightful, on: record, texts: texts) } == .invalid("text"))
        }
    }

    @Test("a note is internal words only", arguments: [
        (Texts(public: "Terlihat publik", internal: "Catatan"), "text"), (Texts(), "internal_text"),
        (Texts(public: "Terlihat publik"), "internal_text"),
    ])
    func noteTexts(texts: Texts, field: String) throws {
        #expect(F.refusal { try F.decide(.note, by: coordinator63, on: try F.record(in: .baru), texts: texts) } == .invalid(field))
    }

    @Test("a return needs its reason")
    func returnWithoutReason() throws {
        #expect(F.refusal { try F.decide(.returnToCoordinator, by: liaisonDinkes, on: try F.record(in: .didisposisikan), texts: Texts()) }
                == .invalid("internal_text"))
    }

    @Test("an extension is 1 to 7 working days", arguments: [0, -1, 8, 30])
    func extensionDays(days: Int) throws {
        #expect(F.refusal { try F.decide(.requestExtension(days: days), by: liaisonDinkes, on: try F.record(in: .diproses)) }
                == .invalid("days"))
    }

    @Test("with extensions switched off (0 days) none can be asked")
    func extensionsOff() throws {
        var policy = Policy()
        policy.maxExtensionDays = 0
        #expect(F.refusal { try F.decide(.requestExtension(days: 1), by: liaisonDinkes, on: try F.record(in: .diproses), policy: policy) }
                == .invalid("days"))
    }

    @Test("an extension request needs a reason")
    func extensionWithoutReason() throws {
        #expect(F.refusal { try F.decide(.requestExtension(days: 3), by: liaisonDinkes, on: try F.record(in: .diproses), texts: Texts()) }
                == .invalid("internal_text"))
    }

    @Test("forward_jurisdiction needs another known jurisdiction", arguments: ["63", "63.99", "", "64"])
    func forwardJurisdictionTarget(target: String) throws {
        #expect(F.refusal { try F.decide(.forwardJurisdiction(target), by: coordinator63, on: try F.record(in: .baru)) }
                == .invalid("jurisdiction"))
    }

    @Test("forward_external needs a destination of at most 200 characters", arguments: ["", "   ", String(repeating: "o", count: 201)])
    func forwardExternalDestination(destination: String) throws {
        #expect(F.refusal { try F.decide(.forwardExternal(destination: destination, reference: nil), by: coordinator63, on: try F.record(in: .baru)) }
                == .invalid("destination"))
    }

    @Test("verify needs an active unit of the complaint's own jurisdiction", arguments: [
        "63.71/dinkes", "63/bappeda", "63/biro-lama", "",
    ])
    func verifyUnit(unit: String) throws {
        let tree = SubmissionRuleTests.tree   // has the inactive 63/biro-lama
        for command in [ComplaintCommand.verify(Disposition(unit: unit)), .redispose(Disposition(unit: unit))] {
            var record = try F.record(in: .baru)
            if case .redispose = command { record.dispositionCount = 1 }
            #expect(F.refusal { try F.decide(command, by: coordinator63, on: record, tree: tree) } == .invalid("unit"))
        }
    }

    @Test("whistleblowing goes to the inspectorate only, with no collaborators", arguments: [
        (Disposition(unit: "63/dinkes"), "unit"), (Disposition(unit: "63/diskominfo"), "unit"),
        (Disposition(unit: "63/inspektorat", collaboratingUnits: ["63/dinkes"]), "collaborating_units"),
    ])
    func verifyWhistleblowing(disposition: Disposition, field: String) throws {
        #expect(F.refusal { try F.decide(.verify(disposition), by: inspector63, on: try F.record(in: .baru, type: .wbs)) }
                == .invalid(field))
    }

    @Test("collaborators are other active units of the jurisdiction", arguments: [
        "63/dinkes", "63.71/dinkes", "63/bappeda", "63/biro-lama",
    ])
    func collaboratingUnits(collaborator: String) throws {
        let disposition = Disposition(unit: "63/dinkes", collaboratingUnits: ["63/dpupr", collaborator])
        #expect(F.refusal { try F.decide(.verify(disposition), by: coordinator63, on: try F.record(in: .baru), tree: SubmissionRuleTests.tree) }
                == .invalid("collaborating_units"))
    }

    @Test("what the reporter asked for cannot be undone, nor whistleblowing confidentiality")
    func privacyThatStays() throws {
        // Given a reporter who asked for both flags, and a whistleblowing report
        let walk = Walk(F.submission(anonymous: true, confidential: true), at: Clock.submitted)
        let wbs = try F.record(in: .baru, type: .wbs)
        // Then clearing them is refused, naming the flag
        #expect(F.refusal { try F.decide(.setPrivacy(anonymous: false, confidential: nil), by: coordinator63, on: walk.record) }
                == .invalid("anonymous"))
        #expect(F.refusal { try F.decide(.setPrivacy(anonymous: nil, confidential: false), by: coordinator63, on: walk.record) }
                == .invalid("confidential"))
        #expect(F.refusal { try F.decide(.setPrivacy(anonymous: nil, confidential: false), by: inspector63, on: wbs) }
                == .invalid("confidential"))
        // And a change that changes nothing is refused too
        try walk.step(.verify(Disposition(unit: "63/dinkes")), by: coordinator63, at: Clock.decided)
        #expect(F.refusal { try F.decide(.setPrivacy(anonymous: true, confidential: true), by: coordinator63, on: walk.record) }
                == .invalid("anonymous"))
        #expect(F.refusal { try F.decide(.setPrivacy(anonymous: nil, confidential: nil), by: coordinator63, on: walk.record) }
                == .invalid("anonymous"))
    }

    @Test("merge needs another original that is still open to duplicates and in the merger's sight")
    func mergeTargets() throws {
        let duplicate = try F.record(in: .baru, trackingID: "DUPL00001")
        let context = F.context(at: Clock.later)
        func merge(into original: ComplaintRecord) -> Refusal? {
            F.refusal { try Lifecycle.merge(duplicate, into: original, by: coordinator63, context: context) }
        }
        #expect(merge(into: duplicate) == .invalid("into"))
        #expect(merge(into: try F.record(in: .diarsipkan, trackingID: "ORIG00001")) == .invalid("into"))
        #expect(merge(into: try F.record(in: .diteruskan, trackingID: "ORIG00001")) == .invalid("into"))
        #expect(merge(into: try F.record(in: .baru, jurisdiction: "63.71", trackingID: "ORIG00001")) == .invalid("into"))
        #expect(merge(into: try F.record(in: .baru, type: .wbs, trackingID: "ORIG00001")) == .invalid("into"))
    }

    @Test("a rating is a whole number from 1 to 5", arguments: [0, 6, -1])
    func ratingRange(rating: Int) throws {
        #expect(F.refusal { try F.decide(.feedback(rating: rating), by: .reporter, on: try F.record(in: .ditanggapi)) } == .invalid("rating"))
    }

    @Test("texts longer than 20,000 characters are refused, naming which")
    func textLength() throws {
        let long = String(repeating: "x", count: 20_001)
        let record = try F.record(in: .didisposisikan)
        #expect(F.refusal { try F.decide(.followUp, by: liaisonDinkes, on: record, texts: Texts(public: long)) } == .invalid("text"))
        #expect(F.refusal { try F.decide(.note, by: liaisonDinkes, on: record, texts: Texts(internal: long)) } == .invalid("internal_text"))
        let duplicate = try F.record(in: .baru, trackingID: "DUPL00001")
        #expect(F.refusal { try Lifecycle.merge(duplicate, into: record, by: coordinator63, texts: Texts(public: long),
                                                context: F.context(at: Clock.later)) } == .invalid("text"))
        // And exactly 20,000 is fine
        #expect(throws: Never.self) {
            try F.decide(.followUp, by: liaisonDinkes, on: record, texts: Texts(public: String(repeating: "x", count: 20_000)))
        }
    }
}

// MARK: - Deadlines in context

@Suite("Deadlines in context")
struct DeadlineTests {
    @Test("SPEC §5: submitted Friday 13 March 15:00 WITA, verification is due Wednesday 25 March 23:59:59 WITA")
    func specExample() {
        // Given a complaint submitted before the Nyepi and Idul Fitri holidays (18-24 March)
        let submitted = F.at("2026-03-13 15:00")
        // When it is received
        let t = Lifecycle.submit(F.submission(), trackingID: "T1", by: .reporter, context: F.context(at: submitted))
        // Then 16, 17 and 25 March are its three working days
        #expect(t.record.verificationDue == F.endOf("2026-03-25"))
        #expect(t.record.verificationDue == ISO8601DateFormatter().date(from: "2026-03-25T15:59:59Z"))
        #expect(t.event?.dueAt == F.endOf("2026-03-25"))
    }

    /// A complaint dispositioned on Tuesday 17 March 09:00, just before the holiday run.
    static func dispositionedBeforeHolidays() throws(LifecycleError) -> Walk {
        let walk = Walk(F.submission(), at: F.at("2026-03-13 15:00"))
        try walk.step(.verify(Disposition(unit: "63/dinkes")), by: coordinator63, at: F.at("2026-03-17 09:00"))
        return walk
    }

    @Test("a disposition before a holiday run counts its working days over the holidays")
    func dispositionBeforeHolidays() throws {
        let walk = try Self.dispositionedBeforeHolidays()
        // Then the response (5 HK) is due 31 March: 25, 26, 27, 30, 31
        #expect(walk.record.responseDue == F.endOf("2026-03-31"))
        // And the resolution (14 HK) 14 April, skipping Good Friday too
        #expect(walk.record.resolutionDue == F.endOf("2026-04-14"))
        #expect(walk.record.officerDue == F.endOf("2026-03-31"))
    }

    @Test("a 3-day extension moves the resolution due exactly 3 working days from the stage start")
    func extensionOfThreeDays() throws {
        let walk = try Self.dispositionedBeforeHolidays()
        try walk.step(.requestExtension(days: 3), by: liaisonDinkes, at: F.at("2026-03-26 10:00"))
        let t = try walk.step(.decideExtension(approve: true), by: coordinator63, at: F.at("2026-04-13 10:00"))
        // Then 17 HK from 17 March: 15, 16, 17 April after the 14th
        #expect(t.record.resolutionDue == F.endOf("2026-04-17"))
        #expect(t.stages == [.reschedule(.resolution, due: F.endOf("2026-04-17"))])
    }

    @Test("flag_supervision moves an open resolution due to 60 working days from the stage start")
    func supervisionSixtyDays() throws {
        let walk = try Self.dispositionedBeforeHolidays()
        let t = try walk.step(.flagSupervision, by: inspector63, at: F.at("2026-04-01 10:00"))
        #expect(t.record.resolutionDue == F.endOf("2026-06-26"))
    }

    @Test("the verification budget is a setting")
    func policyVerificationDays() {
        var policy = Policy()
        policy.verificationDays = 5
        let t = Lifecycle.submit(F.submission(), trackingID: "T1", by: .reporter, context: F.context(at: Clock.submitted, policy: policy))
        #expect(t.record.verificationDue == F.endOf("2026-04-13"))
    }

    @Test("a stage ending at its due instant is on time; one second later it is late, and the event keeps it", arguments: [
        (0.0, false), (-3600.0, false), (1.0, true), (86_400.0, true),
    ])
    func lateIsFrozen(offset: TimeInterval, late: Bool) throws {
        // Response: due 14 April 23:59:59
        let dispositioned = try F.record(in: .didisposisikan)
        let followUp = try F.decide(.followUp, by: liaisonDinkes, on: dispositioned, at: F.endOf("2026-04-14").addingTimeInterval(offset))
        #expect(followUp.event?.late == late)
        #expect(followUp.stages == [.end(.response, at: F.endOf("2026-04-14").addingTimeInterval(offset), late: late)])

        // Verification: due 9 April 23:59:59
        let new = try F.record(in: .baru)
        let verify = try F.decide(.verify(Disposition(unit: "63/dinkes")), by: coordinator63, on: new,
                                  at: F.endOf("2026-04-09").addingTimeInterval(offset))
        #expect(verify.event?.late == late)
        #expect(verify.stages.first == .end(.verification, at: F.endOf("2026-04-09").addingTimeInterval(offset), late: late))

        // Resolution: due 27 April 23:59:59
        let working = try F.record(in: .diproses)
        let answer = try F.decide(.respondFinal, by: liaisonDinkes, on: working, at: F.endOf("2026-04-27").addingTimeInterval(offset))
        #expect(answer.event?.late == late)
        #expect(answer.stages == [.end(.resolution, at: F.endOf("2026-04-27").addingTimeInterval(offset), late: late)])
    }

    @Test("when a final answer ends both stages, the event keeps the resolution's lateness; the stages keep their own")
    func bothStagesEnd() throws {
        // Given a complaint dispositioned on 7 April: response due 14 April, resolution 27 April
        let dispositioned = try F.record(in: .didisposisikan)
        // When the unit answers once, on 15 April, after the response due but before the resolution due
        let t = try F.decide(.respondFinal, by: liaisonDinkes, on: dispositioned, at: F.at("2026-04-15 10:00"))
        // Then the response stage ended late and the resolution stage on time
        #expect(t.stages == [.end(.response, at: F.at("2026-04-15 10:00"), late: true),
                             .end(.resolution, at: F.at("2026-04-15 10:00"), late: false)])
        #expect(t.event?.late == false)
    }
}

// MARK: - Escalation ladder

@Suite("Escalation ladder")
struct EscalationTests {
    /// Dispositioned on Wednesday 6 May 10:00: response due Wednesday 13 May 23:59:59, then
    /// Ascension (14th), its cuti bersama (15th) and a weekend: +2 HK is 19 May, +5 HK is 22 May.
    static func untouched() throws(LifecycleError) -> Walk {
        let walk = Walk(F.submission(), at: F.at("2026-05-05 09:00"))
        try walk.step(.verify(Disposition(unit: "63/dinkes")), by: coordinator63, at: F.at("2026-05-06 10:00"))
        return walk
    }

    @Test("an untouched disposition climbs one rung at a time, skipping holidays and weekends")
    func ladder() throws {
        let walk = try Self.untouched()
        let before = walk.record
        // Nothing at the due instant itself
        #expect(walk.sweep(at: F.endOf("2026-05-13")) == nil)

        // Level 1 the first instant after the response due: the unit's liaisons and head
        let first = try #require(walk.sweep(at: F.at("2026-05-14 00:00:00")))
        var expected = before
        expected.escalationLevel = 1
        expected.eventCount = before.eventCount + 1
        #expect(first.record == expected)
        #expect(first.event == EventDraft(action: .escalate, fromState: .didisposisikan, toState: .didisposisikan,
                                          at: F.at("2026-05-14 00:00:00"), actorRole: "system", unit: "63/dinkes",
                                          jurisdiction: "63", data: ["level": "1", "due": "2026-05-13T15:59:59Z"]))
        #expect(first.stages == [])
        #expect(first.mail == ["overdue → head 63/dinkes", "overdue → liaisons 63/dinkes"])
        #expect(first.event?.isPublic == false)

        // No second event at the same level, through the holidays and the weekend
        for now in ["2026-05-14 12:00:00", "2026-05-15 09:00:00", "2026-05-17 23:00:00", "2026-05-19 23:59:59"] {
            #expect(walk.sweep(at: F.at(now)) == nil, "\(now)")
        }

        // Level 2 after 2 more working days (18, 19 May): the coordinators
        let second = try #require(walk.sweep(at: F.at("2026-05-20 00:00:00")))
        #expect(second.record.escalationLevel == 2)
        #expect(second.event?.data["level"] == "2")
        #expect(second.mail == ["escalation → coordinators 63"])
        #expect(walk.sweep(at: F.endOf("2026-05-22")) == nil)

        // Level 3 after 5 working days (18-22 May): the inspectorate
        let third = try #require(walk.sweep(at: F.at("2026-05-23 00:00:00")))
        #expect(third.record.escalationLevel == 3)
        #expect(third.mail == ["escalation → inspectorate 63"])

        // And there is no rung above
        #expect(walk.sweep(at: F.at("2026-08-31 10:00")) == nil)
        #expect(walk.record.eventCount == before.eventCount + 3)
    }

    @Test("a complaint first swept past level 3 gets every rung's messages in one event")
    func jumpStraightToThree() throws {
        let walk = try Self.untouched()
        let t = try #require(walk.sweep(at: F.at("2026-05-25 08:00")))
        #expect(t.events.count == 1)
        #expect(t.record.escalationLevel == 3)
        #expect(t.mail == ["escalation → coordinators 63", "escalation → inspectorate 63",
                           "overdue → head 63/dinkes", "overdue → liaisons 63/dinkes"])
    }

    @Test("a sweep that finds level 2 reached sends levels 1 and 2 together")
    func jumpToTwo() throws {
        let walk = try Self.untouched()
        let t = try #require(walk.sweep(at: F.at("2026-05-21 08:00")))
        #expect(t.record.escalationLevel == 2)
        #expect(t.mail == ["escalation → coordinators 63", "overdue → head 63/dinkes", "overdue → liaisons 63/dinkes"])
    }

    @Test("an overdue verification alerts the coordinators first")
    func overdueVerification() throws {
        // Given a complaint submitted Monday 6 April: verification due Thursday 9 April
        let walk = try F.walk(to: .baru)
        let first = try #require(walk.sweep(at: F.at("2026-04-10 00:00:00")))
        #expect(first.mail == ["overdue → coordinators 63"])
        #expect(first.event?.unit == nil)
        // +2 HK is Monday 13 April
        #expect(walk.sweep(at: F.endOf("2026-04-13")) == nil)
        #expect(try #require(walk.sweep(at: F.at("2026-04-14 00:00:00"))).mail == ["escalation → coordinators 63"])
        // +5 HK is Thursday 16 April
        #expect(walk.sweep(at: F.endOf("2026-04-16")) == nil)
        #expect(try #require(walk.sweep(at: F.at("2026-04-17 00:00:00"))).mail == ["escalation → inspectorate 63"])
    }

    @Test("an overdue whistleblowing report alerts the inspectorate, never the coordinators")
    func overdueWhistleblowing() throws {
        let walk = try F.walk(to: .baru, type: .wbs)
        let t = try #require(walk.sweep(at: F.at("2026-04-20 08:00")))
        #expect(t.mail == ["escalation → inspectorate 63", "escalation → inspectorate 63", "overdue → inspectorate 63"])
    }

    @Test("a complaint waiting for the reporter, or closed, never escalates", arguments: [
        ComplaintState.perlu_info, .ditanggapi, .selesai, .diarsipkan, .diteruskan,
    ])
    func waitingNeverEscalates(state: ComplaintState) throws {
        let walk = try F.walk(to: state)
        for now in ["2026-04-30 10:00", "2026-06-30 10:00", "2026-12-31 10:00"] {
            #expect(walk.sweep(at: F.at(now)) == nil)
        }
    }

    @Test("a new stage starts the ladder again: after a dispute the new resolution due escalates from level 1")
    func ladderRestartsAfterDispute() throws {
        // Given a disposition left to reach level 3, then answered (window until 11 June) and disputed
        let walk = try Self.untouched()
        walk.sweep(at: F.at("2026-05-25 08:00"))
        let answer = try walk.step(.respondFinal, by: liaisonDinkes, at: F.at("2026-05-25 09:00"))
        #expect(answer.record.escalationLevel == 0)
        let dispute = try walk.step(.dispute, by: .reporter, at: F.at("2026-05-26 09:00"))
        // Then the new resolution (14 HK from 26 May, over Idul Adha, Waisak, Pancasila and Islamic New Year:
        // 19 June) climbs from level 1 again
        #expect(dispute.record.resolutionDue == F.endOf("2026-06-19"))
        #expect(walk.sweep(at: F.endOf("2026-06-19")) == nil)
        let t = try #require(walk.sweep(at: F.at("2026-06-20 08:00")))
        #expect(t.record.escalationLevel == 1)
        #expect(t.mail == ["overdue → head 63/dinkes", "overdue → liaisons 63/dinkes"])
    }

    @Test("the ladder's thresholds are settings")
    func thresholdsAreSettings() throws {
        var policy = Policy()
        policy.escalateToCoordinatorAfterDays = 1
        policy.escalateToInspectorateAfterDays = 2
        let record = try Self.untouched().record
        // +1 HK after 13 May is 18 May; +2 HK is 19 May
        let level = { (now: String) in Lifecycle.escalation(of: record, context: F.context(at: F.at(now), policy: policy))?.record.escalationLevel }
        #expect(level("2026-05-18 23:59:59") == 1)
        #expect(level("2026-05-19 00:00:00") == 2)
        #expect(level("2026-05-20 00:00:00") == 3)
    }
}

// MARK: - Canonical event bytes

/// One field of a canonical event, for the "changing any field changes the bytes" property.
enum CanonicalField: String, CaseIterable, Sendable {
    case trackingID, seq, at, action, fromState, toState, actorRole, actorID, unit, jurisdiction
    case publicText, internalText, dueAt, late, data, previousHash

    /// Every other value this field can take in the test.
    func variants(of base: CanonicalEvent) -> [CanonicalEvent] {
        var results: [CanonicalEvent] = []
        func with(_ change: (inout CanonicalEvent) -> Void) { var e = base; change(&e); results.append(e) }
        switch self {
        case .trackingID: with { $0.trackingID = "7KQ2MX9PK" }
        case .seq: with { $0.seq = 4 }; with { $0.seq = 30 }
        case .at: with { $0.at = base.at.addingTimeInterval(0.001) }; with { $0.at = base.at.addingTimeInterval(-1) }
        case .action: with { $0.action = "return" }
        case .fromState: with { $0.fromState = nil }; with { $0.fromState = "" }; with { $0.fromState = "diproses" }
        case .toState: with { $0.toState = "ditanggapi" }
        case .actorRole: with { $0.actorRole = "coordinator" }
        case .actorID: with { $0.actorID = nil }; with { $0.actorID = "" }; with { $0.actorID = "liaison-2" }
        case .unit: with { $0.unit = nil }; with { $0.unit = "63/rsud-ulin" }
        case .jurisdiction: with { $0.jurisdiction = "63.71" }
        case .publicText: with { $0.publicText = nil }; with { $0.publicText = "" }; with { $0.publicText = "Tim sudah meninjau lokasi!" }
        case .internalText: with { $0.internalText = "" }; with { $0.internalText = "catatan" }
        case .dueAt: with { $0.dueAt = nil }; with { $0.dueAt = base.dueAt!.addingTimeInterval(0.001) }
        case .late: with { $0.late = nil }; with { $0.late = true }
        case .data: with { $0.data = "{}" }; with { $0.data = #"{"unit":"63/dpupr"}"# }
        case .previousHash: with { $0.previousHash = CanonicalEvent.genesis }
        }
        return results
    }
}

@Suite("Canonical event bytes")
struct CanonicalEventTests {
    static let base = CanonicalEvent(
        trackingID: "7KQ2MX9PJ", seq: 3, at: F.at("2026-04-08 10:00"), action: "follow_up", fromState: "didisposisikan",
        toState: "diproses", actorRole: "liaison", actorID: "liaison-1", unit: "63/dinkes", jurisdiction: "63",
        publicText: "Tim sudah meninjau lokasi.", internalText: nil, dueAt: F.endOf("2026-04-14"), late: false,
        data: #"{"unit":"63/dinkes"}"#, previousHash: String(repeating: "a", count: 64))

    @Test("changing any single field changes the bytes", arguments: CanonicalField.allCases)
    func everyFieldCounts(field: CanonicalField) {
        let variants = field.variants(of: Self.base)
        #expect(!variants.isEmpty)
        for variant in variants {
            #expect(variant.bytes != Self.base.bytes)
        }
        // And the variants of one field are told apart from each other too (nil, empty, text)
        #expect(Set(variants.map(\.bytes)).count == variants.count)
    }

    @Test("fields are length-prefixed: moving text across a field boundary changes the bytes")
    func noBoundaryAmbiguity() {
        var a = Self.base, b = Self.base
        a.publicText = "ab"; a.internalText = "c"
        b.publicText = "a"; b.internalText = "bc"
        #expect(a.bytes != b.bytes)
        var c = Self.base, d = Self.base
        c.publicText = "5:hello;"; c.internalText = nil
        d.publicText = nil; d.internalText = "5:hello;"
        #expect(c.bytes != d.bytes)
    }

    @Test("the encoding is exactly the documented layout")
    func goldenBytes() {
        // Given a small event at 1970-01-01 00:00:01.5 UTC with a due and no optional texts
        let event = CanonicalEvent(trackingID: "T1", seq: 1, at: Date(timeIntervalSince1970: 1.5), action: "submit",
                                   fromState: nil, toState: "baru", actorRole: "reporter", actorID: nil, unit: nil,
                                   jurisdiction: "63", publicText: nil, internalText: nil,
                                   dueAt: Date(timeIntervalSince1970: 2), late: nil, data: "{}", previousHash: "0")
        // Then the bytes are the version tag and length-prefixed fields, "-" for absent ones
        let expected = "aduan-event-v1" + "2:T1;" + "1:1;" + "4:1500;" + "6:submit;" + "-;" + "4:baru;" + "8:reporter;"
            + "-;" + "-;" + "2:63;" + "-;" + "-;" + "4:2000;" + "-;" + "2:{};" + "1:0;"
        #expect(String(decoding: event.bytes, as: UTF8.self) == expected)
        var late = event
        late.late = true
        #expect(String(decoding: late.bytes, as: UTF8.self).contains("4:2000;1:1;2:{};"))
        late.late = false
        #expect(String(decoding: late.bytes, as: UTF8.self).contains("4:2000;1:0;2:{};"))
    }

    @Test("lengths count UTF-8 bytes, not characters")
    func utf8Lengths() {
        var event = Self.base
        event.publicText = "Déjà"
        #expect(String(decoding: event.bytes, as: UTF8.self).contains("6:Déjà;"))
    }

    @Test("times are rounded to the nearest millisecond", arguments: [
        // seconds since 1970 (binary fractions, so the input is exact), expected milliseconds
        (1_775_613_600.0, Int64(1_775_613_600_000)),
        (1_775_613_600.0 + 0.0078125, 1_775_613_600_008),      // 7.8125 ms → 8
        (1_775_613_600.0 + 0.00048828125, 1_775_613_600_000),  // 0.488 ms → 0
        (1_775_613_600.0 + 0.0009765625, 1_775_613_600_001),   // 0.977 ms → 1
        (1_775_613_600.0 - 0.0009765625, 1_775_613_599_999),
    ] as [(Double, Int64)])
    func milliseconds(seconds: Double, expected: Int64) {
        #expect(CanonicalEvent.milliseconds(Date(timeIntervalSince1970: seconds)) == expected)
    }

    @Test("instants within the same rounded millisecond encode the same; a millisecond apart they do not")
    func subMillisecondIsInvisible() {
        var a = Self.base, b = Self.base, c = Self.base
        a.at = Self.base.at.addingTimeInterval(0.0001220703125)   // 0.12 ms
        b.at = Self.base.at.addingTimeInterval(0.000244140625)    // 0.24 ms
        c.at = Self.base.at.addingTimeInterval(0.0009765625)      // 0.98 ms → next millisecond
        #expect(a.bytes == Self.base.bytes)
        #expect(b.bytes == Self.base.bytes)
        #expect(c.bytes != Self.base.bytes)
        var d = Self.base
        d.dueAt = Self.base.dueAt!.addingTimeInterval(0.000244140625)
        #expect(d.bytes == Self.base.bytes)
    }

    @Test("event data is JSON with sorted keys and unescaped slashes")
    func encodeData() {
        #expect(CanonicalEvent.encodeData(["unit": "63/dinkes", "approve": "true", "days": "3"])
                == #"{"approve":"true","days":"3","unit":"63/dinkes"}"#)
        #expect(CanonicalEvent.encodeData([:]) == "{}")
        #expect(CanonicalEvent.genesis == String(repeating: "0", count: 64))
    }
}
