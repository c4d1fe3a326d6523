import AduanCore
import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// Writes decided transitions: events (hash-chained), the projection, stages and outbox rows, in the caller's
/// transaction. The rules live in AduanCore; this type only persists what the core decided.
enum ComplaintStore {
    /// Appends the transition's events to `complaint` and saves its new projection, stages and messages.
    /// Written with SQLKit rather than Fluent models: this is the hot path of every submission and action, and
    /// Fluent's reflection over the complaint's fifty columns cost more than the statements themselves.
    /// `reporterSecret` (only at submission) goes sealed into the "received" message, so its link opens the private view.
    /// The stored monev counters move with it (`MonevTally`): `reference` gives the calendars they are kept in. A bulk
    /// writer passes `counters` to gather the counter changes of many commits and write them once, before its
    /// transaction ends (`MonevTally.Pending`).
    static func commit(_ transition: Transition, to complaint: Complaint, actorID: String?, secrets: Secrets, reference: ReferenceData,
                       language: String? = nil, reporterSecret: String? = nil, counters: MonevTally.Pending? = nil,
                       on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { throw AppError(status: .internalServerError, code: "internal", message: "SQL database required") }
        let isNew = complaint.id == nil
        let now = transition.events.last?.at ?? Date()
        if isNew { complaint.headHash = CanonicalEvent.genesis }
        var tally = MonevTally.Deltas()
        if !isNew { tally.add(ComplaintFacts(complaint.record), at: now, reference: reference, negate: true) }
        complaint.apply(transition.record, at: now)
        tally.add(ComplaintFacts(transition.record), at: now, reference: reference)

        // The chain first: the complaint row stores its head, so a new complaint is written once.
        let seq = transition.record.eventCount
        let (rows, head) = chain(transition.events.map { ($0, actorID) }, trackingID: complaint.trackingID,
                                 after: seq - transition.events.count, previous: complaint.headHash, secrets: secrets)
        complaint.headHash = head
        complaint.eventCount = transition.record.eventCount

        let complaintID: Int
        if isNew {
            let columns = complaint.contentColumns + complaint.projectionColumns
            let row = try await sql.insert(into: Complaint.schema).columns(columns.map(\.0)).values(columns.map(\.1))
                .returning("id").first()
            complaintID = try row?.decode(column: "id", as: Int.self) ?? { throw AppError(status: .internalServerError, code: "internal", message: "no id") }()
            complaint.id = complaintID
            complaint.$id.exists = true
        } else {
            complaintID = complaint.id!
            var update = sql.update(Complaint.schema).where("id", .equal, complaintID)
            for (column, value) in complaint.projectionColumns { update = update.set(SQLIdentifier(column), to: value) }
            try await update.run()
        }

        if !rows.isEmpty {
            var insert = sql.insert(into: Event.schema).columns(eventColumns)
            for row in rows { insert = insert.values([SQLBind(complaintID)] + row) }
            try await insert.run()
        }

        for stage in try await applyStages(transition.stages, complaintID: complaintID, submittedAt: complaint.submittedAt, at: now,
                                           reference: reference, on: sql) {
            tally.add(ended: stage, submittedAt: complaint.submittedAt, reference: reference)
        }

        // One row per notice and channel: officers by e-mail; the reporter by each channel they left and did not stop.
        var outbox: [[any SQLExpression]] = []
        for notice in transition.notices {
            var fields = ["tracking_id": complaint.trackingID, "kind": notice.kind, "state": complaint.state,
                          "seq": String(seq), "language": language ?? complaint.language]
            let channels = ChannelRouter.channels(for: notice.audience,
                                                  reporterEmail: complaint.reporterEmailHash != nil && complaint.notifyEmail,
                                                  reporterPhone: complaint.reporterPhoneHash != nil && complaint.notifyPhone)
            if notice.audience == .reporter, notice.kind == "received", let reporterSecret {
                fields["secret"] = try secrets.seal(Data(reporterSecret.utf8))
            }
            let payload = CanonicalEvent.encodeData(fields)
            for channel in channels {
                outbox.append([SQLBind("\(complaint.trackingID):\(seq):\(notice.audience.code):\(notice.kind):\(channel)"),
                               SQLBind(notice.kind), SQLBind(notice.audience.code), SQLBind(channel), SQLBind(complaintID), SQLBind(payload),
                               SQLBind("pending"), SQLBind(0), SQLBind(now), SQLBind(now)])
            }
        }
        // Subscribers' copies of the public events (outbound webhooks), in the same statement.
        outbox += try await WebhookOutbox.rows(transition.events, lastSeq: seq, complaint: complaint, complaintID: complaintID,
                                               reference: reference, on: db)
        if !outbox.isEmpty {
            var insert = sql.insert(into: OutboxMessage.schema).columns(["idempotency_key", "kind", "audience", "channel", "complaint_id", "payload",
                                                                         "status", "attempts", "next_attempt_at", "created_at"])
            for row in outbox { insert = insert.values(row) }
            try await insert.run()
        }
        // Last, so the counters' row locks (PostgreSQL) are held for as short a time as possible.
        if let counters { counters.add(tally) } else { try await MonevTally.write(tally, on: sql) }
    }

