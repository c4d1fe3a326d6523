import AduanCore
import Fluent
import Foundation
import Vapor

/// `/t/{id}`: the public tracking page, and the reporter's private view unlocked by the secret link or PIN.
enum TrackingController {
    static let cookie = "aduan_t"

    struct TimelineEntry: Encodable, Sendable {
        var when: String
        var label: String
        var text: String?
        var unit: String?
        /// The files sent with this step, for the reporter only (the public sees none).
        var attachments: [AttachmentLink] = []
    }


    struct TrackingView: Encodable, Sendable {
        var trackingID: String
        var formattedID: String
        var title: String
        var body: String
        var type: String
        var state: String
        var stateCode: String
        var waitingFor: String
        var due: String?
        var overdue: Bool
        var unit: String?
        var unitLink: String?
        var jurisdiction: String
        var submitted: String
        var address: String?
        var timeline: [TimelineEntry]
        var finalAnswer: String?
        var isReporter: Bool
        var reporterName: String?
        var attachments: [AttachmentLink]
        var hasAttachments: Bool
        var canReply: Bool
        var canConfirm: Bool
        var canRate: Bool
        var rating: Int?
        var error: String?
        var notice: String?
        var mergedInto: String?
        /// The officer's last request for information, shown above the reply box (issue 19, fix 3).
        var question: String? = nil
        var questionWhen: String? = nil
        /// What the reporter typed in a refused reply, shown again.
        var replyText: String? = nil
        var maxFiles: Int = 0
        var maxMB: Int = 0
        var maxAttachmentBytes: Int = 0
        var filesHint: String = ""
        /// The reply posts to the tracking page itself, so a refused reply is shown again at the page's address.
        var replyURL: String = ""
        /// The reporter's forms, by `SiteURL.TrackAction` (`actionURLs.konfirmasi`), and the page of the complaint merged into.
        var actionURLs: [String: String] = [:]
        var mergedIntoURL: String? = nil
        /// The pin (issue 19): exact for the reporter, rounded for everyone else (who sees only public complaints).
        var place: PlaceOnMap? = nil

        static func actionURLs(_ trackingID: String) -> [String: String] {
            Dictionary(uniqueKeysWithValues: SiteURL.TrackAction.allCases.map { ($0.rawValue, SiteURL.trackAction(trackingID, $0).path) })
        }
    }

    static func show(_ req: Request) async throws -> Response {
        let raw = req.parameters.get("id") ?? ""
        guard let id = TrackingID(raw) else { throw AppError.notFound(req.text("not_found_complaint")) }
        // The secret link sets a cookie for this complaint only and leaves the address bar without the secret. It is
        // checked before the complaint is looked up: a wrong secret and an unknown number get the same answer.
        if let secret = req.query[String.self, at: "s"] {
            guard let complaint = try await ReporterCredential.verify(secret, trackingID: id, req: req) else {
                throw ReporterCredential.wrongSecret(try await Complaint.byTrackingID(id.rawValue, on: req.db),
                                                     notFound: AppError.notFound(req.text("not_found_complaint")))
            }
            // Signed in: the account follows this complaint from now on.
            if let account = try await ReporterSession.current(req), complaint.reporterAccountID == nil {
                try await Complaint.query(on: req.writeDB).filter(\.$id == complaint.id!).set(\.$reporterAccountID, to: account.id).update()
            }
            return remember(complaint, req: req)
        }
        guard let complaint = try await Complaint.byTrackingID(id.rawValue, on: req.db) else {
            return try await locked(req, id, message: req.text("not_found_complaint"))
        }
        if id.rawValue != raw { return req.redirect(to: SiteURL.publicComplaint(id.rawValue).path, redirectType: .permanent) }
        let isReporter = try await isReporter(req, complaint)
        if !isReporter && !Visibility.isPublic(complaint.record, publication: req.application.settings.publication) {
            return try await locked(req, id, message: req.text("not_found_complaint"))
        }
        // After a reporter's form: say it was received (`?ok=balas` …), in the reader's language.
        let done = isReporter ? req.query[String.self, at: "ok"].flatMap(SiteURL.TrackAction.init(rawValue:))
            .flatMap { [.balas, .konfirmasi, .sanggah, .nilai].contains($0) ? req.text("tracking_done_\($0.rawValue)") : nil } : nil
        return try await render(req, complaint, isReporter: isReporter, notice: done)
    }

