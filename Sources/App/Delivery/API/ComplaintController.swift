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

    /// The reader the visibility policy knows this viewer as.
    var reader: Visibility.Reader {
        switch self {
        case .publicVisitor: return .publicVisitor
        case .reporter: return .reporter
        case .officer: return .officer
        case .integration: return .integration
        }
    }
}

/// Reading complaints and taking actions on them (SPEC §10).
enum ComplaintController {
    /// `POST /api/v1/complaints`: the submit use case behind the API's parsing and its 201 answer.
    static func submit(_ req: Request) async throws -> Response {
        let app = req.application
        try await RateLimiter.checkSubmission(req)
        guard let contentType = req.headers.contentType,
              contentType == .json || contentType.type == "multipart" && contentType.subType == "form-data" else {
            throw AppError(status: .unsupportedMediaType, code: "unsupported_media_type",
                           message: "send application/json or multipart/form-data")
        }
        let input = try req.content.decode(SubmissionRequest.self)
        let reference = try await req.reference()
        let now = app.clock.now

        let (submission, reporter, language) = try SubmitComplaint.parse(input, reference: reference, now: now)
        let files = try SubmitComplaint.sanitizeAttachments(input.attachments ?? [], limit: app.settings.maxAttachments,
                                                            maxBytes: app.settings.maxAttachmentBytes)
        let result = try await SubmitComplaint.create(submission: submission, reporter: reporter, content: .init(input),
                                                      language: language, files: files, actor: .reporter, actorID: nil, app: app)
        let response = Response(status: .created)
        try response.content.encode(result, as: .json)
        response.headers.replaceOrAdd(name: .location, value: SiteURL.complaint(result.tracking_id).path)
        return response
    }

    // MARK: reads

    static func show(_ req: Request) async throws -> ComplaintView {
        let (complaint, viewer, reference) = try await load(req)
        return try await view(complaint, for: viewer, reference: reference, req: req)
    }

    static func events(_ req: Request) async throws -> [EventView] {
        let (complaint, viewer, _) = try await load(req)
        let query = Event.query(on: req.db).filter(\.$complaintID == complaint.id!).sort(\.$seq)
        let timeline = Visibility.timeline(for: viewer.reader)
        if timeline == .publicEvents { query.filter(\.$isPublic == true) }
        let isOfficer = timeline == .everything
        return try await query.all().map { event in
            EventView(seq: event.seq, at: event.at, action: event.action, from_state: event.fromState, to_state: event.toState,
                      actor_role: event.actorRole, unit: event.unitID, jurisdiction: event.jurisdictionCode,
                      public_text: event.publicText, internal_text: isOfficer ? event.internalText : nil,
                      due_at: event.dueAt, late: event.late, data: isOfficer ? event.dataDictionary : nil)
        }
    }

    static func attachment(_ req: Request) async throws -> Response {
        let (complaint, viewer, _) = try await load(req)
        guard Visibility.seesAttachments(viewer.reader) else {
            throw AppError.forbidden("attachments are shown to the reporter (with the secret) and to officers in scope")
        }
        guard let id = req.parameters.get("attachment_id", as: UUID.self),
              let attachment = try await Attachment.query(on: req.db).filter(\.$id == id).filter(\.$complaintID == complaint.id!).first() else {
            throw AppError.notFound("no such attachment")
        }
        return try AttachmentDownload.response(attachment, app: req.application)
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
        guard let complaint = try await Complaint.byTrackingID(raw, on: req.db) else { throw notFound }
        if let key = req.apiKey {
            if let filter = key.readFilter(tree: reference.tree), filter.matches(complaint.record) {
                return (complaint, .integration(key), reference)
            }
            let published = Visibility.isPublic(complaint.record, publication: req.application.settings.publication)
            if key.scopes.contains(.readPublic) && published { return (complaint, .publicVisitor, reference) }
            // Confidential and not yet published alike: not even its existence.
            if !published { throw notFound }
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
        guard Visibility.isPublic(complaint.record, publication: req.application.settings.publication) else { throw notFound }
        return (complaint, .publicVisitor, reference)
    }

    /// The complaint `raw` names when `secret` is its reporter's secret or PIN (`ReporterCredential`: the PIN is
    /// limited before the complaint is looked up); a wrong one on a confidential complaint is answered as unknown.
    static func reporterComplaint(_ secret: String, raw: String, req: Request) async throws -> Complaint {
        let notFound = AppError.notFound("no complaint with tracking ID \(raw)")
        guard let id = TrackingID(raw) else { throw notFound }
        guard let complaint = try await ReporterCredential.verify(secret, trackingID: id, req: req) else {
            throw ReporterCredential.wrongSecret(try await Complaint.byTrackingID(id.rawValue, on: req.db), notFound: notFound)
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
        v.due_provisional = c.dueAt.map { reference.coverage.isProvisional($0, in: reference.calendar(for: c.jurisdictionCode)) }
        v.reporter = try c.reporterIdentity(as: Visibility.identity(for: viewer.reader, anonymous: c.anonymous), secrets: req.application.secrets)
        switch viewer {
        case .publicVisitor:
            // The public side never gets the exact pin (issue 19): rounded to about 110 m (`GeoPoint.publicDecimals`).
            if let lat = c.lat, let lng = c.lng {
                let rounded = GeoPoint(lat: lat, lng: lng).publiclyRounded
                v.lat = rounded.lat; v.lng = rounded.lng
            }
        case .reporter:
            break
        case .officer(let principal):
            v.available_actions = Action.officerActions
                .filter { Lifecycle.isAvailable($0, to: .officer(principal.officer), on: record, tree: reference.tree) }
                .map(\.rawValue)
            v.escalation_level = c.escalationLevel
            v.extension_requested_days = c.extensionRequestedDays
        case .integration(let key):
            if let officer = key.actingOfficer {
                v.available_actions = Action.officerActions
                    .filter { Access.integrationActions.contains($0) && Lifecycle.isAvailable($0, to: .officer(officer), on: record, tree: reference.tree) }
                    .map(\.rawValue)
            }
            v.escalation_level = c.escalationLevel
        }
        guard Visibility.seesAttachments(viewer.reader) else { return v }
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
            guard let original = try await Complaint.byTrackingID(into, on: req.db),
                  Access.canRead(officer, original.record, tree: reference.tree) else {
                throw AppError.invalid(Lifecycle.unknownMergeTarget, field: "into")
            }
            updated = try await ComplaintStore.merge(complaint.trackingID, into: original.trackingID, actor: actor, actorID: actorID, texts: texts, app: req.application)
        } else {
            let command = try await ActOnComplaint.command(action, body, reference: reference, actor: officer, on: req.db)
            updated = try await ComplaintStore.perform(command, actor: actor, actorID: actorID, trackingID: complaint.trackingID,
                                                       texts: texts, app: req.application)
        }
        return try await view(updated, for: viewer, reference: reference, req: req)
    }
}