    /// The columns of an event row, in the order `chain` gives the values (after `complaint_id`).
    static let eventColumns = ["complaint_id", "seq", "at", "action", "from_state", "to_state", "actor_role", "actor_id", "unit_id",
                               "jurisdiction_code", "public_text", "internal_text", "due_at", "late", "data", "is_public", "prev_hash", "hash"]

    /// The events' rows (without `complaint_id`), numbered after `seq` and hash-chained after `previous` (`AuditChain`
    /// verifies the chain), and the new head. Each event with the actor who took it.
    static func chain(_ events: [(draft: EventDraft, actorID: String?)], trackingID: String, after seq: Int, previous: String,
                      secrets: Secrets) -> (rows: [[any SQLExpression]], head: String) {
        var previous = previous
        var rows: [[any SQLExpression]] = []
        rows.reserveCapacity(events.count)
        for (index, (draft, actorID)) in events.enumerated() {
            let seq = seq + index + 1
            let data = CanonicalEvent.encodeData(draft.data)
            let canonical = CanonicalEvent(trackingID: trackingID, seq: seq, at: draft.at, action: draft.action.rawValue,
                                           fromState: draft.fromState?.rawValue, toState: draft.toState.rawValue, actorRole: draft.actorRole,
                                           actorID: actorID, unit: draft.unit, jurisdiction: draft.jurisdiction, publicText: draft.publicText,
                                           internalText: draft.internalText, dueAt: draft.dueAt, late: draft.late, data: data,
                                           previousHash: previous)
            let hash = secrets.chainHash(canonical.bytes)
            rows.append([SQLBind(seq), SQLBind(draft.at), SQLBind(draft.action.rawValue), SQLBind(draft.fromState?.rawValue),
                         SQLBind(draft.toState.rawValue), SQLBind(draft.actorRole), SQLBind(actorID), SQLBind(draft.unit),
                         SQLBind(draft.jurisdiction), SQLBind(draft.publicText), SQLBind(draft.internalText), SQLBind(draft.dueAt),
                         SQLBind(draft.late), SQLBind(data), SQLBind(draft.isPublic), SQLBind(previous), SQLBind(hash)])
            previous = hash
        }
        return (rows, previous)
    }

    /// New complaints with their whole history, gathered for a bulk load (`aduan demo generate`) and written in
    /// multi-row statements by `write`: the same rows (`Complaint.contentColumns`/`projectionColumns`) and the same
    /// chain (`chain`) as `commit`, with ids chosen by the loader.
    struct Bulk: Sendable {
        var complaints: [[any SQLExpression]] = []
        var events: [[any SQLExpression]] = []

        /// Chains the events onto the new complaint, sets its head and count, and adds both rows.
        mutating func add(id: Int, _ complaint: Complaint, events: [(draft: EventDraft, actorID: String?)], secrets: Secrets) {
            let (rows, head) = ComplaintStore.chain(events, trackingID: complaint.trackingID, after: 0, previous: CanonicalEvent.genesis,
                                                    secrets: secrets)
            complaint.headHash = head
            complaint.eventCount = events.count
            for row in rows { self.events.append([SQLBind(id)] + row) }
            complaints.append([SQLBind(id)] + (complaint.contentColumns + complaint.projectionColumns).map(\.1))
        }

