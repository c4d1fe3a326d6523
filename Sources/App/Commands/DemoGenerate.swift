import AduanCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// `demo generate --complaints N [--seed S] [--from YYYY-MM-DD] [--to YYYY-MM-DD]`: large synthetic data for
/// benchmarks and dashboards. Every complaint is taken through the real lifecycle (`Lifecycle.submit` and
/// `Lifecycle.decide`), then written with multi-row INSERTs: the same columns, hash chain and stages that
/// `ComplaintStore.commit` writes, without outbox rows (generated complaints notify nobody).
struct DemoGenerateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "complaints", help: "how many complaints to generate") var complaints: Int?
        @Option(name: "seed", help: "random seed; the same seed on the same database gives the same data (default 1)") var seed: UInt64?
        @Option(name: "from", help: "first submission day, YYYY-MM-DD (default: 365 days before --to)") var from: String?
        @Option(name: "to", help: "last submission day, YYYY-MM-DD (default: today)") var to: String?
    }
    var help: String { "Generate N synthetic complaints that follow the lifecycle (bulk insert, no notifications)." }

    /// Complaints decided in memory and written in one transaction.
    static let complaintsPerTransaction = 2_000

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        guard let total = signature.complaints, total > 0 else { throw AppError.badRequest("--complaints N (a positive number) is required") }
        let now = app.clock.now
        let window = try Self.window(from: signature.from, to: signature.to, now: now)

        try await Bootstrap.migrate(app)
        _ = try await ReferenceSeeder.seed(on: app.writeDB)
        app.reference.invalidate()
        let reference = try await app.reference.get(on: app.db)
        guard let sql = app.writeDB as? any SQLDatabase else { throw AppError.badRequest("demo generate needs an SQL database") }

        let maxID = try await sql.raw("SELECT MAX(id) AS max_id FROM complaints").first(decodingColumn: "max_id", as: Int?.self)
        let firstID = (maxID.flatMap { $0 } ?? 0) + 1
        let maxStageID = try await sql.raw("SELECT MAX(id) AS max_id FROM stages").first(decodingColumn: "max_id", as: Int?.self)
        // The counters are written batch by batch: until the last one they are incomplete, and a run that stops
        // half-way leaves them to be recomputed at the next start (`MonevTally.ensureCurrent`).
        try await MonevTally.setVersion(nil, on: app.writeDB)
        // Mixing the first id into the seed keeps a second run on the same database from repeating the first run;
        // the tracking IDs already stored are skipped as well (40 random bits clash about once per 10^6 pairs).
        let seed = SeededGenerator.mix(SeededGenerator.mix(signature.seed ?? 1) ^ UInt64(firstID))
        var generator = DemoGenerator(reference: reference, secrets: app.secrets, horizon: now, seed: seed)
        generator.nextStageID = (maxStageID.flatMap { $0 } ?? 0) + 1
        if firstID > 1 {
            let stored = try await sql.select().column("tracking_id").from("complaints").all(decodingColumn: "tracking_id", as: String.self)
            generator.reserve(stored)
        }

        let progress = Progress(total: total)
        var pending: Task<Void, any Error>?
        var done = 0
        var events = 0
        // Submissions in time order, so a batch's counters fall on a few days (fewer rows to write) and a duplicate can
        // be merged into an earlier complaint of its batch.
        let span = UInt64(window.upperBound.timeIntervalSince(window.lowerBound))
        let instants = (0..<total).map { _ in UInt64.random(in: 0...span, using: &generator.rng) }.sorted()
        while done < total {
            let count = min(Self.complaintsPerTransaction, total - done)
            var batch = DemoGenerator.Batch()
            for offset in 0..<count {
                let at = window.lowerBound.addingTimeInterval(Double(instants[done + offset]))
                generator.generate(id: firstID + done + offset, submittedAt: at, into: &batch)
            }
            generator.finish(&batch)
            // Decide the next batch while the database writes this one.
            try await pending?.value
            let write = batch
            pending = Task { try await Self.write(write, to: app.writeDB) }
            done += count
            events += write.rows.events.count
            progress.report(done: done, events: events)
        }
        try await pending?.value
        if sql.dialect.name == "postgresql" {
            try await sql.raw("SELECT setval(pg_get_serial_sequence('complaints', 'id'), (SELECT MAX(id) FROM complaints))").run()
            try await sql.raw("SELECT setval(pg_get_serial_sequence('stages', 'id'), (SELECT MAX(id) FROM stages))").run()
        }
        try await MonevTally.setVersion(Tally.version, on: app.writeDB)
        try await Bootstrap.analyze(app, afterBulkLoad: true)
        progress.finish(done: done, events: events)
        context.console.print("generated \(done) complaints and \(events) events (ids \(firstID)-\(firstID + done - 1))")
    }

    /// Submission instants: the window's days in WITA (UTC+8), ending no later than now.
    static func window(from: String?, to: String?, now: Date) throws -> ClosedRange<Date> {
        func start(of text: String, option: String) throws -> Date {
            guard let day = LocalDate(text) else { throw AppError.invalid("--\(option) must be YYYY-MM-DD", field: option) }
            return Date(timeIntervalSince1970: Double(day.dayNumber * 86_400 - 8 * 3_600))
        }
        let end = try to.map { min(try start(of: $0, option: "to").addingTimeInterval(86_399), now) } ?? now
        let begin = try from.map { try start(of: $0, option: "from") } ?? end.addingTimeInterval(-365 * 86_400)
        guard begin < end else { throw AppError.invalid("--from must be before --to (and before now)", field: "from") }
        return begin...end
    }

    static func write(_ batch: DemoGenerator.Batch, to db: any Database) async throws {
        try await db.transaction { tx in
            let sql = tx as! any SQLDatabase
            try await batch.rows.write(on: sql)
            try await insert(batch.stages, into: "stages", columns: DemoGenerator.stageColumns, perStatement: 500, on: sql)
            try await insert(batch.reschedules, into: "stage_reschedules", columns: ["stage_id", "complaint_id", "at", "previous_due_at"],
                             perStatement: 500, on: sql)
            try await MonevTally.write(batch.tally, on: sql)
        }
    }

    static func insert(_ rows: [[any SQLExpression]], into table: String, columns: [String], perStatement: Int,
                       on sql: any SQLDatabase) async throws {
        try await ComplaintStore.insert(rows, into: table, columns: columns, perStatement: perStatement, on: sql)
    }

    /// Progress on stderr about every two seconds: done/total, rate and time left.
    final class Progress {
        let total: Int
        let started = Date()
        var lastReport = Date()
        init(total: Int) { self.total = total }

        func report(done: Int, events: Int) {
            let now = Date()
            guard now.timeIntervalSince(lastReport) >= 2 else { return }
            lastReport = now
            let elapsed = now.timeIntervalSince(started)
            let rate = Double(done) / max(elapsed, 0.001)
            let eta = Double(total - done) / max(rate, 0.001)
            Self.stderr(String(format: "demo generate: %d/%d complaints (%d events), %.0f/s, ETA %.0f s", done, total, events, rate, eta))
        }

        func finish(done: Int, events: Int) {
            let elapsed = Date().timeIntervalSince(started)
            Self.stderr(String(format: "demo generate: %d complaints, %d events in %.1f s (%.0f complaints/s)",
                               done, events, elapsed, Double(done) / max(elapsed, 0.001)))
        }

        static func stderr(_ line: String) { FileHandle.standardError.write(Data((line + "\n").utf8)) }
    }
}

