import Foundation

/// Accumulates one transition: the projection after it, its event, stage changes and messages.
struct TransitionBuilder {
    let before: ComplaintRecord
    var after: ComplaintRecord
    let action: Action
    let actorRole: String
    let texts: Texts
    let context: DecisionContext
    var events: [EventDraft] = []
    var stages: [StageChange] = []
    var notices: [Notice] = []
    /// Late flag of the main stage this event ends, frozen on the event.
    var late: Bool?
    /// The due this event sets.
    var setDue: Date?

    init(record: ComplaintRecord, action: Action, actorRole: String, texts: Texts, context: DecisionContext) {
        self.before = record; self.after = record; self.action = action; self.actorRole = actorRole
        self.texts = texts; self.context = context
    }

    var now: Date { context.now }
    var policy: Policy { context.policy }

    /// Whistleblowing goes to the inspectorate, everything else to the coordinator.
    var coordinatorAudience: Audience {
        after.type == .wbs ? .inspectorate(after.jurisdiction) : .coordinators(after.jurisdiction)
    }

    mutating func notify(_ audience: Audience, _ kind: String) {
        if audience == .reporter && !after.hasReporterContact { return }
        notices.append(Notice(audience, kind))
    }

    func requirePublicText(_ what: String) throws(LifecycleError) {
        if texts.publicText == nil { throw .invalid(field: "text", message: "\(what) needs a public text") }
    }

    // MARK: stages

    mutating func startVerification(in jurisdiction: String) {
        let due = context.due(in: jurisdiction, from: now, days: policy.verificationDays)
        after.verificationDue = due
        setDue = due
        stages.append(.start(.verification, jurisdiction: jurisdiction, unit: nil, at: now, due: due))
    }

    mutating func endVerification() {
        guard let due = after.verificationDue else { return }
        let wasLate = now > due
        late = late ?? wasLate
        stages.append(.end(.verification, at: now, late: wasLate))
        after.verificationDue = nil
    }

    mutating func endResponse() {
        guard let due = after.responseDue else { return }
        let wasLate = now > due
        late = wasLate
        stages.append(.end(.response, at: now, late: wasLate))
        after.responseDue = nil
    }

    mutating func endResolution() {
        guard let due = after.resolutionDue else { return }
        let wasLate = now > due
        late = wasLate // resolution is the main stage when both end together
        stages.append(.end(.resolution, at: now, late: wasLate))
        after.resolutionDue = nil
        after.resolutionStartedAt = nil
    }

    mutating func endOpenStages() {
        endVerification(); endResponse(); endResolution()
    }

    func resolutionDays() -> Int {
        policy.days(for: after.supervision ? .berkadar_pengawasan : (after.resolutionClass ?? policy.defaultResolutionClass))
    }

    mutating func startResolution() {
        let due = context.due(in: after.jurisdiction, from: now, days: resolutionDays() + after.extensionDays)
        after.resolutionStartedAt = now
        after.resolutionDue = due
        stages.append(.start(.resolution, jurisdiction: after.jurisdiction, unit: after.unit, at: now, due: due))
    }

    /// Recomputes an open resolution stage's due after its budget changed (extension, supervision).
    mutating func rescheduleResolution() {
        guard let start = after.resolutionStartedAt, after.resolutionDue != nil else { return }
        let due = context.due(in: after.jurisdiction, from: start, days: resolutionDays() + after.extensionDays)
        after.resolutionDue = due
        setDue = due
        stages.append(.reschedule(.resolution, due: due))
    }

    mutating func close(to state: ComplaintState) {
        after.state = state
        after.closedAt = now
        after.reporterDue = nil
        after.extensionRequestedDays = nil
    }

    // MARK: commands

