import AduanCore
import Fluent
import Foundation
import Vapor

/// The complaint page for officers (issue 5): the full timeline (public and internal entries told apart), the
/// reporter's contact unless anonymous, attachments, the current due and the history of dues, and a form for each
/// action AduanCore lets the signed-in officer take now — and nothing else. `CasePage` builds it (the case routes and
/// the warning form, which shows it again with its error, render it); `CaseController` answers the routes.
enum CasePage {
    struct TimelineEntry: Encodable, Sendable {
        var when: String
        var label: String
        var actor: String
        var unit: String?
        var publicText: String?
        var internalText: String?
        var internalOnly: Bool
        var due: String?
        var late: Bool
        var attachments: [AttachmentLink]
    }


    struct DueRow: Encodable, Sendable {
        var stage: String
        var unit: String?
        var started: String
        var due: String
        var ended: String?
        var status: String
        var late: Bool
    }

    struct Reporter: Encodable, Sendable { var name: String?; var email: String?; var phone: String?; var nik: String? }

    struct Suggestion: Encodable, Sendable {
        var unit: String; var name: String; var reasons: String
        /// The learned score in words ("keyakinan 84%"), when the model suggests this unit.
        var score: String? = nil
    }

    struct DuplicateRow: Encodable, Sendable {
        var trackingID: String; var formattedID: String; var url: String; var title: String; var state: String; var score: String; var signals: String
    }

    struct Forms: Encodable, Sendable {
        var verify: Bool
        var redispose: Bool
        var suggestions: [Suggestion]
        var units: [Choice]
        /// The largest attachment the server takes, for the browser's own check.
        var maxAttachmentBytes: Int = 0
        /// The same units for the collaborating list (nothing chosen unless a refused form is shown again).
        var collaborators: [Choice] = []
        var categories: [Choice]
        var classes: [Choice]
        var requestInfo: Bool
        var archive: Bool
        var archiveReasons: [Choice]
        var forwardJurisdiction: Bool
        var jurisdictions: [Choice]
        var forwardExternal: Bool
        var merge: Bool
        var duplicates: [DuplicateRow]
        var decideExtension: Bool
        var extensionDays: Int?
        var setPrivacy: Bool
        var anonymous: Bool
        var anonymousLocked: Bool
        var confidential: Bool
        var confidentialLocked: Bool
        var followUp: Bool
        var respondFinal: Bool
        var returnToCoordinator: Bool
        var requestExtension: Bool
        var maxExtension: Int
        var flagSupervision: Bool
        var note: Bool
        /// Assignment within the unit (issue 19): a liaison takes it; a unit head chooses among `assignees`.
        var assign: Bool = false
        var assignChoose: Bool = false
        var assignees: [Choice] = []
        var release: Bool = false
        var templates: [Choice]
        var prefill: String
        /// The unit an inspector may warn from this page (the handling unit), if any.
        var warnUnit: String?
        var warnUnitName: String?
        var any: Bool
        /// Learned suggestions' status, categories and the model they come from (issue 16).
        var triage: TriageForm.View? = nil
    }

    struct CaseView: Encodable, Sendable {
        var row: CaseRow
        var body: String
        var type: String
        var channel: String
        var jurisdiction: String
        var unit: String?
        /// The officer of the unit who has the complaint (display name), if anyone does.
        var assignee: String? = nil
        var collaborating: [String]
        var target: String?
        var qrCode: String?
        var category: String?
        var resolutionClass: String?
        var address: String?
        var incidentDate: String?
        var anonymous: Bool
        var confidential: Bool
        var reporter: Reporter?
        var reporterNote: String?
        var attachments: [AttachmentLink]
        var timeline: [TimelineEntry]
        var dues: [DueRow]
        var mergedInto: String?
        var external: String?
        var forms: Forms
        var message: String?
        var error: String?
        var publicURL: String
        /// Answers to the category's Open311 attributes sent with the complaint.
        var answers: [Answer] = []
        /// Where every action form posts: the complaint page's own address, so a refusal is shown there (fix 1).
        var actionURL: String = ""
        /// A refused action's values and messages, per form.
        var caseForms = CaseFormState(nil)
        /// The reporter's pin, exact (issue 19).
        var place: PlaceOnMap? = nil
        /// The page of the complaint this one was merged into.
        var mergedIntoURL: String? = nil
    }

    struct Answer: Encodable, Sendable { var question: String; var code: String; var value: String }

