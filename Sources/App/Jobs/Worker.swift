import AduanCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// The background worker: automatic closes and archives, overdue escalations, outbox delivery (SPEC §4, §5, §7).
/// Safe to run in several instances: transitions collide on `(complaint_id, seq)` and the loser skips; outbox rows
/// are claimed with `FOR UPDATE SKIP LOCKED` on PostgreSQL.
struct Worker: Sendable {
    let app: Application
    let transport: any MessageTransport
    let instance = UUID().uuidString.lowercased().prefix(8)

    static let maxAttempts = 10
    static let batchSize = 100

    struct Report: Sendable, Equatable {
        var closed = 0, archived = 0, escalated = 0, reminded = 0, warningReminders = 0, digests = 0, delivered = 0, failed = 0
        /// Forwarded complaints whose SP4N-LAPOR! status changed (Interop/LaporStatusSync.swift).
        var synced = 0
        /// Whether a signed anchor of the audit chain was written (Services/AuditChain.swift).
        var anchored = false
    }

    /// Writes a signed anchor over what was written since the last one. Logged with its MAC, so a copy of the anchors
    /// lives outside the database too. A failure (a busy moment on PostgreSQL) waits for the next sweep.
    func anchor() async -> Bool {
        do {
            guard let anchor = try await AuditAnchors.write(app) else { return false }
            app.logger.notice("audit anchor", metadata: ["anchor": "\(anchor.id.map(String.init) ?? "new")", "mac": "\(anchor.mac)",
                                                         "complaints_to": "\(anchor.complaintMaxID)", "events_to": "\(anchor.eventMaxID)"])
            return true
        } catch {
            app.logger.warning("audit anchor skipped", metadata: ["error": "\(String(reflecting: error))"])
            return false
        }
    }

    /// One sweep over everything that is due now; `deliver: false` leaves the outbox to `deliveryLoop`.
    @discardableResult
    func runOnce(deliver: Bool = true) async throws -> Report {
        var report = Report()
        let now = app.clock.now
        let reference = try await app.reference.get(on: app.db)

        // The reporter's window has passed: each state's automatic command, as the lifecycle names it.
        for (state, command) in Lifecycle.whenReporterWindowEnds {
            let due = try await Complaint.query(on: app.db).filter(\.$state == state.rawValue)
                .filter(\.$reporterDue < now).limit(1000).all().map(\.trackingID)
            for id in due where try await automatic(command, id) {
                if command == .autoClose { report.closed += 1 } else { report.archived += 1 }
            }
        }

        let overdue = try await Complaint.query(on: app.db).filter(\.$officerDue < now).filter(\.$escalationLevel < Lifecycle.topEscalationLevel)
            .limit(1000).all()
        for complaint in overdue where Lifecycle.escalation(of: complaint.record, context: reference.context(now: now)) != nil {
            if try await escalate(complaint.trackingID) { report.escalated += 1 }
        }
        app.metrics.transitions.increment(by: Int64(report.closed + report.archived + report.escalated))
        report.reminded = try await remindDueSoon(now: now, reference: reference)
        report.warningReminders = try await remindLateWarnings(now: now, reference: reference)
        report.digests = try await queueDigests(now: now, reference: reference)
        try await SecretLimiter.prune(app: app)
        if !app.usesSQLite { try await SharedLimits.prune(now: now, on: app.db as! any SQLDatabase) }

        if deliver {
            let (delivered, failed) = try await deliverOutbox()
            report.delivered = delivered; report.failed = failed
        }
        report.synced = await LaporStatusSync(app: app).sweep()
        report.anchored = await anchor()
        _ = await TriageRetrain.sweep(app)
        try await updateGauges(now: now)
        return report
    }

    /// Runs an automatic transition; false when it no longer applies (another instance did it, the reporter acted).
    func automatic(_ command: ComplaintCommand, _ trackingID: String) async throws -> Bool {
        do {
            _ = try await ComplaintStore.perform(command, actor: .system, actorID: nil, trackingID: trackingID, texts: Texts(), app: app)
            return true
        } catch is LifecycleError {
            return false
        } catch where isWriteConflict(error) {
            return false
        }
    }

    func escalate(_ trackingID: String) async throws -> Bool {
        let reference = try await app.reference.get(on: app.db)
        let secrets = app.secrets
        let app = self.app
        do {
            return try await withWriteTransaction(app) { db in
                guard let complaint = try await Complaint.byTrackingID(trackingID, on: db),
                      let transition = Lifecycle.escalation(of: complaint.record, context: reference.context(now: app.clock.now)) else { return false }
                try await ComplaintStore.commit(transition, to: complaint, actorID: nil, secrets: secrets, reference: reference, on: db)
                return true
            }
        } catch where isWriteConflict(error) {
            return false
        }
    }

