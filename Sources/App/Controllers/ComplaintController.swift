import AduanCore
import Fluent
import Foundation
import Vapor

/// Who is looking at a complaint, which decides what they may see.
enum Viewer: Sendable {
    case publicVisitor
    case reporter
    case officer(OfficerPrincipal)
    /// An integration's `read-scope` or `act` key, on a complaint inside its bound scope.
    case integration(APIKeyPrincipal)
}

/// Reading complaints and taking actions on them (SPEC §10).
enum ComplaintController {
    // MARK: reads

    static func show(_ req: Request) async throws -> ComplaintView {
        let (complaint, viewer, reference) = try await load(req)
        return try await view(complaint, for: viewer, reference: reference, req: req)
    }

    static func events(_ req: Request) async throws -> [EventView] {
        let (complaint, viewer, _) = try await load(req)
        let query = Event.query(on: req.db).filter(\.$complaintID == complaint.id!).sort(\.$seq)
        // Integrations follow the whole timeline as officers do, but internal texts and data stay with people.
        let isOfficer: Bool
        switch viewer {
        case .officer: isOfficer = true
        case .integration: isOfficer = false
        case .publicVisitor, .reporter: isOfficer = false; query.filter(\.$isPublic == true)
        }
        return try await query.all().map { event in
            EventView(seq: event.seq, at: event.at, action: event.action, from_state: event.fromState, to_state: event.toState,
                      actor_role: event.actorRole, unit: event.unitID, jurisdiction: event.jurisdictionCode,
                      public_text: event.publicText, internal_text: isOfficer ? event.internalText : nil,
                      due_at: event.dueAt, late: event.late, data: isOfficer ? event.dataDictionary : nil)
        }
    }

    static func attachment(_ req: Request) async throws -> Response {
        let (complaint, viewer, _) = try await load(req)
        if case .publicVisitor = viewer {
            throw AppError.forbidden("attachments are shown to the reporter (with the secret) and to officers in scope")
        }
        guard let id = req.parameters.get("attachment_id", as: UUID.self),
              let attachment = try await Attachment.query(on: req.db).filter(\.$id == id).filter(\.$complaintID == complaint.id!).first() else {
            throw AppError.notFound("no such attachment")
        }
        return try fileResponse(attachment, app: req.application)
    }

