import Foundation
import Testing
@testable import AduanCore

// The monev figures of SPEC §8 over a small, hand-built month of complaints in Kalimantan Selatan.
//
// Every expected number below is worked out by hand in the comments, never by the code under test.
// Working time is counted in hours first (a working day is 24 h of a working date, SPEC §5) and divided
// by 24 at the end. The province calendar is WITA, Monday to Friday, with the 2026 national list
// (Good Friday 3 April; Nyepi and Lebaran 18-24 March). Kota Banjarmasin (63.71) also closes on
// Thursday 16 April, a local holiday, so its stages must be measured on its own calendar.
//
// Dates used: Fri 13 Mar; Mon 16, Tue 17 Mar; holidays 18-24 Mar; Wed 25, Thu 26, Fri 27 Mar;
// Mon 30, Tue 31 Mar; Wed 1, Thu 2 Apr; Fri 3 Apr holiday; Mon 6 ... Fri 10; Mon 13 ... Fri 17; Mon 20 Apr.

private enum Month {
    static let at = Fixture.at
    static let endOf = Fixture.endOf

    /// The report is run on Monday 20 April 2026 at 10:00 WITA.
    static let now = at("2026-04-20 10:00")

    static let kotaCalendar = WorkingCalendar(
        timeZone: WorkingCalendar.wita, holidays: Fixture.holidays.union([LocalDate("2026-04-16")!]))

    static func calendar(_ jurisdiction: String) -> WorkingCalendar {
        jurisdiction == "63.71" ? kotaCalendar : Fixture.calendar
    }

    // C1 — the plain walk over a holiday weekend, rated 5.
    //   V1 Thu 2 Apr 15:00 -> Mon 6 Apr 09:00. Due(3): 6, 7, 8 Apr -> 8 Apr 23:59:59. On time.
    //      2 Apr 9 h + 3 Apr holiday + weekend + 6 Apr 9 h = 18 h = 0.75 HK.
    //   R1 63/dinkes Mon 6 Apr 09:00 -> follow-up Wed 8 Apr 09:00. Due(5): 7, 8, 9, 10, 13 -> 13 Apr. On time.
    //      15 + 24 + 9 = 48 h = 2.0 HK.
    //   S1 63/dinkes (sederhana, 5) Mon 6 Apr 09:00 -> final answer Fri 10 Apr 09:00. Due 13 Apr. On time.
    //      15 + 24 + 24 + 24 + 9 = 96 h = 4.0 HK. Confirmed, rated 5: selesai.
    //
    // C2 — answered, rated 2, then disputed (reopened); the new resolution stage is now overdue.
    //   V2 Mon 6 Apr 08:00 -> 12:00. Due 9 Apr. On time. 4 h.
    //   R2 63/dinkes Mon 6 Apr 12:00 -> final answer Tue 7 Apr 12:00. Due 13 Apr. On time. 12 + 12 = 24 h.
    //   S2a 63/dinkes same start and end, due 13 Apr. On time. 24 h.
    //   Rated 2 on 8 Apr 11:00 while ditanggapi; disputed 8 Apr 12:00: reopen count 1, state diproses.
    //   S2b 63/dinkes Wed 8 Apr 12:00, due(5): 9, 10, 13, 14, 15 -> 15 Apr 23:59:59. Open, overdue now.
    //
    // C3 — dispositioned to RSUD Ulin, returned, redispositioned to Dinas PUPR (two response stages, two units).
    //   V3a Tue 7 Apr 09:00 -> 10:00. Due 10 Apr. On time. 1 h.
    //   R3a 63/rsud-ulin Tue 7 Apr 10:00 -> return Thu 9 Apr 10:00. Due 14 Apr. On time. 14 + 24 + 10 = 48 h.
    //   S3a 63/rsud-ulin (tanpa_pemeriksaan, 14) same start, ended by the return. Due 27 Apr. On time. 48 h.
    //   V3b Thu 9 Apr 10:00 (back at the coordinator) -> redispose Fri 10 Apr 10:00. Due 14 Apr. 14 + 10 = 24 h.
    //   R3b 63/dpupr Fri 10 Apr 10:00 -> follow-up Mon 20 Apr 09:00. Due(5): 13 ... 17 -> 17 Apr. LATE.
    //      10 Apr 14 h + weekend + 13-17 Apr 5 × 24 h + 20 Apr 9 h = 143 h.
    //   S3b 63/dpupr (14) Fri 10 Apr 10:00, due 30 Apr. Open, not yet due. State diproses, 2 dispositions.
    //
    // C4 — the SPEC §5 example, then an extension that saves the resolution stage.
    //   V4 Fri 13 Mar 15:00 -> Wed 25 Mar 10:00. Due 25 Mar 23:59:59 (SPEC §5). On time.
    //      13 Mar 9 h + weekend + 16, 17 Mar 48 h + 18-24 Mar holidays + 25 Mar 10 h = 67 h.
    //   R4 63/dpupr Wed 25 Mar 10:00 -> follow-up Thu 2 Apr 15:00. Due(5): 26, 27, 30, 31 Mar, 1 Apr -> 1 Apr. LATE.
    //      25 Mar 14 h + 5 × 24 h + 2 Apr 15 h = 149 h.
    //   S4 63/dpupr (sederhana, 5) Wed 25 Mar 10:00, due 1 Apr; 3 days' extension approved -> due(8):
    //      26, 27, 30, 31 Mar, 1, 2, 6, 7 Apr -> 7 Apr (the stored due is the rescheduled one).
    //      Final answer Mon 6 Apr 10:00: on time only thanks to the extension.
    //      25 Mar 14 h + 26 Mar-2 Apr 6 × 24 h + 3 Apr holiday + weekend + 6 Apr 10 h = 168 h = 7.0 HK.
    //   Confirmed, not rated: selesai.
    //
    // C5 — submitted to the province, forwarded to Kota Banjarmasin (two verification stages, two calendars).
    //   V5a 63 Mon 13 Apr 09:00 -> forward Tue 14 Apr 09:00. Due 16 Apr. On time. 15 + 9 = 24 h.
    //   V5b 63.71 Tue 14 Apr 09:00 -> verify Fri 17 Apr 09:00. Due(3) on the kota calendar: 15, 17, 20 -> 20 Apr.
    //      On time. 14 Apr 15 h + 15 Apr 24 h + 16 Apr local holiday + 17 Apr 9 h = 48 h = 2.0 HK
    //      (the province calendar would say 72 h = 3.0 HK).
    //   R5 63.71/dinkes Fri 17 Apr 09:00, due 24 Apr; S5 63.71/dinkes, due 8 May. Both open, not yet due.
    //
    // C6 — archived as spam. V6 Tue 14 Apr 09:00 -> Wed 15 Apr 09:00. Due 17 Apr. On time. 24 h.
    // C7 — never verified. V7 Wed 8 Apr 14:00, due(3): 9, 10, 13 -> 13 Apr 23:59:59. Open, overdue now.
    // C8 — archived late (bukan pelayanan publik). V8 Mon 30 Mar 09:00 -> Mon 6 Apr 09:00. Due(3): 31 Mar, 1, 2 Apr
    //      -> 2 Apr. LATE (frozen flag true). 15 + 24 + 24 + 24 + 3 Apr holiday + weekend + 9 = 96 h.
    // C9 — forwarded outside (diteruskan). V9 Wed 15 Apr 09:00 -> 15:00. Due 20 Apr. A row from before the late
    //      flag (nil): the timestamps decide, on time. 6 h.