    /// Queues one "due soon" reminder per government due, a working day before it (SPEC §7). The candidates are
    /// those due within two weeks (a working day can span a long holiday); AduanCore decides which are due soon.
    func remindDueSoon(now: Date, reference: ReferenceData) async throws -> Int {
        let candidates = try await Complaint.query(on: app.db).filter(\.$officerDue > now)
            .filter(\.$officerDue < now.addingTimeInterval(14 * 86_400)).limit(5000).all()
        var queued = 0
        for complaint in candidates where complaint.dueSoonNotifiedFor != complaint.officerDue {
            guard let due = complaint.officerDue,
                  let notice = Lifecycle.dueSoon(of: complaint.record, now: now, calendar: reference.calendar(for: complaint.jurisdictionCode))
            else { continue }
            let app = self.app
            let payload = CanonicalEvent.encodeData(["tracking_id": complaint.trackingID, "kind": notice.kind, "state": complaint.state,
                                                     "language": complaint.language])
            let key = "\(complaint.trackingID):due_soon:\(Int(due.timeIntervalSince1970)):\(notice.audience.code):email"
            let id = complaint.id!
            let written = try await withWriteTransaction(app) { db -> Bool in
                // Only the instance that moves the marker queues the message: two workers never remind twice.
                guard let sql = db as? any SQLDatabase else { return false }
                let moved = try await sql.raw("""
                    UPDATE complaints SET due_soon_notified_for = \(bind: due)
                    WHERE id = \(bind: id) AND officer_due = \(bind: due)
                      AND (due_soon_notified_for IS NULL OR due_soon_notified_for <> \(bind: due))
                    RETURNING id
                    """).all()
                guard !moved.isEmpty else { return false }
                let message = OutboxMessage()
                message.idempotencyKey = key; message.kind = notice.kind; message.audience = notice.audience.code
                message.channel = "email"; message.complaintID = id; message.payload = payload; message.status = "pending"
                message.attempts = 0; message.nextAttemptAt = now; message.createdAt = now
                try await message.create(on: db)
                return true
            }
            if written { queued += 1 }
        }
        return queued
    }

    /// Reminds the unit head once when a warning's answer is late (SPEC §4: warnings must be acknowledged).
    func remindLateWarnings(now: Date, reference: ReferenceData) async throws -> Int {
        let late = try await UnitWarning.query(on: app.db).filter(\.$acknowledgedAt == nil).filter(\.$remindedAt == nil)
            .filter(\.$acknowledgeBy < now).limit(1000).all()
        var count = 0
        for warning in late {
            let app = self.app
            let unitName = reference.tree.units[warning.unitID]?.name ?? warning.unitID
            let sent = try await withWriteTransaction(app) { db -> Bool in
                // Only the instance that sets the marker queues the reminder.
                guard let sql = db as? any SQLDatabase else { return false }
                let moved = try await sql.raw("""
                    UPDATE warnings SET reminded_at = \(bind: now) WHERE id = \(bind: warning.id!) AND reminded_at IS NULL AND acknowledged_at IS NULL
                    RETURNING id
                    """).all()
                guard !moved.isEmpty else { return false }
                try await OfficerMail.queueWarning("warning_reminder", warning: warning, audience: .unitHead(warning.unitID), unitName: unitName,
                                                   at: now, on: db)
                return true
            }
            if sent { count += 1 }
        }
        return count
    }

    /// Once a day, from 07:00 in the installation's main time zone, each officer who chose the digest gets one
    /// e-mail listing what was kept for them since the last one.
    func queueDigests(now: Date, reference: ReferenceData) async throws -> Int {
        let calendar = reference.calendar(for: reference.defaultJurisdiction)
        let sendFrom = calendar.startOfDay(calendar.localDate(of: now)).addingTimeInterval(7 * 3600)
        guard now >= sendFrom else { return 0 }
        let readers = try await User.query(on: app.db).filter(\.$digest == true).filter(\.$active == true).all()
            .filter { ($0.digestSentAt ?? .distantPast) < sendFrom }
        var count = 0
        for user in readers {
            let app = self.app
            let id = user.id!
            let sent = try await withWriteTransaction(app) { db -> Bool in
                let items = try await DigestItem.query(on: db).filter(\.$userID == id).filter(\.$sentAt == nil).sort(\.$createdAt).all()
                try await User.query(on: db).filter(\.$id == id).set(\.$digestSentAt, to: now).update()
                guard !items.isEmpty else { return false }
                try await DigestItem.query(on: db).filter(\.$id ~~ items.map { $0.id! }).set(\.$sentAt, to: now).update()
                let payload = OfficerMail.DigestPayload(user: id, items: items.map { .init(kind: $0.kind, tracking_id: $0.trackingID) })
                let message = OutboxMessage()
                message.idempotencyKey = "digest:\(id.uuidString.lowercased()):\(Int(sendFrom.timeIntervalSince1970))"
                message.kind = OfficerMail.digestKind; message.audience = "user:\(id.uuidString.lowercased())"; message.channel = "email"
                message.payload = String(decoding: try JSONEncoder().encode(payload), as: UTF8.self)
                message.status = "pending"; message.attempts = 0; message.nextAttemptAt = now; message.createdAt = now
                try await message.create(on: db)
                return true
            }
            if sent { count += 1 }
        }
        return count
    }