    struct LockedView: Encodable, Sendable { var message: String; var error: Bool; var pinURL: String }

    /// A number that is unknown, or whose report is not public (not yet verified, confidential), without the reporter's
    /// credential: the same 404 for both, so the page tells nobody whether the report exists, with the PIN form, so a
    /// reporter who kept only the PIN opens their report before it is verified.
    static func locked(_ req: Request, _ id: TrackingID, message: String, isError: Bool = false) async throws -> Response {
        try await req.page("tracking_locked", title: "tracking_locked_title",
                           LockedView(message: message, error: isError, pinURL: SiteURL.trackAction(id.rawValue, .pin).path),
                           status: .notFound)
    }

    /// Back to the complaint's page with the view cookie (`ReporterCredential.viewToken`) for this complaint only.
    static func remember(_ complaint: Complaint, req: Request) -> Response {
        let path = SiteURL.publicComplaint(complaint.trackingID).path
        let response = req.redirect(to: path)
        response.cookies[cookie] = HTTPCookies.Value(string: ReporterCredential.viewToken(complaint, secrets: req.application.secrets),
                                                     maxAge: 90 * 86_400, path: path,
                                                     isSecure: req.application.settings.baseURL.hasPrefix("https"), isHTTPOnly: true, sameSite: .lax)
        return response
    }

    /// The reporter is looking: this complaint's view cookie, or the account that follows it.
    static func isReporter(_ req: Request, _ complaint: Complaint) async throws -> Bool {
        if let value = req.cookies[cookie]?.string, ReporterCredential.acceptsCookie(value, complaint, secrets: req.application.secrets) { return true }
        guard let owner = complaint.reporterAccountID else { return false }
        return try await ReporterSession.current(req)?.id == owner
    }