/// SplitMix64: small, fast and reproducible from a seed.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// The SplitMix64 finaliser: every input bit affects every output bit.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Decides synthetic complaints through the lifecycle and turns them into table rows.
struct DemoGenerator {
    /// Rows of one transaction: complaints and their events as the store writes them (`ComplaintStore.Bulk`), stages
    /// in the column order below.
    struct Batch: Sendable {
        var rows = ComplaintStore.Bulk()
        var stages: [[any SQLExpression]] = []
        var reschedules: [[any SQLExpression]] = []
        /// The monev counters of the batch's complaints and ended stages, moved by each event.
        var tally = MonevTally.Deltas()
        /// The stories decided so far, written by `finish` (a later duplicate may still be merged into one of them).
        var lives: [(id: Int, life: Life, complaint: Complaint)] = []
    }

    static let stageColumns = ["id", "complaint_id", "kind", "jurisdiction_code", "unit_id", "started_at", "due_at", "ended_at", "late", "working_days",
                                "submitted_at"]

    /// One complaint while its story is decided.
    struct Life {
        struct StageRow { var kind: StageKind; var jurisdiction: String; var unit: String?; var startedAt: Date; var dueAt: Date; var endedAt: Date?; var late: Bool? }
        var record: ComplaintRecord
        var now: Date
        var events: [(draft: EventDraft, actorID: String?)] = []
        var stages: [StageRow] = []
        /// Dues moved later: stage index, when, the due before.
        var reschedules: [(stage: Int, at: Date, previous: Date)] = []
        /// The record after each transition, for a merge into this complaint later.
        var records: [(at: Date, record: ComplaintRecord)] = []
        /// The monev counters each transition moved, on the day it happened (as `ComplaintStore.commit` writes them).
        var tally = MonevTally.Deltas()