    static let complaints: [ComplaintFacts] = [
        ComplaintFacts(trackingID: "C1", submittedAt: at("2026-04-02 15:00"), type: .pengaduan, channel: .web,
                       category: "kesehatan", state: .selesai, jurisdiction: "63", unit: "63/dinkes",
                       dispositionCount: 1, rating: 5),
        ComplaintFacts(trackingID: "C2", submittedAt: at("2026-04-06 08:00"), type: .pengaduan, channel: .web,
                       category: "kesehatan", state: .diproses, jurisdiction: "63", unit: "63/dinkes",
                       dispositionCount: 1, reopenCount: 1, rating: 2),
        ComplaintFacts(trackingID: "C3", submittedAt: at("2026-04-07 09:00"), type: .aspirasi, channel: .qr,
                       category: "jalan", state: .diproses, jurisdiction: "63", unit: "63/dpupr",
                       dispositionCount: 2),
        ComplaintFacts(trackingID: "C4", submittedAt: at("2026-03-13 15:00"), type: .permintaan_informasi,
                       channel: .officer, state: .selesai, jurisdiction: "63", unit: "63/dpupr", dispositionCount: 1),
        ComplaintFacts(trackingID: "C5", submittedAt: at("2026-04-13 09:00"), type: .pengaduan, channel: .web,
                       category: "kesehatan", state: .didisposisikan, jurisdiction: "63.71", unit: "63.71/dinkes",
                       dispositionCount: 1),
        ComplaintFacts(trackingID: "C6", submittedAt: at("2026-04-14 09:00"), type: .pengaduan, channel: .whatsapp,
                       state: .diarsipkan, jurisdiction: "63", archiveReason: .spam),
        ComplaintFacts(trackingID: "C7", submittedAt: at("2026-04-08 14:00"), type: .pengaduan, channel: .web,
                       category: "jalan", state: .baru, jurisdiction: "63"),
        ComplaintFacts(trackingID: "C8", submittedAt: at("2026-03-30 09:00"), type: .aspirasi, channel: .sms,
                       state: .diarsipkan, jurisdiction: "63", archiveReason: .bukan_pelayanan_publik),
        ComplaintFacts(trackingID: "C9", submittedAt: at("2026-04-15 09:00"), type: .pengaduan, channel: .email,
                       state: .diteruskan, jurisdiction: "63"),
    ]

