import AduanCore
import Fluent
import Foundation
import Vapor

/// The warnings an officer reads, as rows: on the warnings page, in the inbox and on the unit head's queue.
enum WarningList {
    struct Row: Encodable, Sendable {
        var id: Int
        var unit: String
        var complaint: String?
        var complaintURL: String?
        var text: String
        var issuedBy: String
        var issued: String
        var due: String
        var countdown: String?
        var countdownStatus: String
        var acknowledged: String?
        var acknowledgedBy: String?
        var response: String?
        var canAcknowledge: Bool
        /// Where the acknowledgement form posts.
        var acknowledgeURL: String
    }

    /// The warnings this officer may read, newest first.
    static func visible(_ ws: Workspace, openOnly: Bool = false) async throws -> [UnitWarning] {
        let query = UnitWarning.query(on: ws.req.db).sort(\.$issuedAt, .descending)
        if openOnly { query.filter(\.$acknowledgedAt == nil) }
        return try await query.limit(1000).all().filter { Access.canReadWarnings(of: $0.unitID, ws.officer, tree: ws.reference.tree) }
    }

    /// Open warnings this officer must acknowledge, oldest due first.
    static func pending(_ ws: Workspace) async throws -> [UnitWarning] {
        try await visible(ws, openOnly: true).filter { Access.canAcknowledgeWarning(to: $0.unitID, ws.officer, tree: ws.reference.tree) }
            .sorted { $0.acknowledgeBy < $1.acknowledgeBy }
    }

    static func row(_ w: UnitWarning, _ ws: Workspace, complaints: [Int: String]) -> Row {
        let wording = ws.wording(for: w.jurisdictionCode)
        let countdown = w.acknowledgedAt == nil
            ? Countdown(due: w.acknowledgeBy, now: ws.now, calendar: ws.reference.calendar(for: w.jurisdictionCode)) : nil
        let tracking = w.complaintID.flatMap { complaints[$0] }
        return Row(id: w.id!, unit: ws.unitName(w.unitID) ?? w.unitID, complaint: tracking.map { TrackingID($0)?.formatted ?? $0 },
                   complaintURL: tracking.map { SiteURL.officerComplaint($0).path }, text: w.text, issuedBy: w.issuedBy,
                   issued: wording.dateTime(w.issuedAt), due: wording.date(w.acknowledgeBy),
                   countdown: countdown.map(ws.countdownText), countdownStatus: countdown?.status.rawValue ?? "none",
                   acknowledged: w.acknowledgedAt.map(wording.dateTime), acknowledgedBy: w.acknowledgedBy, response: w.response,
                   canAcknowledge: w.acknowledgedAt == nil && Access.canAcknowledgeWarning(to: w.unitID, ws.officer, tree: ws.reference.tree),
                   acknowledgeURL: RoutePattern.warningAcknowledge.link(w.id!))
    }

    static func rows(_ list: [UnitWarning], _ ws: Workspace) async throws -> [Row] {
        let ids = Array(Set(list.compactMap(\.complaintID)))
        let complaints = ids.isEmpty ? [:] : Dictionary(uniqueKeysWithValues: try await Complaint.query(on: ws.req.db).filter(\.$id ~~ ids).all()
            .map { ($0.id!, $0.trackingID) })
        return list.map { row($0, ws, complaints: complaints) }
    }
}

/// Formal warnings (teguran): an inspector warns a unit, optionally about one complaint; the unit head must
/// acknowledge with a response within `UnitWarning.acknowledgeWithinDays` working days (SPEC §1, §4). On the same
/// page the inspectorate keeps its monitoring notes on units, which the units do not see.
enum WarningsController {
    struct NoteRow: Encodable, Sendable { var unit: String; var text: String; var writtenBy: String; var written: String }

    struct WarningsView: Encodable, Sendable {
        var open: [WarningList.Row]
        var done: [WarningList.Row]
        var notes: [NoteRow]
        var canIssue: Bool
        var units: [Choice]
        var message: String?
        var error: String?
    }