        mutating func apply(_ transition: Transition, actorID: String?, reference: ReferenceData) {
            let at = transition.events.last?.at ?? now
            if !events.isEmpty { tally.add(ComplaintFacts(record), at: at, reference: reference, negate: true) }
            record = transition.record
            tally.add(ComplaintFacts(record), at: at, reference: reference)
            events += transition.events.map { ($0, actorID) }
            records.append((at, record))
            for change in transition.stages {
                switch change {
                case .start(let kind, let jurisdiction, let unit, let at, let due):
                    stages.append(StageRow(kind: kind, jurisdiction: jurisdiction, unit: unit, startedAt: at, dueAt: due))
                case .end(let kind, let at, let late):
                    for i in stages.indices where stages[i].kind == kind && stages[i].endedAt == nil {
                        stages[i].endedAt = at; stages[i].late = late
                        tally.add(ended: facts(i, reference: reference), submittedAt: record.submittedAt, reference: reference)
                    }
                case .reschedule(let kind, let due):
                    for i in stages.indices where stages[i].kind == kind && stages[i].endedAt == nil && stages[i].dueAt != due {
                        reschedules.append((i, at, stages[i].dueAt))
                        stages[i].dueAt = due
                    }
                }
            }
        }

        func facts(_ i: Int, reference: ReferenceData) -> StageFacts {
            let stage = stages[i]
            var facts = StageFacts(complaintTrackingID: record.trackingID, kind: stage.kind, jurisdiction: stage.jurisdiction, unit: stage.unit,
                                   startedAt: stage.startedAt, dueAt: stage.dueAt, endedAt: stage.endedAt, late: stage.late)
            facts.workingDays = facts.duration(on: reference.calendar(for: stage.jurisdiction))
            return facts
        }

        /// Puts the original's side of a merge (an internal event that changes none of its figures) where it
        /// happened among its events.
        mutating func insert(_ transition: Transition, actorID: String?) {
            guard let draft = transition.events.first else { return }
            let index = events.firstIndex { $0.draft.at > draft.at } ?? events.count
            events.insert((draft, actorID), at: index)
            record.eventCount += 1
        }

        /// The record as it stood at `at`.
        func record(at: Date) -> ComplaintRecord? { records.last { $0.at <= at }?.record }
    }

    let reference: ReferenceData
    let secrets: Secrets
    /// Nothing happens after this instant: stories still running then stay open (and some overdue).
    let horizon: Date
    var rng: SeededGenerator
    /// The id the next stage row gets (written with ids, so a moved due can name its stage).
    var nextStageID = 1
    private var usedTrackingIDs: Set<String> = []
    private let otherJurisdictions: [String]
    private let categories: [String]
    private let handlingUnits: [String: [String]]
    private let hour = 3_600.0

    init(reference: ReferenceData, secrets: Secrets, horizon: Date, seed: UInt64) {
        self.reference = reference
        self.secrets = secrets
        self.horizon = horizon
        self.rng = SeededGenerator(seed: seed)
        let tree = reference.tree
        otherJurisdictions = tree.jurisdictions.keys.filter { $0 != ReferenceSeeder.province }.sorted()
        let parents = Set(reference.categories.values.compactMap(\.parent))
        categories = reference.categories.keys.filter { !parents.contains($0) }.sorted()
        var units: [String: [String]] = [:]
        for unit in tree.units.values where unit.active && unit.kind != .inspectorate {
            units[unit.jurisdiction, default: []].append(unit.id)
        }
        // Agencies first; a kabupaten/kota without agencies falls back to its coordinator unit.
        handlingUnits = units.mapValues { ids in
            let agencies = ids.filter { tree.units[$0]?.kind == .agency || tree.units[$0]?.kind == .subunit }.sorted()
            return agencies.isEmpty ? ids.sorted() : agencies
        }
    }

    /// Tracking IDs already stored, never to be drawn again.
    mutating func reserve(_ trackingIDs: [String]) { usedTrackingIDs.formUnion(trackingIDs) }

    // MARK: one complaint

