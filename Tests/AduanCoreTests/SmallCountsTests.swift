import Foundation
import Testing
@testable import AduanCore

// SPEC §9: "Small counts (fewer than 5) of confidential or whistleblowing complaints are never shown in public
// figures." Every expected result below is read off the rule's words: a count of 1 to 4 complaints that holds a
// confidential one is withheld; 0 and 5 or more are shown; what is computed over a withheld count goes with it.

@Suite("Small counts of confidential complaints (SPEC §9)")
struct SmallCountsTests {
    static let day = Fixture.at("2026-04-06 09:00")

    static func complaint(_ id: String, type: ComplaintType = .pengaduan, state: ComplaintState = .diproses, unit: String? = "63/dinkes",
                          channel: Channel = .web, confidential: Bool = false) -> ComplaintFacts {
        ComplaintFacts(trackingID: id, submittedAt: day, type: type, channel: channel, category: "kesehatan", state: state, jurisdiction: "63",
                       unit: unit, dispositionCount: unit == nil ? 0 : 1, confidential: confidential || type == .wbs)
    }

    static func summary(_ complaints: [ComplaintFacts]) -> MetricSummary {
        MetricEngine.summary(complaints: complaints, stages: [], now: day.addingTimeInterval(3600), calendar: { _ in Fixture.calendar })
    }

    static func sensitive(_ complaints: [ComplaintFacts]) -> SensitiveCounts {
        var s = SensitiveCounts()
        for c in complaints where c.confidential { s.add(c, month: 202604) }
        return s
    }

    @Test("the threshold: 1 to 4 with a confidential one are withheld; 0, 5 and more, or none confidential are shown")
    func threshold() {
        #expect(SmallCounts.threshold == 5)
        #expect(SmallCounts.isWithheld(count: 1, sensitive: 1))
        #expect(SmallCounts.isWithheld(count: 4, sensitive: 1))
        #expect(SmallCounts.isWithheld(count: 3, sensitive: 10))   // a bound larger than the count: still withheld
        #expect(!SmallCounts.isWithheld(count: 5, sensitive: 5))
        #expect(!SmallCounts.isWithheld(count: 4, sensitive: 0))
        #expect(!SmallCounts.isWithheld(count: 0, sensitive: 3))
    }

    @Test("two whistleblowing complaints among forty: the wbs count is withheld, the rest is shown")
    func whistleblowingCell() {
        let plain = (1...38).map { Self.complaint("P\($0)") }
        let wbs = [Self.complaint("W1", type: .wbs, unit: "63/inspektorat"), Self.complaint("W2", type: .wbs, unit: "63/inspektorat")]
        let all = plain + wbs
        let d = SmallCounts.summary(Self.summary(all), Self.sensitive(all))
        #expect(!d.population)
        #expect(d.withholds(.type, "wbs"))
        #expect(!d.withholds(.type, "pengaduan"))
        #expect(!d.withholds("received") && !d.withholds("dispositioned") && !d.withholds("followed_up_rate"))
        // Both wbs complaints are `diproses` like 38 others: that state's cell is large and shown.
        #expect(!d.withholds(.state, "diproses"))
        #expect(d.fields == ["by_type.wbs"])
    }

    @Test("a small cell of a breakdown holding a confidential complaint is withheld; a small cell without one is shown")
    func breakdownCells() {
        let plain = (1...10).map { Self.complaint("P\($0)") }
        let smsSecret = Self.complaint("S1", channel: .sms, confidential: true)
        let email = [Self.complaint("E1", channel: .email), Self.complaint("E2", channel: .email)]
        let all = plain + [smsSecret] + email
        let d = SmallCounts.summary(Self.summary(all), Self.sensitive(all))
        #expect(d.withholds(.channel, "sms"))
        #expect(!d.withholds(.channel, "email"))      // two complaints, none confidential
        #expect(!d.withholds(.channel, "web"))
    }