    /// Units this officer may warn.
    static func warnable(_ ws: Workspace) -> [String] {
        ws.reference.tree.units.values.filter { $0.handlesComplaints && Access.canWarn($0.id, ws.officer, tree: ws.reference.tree) }
            .map(\.id).sorted()
    }

    static func show(_ req: Request) async throws -> Response {
        let ws = try await Workspace.of(req)
        let message = req.query[String.self, at: "ok"].flatMap { ["issued", "acknowledged", "noted"].contains($0) ? req.text("warnings_done_\($0)") : nil }
        return try await render(ws, message: message)
    }

    static func render(_ ws: Workspace, message: String? = nil, error: String? = nil, status: HTTPStatus = .ok) async throws -> Response {
        let all = try await WarningList.visible(ws)
        let units = warnable(ws)
        guard !all.isEmpty || !units.isEmpty || ws.holds(.unit_head) || ws.holds(.liaison) else {
            throw AppError.forbidden(ws.req.text("warnings_forbidden"))
        }
        let view = WarningsView(open: try await WarningList.rows(all.filter { $0.acknowledgedAt == nil }, ws),
                                done: try await WarningList.rows(all.filter { $0.acknowledgedAt != nil }, ws),
                                notes: try await notes(ws),
                                canIssue: !units.isEmpty,
                                units: units.map { Choice(value: $0, label: "\(ws.unitName($0) ?? $0) · \(ws.jurisdictionName(ws.reference.tree.units[$0]!.jurisdiction))") },
                                message: message, error: error)
        return try await ws.req.page("officer_warnings", title: "warnings_title", view, status: status)
    }

    struct IssueForm: Content { var unit: String?; var complaint: String?; var text: String? }