    /// An attachment as a download (never rendered inline, never sniffed).
    static func fileResponse(_ attachment: Attachment, app: Application) throws -> Response {
        let store = AttachmentStore(root: app.settings.dataDirectory.appendingPathComponent("attachments"))
        let response = Response(status: .ok, body: .init(data: try store.read(attachment.storageKey)))
        let parts = attachment.contentType.split(separator: "/").map(String.init)
        response.headers.contentType = HTTPMediaType(type: parts.first ?? "application", subType: parts.last ?? "octet-stream")
        let safeName = attachment.filename.filter { $0.isLetter || $0.isNumber || ".-_ ".contains($0) }
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(safeName)\"")
        response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        return response
    }

    /// Loads the complaint named in the path and decides who is looking; 404 when they may not see it at all.
    /// A confidential complaint outside the caller's reach answers exactly as an unknown number does.
    static func load(_ req: Request) async throws -> (Complaint, Viewer, ReferenceData) {
        let raw = req.parameters.get(SiteURL.trackingParameter) ?? ""
        let notFound = AppError.notFound("no complaint with tracking ID \(raw)")
        let reference = try await req.reference()
        if req.apiKey == nil, req.auth.get(OfficerPrincipal.self) == nil, let secret = req.headers.first(name: "X-Reporter-Secret") {
            return (try await reporterComplaint(secret, raw: raw, req: req), .reporter, reference)
        }
        guard let complaint = try await ComplaintStore.find(raw, on: req.db) else { throw notFound }
        if let key = req.apiKey {
            if let filter = key.readFilter(tree: reference.tree), filter.matches(complaint.record) {
                return (complaint, .integration(key), reference)
            }
            if key.scopes.contains(.readPublic) && !complaint.confidential { return (complaint, .publicVisitor, reference) }
            if complaint.confidential { throw notFound }
            throw AppError.forbidden("this complaint is outside the API key's scope")
        }
        if let principal = req.auth.get(OfficerPrincipal.self) {
            guard Access.canRead(principal.officer, complaint.record, tree: reference.tree) else {
                if complaint.confidential { throw notFound }
                throw AppError.forbidden("this complaint is outside your scope")
            }
            if complaint.confidential {
                try await AuditEntry(at: req.application.clock.now, actor: principal.username, action: "read_confidential",
                                     complaintID: complaint.id, detail: req.url.path).create(on: req.writeDB)
            }
            return (complaint, .officer(principal), reference)
        }
        // Confidential complaints are never on the public side, not even their existence.
        guard !complaint.confidential else { throw notFound }
        return (complaint, .publicVisitor, reference)
    }

    /// The complaint `raw` names when `secret` is its reporter's secret or PIN (`ReporterCredential`: the PIN is
    /// limited before the complaint is looked up); a wrong one on a confidential complaint is answered as unknown.
    static func reporterComplaint(_ secret: String, raw: String, req: Request) async throws -> Complaint {
        let notFound = AppError.notFound("no complaint with tracking ID \(raw)")
        guard let id = TrackingID(raw) else { throw notFound }
        guard let complaint = try await ReporterCredential.verify(secret, trackingID: id, req: req) else {
            throw ReporterCredential.wrongSecret(try await ComplaintStore.find(id.rawValue, on: req.db), notFound: notFound)
        }
        return complaint
    }

    static func view(_ c: Complaint, for viewer: Viewer, reference: ReferenceData, req: Request) async throws -> ComplaintView {
        let now = req.application.clock.now
        let record = c.record
        var v = ComplaintView(
            tracking_id: c.trackingID, type: c.type, title: c.title, body: c.body, state: c.state, channel: c.channel,
            jurisdiction: c.jurisdictionCode, unit: c.unitID, unit_name: c.unitID.flatMap { reference.tree.units[$0]?.name },
            collaborating_units: record.collaboratingUnits, target_unit: c.targetUnitID, qr_code: c.qrCode, category: c.categoryCode,
            resolution_class: c.resolutionClass, incident_date: c.incidentDate, address: c.address, lat: c.lat, lng: c.lng,
            submitted_at: c.submittedAt, updated_at: c.updatedAt, due_at: c.dueAt, overdue: record.isOverdue(at: now),
            anonymous: c.anonymous, confidential: c.confidential, supervision: c.supervision, reopen_count: c.reopenCount,
            rating: c.rating, closed_at: c.closedAt, archive_reason: c.archiveReason, merged_into: c.mergedInto,
            external_destination: c.externalDestination, external_ref: c.externalRef)
        v.external_status = c.externalStatus
        v.lapor_id = c.laporID
        switch viewer {
        case .publicVisitor:
            return v
        case .reporter:
            v.reporter = try c.reporterSealed.map { try JSONDecoder().decode(ReporterIdentity.self, from: req.application.secrets.open($0)) }
        case .officer(let principal):
            // Anonymous means anonymous to officers too (SPEC §3).
            if !c.anonymous {
                v.reporter = try c.reporterSealed.map { try JSONDecoder().decode(ReporterIdentity.self, from: req.application.secrets.open($0)) }
            }
            v.available_actions = Action.officerActions
                .filter { Lifecycle.isAvailable($0, to: .officer(principal.officer), on: record, tree: reference.tree) }
                .map(\.rawValue)
            v.escalation_level = c.escalationLevel
            v.extension_requested_days = c.extensionRequestedDays
        case .integration(let key):
            // Never the NIK, and never anyone's identity on an anonymous complaint.
            if !c.anonymous {
                v.reporter = try c.reporterSealed.map { try JSONDecoder().decode(ReporterIdentity.self, from: req.application.secrets.open($0)) }
                v.reporter?.nik = nil
            }
            if let officer = key.actingOfficer {
                v.available_actions = Action.officerActions
                    .filter { Access.integrationActions.contains($0) && Lifecycle.isAvailable($0, to: .officer(officer), on: record, tree: reference.tree) }
                    .map(\.rawValue)
            }
            v.escalation_level = c.escalationLevel
        }
        v.attachments = try await Attachment.query(on: req.db).filter(\.$complaintID == c.id!).sort(\.$createdAt).all().map {
            AttachmentView(id: $0.id!, filename: $0.filename, content_type: $0.contentType, size: $0.size,
                           url: SiteURL.attachment(c.trackingID, $0.id!).path)
        }
        return v
    }

    // MARK: reporter actions

    static func reporterAction(_ action: SiteURL.Action) -> @Sendable (Request) async throws -> ComplaintView {
        { req in
            guard let secret = req.headers.first(name: "X-Reporter-Secret") else {
                throw AppError.unauthorized("send the reporter secret or PIN in the X-Reporter-Secret header")
            }
            let command: ComplaintCommand
            var texts = Texts()
            switch action {
            case .reply, .confirm, .dispute:
                let body = try req.content.decode(ReporterTextRequest.self)
                texts = Texts(public: body.text)
                command = action == .reply ? .reply : action == .confirm ? .confirm : .dispute
            case .feedback:
                let body = try req.content.decode(FeedbackRequest.self)
                texts = Texts(public: body.comment)
                command = .feedback(rating: body.rating)
            }
            let found = try await reporterComplaint(secret, raw: req.parameters.get(SiteURL.trackingParameter) ?? "", req: req)
            let updated = try await ComplaintStore.perform(command, actor: .reporter, actorID: nil, trackingID: found.trackingID, texts: texts, app: req.application)
            return try await view(updated, for: .reporter, reference: try await req.reference(), req: req)
        }
    }

    // MARK: officer actions

    /// An officer's action, or one of `Access.integrationActions` posted by a unit-bound `act` key as that unit's
    /// liaison (the events name `apikey:<id>` as their actor).
    static func officerAction(_ req: Request) async throws -> ComplaintView {
        let key = req.apiKey
        let principal = key == nil ? try req.requireOfficer() : nil
        let name = req.parameters.get("action") ?? ""
        guard let action = Action(rawValue: name), Action.officerActions.contains(action) else {
            throw AppError.notFound("unknown action \(name); one of \(Action.officerActions.map(\.rawValue).joined(separator: ", "))")
        }
        let officer: Officer, actorID: String
        if let key {
            guard let acting = key.actingOfficer else { throw AppError.forbidden("the API key is not bound to a unit") }
            guard Access.integrationActions.contains(action) else {
                throw AppError.forbidden("an API key may post only \(Access.integrationActions.map(\.rawValue).sorted().joined(separator: " and "))")
            }
            officer = acting; actorID = key.actorID
        } else {
            officer = principal!.officer; actorID = principal!.username
        }
        let body = try req.content.decode(ActionRequest.self)
        let (complaint, viewer, reference) = try await load(req)
        let texts = Texts(public: body.text, internal: body.internal_text)
        let actor = Participant.officer(officer)

        let updated: Complaint
        if action == .merge {
            guard let into = body.into else { throw AppError.invalid("merge needs `into`: the tracking ID of the original complaint", field: "into") }
            // Unknown and outside the caller's scope get the same answer (`Lifecycle.unknownMergeTarget`).
            guard let original = try await ComplaintStore.find(into, on: req.db),
                  Access.canRead(officer, original.record, tree: reference.tree) else {
                throw AppError.invalid(Lifecycle.unknownMergeTarget, field: "into")
            }
            updated = try await ComplaintStore.merge(complaint.trackingID, into: original.trackingID, actor: actor, actorID: actorID, texts: texts, app: req.application)
        } else {
            let command = try makeCommand(action, body, reference: reference)
            updated = try await ComplaintStore.perform(command, actor: actor, actorID: actorID, trackingID: complaint.trackingID,
                                                       texts: texts, app: req.application)
        }
        return try await view(updated, for: viewer, reference: reference, req: req)
    }

    static func makeCommand(_ action: Action, _ body: ActionRequest, reference: ReferenceData) throws -> ComplaintCommand {
        func disposition() throws -> Disposition {
            guard let unit = body.unit else { throw AppError.invalid("\(action.rawValue) needs `unit`", field: "unit") }
            var d = Disposition(unit: unit, category: body.category, collaboratingUnits: body.collaborating_units ?? [])
            if let category = body.category {
                guard let info = reference.categories[category] else { throw AppError.invalid("unknown category \(category)", field: "category") }
                d.categoryClass = info.resolutionClass
            }
            if let rc = body.resolution_class {
                guard let parsed = ResolutionClass(rawValue: rc) else {
                    throw AppError.invalid("resolution_class must be one of \(ResolutionClass.allCases.map(\.rawValue).joined(separator: ", "))", field: "resolution_class")
                }
                d.resolutionClass = parsed
            }
            return d
        }
        switch action {
        case .verify: return .verify(try disposition())
        case .redispose: return .redispose(try disposition())
        case .request_info: return .requestInfo
        case .archive:
            guard let reason = body.reason else { return .archive(nil) }
            guard let parsed = ArchiveReason(rawValue: reason) else {
                throw AppError.invalid("reason must be one of \(ArchiveReason.allCases.map(\.rawValue).joined(separator: ", "))", field: "reason")
            }
            return .archive(parsed)
        case .forward_jurisdiction:
            guard let j = body.jurisdiction else { throw AppError.invalid("forward_jurisdiction needs `jurisdiction`", field: "jurisdiction") }
            return .forwardJurisdiction(j)
        case .forward_external:
            guard let d = body.destination else { throw AppError.invalid("forward_external needs `destination`", field: "destination") }
            return .forwardExternal(destination: d, reference: body.external_ref)
        case .decide_extension:
            guard let approve = body.approve else { throw AppError.invalid("decide_extension needs `approve` (true or false)", field: "approve") }
            return .decideExtension(approve: approve)
        case .set_privacy: return .setPrivacy(anonymous: body.anonymous, confidential: body.confidential)
        case .follow_up: return .followUp
        case .return: return .returnToCoordinator
        case .request_extension:
            guard let days = body.days else { throw AppError.invalid("request_extension needs `days`", field: "days") }
            return .requestExtension(days: days)
        case .respond_final: return .respondFinal
        case .flag_supervision: return .flagSupervision
        case .note: return .note
        default: throw AppError.notFound("unknown action \(action.rawValue)")
        }
    }

}