    static let stages: [StageFacts] = [
        // C1
        StageFacts(complaintTrackingID: "C1", kind: .verification, jurisdiction: "63",
                   startedAt: at("2026-04-02 15:00"), dueAt: endOf("2026-04-08"), endedAt: at("2026-04-06 09:00"), late: false),
        StageFacts(complaintTrackingID: "C1", kind: .response, jurisdiction: "63", unit: "63/dinkes",
                   startedAt: at("2026-04-06 09:00"), dueAt: endOf("2026-04-13"), endedAt: at("2026-04-08 09:00"), late: false),
        StageFacts(complaintTrackingID: "C1", kind: .resolution, jurisdiction: "63", unit: "63/dinkes",
                   startedAt: at("2026-04-06 09:00"), dueAt: endOf("2026-04-13"), endedAt: at("2026-04-10 09:00"), late: false),
        // C2
        StageFacts(complaintTrackingID: "C2", kind: .verification, jurisdiction: "63",
                   startedAt: at("2026-04-06 08:00"), dueAt: endOf("2026-04-09"), endedAt: at("2026-04-06 12:00"), late: false),
        StageFacts(complaintTrackingID: "C2", kind: .response, jurisdiction: "63", unit: "63/dinkes",
                   startedAt: at("2026-04-06 12:00"), dueAt: endOf("2026-04-13"), endedAt: at("2026-04-07 12:00"), late: false),
        StageFacts(complaintTrackingID: "C2", kind: .resolution, jurisdiction: "63", unit: "63/dinkes",
                   startedAt: at("2026-04-06 12:00"), dueAt: endOf("2026-04-13"), endedAt: at("2026-04-07 12:00"), late: false),
        StageFacts(complaintTrackingID: "C2", kind: .resolution, jurisdiction: "63", unit: "63/dinkes",
                   startedAt: at("2026-04-08 12:00"), dueAt: endOf("2026-04-15")),
        // C3
        StageFacts(complaintTrackingID: "C3", kind: .verification, jurisdiction: "63",
                   startedAt: at("2026-04-07 09:00"), dueAt: endOf("2026-04-10"), endedAt: at("2026-04-07 10:00"), late: false),
        StageFacts(complaintTrackingID: "C3", kind: .response, jurisdiction: "63", unit: "63/rsud-ulin",
                   startedAt: at("2026-04-07 10:00"), dueAt: endOf("2026-04-14"), endedAt: at("2026-04-09 10:00"), late: false),
        StageFacts(complaintTrackingID: "C3", kind: .resolution, jurisdiction: "63", unit: "63/rsud-ulin",
                   startedAt: at("2026-04-07 10:00"), dueAt: endOf("2026-04-27"), endedAt: at("2026-04-09 10:00"), late: false),
        StageFacts(complaintTrackingID: "C3", kind: .verification, jurisdiction: "63",
                   startedAt: at("2026-04-09 10:00"), dueAt: endOf("2026-04-14"), endedAt: at("2026-04-10 10:00"), late: false),
        StageFacts(complaintTrackingID: "C3", kind: .response, jurisdiction: "63", unit: "63/dpupr",
                   startedAt: at("2026-04-10 10:00"), dueAt: endOf("2026-04-17"), endedAt: at("2026-04-20 09:00"), late: true),
        StageFacts(complaintTrackingID: "C3", kind: .resolution, jurisdiction: "63", unit: "63/dpupr",
                   startedAt: at("2026-04-10 10:00"), dueAt: endOf("2026-04-30")),
        // C4
        StageFacts(complaintTrackingID: "C4", kind: .verification, jurisdiction: "63",
                   startedAt: at("2026-03-13 15:00"), dueAt: endOf("2026-03-25"), endedAt: at("2026-03-25 10:00"), late: false),
        StageFacts(complaintTrackingID: "C4", kind: .response, jurisdiction: "63", unit: "63/dpupr",
                   startedAt: at("2026-03-25 10:00"), dueAt: endOf("2026-04-01"), endedAt: at("2026-04-02 15:00"), late: true),
        StageFacts(complaintTrackingID: "C4", kind: .resolution, jurisdiction: "63", unit: "63/dpupr",
                   startedAt: at("2026-03-25 10:00"), dueAt: endOf("2026-04-07"), endedAt: at("2026-04-06 10:00"), late: false),
        // C5
        StageFacts(complaintTrackingID: "C5", kind: .verification, jurisdiction: "63",
                   startedAt: at("2026-04-13 09:00"), dueAt: endOf("2026-04-16"), endedAt: at("2026-04-14 09:00"), late: false),
        StageFacts(complaintTrackingID: "C5", kind: .verification, jurisdiction: "63.71",
                   startedAt: at("2026-04-14 09:00"), dueAt: endOf("2026-04-20"), endedAt: at("2026-04-17 09:00"), late: false),
        StageFacts(complaintTrackingID: "C5", kind: .response, jurisdiction: "63.71", unit: "63.71/dinkes",
                   startedAt: at("2026-04-17 09:00"), dueAt: endOf("2026-04-24")),
        StageFacts(complaintTrackingID: "C5", kind: .resolution, jurisdiction: "63.71", unit: "63.71/dinkes",
                   startedAt: at("2026-04-17 09:00"), dueAt: endOf("2026-05-08")),
        // C6 - C9
        StageFacts(complaintTrackingID: "C6", kind: .verification, jurisdiction: "63",
                   startedAt: at("2026-04-14 09:00"), dueAt: endOf("2026-04-17"), endedAt: at("2026-04-15 09:00"), late: false),
        StageFacts(complaintTrackingID: "C7", kind: .verification, jurisdiction: "63",
                   startedAt: at("2026-04-08 14:00"), dueAt: endOf("2026-04-13")),
        StageFacts(complaintTrackingID: "C8", kind: .verification, jurisdiction: "63",
                   startedAt: at("2026-03-30 09:00"), dueAt: endOf("2026-04-02"), endedAt: at("2026-04-06 09:00"), late: true),
        StageFacts(complaintTrackingID: "C9", kind: .verification, jurisdiction: "63",
                   startedAt: at("2026-04-15 09:00"), dueAt: endOf("2026-04-20"), endedAt: at("2026-04-15 15:00"), late: nil),
    ]
}