        /// Inserts the rows, a few hundred per statement, in the caller's transaction.
        func write(on sql: any SQLDatabase) async throws {
            try await ComplaintStore.insert(complaints, into: Complaint.schema, columns: ["id"] + Complaint.insertColumns,
                                            perStatement: 250, on: sql)
            try await ComplaintStore.insert(events, into: Event.schema, columns: ComplaintStore.eventColumns, perStatement: 500, on: sql)
        }
    }

    /// Multi-row inserts of `perStatement` rows each.
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

    /// Writes the stage changes; returns the stages it ended, with their working days frozen on the row (SPEC §5:
    /// a later calendar edit never rewrites a finished stage). A due moved later (`at`) keeps the one it replaced in
    /// `stage_reschedules`, for the figures as of a date before.
    static func applyStages(_ changes: [StageChange], complaintID: Int, submittedAt: Date, at now: Date, reference: ReferenceData,
                            on sql: any SQLDatabase) async throws -> [StageFacts] {
        struct Open: Decodable { var id: Int; var jurisdiction_code: String; var unit_id: String?; var started_at: Date; var due_at: Date }
        var starts: [[any SQLExpression]] = []
        var ended: [StageFacts] = []
        for change in changes {
            switch change {
            case .start(let kind, let jurisdiction, let unit, let at, let due):
                starts.append([SQLBind(complaintID), SQLBind(kind.rawValue), SQLBind(jurisdiction), SQLBind(unit), SQLBind(at), SQLBind(due),
                               SQLBind(submittedAt)])
            case .end(let kind, let at, let late):
                let open = try await sql.select().columns("id", "jurisdiction_code", "unit_id", "started_at", "due_at").from(Stage.schema)
                    .where("complaint_id", .equal, complaintID).where("kind", .equal, kind.rawValue).where("ended_at", .is, SQLLiteral.null)
                    .all(decoding: Open.self)
                for stage in open {
                    let days = reference.calendar(for: stage.jurisdiction_code).elapsedWorkingDays(from: stage.started_at, to: at)
                    try await sql.update(Stage.schema).set("ended_at", to: at).set("late", to: late).set("working_days", to: days)
                        .where("id", .equal, stage.id).run()
                    ended.append(StageFacts(complaintTrackingID: "", kind: kind, jurisdiction: stage.jurisdiction_code, unit: stage.unit_id,
                                            startedAt: stage.started_at, dueAt: stage.due_at, endedAt: at, late: late, workingDays: days))
                }
            case .reschedule(let kind, let due):
                struct Due: Decodable { var id: Int; var due_at: Date }
                for stage in try await sql.select().columns("id", "due_at").from(Stage.schema)
                    .where("complaint_id", .equal, complaintID).where("kind", .equal, kind.rawValue).where("ended_at", .is, SQLLiteral.null)
                    .all(decoding: Due.self) where stage.due_at != due {
                    try await sql.insert(into: "stage_reschedules").columns("stage_id", "complaint_id", "at", "previous_due_at")
                        .values(SQLBind(stage.id), SQLBind(complaintID), SQLBind(now), SQLBind(stage.due_at)).run()
                }
                try await sql.update(Stage.schema).set("due_at", to: due)
                    .where("complaint_id", .equal, complaintID).where("kind", .equal, kind.rawValue).where("ended_at", .is, SQLLiteral.null)
                    .run()
            }
        }
        guard !starts.isEmpty else { return ended }
        var insert = sql.insert(into: Stage.schema).columns(["complaint_id", "kind", "jurisdiction_code", "unit_id", "started_at", "due_at",
                                                             "submitted_at"])
        for row in starts { insert = insert.values(row) }
        try await insert.run()
        return ended
    }