    /// The attribute answers, labelled with the category's current definition (the raw code and key when it changed since).
    static func answers(_ c: Complaint, on db: any Database) async throws -> [Answer] {
        let rows = try await ComplaintAttribute.query(on: db).filter(\.$complaintID == c.id!).sort(\.$id).all()
        guard !rows.isEmpty else { return [] }
        var definition: [ServiceAttribute] = []
        if let category = c.categoryCode { definition = try await CategoryAttribute.of(category, on: db) }
        let byCode = Dictionary(definition.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        var grouped: [(String, [String])] = []
        for row in rows {
            let value = byCode[row.code]?.values.first { $0.key == row.value }?.name ?? row.value
            if let i = grouped.firstIndex(where: { $0.0 == row.code }) { grouped[i].1.append(value) } else { grouped.append((row.code, [value])) }
        }
        return grouped.map { code, values in Answer(question: byCode[code]?.description ?? code, code: code, value: values.joined(separator: ", ")) }
    }

    static func render(_ ws: Workspace, _ c: Complaint, message: String? = nil, error: String? = nil,
                       status: HTTPStatus = .ok, problem: CaseFormProblem? = nil) async throws -> Response {
        let req = ws.req
        let wording = ws.wording(for: c.jurisdictionCode)
        let record = c.record
        if c.confidential {
            try await AuditEntry(at: ws.now, actor: ws.principal.username, action: "read_confidential",
                                 complaintID: c.id, detail: req.url.path).create(on: req.writeDB)
        }
        let events = try await Event.query(on: req.db).filter(\.$complaintID == c.id!).sort(\.$seq).all()
        let files = try await Attachment.query(on: req.db).filter(\.$complaintID == c.id!).sort(\.$createdAt).all()
        let thumbnails = await AttachmentDownload.thumbnailSizes(files, app: req.application)
        func link(_ a: Attachment) -> AttachmentLink {
            AttachmentLink(a, url: SiteURL.caseAttachment(c.trackingID, a.id!).path,
                           thumbnailURL: SiteURL.caseThumbnail(c.trackingID, a.id!).path, sizes: thumbnails)
        }
        let timeline = events.map { e in
            TimelineEntry(when: wording.dateTime(e.at), label: req.text("event_\(e.action)"),
                          actor: req.text("actor_\(e.actorRole)") + (e.actorID.map { " (\($0))" } ?? ""),
                          unit: ws.unitName(e.unitID), publicText: e.publicText, internalText: e.internalText,
                          internalOnly: !e.isPublic, due: e.dueAt.map { wording.due($0, time: true, coverage: ws.reference.coverage) }, late: e.late ?? false,
                          attachments: files.filter { $0.eventSeq == e.seq }.map(link))
        }
        let stages = try await Stage.query(on: req.db).filter(\.$complaintID == c.id!).sort(\.$startedAt).sort(\.$id).all()
        let dues = stages.map { s in
            DueRow(stage: req.text("stage_\(s.kind)"), unit: ws.unitName(s.unitID), started: wording.dateTime(s.startedAt),
                   due: s.endedAt == nil ? wording.due(s.dueAt, time: true, coverage: ws.reference.coverage) : wording.dateTime(s.dueAt),
                   ended: s.endedAt.map(wording.dateTime),
                   status: s.endedAt == nil ? (ws.now > s.dueAt ? req.text("ws_stage_running_late") : req.text("ws_stage_running"))
                       : (s.late == true ? req.text("ws_stage_late") : req.text("ws_stage_on_time")),
                   late: s.late == true || (s.endedAt == nil && ws.now > s.dueAt))
        }
        var reporter: Reporter?
        var reporterNote: String?
        let shown = Visibility.identity(for: .officer, anonymous: c.anonymous)
        if shown == .none {
            reporterNote = req.text("ws_reporter_anonymous")
        } else if let identity = try? c.reporterIdentity(as: shown, secrets: req.application.secrets) {
            reporter = Reporter(name: identity.name, email: identity.email, phone: identity.phone, nik: identity.nik)
        } else {
            reporterNote = req.text("ws_reporter_none")
        }
        var view = CaseView(
            row: ws.row(c), body: c.body, type: req.text("type_\(c.type)"), channel: req.text("stats_channel_\(c.channel)"),
            jurisdiction: ws.jurisdictionName(c.jurisdictionCode), unit: ws.unitName(c.unitID),
            collaborating: record.collaboratingUnits.compactMap(ws.unitName), target: ws.unitName(c.targetUnitID), qrCode: c.qrCode,
            category: c.categoryCode.map(ws.categoryName),
            resolutionClass: c.resolutionClass.map { req.text("class_\($0)") }, address: c.address, incidentDate: c.incidentDate.map(wording.day),
            anonymous: c.anonymous, confidential: c.confidential, reporter: reporter, reporterNote: reporterNote,
            attachments: files.map(link), timeline: timeline, dues: dues,
            mergedInto: c.mergedInto, external: c.externalDestination.map { d in d + (c.externalRef.map { " · \($0)" } ?? "") },
            forms: try await forms(ws, c, keeping: problem), message: message,
            // A refusal of the form as a whole (the state, the roles) is said in the banner itself: the form may not even
            // be on the page any more.
            error: problem.map { $0.field == "form" ? $0.message : req.text("ws_err_banner", ["action": req.text("do_\($0.action)")]) } ?? error,
            publicURL: SiteURL.publicComplaint(c.trackingID).path)
        view.answers = try await answers(c, on: req.db)
        view.place = PlaceOnMap.make(lat: c.lat, lng: c.lng, exact: true, tiles: ws.reference.tiles, req: req)
        if let holder = c.assigneeID { view.assignee = try await ws.officerNames([holder])[holder] ?? holder }
        view.actionURL = SiteURL.officerComplaint(c.trackingID).path
        view.mergedIntoURL = c.mergedInto.map { SiteURL.officerComplaint($0).path }
        // The action asked for (`?aksi=`, a template chosen for an answer), else the next step the queue names.
        var opening = req.query[String.self, at: "aksi"].map { [$0] } ?? []
        if opening.isEmpty, req.query[Int.self, at: "templat"] != nil { opening = [Action.follow_up.rawValue, Action.respond_final.rawValue] }
        if opening.isEmpty, let next = ws.nextAction(record) { opening = [next.rawValue] }
        view.caseForms = CaseFormState(problem, opening: opening)
        return try await req.page("officer_case", title: "ws_case_title", view, status: status)
    }

    /// One form per action the officer may take now; every choice list is limited to what the action accepts.
    static func forms(_ ws: Workspace, _ c: Complaint, keeping problem: CaseFormProblem? = nil) async throws -> Forms {
        let req = ws.req
        let record = c.record
        let can = Set(ws.available(record))
        let tree = ws.reference.tree
        var suggestions: [Suggestion] = []
        var triage: TriageForm.View?
        var units: [Choice] = []
        var duplicates: [DuplicateRow] = []
        if can.contains(.verify) || can.contains(.redispose) {
            let parents = ws.reference.categories.compactMapValues(\.parent)
            let categoryDefault = UnitSuggestion.categoryDefault(c.categoryCode, jurisdiction: c.jurisdictionCode,
                                                                 defaults: ws.reference.categoryUnits, parents: parents)
            suggestions = UnitSuggestion.units(for: record, cameThroughQRCode: c.qrCode != nil, categoryDefault: categoryDefault, tree: tree)
                .map { s in Suggestion(unit: s.unit, name: ws.unitName(s.unit) ?? s.unit,
                                       reasons: s.reasons.map { req.text("ws_reason_\($0.rawValue)") }.joined(separator: ", ")) }
            // After a return, the unit that handed it back is not offered first again.
            let returnedBy = c.dispositionCount > 0 ? try await Event.query(on: req.db).filter(\.$complaintID == c.id!)
                .filter(\.$action == Action.return.rawValue).sort(\.$seq, .descending).first()?.unitID : nil
            var preselected = suggestions.first { $0.unit != returnedBy }?.unit
            // What this installation's history suggests joins the rules (TriageForm.swift).
            let learned = try await TriageForm.learned(ws, c, joining: &suggestions, returnedBy: returnedBy)
            if let lead = learned.preselect { preselected = lead }
            triage = learned.view
            units = tree.units.values.filter { $0.handlesComplaints && $0.jurisdiction == c.jurisdictionCode }
                .sorted { $0.name < $1.name }
                .map { Choice(value: $0.id, label: $0.name, selected: $0.id == preselected) }
        }
        if can.contains(.merge) {
            duplicates = try await likelyDuplicates(ws, of: c)
        }
        let categories = ws.categoryChoices(selected: c.categoryCode)
        let classes = ResolutionClass.allCases.map { rc in
            Choice(value: rc.rawValue, label: "\(req.text("class_\(rc.rawValue)")) (\(ws.reference.policy.days(for: rc)) HK)",
                   selected: rc.rawValue == c.resolutionClass)
        }
        let jurisdictions = tree.jurisdictions.values.filter { $0.code != c.jurisdictionCode }.sorted { $0.code < $1.code }
            .map { Choice(value: $0.code, label: $0.name) }
        var templates: [Choice] = []
        var prefill = ""
        if (can.contains(.follow_up) || can.contains(.respond_final)), let unit = c.unitID {
            let list = try await ResponseTemplate.query(on: req.db).filter(\.$unitID ~~ Array(tree.unitAncestry(unit))).sort(\.$title).all()
                .filter { $0.categoryCode == nil || $0.categoryCode == c.categoryCode }
            let chosen = req.query[Int.self, at: "templat"]
            templates = list.map { Choice(value: "\($0.id!)", label: $0.title, selected: $0.id == chosen) }
            prefill = list.first { $0.id == chosen }?.body ?? ""
        }
        let warnUnit = c.unitID.flatMap { Access.canWarn($0, ws.officer, tree: tree) ? $0 : nil }
        var forms = Forms(
            verify: can.contains(.verify) && record.awaitsFirstVerification, redispose: can.contains(.redispose),
            suggestions: suggestions, units: units, categories: categories, classes: classes,
            requestInfo: can.contains(.request_info), archive: can.contains(.archive),
            archiveReasons: ArchiveReason.allCases.filter { $0 != .duplikat }.map { Choice(value: $0.rawValue, label: req.text("stats_reason_\($0.rawValue)")) },
            forwardJurisdiction: can.contains(.forward_jurisdiction) && !jurisdictions.isEmpty, jurisdictions: jurisdictions,
            forwardExternal: can.contains(.forward_external), merge: can.contains(.merge), duplicates: duplicates,
            decideExtension: can.contains(.decide_extension), extensionDays: c.extensionRequestedDays,
            setPrivacy: can.contains(.set_privacy), anonymous: c.anonymous, anonymousLocked: record.anonymityLocked,
            confidential: c.confidential, confidentialLocked: record.confidentialityLocked,
            followUp: can.contains(.follow_up), respondFinal: can.contains(.respond_final),
            returnToCoordinator: can.contains(.return), requestExtension: can.contains(.request_extension),
            maxExtension: ws.reference.policy.maxExtensionDays, flagSupervision: can.contains(.flag_supervision),
            note: can.contains(.note), templates: templates, prefill: prefill,
            warnUnit: warnUnit, warnUnitName: ws.unitName(warnUnit),
            any: !can.subtracting([.note]).isEmpty || warnUnit != nil)
        forms.triage = triage
        if can.contains(.assign), let unit = c.unitID {
            forms.assign = true
            forms.assignChoose = Assignment.actingRole(of: ws.officer, on: record, tree: tree) == .unit_head
            if forms.assignChoose {
                forms.assignees = try await ws.liaisons(of: unit).filter { $0.username != c.assigneeID }
                    .map { Choice(value: $0.username, label: "\($0.name) (\($0.username))") }
            }
        }
        forms.release = can.contains(.release)
        forms.maxAttachmentBytes = req.application.settings.maxAttachmentBytes
        forms.collaborators = units.map { Choice(value: $0.value, label: $0.label) }
        if let problem { keep(problem, in: &forms) }
        return forms
    }

    /// A refused form's choices shown as the officer left them (the typed texts come from `CaseFormState`).
    static func keep(_ problem: CaseFormProblem, in forms: inout Forms) {
        let v = problem.values
        func choose(_ list: inout [Choice], _ value: String?) {
            guard let value else { return }
            for i in list.indices { list[i].selected = list[i].value == value }
        }
        switch problem.form {
        case "verify":
            choose(&forms.units, v["unit"]); choose(&forms.categories, v["category"]); choose(&forms.classes, v["resolution_class"])
            let together = Set((v["collaborating_units"] ?? "").split(separator: ",").map(String.init))
            for i in forms.collaborators.indices { forms.collaborators[i].selected = together.contains(forms.collaborators[i].value) }
        case "archive": choose(&forms.archiveReasons, v["reason"])
        case "forward_jurisdiction": choose(&forms.jurisdictions, v["jurisdiction"])
        case "assign": choose(&forms.assignees, v["assignee"])
        default: break
        }
    }

    /// Likely duplicates among the complaints of the same jurisdiction this officer may read, 30 days either side.
    static func likelyDuplicates(_ ws: Workspace, of c: Complaint) async throws -> [DuplicateRow] {
        let window = Duplicates.window
        let nearby = try await ScopedComplaints.query(for: ws.officer, reference: ws.reference, on: ws.req.db)
            .filter(\.$jurisdictionCode == c.jurisdictionCode)
            .filter(\.$submittedAt >= c.submittedAt.addingTimeInterval(-window))
            .filter(\.$submittedAt <= c.submittedAt.addingTimeInterval(window))
            .filter(\.$id != c.id!)
            .filter(\.$state != ComplaintState.diarsipkan.rawValue)
            .sort(\.$submittedAt, .descending).limit(300).all()
        func item(_ x: Complaint) -> Duplicates.Item {
            Duplicates.Item(trackingID: x.trackingID, title: x.title, body: x.body, jurisdiction: x.jurisdictionCode,
                            unit: x.unitID ?? x.targetUnitID, category: x.categoryCode, submittedAt: x.submittedAt,
                            reporterKey: x.reporterEmailHash ?? x.reporterPhoneHash)
        }
        let byID = Dictionary(nearby.map { ($0.trackingID, $0) }, uniquingKeysWith: { a, _ in a })
        return Duplicates.rank(item(c), among: nearby.map(item)).compactMap { candidate in
            guard let x = byID[candidate.trackingID] else { return nil }
            return DuplicateRow(trackingID: x.trackingID, formattedID: TrackingID(x.trackingID)?.formatted ?? x.trackingID,
                                url: SiteURL.officerComplaint(x.trackingID).path, title: x.title,
                                state: ws.req.text("state_\(x.state)"), score: String(format: "%.0f%%", candidate.score * 100),
                                signals: candidate.signals.map { ws.req.text("ws_signal_\($0.rawValue)") }.joined(separator: ", "))
        }
    }
}

/// The case page's routes: the page itself, an officer's action from one of its forms, an attachment.
enum CaseController {
    static func show(_ req: Request) async throws -> Response {
        let ws = try await Workspace.of(req)
        let c = try await ws.complaint(req.parameters.get("id"))
        let message = req.query[String.self, at: "ok"].flatMap { Action(rawValue: $0) }.map { req.text("ws_done_\($0.rawValue)") }
        return try await CasePage.render(ws, c, message: message)
    }