/// Floating-point figures are compared to 1e-9: every expectation is an exact fraction written out by hand.
private func expectClose(_ actual: Double?, _ expected: Double?, _ what: String,
                         sourceLocation: SourceLocation = #_sourceLocation) {
    switch (actual, expected) {
    case (nil, nil): return
    case let (a?, e?): #expect(abs(a - e) < 1e-9, "\(what): \(a) is not \(e)", sourceLocation: sourceLocation)
    default: Issue.record("\(what): \(String(describing: actual)) is not \(String(describing: expected))", sourceLocation: sourceLocation)
    }
}

@Suite("Monev metrics (SPEC §8)")
struct MetricsTests {
    let summary = MetricEngine.summary(complaints: Month.complaints, stages: Month.stages, now: Month.now, scope: ["63", "63.71"],
                                       calendar: Month.calendar)

    @Test("counts: received, by type, channel, category and state, archived, forwarded")
    func counts() {
        // Given the nine complaints of the month, when the summary is computed, then:
        #expect(summary.received == 9)
        // pengaduan C1 C2 C5 C6 C7 C9; aspirasi C3 C8; permintaan_informasi C4.
        #expect(summary.byType == ["pengaduan": 6, "aspirasi": 2, "permintaan_informasi": 1])
        // web C1 C2 C5 C7; one each of qr C3, officer C4, whatsapp C6, sms C8, email C9.
        #expect(summary.byChannel == ["web": 4, "qr": 1, "officer": 1, "whatsapp": 1, "sms": 1, "email": 1])
        // kesehatan C1 C2 C5; jalan C3 C7; no category C4 C6 C8 C9.
        #expect(summary.byCategory == ["kesehatan": 3, "jalan": 2, MetricSummary.uncategorised: 4])
        #expect(summary.byState == ["selesai": 2, "diproses": 2, "didisposisikan": 1, "diarsipkan": 2, "baru": 1, "diteruskan": 1])
        #expect(summary.archived == 2)                                              // C6, C8
        #expect(summary.archivedByReason == ["spam": 1, "bukan_pelayanan_publik": 1])
        #expect(summary.forwardedOut == 1)                                          // C9; C5 moved inside the installation
    }

    @Test("complaint rates: followed up, completion, satisfaction, rated share, reopen")
    func complaintRates() {
        #expect(summary.dispositioned == 5)                                         // C1 … C5
        expectClose(summary.followedUpRate, 4.0 / 5, "followed up")                 // C1 C4 selesai, C2 C3 diproses; not C5
        expectClose(summary.completionRate, 2.0 / 5, "completion")                  // C1, C4
        expectClose(summary.satisfactionMean, 3.5, "satisfaction")                  // (5 + 2) / 2, C2 rated before its dispute
        expectClose(summary.ratedShare, 1.0 / 2, "rated share")                     // selesai C1 (rated), C4 (not)
        // Got a final answer: C1, C4 (selesai) and C2 (reopened); disputed: C2.
        expectClose(summary.reopenRate, 1.0 / 3, "reopen")
    }

