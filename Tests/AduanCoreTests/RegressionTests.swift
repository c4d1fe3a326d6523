import Foundation
import Testing
@testable import AduanCore

/// Stories for bugs found by review; each once failed.
@Suite("Regressions")
struct RegressionTests {
    @Test("the reporter's and the system's actions are reported as available when decide would accept them")
    func availabilityForReporterAndSystem() throws {
        let answered = try Fixture.record(in: .ditanggapi)
        for action in [Action.confirm, .dispute, .feedback] {
            #expect(Lifecycle.isAvailable(action, to: .reporter, on: answered, tree: Fixture.tree))
        }
        #expect(!Lifecycle.isAvailable(.reply, to: .reporter, on: answered, tree: Fixture.tree))
        let due = try #require(answered.reporterDue)
        #expect(!Lifecycle.isAvailable(.auto_close, to: .system, on: answered, tree: Fixture.tree, now: due))
        #expect(Lifecycle.isAvailable(.auto_close, to: .system, on: answered, tree: Fixture.tree, now: due.addingTimeInterval(1)))
        #expect(!Lifecycle.isAvailable(.confirm, to: .system, on: answered, tree: Fixture.tree))
    }

    @Test("a follow-up after a missed response due starts the escalation ladder again for the resolution due")
    func escalationResetsWhenTheDueChanges() throws {
        // Given a dispositioned complaint whose response due has passed and was escalated
        let walk = try Fixture.walk(to: .didisposisikan)
        let responseDue = try #require(walk.record.responseDue)
        #expect(walk.sweep(at: responseDue.addingTimeInterval(1))?.record.escalationLevel == 1)
        // When the unit follows up late
        try walk.step(.followUp, by: Fixture.liaison(of: walk.record), at: responseDue.addingTimeInterval(3600))
        // Then nothing is overdue any more and the ladder starts again at the resolution due
        #expect(walk.record.escalationLevel == 0)
        let resolutionDue = try #require(walk.record.resolutionDue)
        #expect(walk.sweep(at: resolutionDue) == nil)
        let again = try #require(walk.sweep(at: resolutionDue.addingTimeInterval(1)))
        #expect(again.record.escalationLevel == 1)
        #expect(again.notices.map(\.kind) == ["overdue", "overdue"])
    }

    @Test("a pending extension request ends with the final answer")
    func extensionRequestEndsWithFinalAnswer() throws {
        let walk = try Fixture.walk(to: .diproses)
        let liaison = Fixture.liaison(of: walk.record)
        try walk.step(.requestExtension(days: 3), by: liaison, texts: Texts(internal: "Menunggu survei"), at: Fixture.Clock.answered)
        try walk.step(.respondFinal, by: liaison, at: Fixture.Clock.answered.addingTimeInterval(60))
        #expect(walk.record.extensionRequestedDays == nil)
        #expect(!Lifecycle.isAvailable(.decide_extension, to: Fixture.coordinator(of: walk.record), on: walk.record, tree: Fixture.tree))
    }
}

@Suite struct PolicyStorageTests {
    @Test func aStoredPolicyMissingNewerFieldsKeepsItsValuesAndDefaultsTheRest() throws {
        let stored = #"{"verificationDays": 2, "resolutionDays": {"sederhana": 3}}"#
        let policy = try JSONDecoder().decode(Policy.self, from: Data(stored.utf8))
        var expected = Policy()
        expected.verificationDays = 2
        expected.resolutionDays["sederhana"] = 3
        #expect(policy == expected)
        #expect(try JSONDecoder().decode(Policy.self, from: JSONEncoder().encode(expected)) == expected)
    }
}
