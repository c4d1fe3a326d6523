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
        // Mixing the first id into the seed keeps a second run on the same database from repeating the first run;
        // the tracking IDs already stored are skipped as well (40 random bits clash about once per 10^6 pairs).
        let seed = SeededGenerator.mix(SeededGenerator.mix(signature.seed ?? 1) ^ UInt64(firstID))
        var generator = DemoGenerator(reference: reference, secrets: app.secrets, horizon: now, seed: seed)
        if firstID > 1 {
            let stored = try await sql.select().column("tracking_id").from("complaints").all(decodingColumn: "tracking_id", as: String.self)
            generator.reserve(stored)
        }

        let progress = Progress(total: total)
        var pending: Task<Void, any Error>?
        var done = 0
        var events = 0
        while done < total {
            let count = min(Self.complaintsPerTransaction, total - done)
            var batch = DemoGenerator.Batch()
            for offset in 0..<count {
                let at = window.lowerBound.addingTimeInterval(
                    Double(UInt64.random(in: 0...UInt64(window.upperBound.timeIntervalSince(window.lowerBound)), using: &generator.rng)))
                generator.generate(id: firstID + done + offset, submittedAt: at, into: &batch)
            }
            // Decide the next batch while the database writes this one.
            try await pending?.value
            let write = batch
            pending = Task { try await Self.write(write, to: app.writeDB) }
            done += count
            events += write.events.count
            progress.report(done: done, events: events)
        }
        try await pending?.value
        if sql.dialect.name == "postgresql" {
            try await sql.raw("SELECT setval(pg_get_serial_sequence('complaints', 'id'), (SELECT MAX(id) FROM complaints))").run()
        }
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
            try await insert(batch.complaints, into: "complaints", columns: DemoGenerator.complaintColumns, perStatement: 250, on: sql)
            try await insert(batch.events, into: "events", columns: DemoGenerator.eventColumns, perStatement: 500, on: sql)
            try await insert(batch.stages, into: "stages", columns: DemoGenerator.stageColumns, perStatement: 500, on: sql)
            try await MonevTally.write(batch.tally, on: sql)
        }
    }

    static func insert(_ rows: [[any SQLExpression]], into table: String, columns: [String], perStatement: Int,
                       on sql: any SQLDatabase) async throws {
        var start = 0
        while start < rows.count {
            let end = min(start + perStatement, rows.count)
            let builder = sql.insert(into: table).columns(columns)
            for row in rows[start..<end] { _ = builder.values(row) }
            try await builder.run()
            start = end
        }
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
    /// Rows of one transaction, in the column order below.
    struct Batch: Sendable {
        var complaints: [[any SQLExpression]] = []
        var events: [[any SQLExpression]] = []
        var stages: [[any SQLExpression]] = []
        /// The monev counters of the batch's complaints and ended stages.
        var tally = MonevTally.Deltas()
    }

    static let complaintColumns = [
        "id", "tracking_id", "type", "channel", "state", "jurisdiction_code", "unit_id", "collaborating_units", "target_unit_id",
        "category_code", "resolution_class", "supervision", "anonymous", "anonymous_by_reporter", "confidential",
        "confidential_by_reporter", "has_contact", "title", "body", "incident_date", "address", "lat", "lng", "qr_code", "language",
        "reporter_sealed", "reporter_email_hash", "reporter_phone_hash", "secret_hash", "pin_hash", "secret_failures",
        "submitted_at", "updated_at", "verification_due", "response_due", "resolution_due", "reporter_due", "resolution_started_at",
        "due_at", "officer_due", "extension_requested_days", "extension_days", "extension_used", "disposition_count", "reopen_count",
        "rating", "archive_reason", "merged_into", "external_destination", "external_ref", "escalation_level", "closed_at",
        "event_count", "head_hash",
    ]
    static let eventColumns = [
        "complaint_id", "seq", "at", "action", "from_state", "to_state", "actor_role", "actor_id", "unit_id", "jurisdiction_code",
        "public_text", "internal_text", "due_at", "late", "data", "is_public", "prev_hash", "hash",
    ]
    static let stageColumns = ["complaint_id", "kind", "jurisdiction_code", "unit_id", "started_at", "due_at", "ended_at", "late", "working_days",
                                "submitted_at"]

    /// One complaint while its story is decided.
    struct Life {
        struct StageRow { var kind: StageKind; var jurisdiction: String; var unit: String?; var startedAt: Date; var dueAt: Date; var endedAt: Date?; var late: Bool? }
        var record: ComplaintRecord
        var now: Date
        var events: [(draft: EventDraft, actorID: String?)] = []
        var stages: [StageRow] = []

        mutating func apply(_ transition: Transition, actorID: String?) {
            record = transition.record
            events += transition.events.map { ($0, actorID) }
            for change in transition.stages {
                switch change {
                case .start(let kind, let jurisdiction, let unit, let at, let due):
                    stages.append(StageRow(kind: kind, jurisdiction: jurisdiction, unit: unit, startedAt: at, dueAt: due))
                case .end(let kind, let at, let late):
                    for i in stages.indices where stages[i].kind == kind && stages[i].endedAt == nil {
                        stages[i].endedAt = at; stages[i].late = late
                    }
                case .reschedule(let kind, let due):
                    for i in stages.indices where stages[i].kind == kind && stages[i].endedAt == nil { stages[i].dueAt = due }
                }
            }
        }
    }

    let reference: ReferenceData
    let secrets: Secrets
    /// Nothing happens after this instant: stories still running then stay open (and some overdue).
    let horizon: Date
    var rng: SeededGenerator
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
        let transition = Lifecycle.submit(submission, trackingID: trackingID, by: .reporter, context: reference.context(now: submittedAt))
        var life = Life(record: transition.record, now: submittedAt)
        life.apply(transition, actorID: nil)
        handleNew(&life, depth: 0)

        // The row, as SubmissionController.create and ComplaintStore.commit would write it.
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
        complaint.notifyEmail = true
        complaint.notifyPhone = true
        complaint.apply(life.record, at: life.events.last?.draft.at ?? submittedAt)

        var previous = CanonicalEvent.genesis
        for (index, (draft, actorID)) in life.events.enumerated() {
            let data = CanonicalEvent.encodeData(draft.data)
            let canonical = CanonicalEvent(
                trackingID: trackingID, seq: index + 1, at: draft.at, action: draft.action.rawValue, fromState: draft.fromState?.rawValue,
                toState: draft.toState.rawValue, actorRole: draft.actorRole, actorID: actorID, unit: draft.unit,
                jurisdiction: draft.jurisdiction, publicText: draft.publicText, internalText: draft.internalText, dueAt: draft.dueAt,
                late: draft.late, data: data, previousHash: previous)
            let hash = secrets.chainHash(canonical.bytes)
            batch.events.append([
                SQLBind(id), SQLBind(index + 1), SQLBind(draft.at), SQLBind(canonical.action), SQLBind(canonical.fromState),
                SQLBind(canonical.toState), SQLBind(draft.actorRole), SQLBind(actorID), SQLBind(draft.unit), SQLBind(draft.jurisdiction),
                SQLBind(draft.publicText), SQLBind(draft.internalText), SQLBind(draft.dueAt), SQLBind(draft.late), SQLBind(data),
                SQLBind(draft.isPublic), SQLBind(previous), SQLBind(hash),
            ])
            previous = hash
        }
        complaint.headHash = previous
        complaint.eventCount = life.record.eventCount

        batch.tally.add(ComplaintFacts(life.record), reference: reference)
        for stage in life.stages {
            var facts = StageFacts(complaintTrackingID: trackingID, kind: stage.kind, jurisdiction: stage.jurisdiction, unit: stage.unit,
                                   startedAt: stage.startedAt, dueAt: stage.dueAt, endedAt: stage.endedAt, late: stage.late)
            facts.workingDays = facts.duration(on: reference.calendar(for: stage.jurisdiction))
            batch.tally.add(ended: facts, submittedAt: submittedAt, reference: reference)
            batch.stages.append([
                SQLBind(id), SQLBind(stage.kind.rawValue), SQLBind(stage.jurisdiction), SQLBind(stage.unit), SQLBind(stage.startedAt),
                SQLBind(stage.dueAt), SQLBind(stage.endedAt), SQLBind(stage.late), SQLBind(facts.workingDays), SQLBind(submittedAt),
            ])
        }
        batch.complaints.append(Self.row(id: id, complaint))
    }

    static func row(id: Int, _ c: Complaint) -> [any SQLExpression] {
        [
            SQLBind(id), SQLBind(c.trackingID), SQLBind(c.type), SQLBind(c.channel), SQLBind(c.state), SQLBind(c.jurisdictionCode),
            SQLBind(c.unitID), SQLBind(c.collaboratingUnits), SQLBind(c.targetUnitID), SQLBind(c.categoryCode), SQLBind(c.resolutionClass),
            SQLBind(c.supervision), SQLBind(c.anonymous), SQLBind(c.anonymousByReporter), SQLBind(c.confidential),
            SQLBind(c.confidentialByReporter), SQLBind(c.hasContact), SQLBind(c.title), SQLBind(c.body), SQLBind(c.incidentDate),
            SQLBind(c.address), SQLBind(c.lat), SQLBind(c.lng), SQLBind(c.qrCode), SQLBind(c.language), SQLBind(c.reporterSealed),
            SQLBind(c.reporterEmailHash), SQLBind(c.reporterPhoneHash), SQLBind(c.secretHash), SQLBind(c.pinHash),
            SQLBind(c.secretFailures), SQLBind(c.submittedAt), SQLBind(c.updatedAt), SQLBind(c.verificationDue),
            SQLBind(c.responseDue), SQLBind(c.resolutionDue), SQLBind(c.reporterDue), SQLBind(c.resolutionStartedAt),
            SQLBind(c.dueAt), SQLBind(c.officerDue), SQLBind(c.extensionRequestedDays), SQLBind(c.extensionDays),
            SQLBind(c.extensionUsed), SQLBind(c.dispositionCount), SQLBind(c.reopenCount), SQLBind(c.rating),
            SQLBind(c.archiveReason), SQLBind(c.mergedInto), SQLBind(c.externalDestination), SQLBind(c.externalRef),
            SQLBind(c.escalationLevel), SQLBind(c.closedAt), SQLBind(c.eventCount), SQLBind(c.headHash),
        ]
    }

    // MARK: stories

    /// A complaint in `baru`: the coordinator (the inspectorate for whistleblowing) verifies, asks, archives or forwards.
    mutating func handleNew(_ life: inout Life, depth: Int) {
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
        } else if roll < 16 && depth < 2 && j != ReferenceSeeder.province && life.record.type != .wbs {
            if step(&life, .forwardJurisdiction(ReferenceSeeder.province), by: desk,
                    texts: Texts(public: "Laporan menjadi kewenangan pemerintah provinsi dan diteruskan."), after: verifyDelay) {
                handleNew(&life, depth: depth + 1)
            }
        } else if roll < 24 && depth < 2 {
            guard step(&life, .requestInfo, by: desk, texts: Texts(public: pick(Self.infoRequests)), after: verifyDelay) else { return }
            if chance(60) {
                if step(&life, .reply, by: .reporter, texts: Texts(public: pick(Self.replies)), after: 2...150) {
                    handleNew(&life, depth: depth + 1)
                }
            } else if let due = life.record.reporterDue {
                _ = step(&life, .autoArchive, by: .system, at: due.addingTimeInterval(Double.random(in: 1...30, using: &rng) * hour))
            }
        } else {
            let unit = handlingUnit(for: life.record)
            let category = life.record.category.flatMap { reference.categories[$0] }
            let disposition = Disposition(unit: unit, category: life.record.category, categoryClass: category?.resolutionClass)
            guard step(&life, .verify(disposition), by: desk,
                       texts: Texts(public: "Laporan diteruskan ke \(reference.tree.units[unit]?.name ?? unit)."), after: verifyDelay) else { return }
            handleDisposed(&life, depth: depth)
        }
    }

    /// A dispositioned complaint: the unit follows up and answers; the reporter confirms, disputes or lets it close.
    mutating func handleDisposed(_ life: inout Life, depth: Int) {
        guard let unit = life.record.unit else { return }
        let desk = life.record.type == .wbs ? inspector(life.record.jurisdiction) : coordinator(life.record.jurisdiction)
        let unitOfficer = liaison(unit)
        if chance(3) { return }  // the unit never answers: overdue
        if chance(4) && depth < 2 {
            if step(&life, .returnToCoordinator, by: unitOfficer,
                    texts: Texts(internal: "Bukan kewenangan unit kami; mohon didisposisikan ulang."), after: 4...60) {
                handleNew(&life, depth: depth + 1)
            }
            return
        }
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
        do {
            let transition = try Lifecycle.decide(command, by: actor, on: life.record, texts: texts, context: reference.context(now: at))
            var actorID: String?
            if case .officer(let officer) = actor { actorID = officer.id }
            life.apply(transition, actorID: actorID)
            life.now = at
            return true
        } catch {
            return false
        }
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