    mutating func apply(_ command: ComplaintCommand) throws(LifecycleError) {
        switch command {
        case .verify(let disposition), .redispose(let disposition):
            if case .redispose = command, before.dispositionCount == 0 {
                throw .illegalTransition(action: .redispose, state: before.state, reason: "redispose is for a complaint that was dispositioned before; use verify")
            }
            try dispose(disposition)

        case .requestInfo:
            try requirePublicText("a request for information")
            endVerification()
            after.state = .perlu_info
            after.reporterDue = context.due(in: after.jurisdiction, from: now, days: policy.infoReplyDays)
            setDue = after.reporterDue
            event()
            notify(.reporter, "info_requested")

        case .archive(let reason):
            guard let reason else { throw .invalid(field: "reason", message: "archive needs a reason: \(ArchiveReason.allCases.map(\.rawValue).joined(separator: ", "))") }
            if reason == .duplikat { throw .invalid(field: "reason", message: "duplicates are archived with the merge action, which links them to the original") }
            if reason == .lainnya && texts.publicText == nil && texts.internalText == nil {
                throw .invalid(field: "text", message: "archiving for another reason (lainnya) needs an explanation")
            }
            endVerification()
            close(to: .diarsipkan)
            after.archiveReason = reason
            event(data: ["reason": reason.rawValue])
            notify(.reporter, "archived")

        case .forwardJurisdiction(let target):
            guard context.tree.jurisdictions[target] != nil else { throw .invalid(field: "jurisdiction", message: "unknown jurisdiction \(target)") }
            guard target != before.jurisdiction else { throw .invalid(field: "jurisdiction", message: "the complaint is already in jurisdiction \(target)") }
            endVerification()
            after.jurisdiction = target
            startVerification(in: target)
            event(data: ["from_jurisdiction": before.jurisdiction, "to_jurisdiction": target])
            notify(coordinatorAudience, "new_complaint")
            notify(.reporter, "forwarded")

        case .forwardExternal(let destination, let reference):
            var destination = destination.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !destination.isEmpty, destination.count <= 200 else { throw .invalid(field: "destination", message: "forward_external needs a destination of at most 200 characters") }
            let reference = Texts.clean(reference)
            if reference.map({ $0.count > 100 }) == true { throw .invalid(field: "external_ref", message: "external_ref is at most 100 characters") }
            let national = National.isDestination(destination)
            if national {
                destination = National.destination
                // Without a bridge the coordinator enters it in LAPOR by hand and records LAPOR's number here.
                if reference == nil && !context.nationalBridge {
                    throw .invalid(field: "external_ref", message: "the SP4N-LAPOR! bridge is not configured here: enter the complaint in LAPOR by hand and give its tracking number as external_ref")
                }
            }
            endVerification()
            close(to: .diteruskan)
            after.externalDestination = destination
            after.externalRef = reference
            var data = ["destination": destination]
            if let ref = after.externalRef { data["external_ref"] = ref }
            event(data: data)
            notify(.reporter, "forwarded")
            // The bridge call is an outbox message of this transition: sent after commit, retried, never lost.
            if national && reference == nil { notices.append(Notice(.externalSystem(National.destination), National.forwardKind)) }

        case .decideExtension(let approve):
            guard let days = before.extensionRequestedDays else {
                throw .illegalTransition(action: .decide_extension, state: before.state, reason: "there is no pending extension request")
            }
            after.extensionRequestedDays = nil
            if approve {
                after.extensionDays = days
                rescheduleResolution()
            }
            event(data: ["approve": String(approve), "days": String(days)])
            if let unit = after.unit { notify(.unitLiaisons(unit), approve ? "extension_approved" : "extension_refused") }

        case .setPrivacy(let anonymous, let confidential):
            var data: [String: String] = [:]
            if let anonymous, anonymous != before.anonymous {
                if !anonymous && before.anonymityLocked {
                    throw .invalid(field: "anonymous", message: "the reporter asked to stay anonymous; that cannot be undone")
                }
                after.anonymous = anonymous
                data["anonymous"] = String(anonymous)
            }
            if let confidential, confidential != before.confidential {
                if !confidential && before.confidentialityLocked {
                    throw .invalid(field: "confidential", message: "the reporter (or the whistleblowing type) made this complaint confidential; that cannot be undone")
                }
                after.confidential = confidential
                data["confidential"] = String(confidential)
            }
            guard !data.isEmpty else { throw .invalid(field: "anonymous", message: "nothing to change: give anonymous or confidential with a new value") }
            event(data: data)

        case .reply:
            try requirePublicText("a reply")
            after.state = .baru
            after.reporterDue = nil
            startVerification(in: after.jurisdiction)
            event()
            notify(coordinatorAudience, "reporter_replied")

        case .confirm:
            close(to: .selesai)
            event()
            if let unit = after.unit { notify(.unitLiaisons(unit), "confirmed") }
            notify(.reporter, "closed")

        case .dispute:
            try requirePublicText("a dispute")
            after.state = .diproses
            after.reporterDue = nil
            after.reopenCount += 1
            startResolution()
            setDue = after.resolutionDue
            event()
            if let unit = after.unit { notify(.unitLiaisons(unit), "disputed"); notify(.unitHead(unit), "disputed") }
            notify(coordinatorAudience, "disputed")

        case .feedback(let rating):
            guard (1...5).contains(rating) else { throw .invalid(field: "rating", message: "rating must be a whole number from 1 to 5") }
            after.rating = rating
            event(data: ["rating": String(rating)])
            if let unit = after.unit { notify(.unitLiaisons(unit), "feedback") }

        case .followUp:
            try requirePublicText("a follow-up")
            endResponse()
            after.state = .diproses
            event()
            notify(.reporter, "follow_up")
            pushAnswerToNationalSystem()

        case .returnToCoordinator:
            if texts.publicText == nil && texts.internalText == nil {
                throw .invalid(field: "internal_text", message: "returning a complaint needs the reason why it is not this unit's to handle")
            }
            let unit = before.unit
            endResponse(); endResolution()
            after.state = .baru
            after.unit = nil
            after.assignee = nil
            after.collaboratingUnits = []
            after.extensionRequestedDays = nil
            startVerification(in: after.jurisdiction)
            var data: [String: String] = [:]
            if let unit { data["returned_from"] = unit }
            event(unit: unit, data: data)
            notify(coordinatorAudience, "returned")

        case .requestExtension(let days):
            guard !before.extensionUsed else {
                throw .illegalTransition(action: .request_extension, state: before.state, reason: "an extension can be requested only once per disposition")
            }
            guard (1...max(1, policy.maxExtensionDays)).contains(days), policy.maxExtensionDays > 0 else {
                throw .invalid(field: "days", message: "days must be from 1 to \(policy.maxExtensionDays)")
            }
            if texts.publicText == nil && texts.internalText == nil {
                throw .invalid(field: "internal_text", message: "an extension request needs a reason")
            }
            after.extensionUsed = true
            after.extensionRequestedDays = days
            event(data: ["days": String(days)])
            notify(coordinatorAudience, "extension_requested")

        case .respondFinal:
            try requirePublicText("a final answer")
            endResponse(); endResolution()
            after.state = .ditanggapi
            after.reporterDue = context.due(in: after.jurisdiction, from: now, days: policy.reporterWindowDays)
            setDue = after.reporterDue
            after.extensionRequestedDays = nil
            event()
            notify(.reporter, "final_answer")
            pushAnswerToNationalSystem()

        case .flagSupervision:
            guard !before.supervision else {
                throw .illegalTransition(action: .flag_supervision, state: before.state, reason: "the complaint is already flagged for supervision")
            }
            after.supervision = true
            after.resolutionClass = .berkadar_pengawasan
            if let inspectorate = context.tree.inspectorate(of: after.jurisdiction),
               inspectorate != after.unit, !after.collaboratingUnits.contains(inspectorate) {
                after.collaboratingUnits.append(inspectorate)
            }
            rescheduleResolution()
            event()
            if let unit = after.unit { notify(.unitLiaisons(unit), "supervision"); notify(.unitHead(unit), "supervision") }

        case .note:
            guard texts.internalText != nil else { throw .invalid(field: "internal_text", message: "a note needs internal_text") }
            guard texts.publicText == nil else { throw .invalid(field: "text", message: "notes are internal; put the words in internal_text") }
            event()

        case .autoClose:
            guard let due = before.reporterDue, now > due else {
                throw .illegalTransition(action: .auto_close, state: before.state, reason: "the reporter's window is still open")
            }
            close(to: .selesai)
            event()
            notify(.reporter, "closed")

        case .externalUpdate(let reference, let status, let statusAt):
            guard before.externalDestination != nil else {
                throw .illegalTransition(action: .external_update, state: before.state, reason: "the complaint was not forwarded to an external system")
            }
            var data: [String: String] = [:]
            if let reference = Texts.clean(reference), reference != before.externalRef {
                if let existing = before.externalRef {
                    throw .invalid(field: "external_ref", message: "the complaint already has the external reference \(existing)")
                }
                guard reference.count <= 100 else { throw .invalid(field: "external_ref", message: "external_ref is at most 100 characters") }
                after.externalRef = reference
                data["external_ref"] = reference
            }
            if let status = Texts.clean(status) {
                guard status.count <= 100 else { throw .invalid(field: "external_status", message: "external_status is at most 100 characters") }
                let newer = statusAt.map { at in before.externalStatusAt.map { at > $0 } ?? true } ?? false
                if status != before.externalStatus || newer {
                    after.externalStatus = status
                    after.externalStatusAt = statusAt ?? before.externalStatusAt
                    data["external_status"] = status
                    if let statusAt { data["external_status_at"] = statusAt.formatted(.iso8601) }
                }
            }
            // Reporting the same thing twice (a redelivered call, two workers polling) records nothing.
            guard !data.isEmpty else {
                throw .illegalTransition(action: .external_update, state: before.state, reason: "nothing new from the external system")
            }
            event(data: data)

        case .assign(let officer):
            // `Lifecycle.decide` has named the acting officer when the command named nobody.
            guard let officer else { throw .notPermitted("only an officer takes a complaint") }
            after.assignee = officer.id
            var data = ["assignee": officer.id]
            if let previous = before.assignee { data["previous"] = previous }
            event(data: data)

        case .release:
            after.assignee = nil
            event(data: before.assignee.map { ["previous": $0] } ?? [:])

        case .autoArchive:
            guard let due = before.reporterDue, now > due else {
                throw .illegalTransition(action: .auto_archive, state: before.state, reason: "the reporter still has time to reply")
            }
            close(to: .diarsipkan)
            after.archiveReason = .tidak_lengkap
            event(data: ["reason": ArchiveReason.tidak_lengkap.rawValue])
            notify(.reporter, "archived")
        }
    }