    @Test("verification stages: forwarding gives two, each measured on its own jurisdiction's calendar")
    func verification() {
        // Ended: V1 V2 V3a V3b V4 V5a V5b V6 V8 V9 = 10, late only V8 (its frozen flag), V9 on time by its timestamps.
        // Open and past due: V7. On time 9 ÷ (10 + 1).
        expectClose(summary.verificationOnTimeRate, 9.0 / 11, "verification on time")
        // Hours 1, 4, 6, 18, 24, 24, 24, 48, 67, 96: median (24 + 24) / 2 = 24 h = 1.0;
        // sum 312 h = 13.0 HK over 10 stages = 1.3 (V5b on the province calendar would make it 1.4).
        expectClose(summary.verificationDaysMedian, 1.0, "verification median")
        expectClose(summary.verificationDaysMean, 1.3, "verification mean")
    }

    @Test("response stages: a redisposition gives two, for two units; late ones count against")
    func response() {
        // Ended: R1 48 h, R2 24 h, R3a 48 h on time; R3b 143 h and R4 149 h late. R5 open, not yet due.
        expectClose(summary.responseOnTimeRate, 3.0 / 5, "response on time")
        // Sorted 24, 48, 48, 143, 149: median 48 h = 2.0; mean 412 h / 5 / 24 = 412 / 120.
        expectClose(summary.responseDaysMedian, 2.0, "response median")
        expectClose(summary.responseDaysMean, 412.0 / 120, "response mean")
    }

    @Test("resolution stages: a dispute opens a new one, an extension moves the due")
    func resolution() {
        // Ended on time: S1 96 h, S2a 24 h, S3a 48 h, S4 168 h (on time only against the rescheduled due).
        // Open past due: S2b (the dispute's stage). S3b and S5 are open but not yet due.
        expectClose(summary.resolutionOnTimeRate, 4.0 / 5, "resolution on time")
        // Sorted 24, 48, 96, 168: median (48 + 96) / 2 = 72 h = 3.0; mean 336 h / 4 = 84 h = 3.5.
        expectClose(summary.resolutionDaysMedian, 3.0, "resolution median")
        expectClose(summary.resolutionDaysMean, 3.5, "resolution mean")
    }

    @Test("overdue now: open stages past due, with their age in working days")
    func overdueNow() {
        #expect(summary.overdueNow == 2)                                            // V7, S2b
        let list = MetricEngine.overdue(stages: Month.stages, now: Month.now, calendar: Month.calendar)
        #expect(list.map(\.stage.complaintTrackingID) == ["C7", "C2"])              // most overdue first
        // V7 due Mon 13 Apr 23:59:59: 1 s of 13 Apr + 14-17 Apr 4 days + 20 Apr 10 h.
        expectClose(list.first?.ageDays, (4 * 86_400 + 36_000 + 1) / 86_400.0, "age of V7")
        // S2b due Wed 15 Apr 23:59:59: 1 s + 16, 17 Apr 2 days + 20 Apr 10 h.
        expectClose(list.last?.ageDays, (2 * 86_400 + 36_000 + 1) / 86_400.0, "age of S2b")
    }

    @Test("units: complaint figures follow the latest disposition, stage figures the stage's unit")
    func units() throws {
        let rows = MetricEngine.units(complaints: Month.complaints, stages: Month.stages, now: Month.now,
                                      calendar: Month.calendar, weights: .standard, including: ["63/inspektorat"])
        #expect(rows.map(\.unit) == ["63.71/dinkes", "63/dinkes", "63/dpupr", "63/inspektorat", "63/rsud-ulin"])
        let byUnit = Dictionary(uniqueKeysWithValues: rows.map { ($0.unit, $0) })

        // 63/dinkes holds C1 (selesai, 5) and C2 (diproses, 2); R1 and R2 on time (48 h, 24 h); S2b overdue.
        // Score 100 × (0.4 × 1 + 0.4 × 0.5 + 0.2 × (3.5 − 1) / 4) = 100 × (0.4 + 0.2 + 0.125) = 72.5.
        let dinkes = try #require(byUnit["63/dinkes"])
        #expect(dinkes.dispositioned == 2)
        expectClose(dinkes.followedUpRate, 1.0, "dinkes followed up")
        expectClose(dinkes.completionRate, 0.5, "dinkes completion")
        expectClose(dinkes.responseOnTimeRate, 1.0, "dinkes response on time")
        expectClose(dinkes.responseDaysMean, 1.5, "dinkes response mean")            // (24 + 48) / 2 = 36 h
        expectClose(dinkes.satisfactionMean, 3.5, "dinkes satisfaction")
        expectClose(dinkes.complianceScore, 72.5, "dinkes score")
        #expect(dinkes.overdueNow == 1)

        // 63/dpupr holds C3 (diproses, after the redisposition) and C4 (selesai, unrated); R3b and R4 both late.
        // Score 100 × (0.4 × 0 + 0.4 × 0.5 + 0.2 × 0 [no rating counts 0]) = 20.
        let dpupr = try #require(byUnit["63/dpupr"])
        #expect(dpupr.dispositioned == 2)
        expectClose(dpupr.followedUpRate, 1.0, "dpupr followed up")
        expectClose(dpupr.completionRate, 0.5, "dpupr completion")
        expectClose(dpupr.responseOnTimeRate, 0.0, "dpupr response on time")
        expectClose(dpupr.responseDaysMean, 146.0 / 24, "dpupr response mean")       // (143 + 149) / 2 h
        expectClose(dpupr.satisfactionMean, nil, "dpupr satisfaction")
        expectClose(dpupr.complianceScore, 20.0, "dpupr score")
        #expect(dpupr.overdueNow == 0)                                              // S3b is due 30 Apr

        // 63/rsud-ulin answered R3a on time, then returned C3: no complaint of its own, so no score ("—").
        let rsud = try #require(byUnit["63/rsud-ulin"])
        #expect(rsud.dispositioned == 0)
        expectClose(rsud.followedUpRate, nil, "rsud followed up")
        expectClose(rsud.responseOnTimeRate, 1.0, "rsud response on time")
        expectClose(rsud.responseDaysMean, 2.0, "rsud response mean")
        expectClose(rsud.complianceScore, nil, "rsud score")

        // 63.71/dinkes holds C5, just dispositioned: nothing followed up, response not yet measurable (counts 0).
        let kota = try #require(byUnit["63.71/dinkes"])
        #expect(kota.dispositioned == 1)
        expectClose(kota.followedUpRate, 0.0, "kota followed up")
        expectClose(kota.completionRate, 0.0, "kota completion")
        expectClose(kota.responseOnTimeRate, nil, "kota response on time")
        expectClose(kota.responseDaysMean, nil, "kota response mean")
        expectClose(kota.complianceScore, 0.0, "kota score")

        // A unit asked for but without any data is listed as "—".
        let quiet = try #require(byUnit["63/inspektorat"])
        #expect(quiet == UnitMetrics(unit: "63/inspektorat"))
    }

