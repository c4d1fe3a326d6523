import AduanCore
import Fluent
import Foundation
import Vapor

/// `/petugas/impor-ekspor`: the LAPOR export import for coordinators and sysadmins (`LaporImport`, as
/// `POST /api/v1/import/lapor`: check first, then import) and the complaint export for every officer
/// (`ExportController`, as `GET /api/v1/export/complaints.*`, here with the session instead of a token);
/// `/petugas/impor-ekspor/instansi`: the LAPOR agency names that match no unit, and their aliases.
/// Nothing is duplicated: the pages only read the forms and show the reports.
enum InteropPageController {
    static func register(_ officer: any RoutesBuilder) {
        officer.get(.interopPage, use: show)
        officer.upload(.POST, .interopImport,
                       maxSize: LaporImport.maxFileBytes + 1_048_576, use: upload)
        officer.get(.interopAgencies, use: agencies)
        officer.post(.interopAgencies, use: saveAlias)
        officer.post(.interopDeleteAlias, use: deleteAlias)
    }

    struct View: Encodable, Sendable {
        var canImport: Bool
        var jurisdictions: [Choice]
        var importAction: String
        var agenciesHref: String
        var csvHref: String
        var xlsxHref: String
        var outcome: Outcome?
        var error: String?
    }

    /// A report as the page shows it.
    struct Outcome: Encodable, Sendable {
        /// `code`: the refusal's code beside its words (a rejected row), for a report to the helpdesk.
        struct Line: Encodable, Sendable { var line: Int; var laporID: String; var text: String; var code: String? = nil }
        struct Count: Encodable, Sendable { var label: String; var count: Int }
        struct Group: Encodable, Sendable { var id: String; var title: String; var rows: [Count] }
        struct Agency: Encodable, Sendable { var name: String; var count: Int; var unit: String? }
        var summary: String
        var applied: Bool
        var dryRun: Bool
        var source: String?
        var groups: [Group]
        var mapped: [Agency]
        var unmapped: [Agency]
        var agenciesHref: String
        var unknown: [Count]
        var missing: String?
        var repeated: [Line]
        var rejected: [Line]
        var imported: [Line]
    }

    static func show(_ req: Request) async throws -> Response {
        let ws = try await Workspace.of(req)
        return try await render(req, ws, selected: nil, outcome: nil, error: nil, status: .ok)
    }

    static func render(_ req: Request, _ ws: Workspace, selected: String?, outcome: Outcome?, error: String?,
                       status: HTTPStatus) async throws -> Response {
        let own = LaporImport.importJurisdictions(ws.principal).map(\.0)
        let options = Array(Set(own)).sorted().map {
            Choice(value: $0, label: "\(ws.jurisdictionName($0)) (\($0))", selected: $0 == selected)
        }
        let view = View(canImport: !own.isEmpty, jurisdictions: options, importAction: SiteURL.Interop.importLapor.path,
                        agenciesHref: SiteURL.Interop.agencies(nil).path,
                        csvHref: SiteURL.Interop.export("csv").path, xlsxHref: SiteURL.Interop.export("xlsx").path, outcome: outcome, error: error)
        return try await req.page("officer_interop", title: "interop_title", view, status: status)
    }

    struct Form: Content {
        var file: File?
        var jurisdiction: String?
        var partial: String?
        /// `check` (a dry run) or `import`.
        var mode: String?
    }

    static func upload(_ req: Request) async throws -> Response {
        let ws = try await Workspace.of(req)
        guard !LaporImport.importJurisdictions(ws.principal).isEmpty else { throw AppError.forbidden(req.text("interop_error_role")) }
        let form = try? req.content.decode(Form.self)
        let jurisdiction = form?.jurisdiction
        func refuse(_ key: String, _ status: HTTPStatus) async throws -> Response {
            try await render(req, ws, selected: jurisdiction, outcome: nil, error: req.text(key), status: status)
        }
        guard let file = form?.file, file.data.readableBytes > 0 else { return try await refuse("interop_error_no_file", .unprocessableEntity) }
        guard file.data.readableBytes <= LaporImport.maxFileBytes else { return try await refuse("interop_error_too_large", .payloadTooLarge) }
        let (target, role): (String, Role)
        do {
            (target, role) = try LaporImport.importTarget(ws.principal, given: jurisdiction, reference: ws.reference)
        } catch let error as AppError {
            return try await render(req, ws, selected: jurisdiction, outcome: nil, error: error.message, status: error.status)
        }
        let dryRun = form?.mode == "check"
        let report: LaporImportReport
        do {
            report = try await LaporImport.run(Data(buffer: file.data), jurisdiction: target, partial: form?.partial != nil, dryRun: dryRun,
                                               actorRole: role.rawValue, actorID: ws.principal.username, language: req.language, app: req.application)
        } catch let error as AppError {
            return try await render(req, ws, selected: target, outcome: nil, error: error.message, status: error.status)
        }
        if !dryRun {
            try await AuditEntry(at: req.application.clock.now, actor: ws.principal.username, action: "lapor_import", complaintID: nil,
                                 detail: "\(file.filename) → \(target): \(report.summary)".prefix(2_000).description).create(on: req.writeDB)
        }
        return try await render(req, ws, selected: target, outcome: outcome(req, ws, report, jurisdiction: target), error: nil,
                                status: report.applied || report.dry_run ? .ok : .unprocessableEntity)
    }

