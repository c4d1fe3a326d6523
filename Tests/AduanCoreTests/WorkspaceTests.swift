import Foundation
import Testing
@testable import AduanCore

// The officer queues' arithmetic: countdowns in working days, suggested units, likely duplicates.

@Suite struct CountdownTests {
    let calendar = Fixture.calendar

    @Test func daysLeftCountOnlyWorkingDays() {
        // Friday 13 March 2026, due Wednesday 25 March (18-24 March are holidays and cuti bersama).
        let due = Fixture.endOf("2026-03-25")
        let friday = Countdown(due: due, now: Fixture.at("2026-03-13 15:00"), calendar: calendar)
        #expect(friday == Countdown(status: .onTrack, workingDays: 3))   // 16, 17, 25 March
        #expect(Countdown(due: due, now: Fixture.at("2026-03-17 08:00"), calendar: calendar) == Countdown(status: .dueSoon, workingDays: 1))
        #expect(Countdown(due: due, now: Fixture.at("2026-03-20 08:00"), calendar: calendar) == Countdown(status: .dueSoon, workingDays: 1))
        #expect(Countdown(due: due, now: Fixture.at("2026-03-25 23:59"), calendar: calendar) == Countdown(status: .dueSoon, workingDays: 0))
    }

    @Test func overdueCountsWorkingDaysSinceTheDueDay() {
        let due = Fixture.endOf("2026-04-09")  // Thursday
        #expect(Countdown(due: due, now: Fixture.at("2026-04-10 00:00:01"), calendar: calendar) == Countdown(status: .overdue, workingDays: 1))
        // Friday, then the weekend adds nothing, Monday is the second working day late.
        #expect(Countdown(due: due, now: Fixture.at("2026-04-12 10:00"), calendar: calendar) == Countdown(status: .overdue, workingDays: 1))
        #expect(Countdown(due: due, now: Fixture.at("2026-04-13 10:00"), calendar: calendar) == Countdown(status: .overdue, workingDays: 2))
    }

    @Test func urgencyPutsTheLongestOverdueFirst() {
        let list = [Countdown(status: .onTrack, workingDays: 4), Countdown(status: .overdue, workingDays: 1),
                    Countdown(status: .dueSoon, workingDays: 0), Countdown(status: .overdue, workingDays: 6)]
        #expect(list.sorted { $0.urgency < $1.urgency } == [list[3], list[1], list[2], list[0]])
    }
}

@Suite struct UnitSuggestionTests {
    func record(target: String?, jurisdiction: String = "63") -> ComplaintRecord {
        var r = ComplaintRecord(trackingID: "X", type: .pengaduan, channel: .web, state: .baru, jurisdiction: jurisdiction,
                                submittedAt: Fixture.Clock.submitted)
        r.targetUnit = target
        return r
    }

    @Test func qrCodeThenCategoryDefaultOneEntryPerUnit() {
        let qr = UnitSuggestion.units(for: record(target: "63/rsud-ulin"), cameThroughQRCode: true, categoryDefault: "63/dinkes", tree: Fixture.tree)
        #expect(qr == [UnitSuggestion(unit: "63/rsud-ulin", reasons: [.qrCode]), UnitSuggestion(unit: "63/dinkes", reasons: [.categoryDefault])])
        let same = UnitSuggestion.units(for: record(target: "63/dinkes"), cameThroughQRCode: false, categoryDefault: "63/dinkes", tree: Fixture.tree)
        #expect(same == [UnitSuggestion(unit: "63/dinkes", reasons: [.reporterTarget, .categoryDefault])])
    }

    @Test func unitsOfAnotherJurisdictionOrUnknownAreNotSuggested() {
        #expect(UnitSuggestion.units(for: record(target: "63.71/dinkes"), cameThroughQRCode: false, categoryDefault: "63/nope",
                                     tree: Fixture.tree).isEmpty)
        let inactive = Fixture.tree(adding: [.init(id: "63/old", jurisdiction: "63", name: "Old", kind: .agency, parent: nil, active: false)])
        #expect(UnitSuggestion.units(for: record(target: "63/old"), cameThroughQRCode: false, categoryDefault: nil, tree: inactive).isEmpty)
    }

    @Test func categoryDefaultIsInheritedFromTheNearestAncestor() {
        let defaults = ["kesehatan@63": "63/dinkes", "rs@63.71": "63.71/dinkes"]
        let parents = ["rs": "kesehatan", "rs-ugd": "rs", "loop-a": "loop-b", "loop-b": "loop-a"]
        #expect(UnitSuggestion.categoryDefault("rs-ugd", jurisdiction: "63", defaults: defaults, parents: parents) == "63/dinkes")
        #expect(UnitSuggestion.categoryDefault("rs-ugd", jurisdiction: "63.71", defaults: defaults, parents: parents) == "63.71/dinkes")
        #expect(UnitSuggestion.categoryDefault("loop-a", jurisdiction: "63", defaults: defaults, parents: parents) == nil)
        #expect(UnitSuggestion.categoryDefault(nil, jurisdiction: "63", defaults: defaults, parents: parents) == nil)
    }
}