    /// A browser form for any officer action; fields as in the API's `ActionRequest`.
    struct ActionForm: Content {
        var text: String?
        var internal_text: String?
        var unit: String?
        var category: String?
        var resolution_class: String?
        var collaborating_units: [String]?
        var jurisdiction: String?
        var destination: String?
        var external_ref: String?
        var reason: String?
        var days: String?
        var approve: String?
        /// A suggested duplicate's radio button; `into_typed`, the tracking ID typed instead.
        var into: String?
        var into_typed: String?
        var anonymous: String?
        var confidential: String?
        var assignee: String?
        var attachments: [File]?
        /// The action, when the form posts to the complaint page itself.
        var aksi: String?

        /// What the officer typed and chose, to put back in the form when the action is refused.
        var kept: [String: String] {
            var v: [String: String] = [:]
            let fields: [(String, String?)] = [("text", text), ("internal_text", internal_text), ("unit", unit), ("category", category),
                                               ("resolution_class", resolution_class), ("jurisdiction", jurisdiction),
                                               ("destination", destination), ("external_ref", external_ref), ("reason", reason),
                                               ("days", days), ("approve", approve), ("into", into), ("into_typed", into_typed),
                                               ("anonymous", anonymous), ("confidential", confidential), ("assignee", assignee)]
            for (name, value) in fields { if let value { v[name] = value } }
            if let collaborating_units { v["collaborating_units"] = collaborating_units.joined(separator: ",") }
            return v
        }