    mutating func generate(id: Int, submittedAt: Date, into batch: inout Batch) {
        let jurisdiction = chance(65) || otherJurisdictions.isEmpty ? ReferenceSeeder.province : pick(otherJurisdictions)
        let category = categories.isEmpty ? nil : pick(categories)
        let (title, body) = content(category: category)
        var submission = Submission(title: title, body: body, jurisdiction: jurisdiction)
        submission.type = weighted([(.pengaduan, 84), (.aspirasi, 8), (.permintaan_informasi, 6), (.wbs, 2)])
        if submission.type != .wbs {
            submission.category = chance(75) ? category : nil
            if chance(30), let category { submission.targetUnit = reference.categoryUnits["\(category)@\(jurisdiction)"] }
        }
        submission.channel = weighted([(.web, 55), (.qr, 12), (.api, 10), (.whatsapp, 13), (.sms, 5), (.email, 5)])
        submission.anonymous = chance(12)
        submission.confidential = chance(5)
        submission.hasReporterContact = chance(75)

        var trackingID = TrackingID.random(using: &rng).rawValue
        while !usedTrackingIDs.insert(trackingID).inserted { trackingID = TrackingID.random(using: &rng).rawValue }
        var life: Life
        if chance(2), submission.type != .wbs {
            // Exported from SP4N-LAPOR! and imported here some days later: submitted then, known here from the import.
            submission.channel = .lapor_import
            submission.hasReporterContact = false
            let importedAt = Date(timeIntervalSince1970: (submittedAt.timeIntervalSince1970 + Double.random(in: 1...20, using: &rng) * 86_400).rounded())
            let status = pick(National.statuses.map(\.label))
            // The row as LAPOR's export writes it, read as the import reads it.
            let row: [LaporExport.Column: String] = [.trackingID: String(4_000_000 + id), .title: title, .body: body, .status: status]
            guard importedAt <= horizon,
                  case .reading(var reading) = LaporExport.read({ row[$0] }, timeZone: TimeZone(identifier: "Asia/Makassar")!, now: importedAt,
                                                                 privacyColumns: true) else {
                return generate(id: id, submittedAt: submittedAt, into: &batch)
            }
            reading.submittedAt = Date(timeIntervalSince1970: submittedAt.timeIntervalSince1970.rounded())
            reading.type = submission.type
            reading.anonymous = submission.anonymous
            reading.confidential = submission.confidential
            guard let transition = try? Lifecycle.importFromNational(reading, into: jurisdiction, unit: submission.targetUnit,
                                                                     category: submission.category, trackingID: trackingID, actorRole: "coordinator",
                                                                     note: "Diimpor dari ekspor SP4N-LAPOR!.", context: reference.context(now: importedAt)) else {
                return generate(id: id, submittedAt: submittedAt, into: &batch)
            }
            life = Life(record: transition.record, now: importedAt)
            life.apply(transition, actorID: "koordinator.\(jurisdiction)", reference: reference)
            if life.record.state == .baru { handleNew(&life, depth: 0, batch: &batch) }
        } else {
            let transition = Lifecycle.submit(submission, trackingID: trackingID, by: .reporter, context: reference.context(now: submittedAt))
            life = Life(record: transition.record, now: submittedAt)
            life.apply(transition, actorID: nil, reference: reference)
            handleNew(&life, depth: 0, batch: &batch)
        }

        // The row, as SubmitComplaint.create and ComplaintStore.commit would write it.
        let complaint = Complaint()
        complaint.title = title
        complaint.body = body
        let calendar = reference.calendar(for: jurisdiction)
        complaint.incidentDate = chance(60)
            ? LocalDate(dayNumber: calendar.localDate(of: submittedAt).dayNumber - Int.random(in: 0...14, using: &rng)).description : nil
        complaint.address = chance(50) ? "\(pick(Self.streets)) No. \(Int.random(in: 1...250, using: &rng)), \(place(jurisdiction))" : nil
        if chance(30) {
            complaint.lat = -3.3 + Double.random(in: -0.6...0.6, using: &rng)
            complaint.lng = 114.6 + Double.random(in: -0.6...0.9, using: &rng)
        }
        complaint.qrCode = submission.channel == .qr ? "QR\(Int.random(in: 1000...9999, using: &rng))" : nil
        complaint.language = chance(97) ? "id" : "en"
        if submission.hasReporterContact || !submission.anonymous {
            let name = "\(pick(Self.givenNames)) \(pick(Self.familyNames))"
            let email = submission.hasReporterContact ? "\(name.lowercased().replacingOccurrences(of: " ", with: "."))\(Int.random(in: 1...999, using: &rng))@example.org" : nil
            let identity = ReporterIdentity(name: name, email: email, phone: nil, nik: nil)
            complaint.reporterSealed = try? secrets.seal(JSONEncoder().encode(identity))
            complaint.reporterEmailHash = email.map(secrets.lookupHash)
        }
        complaint.secretHash = secrets.reporterSecretHash(token())
        complaint.pinHash = secrets.reporterSecretHash(String(format: "%06d", Int.random(in: 0...999_999, using: &rng)))
        complaint.secretFailures = 0
        complaint.notifyEmail = submission.hasReporterContact
        complaint.notifyPhone = submission.hasReporterContact
        complaint.laporID = life.record.laporID
        batch.lives.append((id, life, complaint))
    }