@Suite struct DuplicateTests {
    let t0 = Fixture.Clock.submitted

    func item(_ id: String, _ title: String, _ body: String, unit: String? = nil, category: String? = nil, days: Double = 0,
              reporter: String? = nil, jurisdiction: String = "63") -> Duplicates.Item {
        Duplicates.Item(trackingID: id, title: title, body: body, jurisdiction: jurisdiction, unit: unit, category: category,
                        submittedAt: t0.addingTimeInterval(days * 86_400), reporterKey: reporter)
    }

    @Test func theSameRoadReportedTwiceIsTheTopCandidate() throws {
        let subject = item("A", "Jalan rusak di Jl. Ahmad Yani km 5", "Jalannya berlubang besar dekat pasar, sudah dua minggu belum diperbaiki.",
                           unit: "63/dpupr", category: "jalan")
        let others = [
            item("B", "Lubang besar Jl. Ahmad Yani km 5", "Jalan berlubang dekat pasar membahayakan pengendara motor.",
                 unit: "63/dpupr", category: "jalan", days: 2),
            item("C", "Antrean panjang RSUD Ulin", "Pelayanan poli penyakit dalam lambat sekali, menunggu lima jam.",
                 unit: "63/rsud-ulin", category: "kesehatan", days: 1),
            item("D", "Jalan rusak di Jl. Ahmad Yani km 5", "Jalannya berlubang besar dekat pasar, sudah dua minggu belum diperbaiki.",
                 unit: "63/dpupr", jurisdiction: "63.71"),
        ]
        let found = Duplicates.rank(subject, among: others)
        try #require(found.map(\.trackingID) == ["B"])
        #expect(found[0].signals.contains(.similarText) && found[0].signals.contains(.sameUnit) && found[0].signals.contains(.closeInTime))
        #expect(found[0].score > 0.35 && found[0].score <= 1)
    }

    @Test func identicalTextsScoreHighestAndTimeLowersTheScore() throws {
        let subject = item("A", "Sampah menumpuk di pasar lama", "Sampah menumpuk berhari-hari di pasar lama Banjarmasin, bau menyengat.")
        let near = item("B", subject.title, subject.body, days: 1)
        let far = item("C", subject.title, subject.body, days: 60)
        let found = Duplicates.rank(subject, among: [far, near])
        try #require(found.map(\.trackingID) == ["B", "C"])
        #expect(found[0].textSimilarity == 1 && found[0].score > found[1].score)
    }

    @Test func theSameReporterIsASignalButUnrelatedTextIsNotEnoughAlone() throws {
        let subject = item("A", "Lampu jalan mati", "Lampu penerangan jalan di kompleks kami mati semua.", reporter: "h1")
        let sameReporter = item("B", "Izin usaha lambat", "Pengurusan izin usaha di DPMPTSP lambat sekali.", days: 3, reporter: "h1")
        let stranger = item("C", "Izin usaha lambat", "Pengurusan izin usaha di DPMPTSP lambat sekali.", days: 3, reporter: "h2")
        let found = Duplicates.rank(subject, among: [sameReporter, stranger])
        try #require(found.map(\.trackingID) == ["B"])
        #expect(found[0].signals.contains(.sameReporter))
    }

    @Test func wordsIgnoreCaseAccentsStopwordsAndTheNyaSuffix() {
        let a = Duplicates.Words("JALANNYA rusak dan BERLUBANG, café")
        let b = Duplicates.Words("jalan Rusak berlubang cafe yang")
        #expect(a.set == ["jalan", "rusak", "berlubang", "cafe"])
        #expect(a.similarity(to: b) == 1)
        #expect(Duplicates.Words("").similarity(to: Duplicates.Words("")) == 0)
    }
}