    static func outcome(_ req: Request, _ ws: Workspace, _ report: LaporImportReport, jurisdiction: String) -> Outcome {
        let numbers = ["created": "\(report.created)", "present": "\(report.already_present)", "rejected": "\(report.rejected.count)",
                       "units": "\(report.units_updated)", "rows": "\(report.rows)"]
        let key = report.dry_run ? "interop_check_done" : report.applied ? "interop_import_done" : "interop_import_refused"
        func rows(_ counts: [String: Int], label: (String) -> String) -> [Outcome.Count] {
            counts.map { Outcome.Count(label: label($0.key), count: $0.value) }.sorted { ($1.count, $0.label) < ($0.count, $1.label) }
        }
        var groups = [
            Outcome.Group(id: "by-state", title: req.text("interop_by_state"), rows: rows(report.by_state) { req.text("state_\($0)") }),
            Outcome.Group(id: "by-lapor-status", title: req.text("interop_by_lapor_status"),
                          rows: rows(report.by_lapor_status) { $0.isEmpty ? req.text("interop_empty") : $0 }),
            Outcome.Group(id: "by-type", title: req.text("interop_by_type"), rows: rows(report.by_type) { req.text("type_\($0)") }),
            Outcome.Group(id: "by-channel", title: req.text("interop_by_channel"), rows: rows(report.by_channel) { req.text("stats_channel_\($0)") }),
            Outcome.Group(id: "by-flag", title: req.text("interop_by_flag"), rows: [
                .init(label: req.text("interop_flag_anonymous"), count: report.anonymous),
                .init(label: req.text("interop_flag_confidential"), count: report.confidential),
                .init(label: req.text("interop_flag_supervision"), count: report.supervision),
            ]),
        ]
        if !report.by_archive_reason.isEmpty {
            groups.append(.init(id: "by-reason", title: req.text("interop_by_reason"), rows: rows(report.by_archive_reason) { req.text("stats_reason_\($0)") }))
        }
        groups.append(.init(id: "by-agency", title: req.text("interop_by_agency"), rows: [
            .init(label: req.text("interop_agency_mapped"), count: report.instansi_mapped),
            .init(label: req.text("interop_agency_unmapped"), count: report.instansi_unmapped),
            .init(label: req.text("interop_agency_empty"), count: report.instansi_empty),
        ]))
        return Outcome(
            summary: req.text(key, numbers), applied: report.applied, dryRun: report.dry_run,
            source: report.source_instansi.map { $0 + (report.source_period.map { " · \($0)" } ?? "") },
            groups: groups,
            mapped: report.instansi.filter { $0.unit != nil }.map { .init(name: $0.name, count: $0.count, unit: ws.unitName($0.unit)) },
            unmapped: report.unmappedInstansi.map { .init(name: $0.name, count: $0.count, unit: nil) },
            agenciesHref: SiteURL.Interop.agencies(jurisdiction).path,
            unknown: report.unknown_values.map { .init(label: "\($0.column): \u{201C}\($0.value)\u{201D}", count: $0.count) },
            missing: report.missing_columns.isEmpty ? nil : report.missing_columns.joined(separator: ", "),
            repeated: report.repeated.map { .init(line: $0.line, laporID: $0.lapor_id, text: req.text("interop_repeated_first", ["line": "\($0.first_line)"])) },
            rejected: report.rejected.map { .init(line: $0.line, laporID: $0.lapor_id ?? "—", text: $0.reason, code: $0.code) },
            imported: report.complaints.prefix(200).map {
                .init(line: $0.line, laporID: $0.lapor_id, text: TrackingID($0.tracking_id)?.formatted ?? $0.tracking_id)
            })
    }

    // MARK: LAPOR agencies without a unit

    struct AgenciesView: Encodable, Sendable {
        struct Unmapped: Encodable, Sendable { var name: String; var count: Int; var index: Int }
        struct Saved: Encodable, Sendable { var id: Int; var alias: String; var unit: String; var by: String }
        var jurisdictions: [Choice]
        var jurisdiction: String
        var jurisdictionName: String
        var unmapped: [Unmapped]
        var units: [Choice]
        var saved: [Saved]
        var saveAction: String
        var deleteAction: String
        var importHref: String
        var message: String?
        var error: String?
    }