    static func render(_ req: Request, _ c: Complaint, isReporter: Bool, error: String? = nil, notice: String? = nil,
                       status: HTTPStatus = .ok, replyText: String? = nil) async throws -> Response {
        let reference = try await req.reference()
        let lang = req.language
        let wording = Wording(req, timeZone: reference.calendar(for: c.jurisdictionCode).timeZone)
        let events = try await Event.query(on: req.db).filter(\.$complaintID == c.id!).filter(\.$isPublic == true).sort(\.$seq).all()
        let record = c.record
        let now = req.application.clock.now
        var reporterName: String?
        if isReporter && !c.anonymous, let sealed = c.reporterSealed,
           let identity = try? JSONDecoder().decode(ReporterIdentity.self, from: req.application.secrets.open(sealed)) {
            reporterName = identity.name
        }
        var files: [Attachment] = []
        if Visibility.seesAttachments(isReporter ? .reporter : .publicVisitor) {
            files = try await Attachment.query(on: req.db).filter(\.$complaintID == c.id!).sort(\.$createdAt).all()
        }
        let thumbnails = await AttachmentDownload.thumbnailSizes(files, app: req.application)
        func link(_ a: Attachment) -> AttachmentLink {
            AttachmentLink(a, url: SiteURL.trackingAttachment(c.trackingID, a.id!).path,
                           thumbnailURL: SiteURL.trackingThumbnail(c.trackingID, a.id!).path, sizes: thumbnails)
        }
        // Each file is shown with the step it came with; those of steps the reporter does not see (none today) stay
        // in the private list.
        let shownSteps = Set(events.map(\.seq))
        let attachments = files.filter { $0.eventSeq.map { !shownSteps.contains($0) } ?? true }.map(link)
        var view = TrackingView(
            trackingID: c.trackingID, formattedID: TrackingID(c.trackingID)?.formatted ?? c.trackingID,
            title: c.title, body: c.body, type: req.text("type_\(c.type)"), state: req.text("state_\(c.state)"), stateCode: c.state,
            waitingFor: req.text("waiting_\(c.state)"), due: c.dueAt.map { wording.due($0, coverage: reference.coverage) }, overdue: record.isOverdue(at: now),
            unit: c.unitID.flatMap { reference.tree.units[$0]?.name }, unitLink: c.unitID.map { SiteURL.unitCard($0).path },
            jurisdiction: reference.tree.jurisdictions[c.jurisdictionCode]?.name ?? c.jurisdictionCode,
            submitted: wording.date(c.submittedAt), address: c.address.flatMap { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0 },
            timeline: events.map { e in
                TimelineEntry(when: wording.dateTime(e.at), label: req.text("event_\(e.action)"), text: e.publicText,
                              unit: e.unitID.flatMap { reference.tree.units[$0]?.name },
                              attachments: files.filter { $0.eventSeq == e.seq }.map(link))
            },
            finalAnswer: events.last(where: { $0.action == Action.respond_final.rawValue })?.publicText,
            isReporter: isReporter, reporterName: reporterName, attachments: attachments, hasAttachments: !attachments.isEmpty,
            canReply: isReporter && Lifecycle.isAvailable(.reply, to: .reporter, on: record, tree: reference.tree),
            canConfirm: isReporter && Lifecycle.isAvailable(.confirm, to: .reporter, on: record, tree: reference.tree),
            canRate: isReporter && Lifecycle.isAvailable(.feedback, to: .reporter, on: record, tree: reference.tree),
            rating: c.rating, error: error, notice: notice, mergedInto: c.mergedInto)
        if view.canReply, let asked = events.last(where: { $0.action == Action.request_info.rawValue }) {
            view.question = asked.publicText
            view.questionWhen = wording.dateTime(asked.at)
        }
        view.replyText = replyText
        view.replyURL = SiteURL.publicComplaint(c.trackingID).path
        view.actionURLs = TrackingView.actionURLs(c.trackingID)
        view.mergedIntoURL = c.mergedInto.map { SiteURL.publicComplaint($0).path }
        // A pin on the public side only where the complaint is public at all (never confidential or whistleblowing).
        if isReporter || Visibility.isPublic(record, publication: req.application.settings.publication) {
            view.place = PlaceOnMap.make(lat: c.lat, lng: c.lng, exact: isReporter, tiles: reference.tiles, req: req)
        }
        view.maxFiles = req.application.settings.maxAttachments
        view.maxAttachmentBytes = req.application.settings.maxAttachmentBytes
        view.maxMB = view.maxAttachmentBytes / 1_048_576
        view.filesHint = req.text("tracking_reply_files_hint", ["n": "\(view.maxFiles)", "mb": "\(view.maxMB)"])
        return try await req.page("tracking", title: "tracking_title", view, status: status)
    }

    // MARK: reporter forms

    struct PINForm: Content { var pin: String? }
    struct TextForm: Content { var text: String? }
    /// The reply to a request for information: words and, as on the submission form, photos or documents.
    struct ReplyForm: Content { var text: String?; var attachments: [File]? }
    struct RatingForm: Content { var rating: Int?; var comment: String? }

    static func unlock(_ req: Request) async throws -> Response {
        let notFound = AppError.notFound(req.text("not_found_complaint"))
        guard let id = TrackingID(req.parameters.get("id") ?? "") else { throw notFound }
        let pin = try req.content.decode(PINForm.self).pin ?? ""
        guard let complaint = try await ReporterCredential.verify(pin, trackingID: id, req: req) else {
            // A confidential complaint and an unknown number answer alike; a public one shows its page with the error.
            guard let shown = try await Complaint.byTrackingID(id.rawValue, on: req.db), Visibility.isPublic(shown.record, publication: req.application.settings.publication) else {
                return try await locked(req, id, message: req.text("tracking_pin_wrong"), isError: true)
            }
            return try await render(req, shown, isReporter: false, error: req.text("tracking_pin_wrong"), status: .forbidden)
        }
        return remember(complaint, req: req)
    }

