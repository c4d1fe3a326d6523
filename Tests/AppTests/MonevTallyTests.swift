import AduanCore
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import App

/// The stored monev counters (`monev_tally`) against the figures counted from the complaint and stage rows: both must
/// give the same numbers after every kind of event, so the fast dashboard never says something the rows do not.
@Suite("Monev: stored counters agree with the rows")
struct MonevTallyTests {
    static func at(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    /// Three months of complaints through the real API, covering what moves a complaint between counters: verify,
    /// follow-up, final answer, confirm and rating, dispute (reopening), return and redisposition to another unit,
    /// forwarding to a kabupaten/kota, forwarding outside, archiving, an extension, a merge, a request for
    /// information answered by the reporter, privacy, and the worker's sweeps (escalation, auto-close).
    static func story(_ app: Application) async throws {
        _ = try await OrgAdmin.createUnit(app, actor: "test", jurisdiction: "63.71", slug: "dinkes", name: "Dinas Kesehatan Kota Banjarmasin",
                                          kind: .agency, parent: nil)
        let koord = try await app.createOfficer("koord", .coordinator, "63")
        let koordKota = try await app.createOfficer("koordkota", .coordinator, "63.71")
        let dinkes = try await app.createOfficer("dinkes", .liaison, "63/dinkes")
        let dpupr = try await app.createOfficer("dpupr", .liaison, "63/dpupr")
        let kotaDinkes = try await app.createOfficer("kdinkes", .liaison, "63.71/dinkes")

        app.clock.set(at("2026-03-02T09:00:00+08:00"))
        let a = try await app.submit(["title": "Antrean panjang di puskesmas", "category": "kesehatan"])
        let b = try await app.submit(["title": "Jalan rusak di Martapura", "type": "aspirasi"])
        let c = try await app.submit(["title": "Sampah menumpuk di pasar", "jurisdiction": "63.71"])
        let d = try await app.submit(["title": "Lampu jalan mati", "confidential": true])
        app.clock.set(at("2026-03-03T10:00:00+08:00"))
        try #require(await app.act(koord, a.tracking_id, "verify", ["unit": "63/dinkes", "category": "kesehatan"]).0 == .ok)
        try #require(await app.act(koord, b.tracking_id, "verify", ["unit": "63/dinkes"]).0 == .ok)
        try #require(await app.act(koordKota, c.tracking_id, "verify", ["unit": "63.71/dinkes"]).0 == .ok)
        try #require(await app.act(koord, d.tracking_id, "archive", ["reason": "spam", "text": "Bukan pengaduan."]).0 == .ok)
        app.clock.set(at("2026-03-05T11:00:00+08:00"))
        try #require(await app.act(dinkes, a.tracking_id, "follow_up", ["text": "Sedang ditangani."]).0 == .ok)
        // B is not the health office's: returned, then redispositioned to public works, late.
        try #require(await app.act(dinkes, b.tracking_id, "return", ["text": "Bukan wewenang kami.", "internal_text": "Urusan PUPR"]).0 == .ok)
        app.clock.set(at("2026-03-16T09:00:00+08:00"))
        try #require(await app.act(koord, b.tracking_id, "verify", ["unit": "63/dpupr"]).0 == .ok)
        try #require(await app.act(dinkes, a.tracking_id, "request_extension", ["days": 5, "internal_text": "Perlu survei"]).0 == .ok)
        try #require(await app.act(koord, a.tracking_id, "decide_extension", ["approve": true]).0 == .ok)
        app.clock.set(at("2026-03-20T09:00:00+08:00"))
        try #require(await app.act(dinkes, a.tracking_id, "respond_final", ["text": "Jam layanan ditambah."]).0 == .ok)
        try #require(await app.reporter(a.secret, a.tracking_id, "dispute", ["text": "Masih antre panjang."]).0 == .ok)
        try #require(await app.act(kotaDinkes, c.tracking_id, "respond_final", ["text": "Sudah diangkut."]).0 == .ok)
        try #require(await app.reporter(c.secret, c.tracking_id, "confirm", [:]).0 == .ok)
        try #require(await app.reporter(c.secret, c.tracking_id, "feedback", ["rating": 4]).0 == .ok)

        app.clock.set(at("2026-04-06T09:00:00+08:00"))
        let e = try await app.submit(["title": "Sampah di Banjarbaru"])
        let f = try await app.submit(["title": "Sampah di Banjarbaru lagi"])
        let g = try await app.submit(["title": "Bantuan sosial belum cair"])
        let h = try await app.submit(["title": "Pungutan liar di sekolah", "type": "aspirasi"])
        app.clock.set(at("2026-04-07T09:00:00+08:00"))
        try #require(await app.act(koord, f.tracking_id, "merge", ["into": e.tracking_id, "text": "Laporan ganda."]).0 == .ok)
        try #require(await app.act(koord, e.tracking_id, "forward_jurisdiction", ["jurisdiction": "63.71", "text": "Diteruskan ke kota."]).0 == .ok)
        try #require(await app.act(koord, g.tracking_id, "forward_external", ["destination": "Kementerian Sosial", "external_ref": "KS-1",
                                                                              "text": "Diteruskan ke Kemensos."]).0 == .ok)
        try #require(await app.act(koord, h.tracking_id, "request_info", ["text": "Sekolah mana?"]).0 == .ok)
        app.clock.set(at("2026-04-08T09:00:00+08:00"))
        try #require(await app.reporter(h.secret, h.tracking_id, "reply", ["text": "SMA 1 Banjarmasin."]).0 == .ok)
        try #require(await app.act(koordKota, e.tracking_id, "verify", ["unit": "63.71/dinkes"]).0 == .ok)
        try #require(await app.act(dpupr, b.tracking_id, "respond_final", ["text": "Jalan sudah ditambal."]).0 == .ok)
        // A stays open past its resolution due; the worker escalates and auto-closes what is due.
        app.clock.set(at("2026-05-11T09:00:00+08:00"))
        let i = try await app.submit(["title": "Air PDAM keruh", "category": "kesehatan"])
        _ = try await Worker(app: app, transport: RecordingTransport()).runOnce()
        _ = i
    }

    /// Every figure of the two ways of counting, compared; sums of durations may differ in the last bits only.
    static func expectSame(_ stored: MonevQuery.Figures, _ rows: MonevQuery.Figures, _ what: String) throws {
        #expect(stored.stored && !rows.stored, "\(what): the stored counters were not used")
        func values<T: Encodable>(_ value: T) throws -> Any { try JSONSerialization.jsonObject(with: JSONEncoder().encode(value)) }
        func same(_ a: Any, _ b: Any, _ path: String) {
            switch (a, b) {
            case let (x as [String: Any], y as [String: Any]):
                #expect(Set(x.keys) == Set(y.keys), "\(what) \(path): keys \(x.keys.sorted()) vs \(y.keys.sorted())")
                for key in x.keys { if let yv = y[key] { same(x[key]!, yv, path + "." + key) } }
            case let (x as [Any], y as [Any]):
                #expect(x.count == y.count, "\(what) \(path): \(x.count) vs \(y.count) items")
                for (i, pair) in zip(x, y).enumerated() { same(pair.0, pair.1, "\(path)[\(i)]") }
            case let (x as NSNumber, y as NSNumber):
                #expect(abs(x.doubleValue - y.doubleValue) <= 1e-9, "\(what) \(path): \(x) vs \(y)")
            default:
                #expect("\(a)" == "\(b)", "\(what) \(path): \(a) vs \(b)")
            }
        }
        same(try values(stored.summary), try values(rows.summary), "summary")
        same(try values(stored.units), try values(rows.units), "units")
        #expect(stored.jurisdictions.keys.sorted() == rows.jurisdictions.keys.sorted(), "\(what): jurisdictions")
        for (code, s) in stored.jurisdictions { same(try values(s), try values(rows.jurisdictions[code]), "jurisdiction \(code)") }
        #expect(stored.receivedByMonth == rows.receivedByMonth, "\(what): received by month")
        #expect(stored.publicCount == rows.publicCount && stored.overdueCount == rows.overdueCount, "\(what): public or overdue count")
        #expect(stored.overdue.map(\.stage.complaintTrackingID) == rows.overdue.map(\.stage.complaintTrackingID), "\(what): overdue list")
        #expect(zip(stored.overdue, rows.overdue).allSatisfy { abs($0.ageDays - $1.ageDays) < 1e-9 }, "\(what): overdue ages")
    }

    static func compareAll(_ app: Application, now: Date) async throws {
        let reference = try await app.reference.get(on: app.db)
        let calendar = reference.calendar(for: "63")
        let handling = reference.tree.units.values.filter { $0.active && $0.kind != .coordinator }.map(\.id)
        func day(_ text: String) -> Date { calendar.startOfDay(LocalDate(text)!) }
        let periods: [(Date?, Date?)] = [
            Period(kind: .year, year: 2026)!.bounds(in: calendar), Period(kind: .quarter, year: 2026, index: 1)!.bounds(in: calendar),
            Period(kind: .month, year: 2026, index: 3)!.bounds(in: calendar), Period(kind: .month, year: 2026, index: 4)!.bounds(in: calendar),
            Period(kind: .month, year: 2026, index: 6)!.bounds(in: calendar), (nil, nil),
        ].map { ($0.0, $0.1) } + [
            // Periods that cut months: the edge days come from the day counters.
            (day("2026-03-03"), day("2026-04-08")), (day("2026-03-15"), day("2026-03-20")), (day("2026-02-20"), day("2026-05-01")),
            (day("2026-04-01"), day("2026-05-12")), (nil, day("2026-04-07")), (day("2026-03-16"), nil),
        ]
        // As of past days: today's counters minus the changes since (whole months), or the events (a cut period).
        let pastDays = ["2026-03-02", "2026-03-04", "2026-03-16", "2026-03-31", "2026-04-07", "2026-04-30"].map {
            MonevQuery.asOfInstant(of: LocalDate($0)!, in: calendar)
        }.filter { $0 < now }
        for codes in [["63"], ["63.71"], reference.tree.jurisdictionSubtree("63").sorted()] {
            for (from, to) in periods {
                for asOf in [nil] + pastDays {
                    func figures(_ fromRows: Bool) async throws -> MonevQuery.Figures {
                        try await MonevQuery.figures(on: app.db, reference: reference, jurisdictions: codes, from: from, to: to, now: asOf ?? now,
                                                     asOf: asOf, weights: .standard, including: handling, fromRows: fromRows)
                    }
                    let stored = try await figures(false)
                    let what = "\(codes.count == 1 ? codes[0] : "63 + sub") \(String(describing: from))-\(String(describing: to)) as of \(String(describing: asOf))"
                    if stored.stored { try expectSame(stored, try await figures(true), what) }
                    #expect(stored.stored || (asOf != nil && MonevQuery.Plan(from: from, to: to, asOf: nil, jurisdictions: codes, reference: reference) != nil),
                            "\(what): the counters should answer")
                }
            }
        }
    }

    @Test("after a lifecycle covering every kind of move, the stored counters equal the figures counted from the rows")
    func agreement() async throws {
        try await TestHarness.withApp { app in
            try await Self.story(app)
            let now = app.clock.now
            let reference = try await app.reference.get(on: app.db)
            let differences = try await MonevCheck.run(on: app.db, reference: reference)
            #expect(differences.isEmpty, "\(differences.prefix(5))")
            try await Self.compareAll(app, now: now)
            // Later: more stages overdue; still the same.
            try await Self.compareAll(app, now: Self.at("2026-07-01T09:00:00+08:00"))

            // A province-wide year has figures in it (the comparison is not of two empty sets).
            let year = Period(kind: .year, year: 2026)!.bounds(in: reference.calendar(for: "63"))
            let f = try await MonevQuery.figures(on: app.db, reference: reference, jurisdictions: reference.tree.jurisdictionSubtree("63").sorted(),
                                                 from: year.from, to: year.to, now: now, weights: .standard)
            #expect(f.stored && f.summary.received == 9 && f.summary.dispositioned >= 4 && f.summary.reopenRate != nil)
            #expect(f.summary.medianPrecisionDays == 0, "exact medians")
            #expect(f.summary.byState["diteruskan"] == 1 && f.summary.archivedByReason["spam"] == 1 && f.publicCount == 8)
            #expect(f.receivedByMonth == [202603: 4, 202604: 4, 202605: 1])
        }
    }

    @Test("rebuild recomputes the same counters; check finds a tampered one by each of its comparisons; the unit scope counts the rows")
    func rebuildAndCheck() async throws {
        try await TestHarness.withApp { app in
            try await Self.story(app)
            let reference = try await app.reference.get(on: app.db)
            let sql = app.db as! any SQLDatabase
            struct Row: Decodable, Equatable { var b: Int; var jurisdiction_code: String; var unit_id: String; var metric: String; var key: String; var n: Int }
            func rows(_ table: String, _ bucket: String) async throws -> [Row] {
                try await sql.select().column(SQLAlias(SQLIdentifier(bucket), as: SQLIdentifier("b")))
                    .columns("jurisdiction_code", "unit_id", "metric", "key", "n").from(table)
                    .where("n", .notEqual, SQLBind(0))
                    .orderBy(bucket).orderBy("jurisdiction_code").orderBy("unit_id").orderBy("metric").orderBy("key").all(decoding: Row.self)
            }
            let before = try await rows("monev_tally", "month"), days = try await rows("monev_tally_day", "day")
            #expect(before.count > 50 && days.count > before.count)
            let result = try await MonevTally.rebuild(on: app.db, reference: reference)
            #expect(result.complaints == 9)
            #expect(try await rows("monev_tally", "month") == before)
            #expect(try await rows("monev_tally_day", "day") == days)

            // A counter changed by hand: every comparison sees it (the tables disagree, the rows say otherwise, a
            // recomputation too).
            try await sql.raw("UPDATE monev_tally SET n = n + 1 WHERE metric = 'received' AND unit_id = '' AND month = 202604 AND jurisdiction_code = '63'").run()
            let differences = try await MonevCheck.run(on: app.db, reference: reference)
            #expect(Set(differences.map(\.check)) == [1, 2, 3], "\(differences)")
            try await MonevTally.rebuild(on: app.db, reference: reference)
            #expect(try await MonevCheck.run(on: app.db, reference: reference).isEmpty)
            // A change lost from the day log only: the tables disagree.
            try await sql.raw("DELETE FROM monev_changes WHERE metric = 'state' AND key = 'selesai'").run()
            #expect(Set(try await MonevCheck.run(on: app.db, reference: reference).map(\.check)) == [1, 3])
            // A complaint row edited behind the counters' back (its state): the SQL counts and the recomputation see it.
            try await MonevTally.rebuild(on: app.db, reference: reference)
            try await sql.raw("UPDATE complaints SET state = 'selesai' WHERE state = 'diteruskan'").run()
            #expect(Set(try await MonevCheck.run(on: app.db, reference: reference).map(\.check)) == [2, 3])

            let unit = try await MonevQuery.figures(on: app.db, reference: reference, jurisdictions: [], unit: "63/dinkes", from: nil, to: nil,
                                                    now: app.clock.now, weights: .standard)
            #expect(!unit.stored)
        }
    }

    @Test("counters written under another version are recomputed when the application starts")
    func versionedRebuild() async throws {
        try await TestHarness.withApp { app in
            try await Self.story(app)
            let sql = app.db as! any SQLDatabase
            try await sql.raw("UPDATE monev_tally SET n = n + 5 WHERE metric = 'received'").run()
            try await MonevTally.setVersion(1, on: app.db)
            try await MonevTally.ensureCurrent(app)
            #expect(try await MonevCheck.run(on: app.db, reference: try await app.reference.get(on: app.db)).isEmpty)
            #expect(try await Setting.find(MonevTally.versionSetting, on: app.db)?.value == String(Tally.version))
        }
    }
}