    /// The jurisdiction of the page: the one asked for, else the officer's first where they may import.
    static func agencyJurisdiction(_ ws: Workspace, _ given: String?) throws -> String {
        let own = Set(LaporImport.importJurisdictions(ws.principal).map(\.0))
        guard !own.isEmpty else { throw AppError.forbidden(ws.req.text("interop_error_role")) }
        if let given, !given.isEmpty {
            guard own.contains(given) else { throw AppError.forbidden(ws.req.text("interop_error_role")) }
            return given
        }
        return own.sorted()[0]
    }

    static func agencies(_ req: Request) async throws -> Response {
        let ws = try await Workspace.of(req)
        let jurisdiction = try agencyJurisdiction(ws, req.query[String.self, at: "jurisdiction"])
        let message = req.query[String.self, at: "selesai"].map { req.text("interop_alias_\($0 == "hapus" ? "deleted" : "saved")") }
        return try await renderAgencies(req, ws, jurisdiction, message: message, error: nil, status: .ok)
    }

    static func renderAgencies(_ req: Request, _ ws: Workspace, _ jurisdiction: String, message: String?, error: String?,
                               status: HTTPStatus) async throws -> Response {
        let unmapped = try await LaporImport.unmappedInstansi(jurisdiction: jurisdiction, reference: ws.reference, on: req.db)
        let saved = try await UnitAlias.query(on: req.db).filter(\.$jurisdictionCode == jurisdiction).sort(\.$alias).all()
        let units = ws.reference.tree.units.values.filter { $0.jurisdiction == jurisdiction && $0.active }
            .sorted { $0.name.lowercased() < $1.name.lowercased() }
            .map { Choice(value: $0.id, label: $0.name) }
        let own = Set(LaporImport.importJurisdictions(ws.principal).map(\.0)).sorted()
        let view = AgenciesView(
            jurisdictions: own.map { Choice(value: $0, label: "\(ws.jurisdictionName($0)) (\($0))", selected: $0 == jurisdiction) },
            jurisdiction: jurisdiction, jurisdictionName: ws.jurisdictionName(jurisdiction),
            unmapped: unmapped.enumerated().map { .init(name: $1.name, count: $1.count, index: $0) },
            units: units,
            saved: try saved.map { .init(id: try $0.requireID(), alias: $0.alias, unit: ws.unitName($0.unitID) ?? $0.unitID, by: $0.createdBy) },
            saveAction: SiteURL.Interop.agencies(nil).path, deleteAction: SiteURL.Interop.deleteAlias.path,
            importHref: SiteURL.Interop.page.path, message: message, error: error)
        return try await req.page("officer_lapor_agencies", title: "agencies_title", view, status: status)
    }

    struct AliasForm: Content {
        var jurisdiction: String?
        var alias: String?
        var unit: String?
        var id: Int?
    }

    static func saveAlias(_ req: Request) async throws -> Response {
        let ws = try await Workspace.of(req)
        let form = try? req.content.decode(AliasForm.self)
        let jurisdiction = try agencyJurisdiction(ws, form?.jurisdiction)
        let alias = (form?.alias ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        func refuse(_ text: String) async throws -> Response {
            try await renderAgencies(req, ws, jurisdiction, message: nil, error: text, status: .unprocessableEntity)
        }
        guard !InstansiName.key(alias, places: []).isEmpty, alias.count <= OrgImport.maxAliasLength else {
            return try await refuse(req.text("interop_alias_error_name"))
        }
        guard let unit = form?.unit, let known = ws.reference.tree.units[unit], known.jurisdiction == jurisdiction, known.active else {
            return try await refuse(req.text("interop_alias_error_unit"))
        }
        switch try await OrgAdmin.saveAlias(req.application, actor: ws.principal.username, jurisdiction: jurisdiction, alias: alias, unit: unit) {
        case .saved:
            return req.redirect(to: SiteURL.Interop.agencies(jurisdiction).path + "&selesai=simpan")
        case .taken(let owner):
            return try await refuse(req.text("interop_alias_error_taken", ["unit": ws.unitName(owner) ?? owner]))
        }
    }

    static func deleteAlias(_ req: Request) async throws -> Response {
        let ws = try await Workspace.of(req)
        let form = try? req.content.decode(AliasForm.self)
        guard let id = form?.id, let alias = try await UnitAlias.find(id, on: req.db) else { throw AppError.notFound() }
        let jurisdiction = try agencyJurisdiction(ws, alias.jurisdictionCode)
        try await OrgAdmin.deleteAlias(req.application, actor: ws.principal.username, alias)
        return req.redirect(to: SiteURL.Interop.agencies(jurisdiction).path + "&selesai=hapus")
    }
}