    /// Issues a warning; from a complaint page the unit is the complaint's and the complaint is linked.
    static func issue(_ req: Request) async throws -> Response {
        let ws = try await Workspace.of(req)
        let form = try req.content.decode(IssueForm.self)
        let complaint: Complaint? = if let raw = form.complaint, !raw.isEmpty { try await ws.complaint(raw) } else { nil }
        guard let unit = form.unit, Access.canWarn(unit, ws.officer, tree: ws.reference.tree) else {
            throw AppError.forbidden(req.text("warnings_forbidden"))
        }
        let text = (form.text ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard (10...5000).contains(text.count) else {
            if let complaint {
                let problem = CaseFormProblem(action: "warn", field: "text", message: req.text("warnings_error_text"),
                                              values: ["text": form.text ?? ""], status: .unprocessableEntity)
                return try await CasePage.render(ws, complaint, status: .unprocessableEntity, problem: problem)
            }
            return try await render(ws, error: req.text("warnings_error_text"), status: .unprocessableEntity)
        }
        let warning = UnitWarning()
        warning.unitID = unit
        warning.jurisdictionCode = ws.reference.tree.units[unit]!.jurisdiction
        warning.complaintID = complaint?.id
        warning.text = text
        warning.issuedBy = ws.principal.username
        warning.issuedAt = ws.now
        warning.acknowledgeBy = ws.reference.calendar(for: warning.jurisdictionCode).due(from: ws.now, workingDays: UnitWarning.acknowledgeWithinDays)
        let complaintID = complaint?.id
        let unitName = ws.unitName(unit) ?? unit
        try await withWriteTransaction(req.application) { db in
            try await warning.create(on: db)
            try await OfficerMail.queueWarning("warning_issued", warning: warning, audience: .unitHead(unit), unitName: unitName, at: ws.now, on: db)
            try await AuditEntry(at: ws.now, actor: ws.principal.username, action: "warning_issued", complaintID: complaintID,
                                 detail: unit).create(on: db)
        }
        return req.redirect(to: SiteURL.officerWarnings.path + "?ok=issued")
    }

    /// The monitoring notes this officer may read (on units they may warn), newest first.
    static func notes(_ ws: Workspace) async throws -> [NoteRow] {
        guard ws.holds(.inspector) else { return [] }
        return try await MonitoringNote.query(on: ws.req.db).sort(\.$writtenAt, .descending).limit(1000).all()
            .filter { Access.canWarn($0.unitID, ws.officer, tree: ws.reference.tree) }
            .prefix(200)
            .map { NoteRow(unit: ws.unitName($0.unitID) ?? $0.unitID, text: $0.text, writtenBy: $0.writtenBy,
                           written: ws.wording(for: $0.jurisdictionCode).dateTime($0.writtenAt)) }
    }

    struct NoteForm: Content { var unit: String?; var text: String? }

    /// Records a monitoring note on a unit (inspectors of the unit's jurisdiction or above), audited.
    static func note(_ req: Request) async throws -> Response {
        let ws = try await Workspace.of(req)
        let form = try req.content.decode(NoteForm.self)
        guard let unit = form.unit, Access.canWarn(unit, ws.officer, tree: ws.reference.tree) else {
            throw AppError.forbidden(req.text("warnings_forbidden"))
        }
        let text = (form.text ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard (10...5000).contains(text.count) else {
            return try await render(ws, error: req.text("warnings_error_note"), status: .unprocessableEntity)
        }
        let note = MonitoringNote()
        note.unitID = unit
        note.jurisdictionCode = ws.reference.tree.units[unit]!.jurisdiction
        note.text = text
        note.writtenBy = ws.principal.username
        note.writtenAt = ws.now
        try await withWriteTransaction(req.application) { db in
            try await note.create(on: db)
            try await AuditEntry(at: ws.now, actor: ws.principal.username, action: "monitoring_note", complaintID: nil, detail: unit).create(on: db)
        }
        return req.redirect(to: SiteURL.officerWarnings.path + "?ok=noted")
    }

    struct AcknowledgeForm: Content { var response: String? }

    static func acknowledge(_ req: Request) async throws -> Response {
        let ws = try await Workspace.of(req)
        guard let id = req.parameters.get("warning", as: Int.self), let warning = try await UnitWarning.find(id, on: req.db),
              Access.canReadWarnings(of: warning.unitID, ws.officer, tree: ws.reference.tree) else {
            throw AppError.notFound(req.text("not_found_page"))
        }
        guard Access.canAcknowledgeWarning(to: warning.unitID, ws.officer, tree: ws.reference.tree) else {
            throw AppError.forbidden(req.text("warnings_ack_forbidden"))
        }
        guard warning.acknowledgedAt == nil else {
            return try await render(ws, error: req.text("warnings_error_done"), status: .conflict)
        }
        let response = (try req.content.decode(AcknowledgeForm.self).response ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard (10...5000).contains(response.count) else {
            return try await render(ws, error: req.text("warnings_error_response"), status: .unprocessableEntity)
        }
        try await withWriteTransaction(req.application) { db in
            // Only an open warning is acknowledged: two heads answering at once cannot overwrite each other.
            try await UnitWarning.query(on: db).filter(\.$id == id).filter(\.$acknowledgedAt == nil)
                .set(\.$acknowledgedAt, to: ws.now).set(\.$acknowledgedBy, to: ws.principal.username).set(\.$response, to: response).update()
            try await OfficerMail.queueWarning("warning_acknowledged", warning: warning, audience: .inspectorate(warning.jurisdictionCode),
                                               unitName: ws.unitName(warning.unitID) ?? warning.unitID, at: ws.now, on: db)
            try await AuditEntry(at: ws.now, actor: ws.principal.username, action: "warning_acknowledged", complaintID: warning.complaintID,
                                 detail: warning.unitID).create(on: db)
        }
        return req.redirect(to: SiteURL.officerWarnings.path + "?ok=acknowledged")
    }
}
