import Foundation
import Testing
@testable import AduanCore

@Suite("Issue 17: the limiter's rule, client addresses, role grants")
struct SecurityRulesTests {
    static let bucket = AttemptBucket(key: "signin:officer:a|1.2.3.4", subject: "signin:officer:a", limit: 5, window: 900, backOff: true)
    static let shared = AttemptBucket(key: "signin:officer:a", subject: "signin:officer:a", limit: 50, window: 3600, backOff: false)

    @Test("a bucket lets exactly `limit` tries through per window, refused tries are not counted, the window ends on time")
    func limitAndWindow() {
        var counters: [String: AttemptCounter] = [:]
        var allowed = 0
        for _ in 0..<40 {
            let decision = AttemptRule.reserve(counters, in: [Self.bucket, Self.shared], now: 1_000)
            counters.merge(decision.counters) { $1 }
            if decision.allowed { allowed += 1 }
        }
        #expect(allowed == 5)
        // Refused tries counted nowhere: the account-wide bucket holds the 5 checked tries only.
        #expect(counters[Self.shared.key]?.failures == 5)
        // The address's bucket backs off while it keeps trying: its window ends 900 s after the last refusal.
        #expect(counters[Self.bucket.key]?.windowEnds == 1_900)
        let later = AttemptRule.reserve(counters, in: [Self.bucket], now: 1_000 + 899)
        #expect(!later.allowed && later.retryAfter == 900)
        counters.merge(later.counters) { $1 }
        #expect(AttemptRule.reserve(counters, in: [Self.bucket], now: 1_899 + 900).allowed)
    }

    @Test("a bucket without back-off (an account's own, which anyone can fill) ends on time however often it is tried")
    func noBackOffForShared() {
        let small = AttemptBucket(key: "k", subject: "k", limit: 1, window: 100, backOff: false)
        var counters = AttemptRule.reserve([:], in: [small], now: 0).counters
        for t in stride(from: 1, to: 100, by: 10) {
            let d = AttemptRule.reserve(counters, in: [small], now: Int64(t))
            #expect(!d.allowed)
            counters.merge(d.counters) { $1 }
        }
        #expect(counters["k"]?.windowEnds == 100)
        #expect(AttemptRule.reserve(counters, in: [small], now: 100).allowed)
    }

    @Test("a right answer gives back its own try only")
    func release() {
        let c = AttemptCounter(failures: 3, windowEnds: 50)
        #expect(AttemptRule.release(c, now: 10) == AttemptCounter(failures: 2, windowEnds: 50))
        #expect(AttemptRule.release(c, now: 50) == nil)
        #expect(AttemptRule.release(AttemptCounter(failures: 0, windowEnds: 50), now: 10) == nil)
    }

    @Test("policies: the subject at an address, the address, the subject everywhere")
    func policies() {
        let buckets = SecretPolicy.signIn.buckets(subject: "officer:admin", address: "203.0.113.7")
        #expect(buckets.map(\.key) == ["signin:officer:admin|203.0.113.7", "signin@203.0.113.7", "signin:officer:admin"])
        #expect(buckets.map(\.limit) == [5, 30, 50])
        #expect(buckets.map(\.backOff) == [true, true, false])
        // The PIN of one complaint: ten a day from everywhere.
        let pin = SecretPolicy.reporterPIN.buckets(subject: "complaint:ABC", address: "x")
        #expect(pin.last?.limit == 10 && pin.last?.window == 86_400)
        // An attacker at one address fills their own bucket long before the account's: the officer elsewhere still gets in.
        var counters: [String: AttemptCounter] = [:]
        for _ in 0..<1_000 { counters.merge(AttemptRule.reserve(counters, in: buckets, now: 0).counters) { $1 } }
        let elsewhere = SecretPolicy.signIn.buckets(subject: "officer:admin", address: "198.51.100.1")
        #expect(AttemptRule.reserve(counters, in: elsewhere, now: 0).allowed)
    }

    @Test("client addresses: IPv4 as is, IPv6 by its /64, IPv4-mapped as IPv4")
    func addresses() {
        #expect(ClientAddress.bucket("203.0.113.7") == "203.0.113.7")
        #expect(ClientAddress.bucket("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64")
        #expect(ClientAddress.bucket("2001:DB8:1:2:ffff:ffff:ffff:ffff") == "2001:db8:1:2::/64")
        #expect(ClientAddress.bucket("::1") == "0:0:0:0::/64")
        #expect(ClientAddress.bucket("::ffff:192.0.2.9") == "192.0.2.9")
        #expect(ClientAddress.bucket("fe80::1%eth0") == "fe80:0:0:0::/64")
        #expect(ClientAddress.bucket("1:2:3:4:5:6:7:8:9") == "1:2:3:4:5:6:7:8:9")  // not an address: kept whole
        #expect(ClientAddress.bucket("") == "unknown")
    }

    @Test("grants that reach confidential or whistleblowing complaints, and sysadmin, need a second administrator")
    func secondApproval() throws {
        let tree = Fixture.tree
        let needs = { (role: Role, scope: String) in AdminScope.needsSecondApproval(RoleAssignment(role: role, scope: Scope(scope)!), tree: tree) }
        #expect(needs(.coordinator, "63") && needs(.inspector, "63") && needs(.sysadmin, "63.71"))
        #expect(needs(.liaison, "63/inspektorat") && needs(.unit_head, "63/inspektorat"))
        #expect(!needs(.liaison, "63/dinkes") && !needs(.unit_head, "63/dinkes") && !needs(.executive, "63"))

        let admin = AdminScope(officer: Officer(id: "admin", assignments: [RoleAssignment(role: .sysadmin, scope: .jurisdiction("63"))]), tree: tree)
        let inspector = RoleAssignment(role: .inspector, scope: .jurisdiction("63"))
        #expect(admin.approvalProblem(actor: "admin", requester: "admin2", grantee: "admin", inspector) == .ownRoles)
        #expect(admin.approvalProblem(actor: "admin", requester: "admin", grantee: "rina", inspector) == .ownRequest)
        #expect(admin.approvalProblem(actor: "admin", requester: "admin2", grantee: "rina", inspector) == nil)
        let kab = AdminScope(officer: Officer(id: "k", assignments: [RoleAssignment(role: .sysadmin, scope: .jurisdiction("63.71"))]), tree: tree)
        #expect(kab.approvalProblem(actor: "k", requester: "admin", grantee: "rina", inspector) == .outsideScope)
        #expect(Scope("63.71/dinkes")!.jurisdiction == "63.71" && Scope("63")!.jurisdiction == "63")
    }
}
