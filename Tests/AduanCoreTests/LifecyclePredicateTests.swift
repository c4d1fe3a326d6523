import Foundation
import Testing
@testable import AduanCore

// The conditions pages ask about and the system's commands when the reporter's window ends (SPEC §3 "Privacy": a
// coordinator never clears `anonim` set by the reporter, `wbs` is always `rahasia`; §4: `auto_close`
// ditanggapi→selesai and `auto_archive` perlu_info→diarsipkan after 10 HK; a unit may return a complaint).

private typealias F = Fixture
private typealias Clock = Fixture.Clock

@Suite("Lifecycle predicates and automatic commands")
struct LifecyclePredicateTests {
    @Test("a new complaint awaits its first verification; after a return it is returned, not first")
    func firstVerificationAndReturn() throws {
        let walk = try F.walk(to: .baru)
        #expect(walk.record.awaitsFirstVerification && !walk.record.isReturned)
        try walk.step(.verify(Disposition(unit: "63/dinkes")), by: F.coordinator(of: walk.record), at: Clock.decided)
        #expect(!walk.record.awaitsFirstVerification && !walk.record.isReturned)
        try walk.step(.returnToCoordinator, by: F.liaison(of: walk.record), at: Clock.followedUp)
        #expect(walk.record.state == .baru)
        #expect(walk.record.isReturned && !walk.record.awaitsFirstVerification)
    }

    @Test("confidentiality is locked for whistleblowing and when the reporter asked; anonymity when the reporter asked")
    func privacyLocks() throws {
        #expect(F.complaint(type: .wbs).confidentialityLocked)
        #expect(!F.complaint(confidential: true).confidentialityLocked, "a coordinator's own flag may be cleared")
        var asked = F.complaint(confidential: true)
        asked.confidentialByReporter = true
        #expect(asked.confidentialityLocked)
        var anonymous = F.complaint()
        anonymous.anonymous = true
        #expect(!anonymous.anonymityLocked)
        anonymous.anonymousByReporter = true
        #expect(anonymous.anonymityLocked)

        // The decision refuses what the page shows locked.
        let wbs = try F.record(in: .baru, type: .wbs)
        #expect(wbs.confidentialityLocked)
        #expect(F.refusal { try F.decide(.setPrivacy(anonymous: nil, confidential: false), by: F.rightfulActor(for: .set_privacy, on: wbs), on: wbs) } != nil)
    }

    @Test("when the reporter's window ends: an answered complaint closes, one waiting for information is archived, no other state moves")
    func automaticCommands() throws {
        #expect(Lifecycle.automaticCommand(whenReporterWindowEndsIn: .ditanggapi) == .autoClose)
        #expect(Lifecycle.automaticCommand(whenReporterWindowEndsIn: .perlu_info) == .autoArchive)
        for state in ComplaintState.allCases where state != .ditanggapi && state != .perlu_info {
            #expect(Lifecycle.automaticCommand(whenReporterWindowEndsIn: state) == nil, "\(state)")
        }
        let landing: [ComplaintState: ComplaintState] = [.ditanggapi: .selesai, .perlu_info: .diarsipkan]
        for (state, command) in Lifecycle.whenReporterWindowEnds {
            let record = try F.record(in: state)
            let t = try F.decide(command, by: .system, on: record, at: Clock.muchLater)
            #expect(t.record.state == landing[state], "\(state)")
        }
    }
}