    @Test("compliance weights are settings")
    func weights() {
        // Only the response component counts: dinkes 100 × 1.0, dpupr 100 × 0.0, 63.71/dinkes 0 (unmeasured).
        let rows = MetricEngine.units(complaints: Month.complaints, stages: Month.stages, now: Month.now,
                                      calendar: Month.calendar,
                                      weights: ComplianceWeights(response: 1, completion: 0, satisfaction: 0))
        let scores = Dictionary(uniqueKeysWithValues: rows.map { ($0.unit, $0.complianceScore) })
        expectClose(scores["63/dinkes"] ?? nil, 100, "dinkes")
        expectClose(scores["63/dpupr"] ?? nil, 0, "dpupr")
        expectClose(scores["63.71/dinkes"] ?? nil, 0, "kota")
        expectClose(scores["63/rsud-ulin"] ?? nil, nil, "rsud")
    }

    @Test("the frozen late flag wins over the timestamps")
    func frozenLateFlag() {
        // Given a stage that ended an hour after its stored due but was frozen on time, and one that ended a day
        // before its due but was frozen late (say the calendar was corrected since), each counts as it was frozen.
        let frozenOnTime = StageFacts(complaintTrackingID: "A", kind: .response, jurisdiction: "63", unit: "63/dinkes",
                                      startedAt: Fixture.at("2026-04-06 09:00"), dueAt: Fixture.endOf("2026-04-13"),
                                      endedAt: Fixture.at("2026-04-14 01:00"), late: false)
        let frozenLate = StageFacts(complaintTrackingID: "B", kind: .response, jurisdiction: "63", unit: "63/dinkes",
                                    startedAt: Fixture.at("2026-04-06 09:00"), dueAt: Fixture.endOf("2026-04-13"),
                                    endedAt: Fixture.at("2026-04-12 09:00"), late: true)
        let onTime = MetricEngine.summary(complaints: [], stages: [frozenOnTime], now: Month.now, scope: ["63"], calendar: Month.calendar)
        let late = MetricEngine.summary(complaints: [], stages: [frozenLate], now: Month.now, scope: ["63"], calendar: Month.calendar)
        expectClose(onTime.responseOnTimeRate, 1.0, "frozen on time")
        expectClose(late.responseOnTimeRate, 0.0, "frozen late")
    }

    @Test("a stage ending exactly at its due is on time; an open one is overdue only after it")
    func boundaries() {
        let due = Fixture.endOf("2026-04-13")
        let ended = StageFacts(complaintTrackingID: "A", kind: .verification, jurisdiction: "63",
                               startedAt: Fixture.at("2026-04-08 09:00"), dueAt: due, endedAt: due)
        let open = StageFacts(complaintTrackingID: "B", kind: .verification, jurisdiction: "63",
                              startedAt: Fixture.at("2026-04-08 09:00"), dueAt: due)
        #expect(ended.endedOnTime == true)
        #expect(!open.isOverdue(at: due))
        #expect(open.isOverdue(at: due.addingTimeInterval(1)))
        // At the due itself the open stage is not yet counted: 1 ended on time ÷ (1 + 0).
        let s = MetricEngine.summary(complaints: [], stages: [ended, open], now: due, scope: ["63"], calendar: Month.calendar)
        expectClose(s.verificationOnTimeRate, 1.0, "at the due")
        #expect(s.overdueNow == 0)
    }