    /// Writes the batch's stories as rows: the complaint, its events (hash-chained), its stages and moved dues, and the
    /// counters each event moved.
    mutating func finish(_ batch: inout Batch) {
        for (id, life, complaint) in batch.lives {
            complaint.apply(life.record, at: life.events.last?.draft.at ?? life.record.submittedAt)
            batch.tally.add(life.tally)
            var stageIDs: [Int] = []
            for i in life.stages.indices {
                let stage = life.stages[i]
                let facts = life.facts(i, reference: reference)
                let stageID = nextStageID
                nextStageID += 1
                stageIDs.append(stageID)
                batch.stages.append([
                    SQLBind(stageID), SQLBind(id), SQLBind(stage.kind.rawValue), SQLBind(stage.jurisdiction), SQLBind(stage.unit),
                    SQLBind(stage.startedAt), SQLBind(stage.dueAt), SQLBind(stage.endedAt), SQLBind(stage.late), SQLBind(facts.workingDays),
                    SQLBind(life.record.submittedAt),
                ])
            }
            for moved in life.reschedules {
                batch.reschedules.append([SQLBind(stageIDs[moved.stage]), SQLBind(id), SQLBind(moved.at), SQLBind(moved.previous)])
            }
            batch.rows.add(id: id, complaint, events: life.events, secrets: secrets)
        }
        batch.lives = []
    }

    // MARK: stories

    /// A complaint in `baru`: the coordinator (the inspectorate for whistleblowing) verifies, asks, archives, forwards
    /// or merges it into an earlier complaint of its batch.
    mutating func handleNew(_ life: inout Life, depth: Int, batch: inout Batch) {
        let j = life.record.jurisdiction
        let desk = life.record.type == .wbs ? inspector(j) : coordinator(j)
        let verifyDelay = 1.0...80.0
        if chance(2) { return }  // never picked up: stays in baru and goes overdue
        let roll = Int.random(in: 0..<100, using: &rng)
        if roll < 5 {
            _ = step(&life, .archive(.spam), by: desk, texts: Texts(internal: "Spam / iklan."), after: verifyDelay)
        } else if roll < 8 {
            _ = step(&life, .archive(.bukan_pelayanan_publik), by: desk,
                     texts: Texts(public: "Laporan ini bukan mengenai pelayanan publik pemerintah daerah."), after: verifyDelay)
        } else if roll < 11 && life.record.type != .wbs {
            _ = step(&life, .forwardExternal(destination: pick(Self.externalDestinations), reference: nil), by: desk,
                     texts: Texts(public: "Laporan diteruskan ke instansi yang berwenang."), after: verifyDelay)
        } else if roll < 16 && depth < 2 && life.record.type != .wbs && !otherJurisdictions.isEmpty {
            // To the province, or (less often) from one kabupaten/kota to another, or down from the province.
            let others = reference.tree.jurisdictions.keys.filter { $0 != j }.sorted()
            let target = j != ReferenceSeeder.province && chance(60) ? ReferenceSeeder.province : pick(others)
            if step(&life, .forwardJurisdiction(target), by: desk,
                    texts: Texts(public: "Laporan menjadi kewenangan pemerintah daerah lain dan diteruskan."), after: verifyDelay) {
                handleNew(&life, depth: depth + 1, batch: &batch)
            }
        } else if roll < 18 && life.record.type != .wbs, let original = mergeTarget(for: life, in: batch) {
            merge(&life, into: original, by: desk, after: verifyDelay, batch: &batch)
        } else if roll < 26 && depth < 2 {
            guard step(&life, .requestInfo, by: desk, texts: Texts(public: pick(Self.infoRequests)), after: verifyDelay) else { return }
            if chance(60) {
                if step(&life, .reply, by: .reporter, texts: Texts(public: pick(Self.replies)), after: 2...150) {
                    handleNew(&life, depth: depth + 1, batch: &batch)
                }
            } else if let due = life.record.reporterDue {
                _ = step(&life, .autoArchive, by: .system, at: due.addingTimeInterval(Double.random(in: 1...30, using: &rng) * hour))
            }
        } else {
            let unit = handlingUnit(for: life.record)
            let category = life.record.category.flatMap { reference.categories[$0] }
            let disposition = Disposition(unit: unit, category: life.record.category, categoryClass: category?.resolutionClass)
            if chance(1) { _ = step(&life, .flagSupervision, by: inspector(j), texts: Texts(), after: 1...24) }
            // After a return the coordinator dispositions again (redispose), or verifies it like a new one.
            let command: ComplaintCommand = life.record.dispositionCount > 0 && chance(70) ? .redispose(disposition) : .verify(disposition)
            guard step(&life, command, by: desk,
                       texts: Texts(public: "Laporan diteruskan ke \(reference.tree.units[unit]?.name ?? unit)."), after: verifyDelay) else { return }
            handleDisposed(&life, depth: depth, batch: &batch)
        }
    }

