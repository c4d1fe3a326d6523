import Foundation
import Testing
@testable import AduanCore

// Who sees which field of a complaint (SPEC §3 "Privacy": `anonim` hides the reporter's identity from everyone,
// officers included; `rahasia` keeps the complaint off the public portal; `wbs` is always `rahasia`. §9: the public
// list shows non-confidential complaints, never an anonymous reporter's identity. §10/§12: `reporter` only where
// allowed; integrations never get the NIK).

private typealias F = Fixture

@Suite("Visibility: who sees which field of a complaint")
struct VisibilityTests {
    @Test("a confidential complaint and a whistleblowing report are never on the public side; spam is never listed")
    func publicSide() {
        for publication in Visibility.Publication.allCases {
            var open = F.complaint()
            open.dispositionCount = 1
            #expect(Visibility.isPublic(open, publication: publication))
            #expect(Visibility.isListed(open, publication: publication))

            var confidential = F.complaint(confidential: true)
            confidential.dispositionCount = 1
            #expect(!Visibility.isPublic(confidential, publication: publication))
            #expect(!Visibility.isListed(confidential, publication: publication))

            var spam = open
            spam.archiveReason = .spam
            #expect(Visibility.isPublic(spam, publication: publication), "its page stays what it was; it is only kept out of the lists")
            #expect(!Visibility.isListed(spam, publication: publication))
        }

        // Even a report that somehow lost its flag: whistleblowing is never public.
        #expect(!Visibility.isPublic(confidential: false, type: .wbs))
        for type in ComplaintType.allCases where type != .wbs {
            #expect(Visibility.isPublic(confidential: false, type: type))
            #expect(!Visibility.isPublic(confidential: true, type: type))
        }
        for reason in ArchiveReason.allCases where reason != .spam {
            #expect(Visibility.isListed(confidential: false, type: .pengaduan, archiveReason: reason))
        }
    }

    // SPEC §9: "A complaint appears on the public side once the coordinator has verified it (until then only its
    // reporter sees its page); a setting may publish at submission instead." §4: verified = `didisposisikan`
    // ("terverifikasi"). Walked through the lifecycle, not built by hand, so the count is the one the rules keep.
    @Test("by default a report is public only once the coordinator verified it; the setting publishes at submission")
    func publishedAfterVerification() throws {
        let unverified: [ComplaintState] = [.baru, .perlu_info, .diarsipkan, .diteruskan]
        let verified: [ComplaintState] = [.didisposisikan, .diproses, .ditanggapi, .selesai]
        for state in unverified {
            let record = try F.record(in: state)
            #expect(!Visibility.isPublic(record, publication: .afterVerification), "\(state)")
            #expect(!Visibility.isListed(record, publication: .afterVerification), "\(state)")
            #expect(Visibility.isPublic(record, publication: .atSubmission), "\(state)")
        }
        for state in verified {
            let record = try F.record(in: state)
            #expect(Visibility.isPublic(record, publication: .afterVerification), "\(state)")
            #expect(Visibility.isListed(record, publication: .afterVerification), "\(state)")
        }
        // Once verified it stays published, also when a unit hands it back to the coordinator (new again).
        let walk = try F.walk(to: .didisposisikan)
        try walk.step(.returnToCoordinator, by: F.liaison(of: walk.record), texts: Texts(internal: "bukan kewenangan kami"), at: F.Clock.followedUp)
        #expect(walk.record.state == .baru)
        #expect(Visibility.isPublic(walk.record, publication: .afterVerification))
        // Verification never overrides privacy.
        let secret = try F.record(in: .didisposisikan, type: .wbs)
        for publication in Visibility.Publication.allCases { #expect(!Visibility.isPublic(secret, publication: publication)) }
        #expect(Visibility.Publication(rawValue: "verified") == .afterVerification)
        #expect(Visibility.Publication(rawValue: "submitted") == .atSubmission)
    }

    @Test("anonymity hides the reporter from everyone but the reporter, officers included")
    func anonymity() {
        for reader in Visibility.Reader.allCases {
            let identity = Visibility.identity(for: reader, anonymous: true)
            #expect(identity == (reader == .reporter ? .full : .none), "\(reader)")
        }
    }

    @Test("a named reporter: officers see everything, integrations and exports the contact without the NIK, the public nothing")
    func namedReporter() {
        #expect(Visibility.identity(for: .reporter, anonymous: false) == .full)
        #expect(Visibility.identity(for: .officer, anonymous: false) == .full)
        #expect(Visibility.identity(for: .integration, anonymous: false) == .contact)
        #expect(Visibility.identity(for: .export, anonymous: false) == .contact)
        #expect(Visibility.identity(for: .publicVisitor, anonymous: false) == .none)
        #expect(Visibility.identity(for: .webhook, anonymous: false) == .none)
    }

    @Test("internal texts and data stay with officers; integrations follow every event without them; the rest see public events")
    func timeline() {
        #expect(Visibility.timeline(for: .officer) == .everything)
        #expect(Visibility.timeline(for: .integration) == .allEventsWithoutInternal)
        for reader in [Visibility.Reader.publicVisitor, .reporter, .webhook, .export] {
            #expect(Visibility.timeline(for: reader) == .publicEvents, "\(reader)")
        }
        #expect(Visibility.Reader.allCases.filter(Visibility.seesWorkState) == [.officer, .integration])
        #expect(Visibility.Reader.allCases.filter(Visibility.seesAttachments) == [.reporter, .officer, .integration])
    }
}
