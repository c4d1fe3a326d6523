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
        let open = F.complaint()
        #expect(Visibility.isPublic(open))
        #expect(Visibility.isListed(open))

        #expect(!Visibility.isPublic(F.complaint(confidential: true)))
        #expect(!Visibility.isListed(F.complaint(confidential: true)))

        // Even a report that somehow lost its flag: whistleblowing is never public.
        #expect(!Visibility.isPublic(confidential: false, type: .wbs))
        for type in ComplaintType.allCases where type != .wbs {
            #expect(Visibility.isPublic(confidential: false, type: type))
            #expect(!Visibility.isPublic(confidential: true, type: type))
        }

        var spam = F.complaint()
        spam.archiveReason = .spam
        #expect(Visibility.isPublic(spam), "its page stays what it was; it is only kept out of the lists")
        #expect(!Visibility.isListed(spam))
        for reason in ArchiveReason.allCases where reason != .spam {
            #expect(Visibility.isListed(confidential: false, type: .pengaduan, archiveReason: reason))
        }
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