    /// An earlier complaint of the batch in the same jurisdiction that can still receive a duplicate.
    mutating func mergeTarget(for life: Life, in batch: Batch) -> Int? {
        let candidates = batch.lives.indices.suffix(50).filter { i in
            let other = batch.lives[i].life
            return other.record.jurisdiction == life.record.jurisdiction && other.record.type != .wbs
        }
        return candidates.isEmpty ? nil : pick(candidates)
    }

    /// Merges the complaint into the batch's complaint at `index`, if the lifecycle allows it then.
    mutating func merge(_ life: inout Life, into index: Int, by desk: Participant, after hours: ClosedRange<Double>, batch: inout Batch) {
        let at = Date(timeIntervalSince1970: (life.now.timeIntervalSince1970 + Double.random(in: hours, using: &rng) * hour).rounded())
        guard at <= horizon, let original = batch.lives[index].life.record(at: at) else { return }
        escalate(&life, before: at)
        guard let (duplicate, originalSide) = try? Lifecycle.merge(life.record, into: original, by: desk, texts: Texts(public: "Laporan ganda."),
                                                                   context: reference.context(now: at)) else { return }
        var actorID: String?
        if case .officer(let officer) = desk { actorID = officer.id }
        life.apply(duplicate, actorID: actorID, reference: reference)
        life.now = at
        batch.lives[index].life.insert(originalSide, actorID: actorID)
    }

    /// A dispositioned complaint: the unit follows up and answers; the reporter confirms, disputes or lets it close.
    mutating func handleDisposed(_ life: inout Life, depth: Int, batch: inout Batch) {
        guard let unit = life.record.unit else { return }
        let desk = life.record.type == .wbs ? inspector(life.record.jurisdiction) : coordinator(life.record.jurisdiction)
        let unitOfficer = liaison(unit)
        if chance(3) { return }  // the unit never answers: overdue
        if chance(5) && depth < 2 {
            if step(&life, .returnToCoordinator, by: unitOfficer,
                    texts: Texts(internal: "Bukan kewenangan unit kami; mohon didisposisikan ulang."), after: 4...60) {
                handleNew(&life, depth: depth + 1, batch: &batch)
            }
            return
        }
        if chance(1) { _ = step(&life, .flagSupervision, by: inspector(life.record.jurisdiction), texts: Texts(), after: 2...72) }
        guard step(&life, .followUp, by: unitOfficer, texts: Texts(public: pick(Self.followUps)), after: 4...140) else { return }
        if chance(2) {
            _ = step(&life, .flagSupervision, by: inspector(life.record.jurisdiction), texts: Texts(), after: 2...72)
        }
        if chance(6) {
            let days = Int.random(in: 3...7, using: &rng)
            if step(&life, .requestExtension(days: days), by: unitOfficer,
                    texts: Texts(internal: "Menunggu hasil pemeriksaan lapangan."), after: 8...120) {
                _ = step(&life, .decideExtension(approve: chance(80)), by: desk, texts: Texts(), after: 2...48)
            }
        }
        if chance(4) { return }  // in progress, never answered
        respondAndClose(&life, unitOfficer: unitOfficer, disputed: false)
    }

    mutating func respondAndClose(_ life: inout Life, unitOfficer: Participant, disputed: Bool) {
        let budget = Double(reference.policy.days(for: life.record.resolutionClass ?? .tanpa_pemeriksaan)) * 24 * 1.5
        guard step(&life, .respondFinal, by: unitOfficer, texts: Texts(public: pick(Self.finalAnswers)), after: 12...max(24, budget)) else { return }
        let roll = Int.random(in: 0..<100, using: &rng)
        if roll < 45 {
            if chance(50) { _ = step(&life, .feedback(rating: weighted([(5, 35), (4, 35), (3, 15), (2, 8), (1, 7)])), by: .reporter, texts: Texts(), after: 1...48) }
            _ = step(&life, .confirm, by: .reporter, texts: Texts(), after: 1...150)
        } else if roll < 55 && !disputed {
            if chance(5) { _ = step(&life, .flagSupervision, by: inspector(life.record.jurisdiction), texts: Texts(), after: 1...24) }
            guard step(&life, .dispute, by: .reporter, texts: Texts(public: pick(Self.disputes)), after: 4...150) else { return }
            respondAndClose(&life, unitOfficer: unitOfficer, disputed: true)
        } else {
            if chance(25) { _ = step(&life, .feedback(rating: weighted([(5, 25), (4, 30), (3, 20), (2, 12), (1, 13)])), by: .reporter, texts: Texts(), after: 4...100) }
            if let due = life.record.reporterDue, life.record.state == .ditanggapi {
                _ = step(&life, .autoClose, by: .system, at: due.addingTimeInterval(Double.random(in: 1...30, using: &rng) * hour))
            }
        }
    }