    /// Answers on a complaint that came from SP4N-LAPOR! go back there, so its reporter reads them where they wrote.
    mutating func pushAnswerToNationalSystem() {
        guard after.laporID != nil, context.nationalBridge else { return }
        notices.append(Notice(.externalSystem(National.destination), National.answerKind))
    }

    mutating func dispose(_ d: Disposition) throws(LifecycleError) {
        let tree = context.tree
        guard let unit = tree.units[d.unit], unit.active else { throw .invalid(field: "unit", message: "unknown or inactive unit \(d.unit)") }
        guard unit.jurisdiction == before.jurisdiction else {
            throw .invalid(field: "unit", message: "unit \(d.unit) belongs to another jurisdiction; use forward_jurisdiction")
        }
        if before.type == .wbs {
            guard unit.kind == .inspectorate else { throw .invalid(field: "unit", message: "whistleblowing complaints are handled by the inspectorate only") }
            guard d.collaboratingUnits.isEmpty else { throw .invalid(field: "collaborating_units", message: "whistleblowing complaints have no collaborating units") }
        }
        var collaborating: [String] = []
        for id in d.collaboratingUnits where !collaborating.contains(id) {
            guard let c = tree.units[id], c.active, c.jurisdiction == before.jurisdiction else {
                throw .invalid(field: "collaborating_units", message: "unknown unit \(id) in this jurisdiction")
            }
            guard id != d.unit else { throw .invalid(field: "collaborating_units", message: "the handling unit cannot also collaborate") }
            collaborating.append(id)
        }
        if after.supervision, let inspectorate = tree.inspectorate(of: before.jurisdiction), inspectorate != d.unit, !collaborating.contains(inspectorate) {
            collaborating.append(inspectorate)
        }
        endVerification()
        after.state = .didisposisikan
        // An assignment belongs to the unit that holds the complaint: a (new) disposition starts with nobody on it.
        after.assignee = nil
        after.unit = d.unit
        after.collaboratingUnits = collaborating
        if let category = d.category { after.category = category }
        after.resolutionClass = after.supervision ? .berkadar_pengawasan
            : (d.resolutionClass ?? d.categoryClass ?? before.resolutionClass ?? policy.defaultResolutionClass)
        after.dispositionCount += 1
        if !after.dispositionJurisdictions.contains(unit.jurisdiction) {
            after.dispositionJurisdictions = (after.dispositionJurisdictions + [unit.jurisdiction]).sorted()
        }
        after.extensionUsed = false
        after.extensionDays = 0
        after.extensionRequestedDays = nil
        let responseDue = context.due(in: after.jurisdiction, from: now, days: policy.responseDays)
        after.responseDue = responseDue
        stages.append(.start(.response, jurisdiction: after.jurisdiction, unit: d.unit, at: now, due: responseDue))
        startResolution()
        setDue = responseDue
        var data = ["unit": d.unit, "resolution_class": after.resolutionClass!.rawValue]
        if let category = after.category { data["category"] = category }
        if !collaborating.isEmpty { data["collaborating_units"] = collaborating.joined(separator: ",") }
        event(data: data)
        notify(.reporter, "dispositioned")
        notify(.unitLiaisons(d.unit), "new_disposition")
        for c in collaborating { notify(.unitLiaisons(c), "collaboration") }
    }

    mutating func event(unit: String? = nil, data: [String: String] = [:]) {
        events.append(EventDraft(
            action: action, fromState: before.state, toState: after.state, at: now, actorRole: actorRole,
            unit: unit ?? after.unit, jurisdiction: after.jurisdiction,
            publicText: texts.publicText, internalText: texts.internalText,
            dueAt: setDue, late: late, data: data))
    }

    func finish() -> Transition {
        var record = after
        record.eventCount += events.count
        // Escalation levels are measured against the government's current due: a new due starts the ladder again.
        if action != .escalate && record.officerDue != before.officerDue { record.escalationLevel = 0 }
        return Transition(record: record, events: events, stages: stages, notices: notices)
    }
}
