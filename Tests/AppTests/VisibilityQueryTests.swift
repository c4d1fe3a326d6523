import AduanCore
import Fluent
import Foundation
import Testing
import Vapor
@testable import App

// The public list's query (`listedPublicly`, used by the portal's list and Open311) is the visibility policy's
// `isListed` written as SQL: on both engines it selects exactly the complaints the policy lists, and the API
// answers a public reader for exactly the complaints the policy calls public (SPEC §3, §9).

@Suite("Visibility: the public query and the policy agree")
struct VisibilityQueryTests {
    @Test("ordinary, anonymous, confidential, whistleblowing, spam and otherwise archived complaints (not a public service)")
    func publicQueryMatchesPolicy() async throws {
        try await TestHarness.withApp { app in
            _ = try await app.createOfficer("koord", .coordinator, "63")
            let ordinary = try await app.submit(["title": "Antrean panjang di RSUD"])
            let anonymous = try await app.submit(["title": "Lampu jalan padam", "anonymous": true])
            let confidential = try await app.submit(["title": "Pungutan liar di loket", "confidential": true])
            let wbs = try await app.submit(["title": "Dugaan suap pada pengadaan", "type": "wbs"])
            let spam = try await app.submit(["title": "Beli obat murah sekarang"])
            let outside = try await app.submit(["title": "Tetangga berisik setiap malam"])
            let coordinator = try await app.login("koord")
            #expect(try await app.act(coordinator, spam.tracking_id, "archive", ["reason": "spam"]).0 == .ok)
            let (archived, body) = try await app.act(coordinator, outside.tracking_id, "archive", ["reason": "bukan_pelayanan_publik"])
            #expect(archived == .ok, "\(body)")

            let all = try await Complaint.query(on: app.db).all()
            #expect(all.count == 6)
            for publication in Visibility.Publication.allCases {
                let listed = Set(try await Complaint.query(on: app.db).listedPublicly(publication).all().map(\.trackingID))
                #expect(listed == Set(all.filter { Visibility.isListed($0.record, publication: publication) }.map(\.trackingID)))
            }
            // Read against the story, not only against the policy: at submission everything not secret and not spam;
            // after verification (the default) nothing yet, since the coordinator verified none of them.
            #expect(Set(try await Complaint.query(on: app.db).listedPublicly(.atSubmission).all().map(\.trackingID))
                    == [ordinary.tracking_id, anonymous.tracking_id, outside.tracking_id])
            #expect(try await Complaint.query(on: app.db).listedPublicly(.afterVerification).count() == 0)

            for c in all {
                let (status, _) = try await app.get("/api/v1/complaints/\(c.trackingID)")
                #expect(status == .notFound, "unverified \(c.trackingID) \(c.type) \(c.confidential)")
            }

            // The coordinator verifies two; the ordinary one and the anonymous one are now public, the confidential
            // one still is not.
            for id in [ordinary.tracking_id, anonymous.tracking_id, confidential.tracking_id] {
                let (status, body) = try await app.act(coordinator, id, "verify", ["unit": "63/dinkes"])
                #expect(status == .ok, "\(body)")
            }
            let now = try await Complaint.query(on: app.db).all()
            let listed = Set(try await Complaint.query(on: app.db).listedPublicly(.afterVerification).all().map(\.trackingID))
            #expect(listed == Set(now.filter { Visibility.isListed($0.record, publication: .afterVerification) }.map(\.trackingID)))
            #expect(listed == [ordinary.tracking_id, anonymous.tracking_id])
            for c in now {
                let (status, _) = try await app.get("/api/v1/complaints/\(c.trackingID)")
                #expect(status == (listed.contains(c.trackingID) ? .ok : .notFound), "\(c.trackingID) \(c.type) \(c.confidential)")
            }
            #expect(![confidential.tracking_id, wbs.tracking_id].contains { id in
                now.contains { $0.trackingID == id && Visibility.isPublic($0.record, publication: .atSubmission) }
            })
        }
    }
}