        var request: ActionRequest {
            func blank(_ s: String?) -> String? { s.flatMap { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0 } }
            return ActionRequest(text: blank(text), internal_text: blank(internal_text), unit: blank(unit), category: blank(category),
                                 resolution_class: blank(resolution_class), collaborating_units: collaborating_units?.filter { !$0.isEmpty },
                                 jurisdiction: blank(jurisdiction), destination: blank(destination), external_ref: blank(external_ref),
                                 reason: blank(reason), days: days.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) },
                                 approve: approve.map { $0 == "1" || $0 == "true" }, into: blank(into) ?? blank(into_typed),
                                 anonymous: anonymous.map { $0 == "1" || $0 == "on" }, confidential: confidential.map { $0 == "1" || $0 == "on" },
                                 assignee: blank(assignee))
        }
    }

    static func act(_ req: Request) async throws -> Response {
        let ws = try await Workspace.of(req)
        let c = try await ws.complaint(req.parameters.get("id"))
        let form = try req.content.decode(ActionForm.self)
        guard let action = Action(rawValue: req.parameters.get("action") ?? form.aksi ?? ""), Action.officerActions.contains(action) else {
            throw AppError.notFound(req.text("not_found_page"))
        }
        var body = form.request
        if action == .set_privacy {
            // Unticked checkboxes are not sent: the form always shows both, so absence means "off".
            body.anonymous = body.anonymous ?? false
            body.confidential = body.confidential ?? false
        }
        do {
            if action == .merge {
                guard let into = body.into, let original = try await Complaint.byTrackingID(into, on: req.db),
                      Access.canRead(ws.officer, original.record, tree: ws.reference.tree) else {
                    throw AppError.invalid(req.text("ws_error_merge_into"), field: "into")
                }
                _ = try await ComplaintStore.merge(c.trackingID, into: original.trackingID, actor: ws.participant, actorID: ws.principal.username,
                                                   texts: Texts(public: body.text, internal: body.internal_text), app: req.application)
            } else {
                var files: [SanitizedFile] = []
                if action == .respond_final || action == .follow_up {
                    files = try SubmitComplaint.inspectAttachments(form.attachments ?? [], limit: req.application.settings.maxAttachments,
                                                                         maxBytes: req.application.settings.maxAttachmentBytes)
                }
                if action == .set_privacy, body.anonymous == false, c.anonymous {
                    body.anonymous = nil  // the page never clears anonymity; AduanCore refuses it anyway
                }
                let command = try await ActOnComplaint.command(action, body, reference: ws.reference, actor: ws.officer, on: req.db)
                _ = try await ComplaintStore.perform(command, actor: ws.participant, actorID: ws.principal.username, trackingID: c.trackingID,
                                                     texts: Texts(public: body.text, internal: body.internal_text), files: files, app: req.application)
            }
        } catch {
            // Refused: the same page again with the reason beside its field and what was typed (nothing was written).
            let fresh = try await ws.complaint(c.trackingID)
            guard let problem = CaseFormProblem.from(error, action: action, values: form.kept, req: req, reference: ws.reference,
                                                     complaintState: fresh.state) else { throw error }
            return try await CasePage.render(ws, fresh, status: problem.status, problem: problem)
        }
        // After a merge the duplicate is archived; the original is where work goes on.
        let target = action == .merge ? (body.into.flatMap { TrackingID($0)?.rawValue } ?? c.trackingID) : c.trackingID
        let stillVisible = try await Complaint.byTrackingID(target, on: req.db).map { Access.canRead(ws.officer, $0.record, tree: ws.reference.tree) } ?? false
        // A returned or forwarded complaint leaves this officer's scope: back home, with the confirmation.
        if !stillVisible { return req.redirect(to: SiteURL.officerHome.path + "?selesai=\(action.rawValue)") }
        return req.redirect(to: SiteURL.officerComplaint(target).path + "?ok=\(action.rawValue)")
    }

    static func attachment(_ req: Request) async throws -> Response {
        try AttachmentDownload.response(try await permittedAttachment(req), app: req.application)
    }

    /// The thumbnail is let through by the very function that lets the file through.
    static func thumbnail(_ req: Request) async throws -> Response {
        try await AttachmentDownload.thumbnailResponse(try await permittedAttachment(req), req: req)
    }

    /// The attachment of a complaint in the officer's scope; reading a confidential complaint's file is audited.
    static func permittedAttachment(_ req: Request) async throws -> Attachment {
        let ws = try await Workspace.of(req)
        let c = try await ws.complaint(req.parameters.get("id"))
        guard let id = req.parameters.get("attachment", as: UUID.self),
              let attachment = try await Attachment.query(on: req.db).filter(\.$id == id).filter(\.$complaintID == c.id!).first() else {
            throw AppError.notFound(req.text("not_found_page"))
        }
        if c.confidential {
            try await AuditEntry(at: ws.now, actor: ws.principal.username, action: "read_confidential",
                                 complaintID: c.id, detail: req.url.path).create(on: req.writeDB)
        }
        return attachment
    }
}