    @Test("fewer than 5 complaints with a confidential one: the whole population is withheld")
    func population() {
        let all = [Self.complaint("A"), Self.complaint("B", confidential: true), Self.complaint("C")]
        let d = SmallCounts.summary(Self.summary(all), Self.sensitive(all))
        #expect(d.population && d.withholds("received") && d.withholds("overdue_now") && d.withholds(.state, "diproses"))
        // Three complaints, none confidential: everything shown.
        let open = [Self.complaint("A"), Self.complaint("B"), Self.complaint("C")]
        #expect(SmallCounts.summary(Self.summary(open), Self.sensitive(open)).isEmpty)
    }

    @Test("a withheld count takes the figures computed over it along")
    func derived() {
        // 20 received, 3 dispositioned (one confidential): the dispositioned count and its rates are withheld.
        let waiting = (1...17).map { Self.complaint("N\($0)", state: .baru, unit: nil) }
        let handled = [Self.complaint("D1", state: .selesai), Self.complaint("D2"), Self.complaint("D3", confidential: true)]
        let all = waiting + handled
        let d = SmallCounts.summary(Self.summary(all), Self.sensitive(all))
        for field in ["dispositioned", "followed_up_rate", "completion_rate", "satisfaction_mean", "reopen_rate"] {
            #expect(d.withholds(field), "\(field) should go with the dispositioned count")
        }
        #expect(!d.withholds("received"))
        // One `selesai` complaint, not confidential: its cell and the rated share stay.
        #expect(!d.withholds(.state, "selesai") && !d.withholds("rated_share"))
    }

    @Test("as of a past date only the total is known: every cell is bounded by it")
    func bounded() {
        let bound = SensitiveCounts(bound: 2)
        #expect(!bound.exact && bound.cell(.channel, "web") == 2 && bound.unit("63/dinkes") == 2 && bound.month(202601) == 2)
        let plain = (1...10).map { Self.complaint("P\($0)") } + [Self.complaint("E1", channel: .email)]
        let d = SmallCounts.summary(Self.summary(plain), bound)
        #expect(d.withholds(.channel, "email"))   // 1 complaint that may be one of the 2 confidential ones
    }

    @Test("a unit's row is withheld when 1 to 4 of its complaints include a confidential one")
    func rows() {
        var m = UnitMetrics(unit: "63/inspektorat")
        m.dispositioned = 2
        #expect(SmallCounts.row(m, sensitive: 1))
        #expect(!SmallCounts.row(m, sensitive: 0))
        m.dispositioned = 7
        #expect(!SmallCounts.row(m, sensitive: 3))
    }

    @Test("inspectors over the scope read exact figures; executives and inspectors of a kota over the province do not")
    func readers() {
        let inspector = Officer(id: "ir", assignments: [RoleAssignment(role: .inspector, scope: .jurisdiction("63"))])
        let kota = Officer(id: "irkota", assignments: [RoleAssignment(role: .inspector, scope: .jurisdiction("63.71"))])
        let governor = Officer(id: "gub", assignments: [RoleAssignment(role: .executive, scope: .jurisdiction("63"))])
        #expect(SmallCounts.readsExactFigures(inspector, over: ["63", "63.71"], tree: Fixture.tree))
        #expect(SmallCounts.readsExactFigures(kota, over: ["63.71"], tree: Fixture.tree))
        #expect(!SmallCounts.readsExactFigures(kota, over: ["63"], tree: Fixture.tree))
        #expect(!SmallCounts.readsExactFigures(governor, over: ["63"], tree: Fixture.tree))
    }

    @Test("a unit with nothing in the period is quiet; one with a rating, a stage or a complaint is not")
    func quiet() {
        #expect(UnitMetrics(unit: "63/dpupr").hasNothing)
        var rated = UnitMetrics(unit: "63/dpupr"); rated.satisfactionMean = 4
        var late = UnitMetrics(unit: "63/dpupr"); late.overdueNow = 1
        var handled = UnitMetrics(unit: "63/dpupr"); handled.dispositioned = 1
        #expect(!rated.hasNothing && !late.hasNothing && !handled.hasNothing)
    }
}