    /// Claims due messages, delivers them, and records the outcome, lane by lane (`DeliveryLanes.swift`). A crash
    /// between delivery and marking redelivers (with the same idempotency key) once the claim expires: at least once,
    /// never lost.
    func deliverOutbox() async throws -> (Int, Int) {
        try await deliverLanes()
    }

    func updateGauges(now: Date) async throws { try await Gauges.refresh(app, now: now) }

    /// Sweeps until the task is cancelled; an error is logged and the next sweep tries again. On SQLite the
    /// planner's statistics are refreshed at the start and then daily (`Bootstrap.analyze`).
    /// The outbox is delivered beside the sweeps, on the same interval (`deliveryLoop`).
    func loop(interval: Double) async {
        app.logger.info("worker started", metadata: ["instance": "\(instance)", "interval_s": "\(interval)"])
        await withDiscardingTaskGroup { group in
            group.addTask { await self.deliveryLoop(interval: interval) }
            var analyzed: Date?
            while !Task.isCancelled {
                do {
                    if app.usesSQLite, analyzed.map({ app.clock.now.timeIntervalSince($0) > 86_400 }) ?? true {
                        analyzed = app.clock.now
                        try await Bootstrap.analyze(app)
                    }
                    let report = try await runOnce(deliver: false)
                    if report != Report() { app.logger.info("worker sweep", metadata: ["report": "\(report)"]) }
                } catch {
                    app.logger.error("worker sweep failed", metadata: ["error": "\(String(reflecting: error))"])
                }
                try? await Task.sleep(nanoseconds: UInt64(interval * 1e9))
            }
        }
    }

    /// Outbox delivery on its own: at each tick every lane with messages due starts, unless it is still busy from an
    /// earlier tick (a slow receiver is left to finish), so a citizen's e-mail never waits for another lane, not even
    /// for the rest of a sweep. At most `maxParallelLanes` lanes run at once.
    func deliveryLoop(interval: Double) async {
        let busy = BusyLanes(limit: Self.maxParallelLanes)
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled {
                do {
                    for lane in try await dueLanes() where await busy.claim(lane) {
                        group.addTask {
                            do {
                                _ = try await self.deliver(lane)
                            } catch {
                                self.app.logger.error("delivery failed", metadata: ["lane": "\(lane.channel) \(lane.audience ?? "")",
                                                                                    "error": "\(String(reflecting: error))"])
                            }
                            await busy.release(lane)
                        }
                    }
                } catch {
                    app.logger.error("delivery sweep failed", metadata: ["error": "\(String(reflecting: error))"])
                }
                try? await Task.sleep(nanoseconds: UInt64(interval * 1e9))
            }
        }
    }
}

/// The delivery lanes at work now.
actor BusyLanes {
    let limit: Int
    private var lanes: Set<Worker.Lane> = []
    init(limit: Int) { self.limit = limit }
    func claim(_ lane: Worker.Lane) -> Bool { lanes.count < limit && lanes.insert(lane).inserted }
    func release(_ lane: Worker.Lane) { lanes.remove(lane) }
}

/// Runs the worker inside `serve` (the embedded default needs no other process).
final class WorkerLifecycle: LifecycleHandler, @unchecked Sendable {
    private var task: Task<Void, Never>?

    func didBootAsync(_ app: Application) async throws {
        let worker = Worker(app: app, transport: try ChannelRouter.make(for: app).routingNationalBridge(app))
        let interval = app.settings.workerInterval
        task = Task { await worker.loop(interval: interval) }
    }

    func shutdownAsync(_ app: Application) async {
        task?.cancel()
        await task?.value
    }
}