    /// Takes `command` some hours after the complaint's last event; false when it would happen after the horizon
    /// or the lifecycle refuses it (the story then ends there).
    mutating func step(_ life: inout Life, _ command: ComplaintCommand, by actor: Participant, texts: Texts,
                       after hours: ClosedRange<Double>) -> Bool {
        let seconds = (Double.random(in: hours, using: &rng) * hour).rounded()
        return step(&life, command, by: actor, texts: texts, at: life.now.addingTimeInterval(seconds))
    }

    mutating func step(_ life: inout Life, _ command: ComplaintCommand, by actor: Participant, texts: Texts = Texts(), at: Date) -> Bool {
        let at = Date(timeIntervalSince1970: at.timeIntervalSince1970.rounded())
        guard at <= horizon else { return false }
        escalate(&life, before: at)
        do {
            let transition = try Lifecycle.decide(command, by: actor, on: life.record, texts: texts, context: reference.context(now: at))
            var actorID: String?
            if case .officer(let officer) = actor { actorID = officer.id }
            life.apply(transition, actorID: actorID, reference: reference)
            life.now = at
            return true
        } catch {
            return false
        }
    }

    /// The worker's sweep, run some hours after a due passed and before the next move: the escalation it would have
    /// recorded by then (SPEC §5).
    mutating func escalate(_ life: inout Life, before at: Date) {
        guard let due = life.record.officerDue, due < at else { return }
        let sweep = Date(timeIntervalSince1970: (min(at.timeIntervalSince1970 - 1, due.timeIntervalSince1970 + Double.random(in: 1...6, using: &rng) * hour)).rounded())
        guard sweep > life.now, sweep > due, let transition = Lifecycle.escalation(of: life.record, context: reference.context(now: sweep)) else { return }
        life.apply(transition, actorID: nil, reference: reference)
        life.now = sweep
    }

    // MARK: people and places

    func coordinator(_ j: String) -> Participant {
        .officer(Officer(id: "koordinator.\(j)", assignments: [RoleAssignment(role: .coordinator, scope: .jurisdiction(j))]))
    }

    func inspector(_ j: String) -> Participant {
        .officer(Officer(id: "inspektur.\(j)", assignments: [RoleAssignment(role: .inspector, scope: .jurisdiction(j))]))
    }

    func liaison(_ unit: String) -> Participant {
        .officer(Officer(id: "penghubung.\(unit)", assignments: [RoleAssignment(role: .liaison, scope: .unit(unit))]))
    }

    mutating func handlingUnit(for record: ComplaintRecord) -> String {
        let j = record.jurisdiction
        if record.type == .wbs, let inspectorate = reference.tree.inspectorate(of: j) { return inspectorate }
        if let target = record.targetUnit, reference.tree.units[target]?.jurisdiction == j { return target }
        if let category = record.category, let unit = reference.categoryUnits["\(category)@\(j)"], chance(85) { return unit }
        return pick(handlingUnits[j] ?? [reference.tree.coordinatorUnit(of: j) ?? "\(j)/diskominfo"])
    }

    func place(_ j: String) -> String {
        reference.tree.jurisdictions[j]?.name ?? "Kalimantan Selatan"
    }

    mutating func content(category: String?) -> (String, String) {
        let group = category.map { String($0.split(separator: ".").first ?? "") } ?? "umum"
        let (title, body) = pick(Self.stories[group] ?? Self.stories["umum"]!)
        let where_ = "\(pick(Self.streets)), \(pick(Self.towns))"
        return ("\(title) di \(where_)", "\(body) Lokasi: \(where_). Kejadian sudah berlangsung sekitar \(Int.random(in: 1...12, using: &rng)) minggu.")
    }

    mutating func token() -> String {
        (0..<4).map { _ in String(rng.next(), radix: 36) }.joined()
    }

    mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &rng) < percent }

    mutating func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &rng)] }

    mutating func weighted<T>(_ items: [(T, Int)]) -> T {
        var roll = Int.random(in: 0..<items.reduce(0) { $0 + $1.1 }, using: &rng)
        for (item, weight) in items {
            if roll < weight { return item }
            roll -= weight
        }
        return items[items.count - 1].0
    }

    // MARK: words

    static let stories: [String: [(String, String)]] = [
        "kesehatan": [("Antrean poliklinik sangat panjang", "Pasien harus mengantre sejak subuh dan baru dilayani siang hari. Mohon penambahan loket dan dokter."),
                      ("Obat kosong di apotek rumah sakit", "Resep dari dokter tidak bisa ditebus karena stok obat kosong sejak dua minggu."),
                      ("Klaim BPJS ditolak tanpa penjelasan", "Petugas menolak kartu BPJS kami dan meminta pembayaran umum tanpa penjelasan tertulis.")],
        "pendidikan": [("Pungutan di sekolah negeri", "Sekolah meminta uang pembangunan kepada orang tua murid padahal sekolah negeri gratis."),
                       ("Atap ruang kelas bocor", "Atap ruang kelas bocor setiap hujan sehingga murid belajar di lorong.")],
        "infrastruktur": [("Jalan berlubang membahayakan pengendara", "Lubang besar di badan jalan sudah menyebabkan beberapa pengendara motor terjatuh."),
                          ("Air PDAM tidak mengalir", "Air PDAM tidak mengalir sejak beberapa hari padahal tagihan tetap dibayar."),
                          ("Drainase tersumbat", "Saluran drainase tersumbat sampah sehingga jalan tergenang setiap hujan.")],
        "perhubungan": [("Lampu lalu lintas mati", "Lampu lalu lintas di persimpangan mati dan sering terjadi kemacetan."),
                        ("Pungli di terminal", "Petugas di terminal meminta uang tambahan kepada sopir angkutan.")],
        "adminduk": [("KTP elektronik belum jadi", "Pengurusan KTP elektronik sudah lebih dari tiga bulan belum selesai dengan alasan blangko habis.")],
        "perizinan": [("Izin usaha lambat diproses", "Permohonan izin usaha kami belum diproses melewati batas waktu layanan.")],
        "lingkungan": [("Sampah menumpuk di pinggir jalan", "Sampah tidak diangkut lebih dari seminggu dan menimbulkan bau menyengat."),
                       ("Pencemaran sungai oleh limbah", "Air sungai berubah warna dan berbau diduga karena limbah pabrik.")],
        "sosial": [("Bantuan sosial tidak tepat sasaran", "Warga yang mampu menerima bantuan sementara warga miskin tidak terdaftar.")],
        "bencana": [("Tanggul jebol saat banjir", "Tanggul sungai jebol dan air masuk ke permukiman warga.")],
        "kepegawaian": [("Pegawai sering tidak di tempat", "Pegawai kantor pelayanan sering tidak berada di tempat pada jam kerja.")],
        "umum": [("Pelayanan kantor lambat", "Pelayanan di kantor sangat lambat dan petugas tidak ramah kepada warga."),
                 ("Informasi layanan tidak jelas", "Tidak ada papan informasi persyaratan dan biaya layanan di kantor.")],
    ]
    static let streets = ["Jl. A. Yani", "Jl. Lambung Mangkurat", "Jl. Pangeran Antasari", "Jl. Sultan Adam", "Jl. Gatot Subroto",
                          "Jl. Veteran", "Jl. Brigjen H. Hasan Basri", "Jl. Trikora", "Jl. Sutoyo S.", "Jl. Kuripan"]
    static let towns = ["Banjarmasin", "Banjarbaru", "Martapura", "Pelaihari", "Kandangan", "Barabai", "Amuntai", "Tanjung",
                        "Kotabaru", "Marabahan", "Rantau", "Batulicin", "Paringin"]
    static let givenNames = ["Ahmad", "Siti", "Muhammad", "Nur", "Rahmat", "Fitri", "Budi", "Dewi", "Rizky", "Aisyah", "Hendra", "Lestari"]
    static let familyNames = ["Hidayat", "Rahman", "Saputra", "Wulandari", "Syahrani", "Maulana", "Anwar", "Hasanah", "Pratama", "Noor"]
    static let externalDestinations = ["Kementerian Dalam Negeri (SP4N-LAPOR! nasional)", "Kepolisian Daerah Kalimantan Selatan",
                                       "BPJS Kesehatan Cabang Banjarmasin", "PT PLN (Persero) UP3 Banjarmasin", "Ombudsman RI Perwakilan Kalsel"]
    static let infoRequests = ["Mohon kirimkan foto dan titik lokasi yang lebih tepat.", "Mohon lengkapi tanggal kejadian dan nama kantor yang dimaksud.",
                               "Mohon jelaskan kronologi lebih rinci agar dapat kami tindak lanjuti."]
    static let replies = ["Lokasinya di depan pasar, foto sudah saya lampirkan.", "Kejadiannya minggu lalu di kantor kecamatan.",
                          "Berikut kronologi lengkapnya sesuai permintaan."]
    static let followUps = ["Tim kami sedang melakukan pengecekan ke lokasi.", "Laporan sudah kami teruskan ke bidang teknis terkait.",
                            "Kami sedang berkoordinasi dengan pihak terkait untuk penanganan."]
    static let finalAnswers = ["Perbaikan telah selesai dilaksanakan. Terima kasih atas laporannya.",
                               "Petugas yang bersangkutan telah diberi pembinaan dan layanan sudah normal kembali.",
                               "Permasalahan telah ditangani dan akan dipantau secara berkala."]
    static let disputes = ["Sampai hari ini masalahnya belum selesai.", "Jawaban tidak sesuai dengan kondisi di lapangan."]
}