    @Test("nothing to measure gives counts of 0 and no rates")
    func empty() {
        let s = MetricEngine.summary(complaints: [], stages: [], now: Month.now, scope: ["63"], calendar: Month.calendar)
        #expect(s == MetricSummary())
        #expect(s.followedUpRate == nil && s.verificationOnTimeRate == nil && s.satisfactionMean == nil)
        #expect(MetricEngine.units(complaints: [], stages: [], now: Month.now, calendar: Month.calendar).isEmpty)
    }

    @Test("the median is exact: the bands (0.1 working day below 10, 1 above) say where it lies, the values in them what it is")
    func medianAndMean() {
        func sums(_ days: [Double]) -> TallySums {
            var t = TallySums()
            for d in days {
                let stage = StageFacts(complaintTrackingID: "X", kind: .response, jurisdiction: "63", startedAt: Month.now, dueAt: Month.now,
                                       endedAt: Month.now, late: false)
                for x in Tally.of(ended: stage, workingDays: d) where x.unit == nil { t.add(x) }
            }
            return t
        }
        /// What the shell does: read the located values from the sorted durations, as the database would.
        func median(_ days: [Double]) -> Double? {
            guard let at = sums(days).medianLocation(.response) else { return nil }
            let inRange = days.filter { $0 >= at.from && $0 < at.to }.sorted()
            return at.median(Array(inRange.dropFirst(at.offset).prefix(at.middle)))
        }
        #expect(median([]) == nil)
        #expect(sums([]).mean(.stageEnded, "response") == nil)
        #expect(median([3, 1, 2]) == 2)
        #expect(median([4, 1, 3, 2]) == 2.5, "even count: the mean of the two middle values")
        expectClose(sums([1, 2, 6]).mean(.stageEnded, "response"), 3, "mean")
        #expect(median([0, 1.21, 1.29, 5]) == 1.25, "both middle values in one band")
        #expect(median([1.21, 1.23, 1.28]) == 1.23, "three values in one band: the middle one, not the band's mean")
        #expect(median([0.05, 1.23, 9.99, 12.2, 12.8, 14]) == (9.99 + 12.2) / 2, "middle values in bands apart")
        #expect(median([12.2, 12.8, 14]) == 12.8)
        #expect(sums([1, 2]).medianLocation(.resolution) == nil)
        // Random durations: always the exact median.
        var generator = SystemRandomNumberGenerator()
        for n in 1...60 {
            let days = (0..<n).map { _ in Double(Int.random(in: 0...2_000_000, using: &generator)) / 86_400 }
            #expect(median(days) == MedianLocation.exact(days), "\(days)")
        }
        #expect(Tally.band(of: 9.95) == 99 && Tally.band(of: 10) == 100 && Tally.band(of: 10.99) == 100 && Tally.band(of: 11) == 101)
        // Every duration lies within its band's edges, the doubles the database is asked with.
        for d in [0, 0.1, 0.3, 0.7, 0.29999999999999999, 1.1, 2.3000000000000003, 9.9, 9.999999, 10, 10.5, 99.99, 123.456] {
            let b = Tally.band(of: d)
            #expect(Tally.lowerEdge(ofBand: b) <= d && d < Tally.lowerEdge(ofBand: b + 1), "\(d) in band \(b)")
        }
    }

    @Test("the JSON form uses the SPEC §12 names and writes unmeasured figures as null")
    func json() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let text = String(decoding: try encoder.encode(MetricSummary()), as: UTF8.self)
        for field in ["\"received\":0", "\"dispositioned\":0", "\"followed_up_rate\":null", "\"completion_rate\":null",
                      "\"verification_on_time_rate\":null", "\"response_on_time_rate\":null",
                      "\"resolution_on_time_rate\":null", "\"verification_days_median\":null",
                      "\"response_days_median\":null", "\"resolution_days_median\":null",
                      "\"satisfaction_mean\":null", "\"reopen_rate\":null", "\"overdue_now\":0"] {
            #expect(text.contains(field), "missing \(field) in \(text)")
        }
        let decoded = try JSONDecoder().decode(MetricSummary.self, from: try encoder.encode(summary))
        #expect(decoded == summary)
        let unit = UnitMetrics(unit: "63/dinkes")
        let unitText = String(decoding: try encoder.encode(unit), as: UTF8.self)
        #expect(unitText.contains("\"compliance_score\":null"))
        #expect(try JSONDecoder().decode(UnitMetrics.self, from: try encoder.encode(unit)) == unit)
    }
}