    /// Load, decide and write in one transaction, retried if another writer changed the complaint meanwhile.
    /// `files` (already sanitised) are attached to the new event, in the same transaction.
    static func perform(_ command: ComplaintCommand, actor: Participant, actorID: String?, trackingID: String, texts: Texts,
                        files: [SanitizedFile] = [], app: Application) async throws -> Complaint {
        let reference = try await app.reference.get(on: app.db)
        let secrets = app.secrets
        let store = AttachmentStore(root: app.settings.dataDirectory.appendingPathComponent("attachments"))
        let keys = try files.map { try store.save($0.bytes, ext: $0.type.fileExtension) }
        do {
            return try await withWriteTransaction(app) { db in
                guard let complaint = try await Complaint.byTrackingID(trackingID, on: db) else { throw AppError.notFound() }
                let now = app.clock.now
                var context = reference.context(now: now)
                context.nationalBridge = app.nationalBridgeConfigured
                let transition = try Lifecycle.decide(command, by: actor, on: complaint.record, texts: texts, context: context)
                try await commit(transition, to: complaint, actorID: actorID, secrets: secrets, reference: reference, on: db)
                try await attach(files, keys: keys, to: complaint, eventSeq: complaint.eventCount, at: now, on: db)
                return complaint
            }
        } catch {
            keys.forEach(store.delete)
            throw error
        }
    }

    /// Records stored files as attachments of one event of the complaint.
    static func attach(_ files: [SanitizedFile], keys: [String], to complaint: Complaint, eventSeq: Int, at now: Date,
                       on db: any Database) async throws {
        for (file, key) in zip(files, keys) {
            let attachment = Attachment()
            attachment.complaintID = try complaint.requireID()
            attachment.eventSeq = eventSeq
            attachment.filename = file.filename
            attachment.contentType = file.type.rawValue
            attachment.size = file.bytes.count
            attachment.sha256 = Secrets.sha256(bytes: file.bytes)
            attachment.storageKey = key
            attachment.createdAt = now
            try await attachment.create(on: db)
        }
    }

    static func merge(_ duplicateID: String, into originalID: String, actor: Participant, actorID: String?, texts: Texts,
                      app: Application) async throws -> Complaint {
        let reference = try await app.reference.get(on: app.db)
        let secrets = app.secrets
        return try await withWriteTransaction(app) { db in
            guard let duplicate = try await Complaint.byTrackingID(duplicateID, on: db),
                  let original = try await Complaint.byTrackingID(originalID, on: db) else { throw AppError.notFound() }
            let (d, o) = try Lifecycle.merge(duplicate.record, into: original.record, by: actor, texts: texts,
                                             context: reference.context(now: app.clock.now))
            try await commit(d, to: duplicate, actorID: actorID, secrets: secrets, reference: reference, on: db)
            try await commit(o, to: original, actorID: actorID, secrets: secrets, reference: reference, on: db)
            return duplicate
        }
    }
}

extension Audience {
    /// Stored form of the audience.
    var code: String {
        switch self {
        case .reporter: return "reporter"
        case .unitLiaisons(let u): return "unit_liaisons:\(u)"
        case .unitHead(let u): return "unit_head:\(u)"
        case .coordinators(let j): return "coordinators:\(j)"
        case .inspectorate(let j): return "inspectorate:\(j)"
        case .externalSystem(let name): return "external:\(name)"
        }
    }
}

extension QueryBuilder where Model == Complaint {
    /// The ids of the matching complaints, read straight from the rows. (`all(\.$id)` builds a model per row, which
    /// reflects over every property of `Complaint`: ~60 ms for the 500 rows the menu's unread count reads.)
    func ids() async throws -> [Int] {
        let rows = NIOLockedValueBox<(ids: [Int], failed: Bool)>(([], false))
        try await copy().field(\.$id).run { output in
            let id = try? output.schema(Complaint.schema).decode("id", as: Int.self)
            rows.withLockedValue { if let id { $0.ids.append(id) } else { $0.failed = true } }
        }.get()
        let (ids, failed) = rows.withLockedValue { $0 }
        guard !failed else { throw AppError(status: .internalServerError, code: "internal", message: "a complaint row without its id") }
        return ids
    }
}