    static func forget(_ req: Request) async throws -> Response {
        let complaint = try await load(req)
        let response = req.redirect(to: SiteURL.publicComplaint(complaint.trackingID).path)
        response.cookies[cookie] = HTTPCookies.Value(string: "", expires: Date(timeIntervalSince1970: 0), path: SiteURL.publicComplaint(complaint.trackingID).path)
        return response
    }

    static func reporterAction(_ action: SiteURL.TrackAction) -> @Sendable (Request) async throws -> Response {
        { req in
            let complaint = try await load(req)
            guard try await isReporter(req, complaint) else {
                throw AppError.forbidden(req.text("tracking_need_secret"))
            }
            let command: ComplaintCommand
            var texts = Texts()
            var files: [SanitizedFile] = []
            switch action {
            case .balas:
                command = .reply
                let form = try req.content.decode(ReplyForm.self)
                texts = Texts(public: form.text.flatMap { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0 })
                do {
                    files = try SubmitComplaint.inspectAttachments(form.attachments ?? [], limit: req.application.settings.maxAttachments,
                                                                   maxBytes: req.application.settings.maxAttachmentBytes)
                } catch let rejection as SubmitComplaint.AttachmentRejection {
                    return try await render(req, complaint, isReporter: true, error: rejection.words(req) + " " + req.text("ws_files_again"),
                                            status: rejection.appError.status, replyText: form.text)
                }
            case .konfirmasi: command = .confirm
            case .sanggah: command = .dispute; texts = Texts(public: try req.content.decode(TextForm.self).text)
            case .nilai:
                let form = try req.content.decode(RatingForm.self)
                command = .feedback(rating: form.rating ?? 0); texts = Texts(public: form.comment)
            case .pin, .keluar: throw AppError.notFound()
            }
            do {
                _ = try await ComplaintStore.perform(command, actor: .reporter, actorID: nil, trackingID: complaint.trackingID,
                                                     texts: texts, files: files, app: req.application)
            } catch let error as LifecycleError {
                let key: String
                switch error {
                case .invalid(let field, _): key = "tracking_error_\(field)"
                case .illegalTransition: key = "tracking_error_state"
                case .notPermitted: key = "tracking_need_secret"
                }
                let fresh = try await load(req)
                return try await render(req, fresh, isReporter: true, error: req.text(key), status: AppError(error).status,
                                        replyText: action == .balas ? texts.publicText : nil)
            }
            return req.redirect(to: SiteURL.publicComplaint(complaint.trackingID).path + "?ok=" + action.rawValue)
        }
    }

    static func attachment(_ req: Request) async throws -> Response {
        try AttachmentDownload.response(try await permittedAttachment(req), app: req.application)
    }

    /// The thumbnail is let through by the very function that lets the file through.
    static func thumbnail(_ req: Request) async throws -> Response {
        try await AttachmentDownload.thumbnailResponse(try await permittedAttachment(req), req: req)
    }

    /// An attachment of this complaint, for its reporter only (`Visibility.seesAttachments`).
    static func permittedAttachment(_ req: Request) async throws -> Attachment {
        let complaint = try await load(req)
        guard Visibility.seesAttachments(try await isReporter(req, complaint) ? .reporter : .publicVisitor),
              let id = req.parameters.get("attachment", as: UUID.self),
              let attachment = try await Attachment.query(on: req.db).filter(\.$id == id).filter(\.$complaintID == complaint.id!).first() else {
            throw AppError.notFound(req.text("not_found_page"))
        }
        return attachment
    }

    static func load(_ req: Request) async throws -> Complaint {
        guard let id = TrackingID(req.parameters.get("id") ?? ""), let complaint = try await Complaint.byTrackingID(id.rawValue, on: req.db) else {
            throw AppError.notFound(req.text("not_found_complaint"))
        }
        return complaint
    }
}