@Suite struct PeriodAndMonevScopeTests {
    @Test func periodsCoverTheirDaysInTheJurisdictionsZone() throws {
        let q4 = try #require(Period(kind: .quarter, year: 2026, index: 4))
        #expect(q4.days.first == LocalDate("2026-10-01") && q4.days.next == LocalDate("2027-01-01"))
        #expect(q4.months.map(\.month) == [10, 11, 12])
        let feb = try #require(Period(kind: .month, year: 2028, index: 2))
        #expect(feb.days.next == LocalDate("2028-03-01"))
        let bounds = feb.bounds(in: Fixture.calendar)
        #expect(bounds.from == Fixture.at("2028-02-01 00:00") && bounds.to == Fixture.at("2028-03-01 00:00"))
        #expect(Period(kind: .year, year: 2026)?.months.count == 12)
        #expect(Period(kind: .month, year: 2026, index: 13) == nil && Period(kind: .quarter, year: 2026, index: 0) == nil)
    }

    @Test func inspectorsAndExecutivesSeeTheirJurisdictionAndBelow() {
        let tree = Fixture.tree
        #expect(Access.monevJurisdictions(Fixture.officer(.inspector, "63"), tree: tree) == ["63", "63.71"])
        #expect(Access.monevJurisdictions(Fixture.officer(.executive, "63.71"), tree: tree) == ["63.71"])
        #expect(Access.monevJurisdictions(Fixture.officer(.coordinator, "63"), tree: tree).isEmpty)
        #expect(Access.monevJurisdictions(Fixture.officer(.unit_head, "63/dinkes"), tree: tree).isEmpty)
    }
}

@Suite struct AsOfTests {
    let now = ComplaintFacts(trackingID: "A", submittedAt: Fixture.Clock.submitted, category: "jalan", state: .selesai, jurisdiction: "63",
                             unit: "63/dpupr", dispositionCount: 2, reopenCount: 1, rating: 4)

    @Test func theComplaintIsRebuiltFromItsEventsUpToTheInstant() throws {
        let steps: [AsOf.Step] = [
            .init(action: .submit, toState: .baru, jurisdiction: "63"),
            .init(action: .verify, toState: .didisposisikan, jurisdiction: "63", data: ["unit": "63/dinkes", "category": "kesehatan"]),
            .init(action: .return, toState: .baru, jurisdiction: "63", data: ["returned_from": "63/dinkes"]),
        ]
        let returned = try #require(AsOf.complaint(now, steps: steps))
        #expect(returned.state == .baru && returned.unit == nil && returned.dispositionCount == 1 && returned.reopenCount == 0 && returned.rating == nil)
        let later = steps + [.init(action: .redispose, toState: .didisposisikan, jurisdiction: "63", data: ["unit": "63/dpupr", "category": "jalan"]),
                             .init(action: .respond_final, toState: .ditanggapi, jurisdiction: "63"),
                             .init(action: .dispute, toState: .diproses, jurisdiction: "63")]
        let disputed = try #require(AsOf.complaint(now, steps: later))
        #expect(disputed.state == .diproses && disputed.unit == "63/dpupr" && disputed.dispositionCount == 2 && disputed.reopenCount == 1
                && disputed.category == "jalan")
        #expect(AsOf.complaint(now, steps: []) == nil, "not submitted yet")
        let forwarded = try #require(AsOf.complaint(now, steps: [.init(action: .submit, toState: .baru, jurisdiction: "63"),
                                                                 .init(action: .forward_jurisdiction, toState: .baru, jurisdiction: "63.71")]))
        #expect(forwarded.jurisdiction == "63.71")
        let archived = try #require(AsOf.complaint(now, steps: [.init(action: .submit, toState: .baru, jurisdiction: "63"),
                                                                .init(action: .archive, toState: .diarsipkan, jurisdiction: "63", data: ["reason": "spam"])]))
        #expect(archived.archiveReason == .spam)
    }

    @Test func aStageEndedAfterTheInstantIsOpenAtIt() {
        let stage = StageFacts(complaintTrackingID: "A", kind: .response, jurisdiction: "63", unit: "63/dinkes",
                               startedAt: Fixture.at("2026-04-07 10:00"), dueAt: Fixture.endOf("2026-04-14"),
                               endedAt: Fixture.at("2026-04-20 10:00"), late: true)
        #expect(AsOf.stage(stage, at: Fixture.at("2026-04-06 10:00")) == nil)
        let open = AsOf.stage(stage, at: Fixture.at("2026-04-15 10:00"))
        #expect(open?.endedAt == nil && open?.late == nil && open?.isOverdue(at: Fixture.at("2026-04-15 10:00")) == true)
        #expect(AsOf.stage(stage, at: Fixture.at("2026-04-21 10:00")) == stage)
    }
}
