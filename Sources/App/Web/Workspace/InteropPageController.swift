import AduanCore
import Fluent
import Foundation
import Vapor

/// `/petugas/impor-ekspor`: the LAPOR export import for coordinators and sysadmins (`LaporImport`, as
/// `POST /api/v1/import/lapor`) and the complaint export for every officer (`ExportController`, as
/// `GET /api/v1/export/complaints.*`, here with the session instead of a token). Nothing is duplicated: the page
/// only reads the form and shows the report.
enum InteropPageController {
    static func register(_ officer: any RoutesBuilder) {
        officer.get("impor-ekspor", use: show)
        officer.upload(.POST, "impor-ekspor", "lapor",
                       maxSize: LaporImportController.maxFileBytes + 1_048_576, use: upload)
        officer.get("ekspor", "aduan.csv", use: ExportController.complaints(.csv))
        officer.get("ekspor", "aduan.xlsx", use: ExportController.complaints(.xlsx))
    }

    struct View: Encodable, Sendable {
        struct Result: Encodable, Sendable {
            struct Line: Encodable, Sendable { var line: Int; var laporID: String; var text: String }
            var summary: String
            var applied: Bool
            var rejected: [Line]
            var imported: [Line]
        }
        var canImport: Bool
        var jurisdictions: [Choice]
        var importAction: String
        var csvHref: String
        var xlsxHref: String
        var outcome: Result?
        var error: String?
    }

    static func show(_ req: Request) async throws -> Response {
        let ws = try await Workspace.of(req)
        return try await render(req, ws, selected: nil, result: nil, error: nil, status: .ok)
    }

    static func render(_ req: Request, _ ws: Workspace, selected: String?, result: View.Result?, error: String?,
                       status: HTTPStatus) async throws -> Response {
        let own = LaporImportController.importJurisdictions(ws.principal).map(\.0)
        let options = Array(Set(own)).sorted().map {
            Choice(value: $0, label: "\(ws.jurisdictionName($0)) (\($0))", selected: $0 == selected)
        }
        let view = View(canImport: !own.isEmpty, jurisdictions: options, importAction: SiteURL.Interop.importLapor.path,
                        csvHref: SiteURL.Interop.export("csv").path, xlsxHref: SiteURL.Interop.export("xlsx").path, outcome: result, error: error)
        return try await req.page("officer_interop", title: "interop_title", view, status: status)
    }

    struct Form: Content {
        var file: File?
        var jurisdiction: String?
        var partial: String?
    }

    static func upload(_ req: Request) async throws -> Response {
        let ws = try await Workspace.of(req)
        guard !LaporImportController.importJurisdictions(ws.principal).isEmpty else { throw AppError.forbidden(req.text("interop_error_role")) }
        let form = try? req.content.decode(Form.self)
        let jurisdiction = form?.jurisdiction
        func refuse(_ key: String, _ status: HTTPStatus) async throws -> Response {
            try await render(req, ws, selected: jurisdiction, result: nil, error: req.text(key), status: status)
        }
        guard let file = form?.file, file.data.readableBytes > 0 else { return try await refuse("interop_error_no_file", .unprocessableEntity) }
        guard file.data.readableBytes <= LaporImportController.maxFileBytes else { return try await refuse("interop_error_too_large", .payloadTooLarge) }
        let (target, role): (String, Role)
        do {
            (target, role) = try LaporImportController.importTarget(ws.principal, given: jurisdiction, reference: ws.reference)
        } catch let error as AppError {
            return try await render(req, ws, selected: jurisdiction, result: nil, error: error.message, status: error.status)
        }
        let report: LaporImportReport
        do {
            report = try await LaporImport.run(Data(buffer: file.data), jurisdiction: target, partial: form?.partial != nil, actorRole: role.rawValue,
                                               actorID: ws.principal.username, app: req.application)
        } catch let error as AppError {
            return try await render(req, ws, selected: target, result: nil, error: error.message, status: error.status)
        }
        try await AuditEntry(at: req.application.clock.now, actor: ws.principal.username, action: "lapor_import", complaintID: nil,
                             detail: "\(file.filename) → \(target): \(report.summary)".prefix(2_000).description).create(on: req.writeDB)
        let summary = req.text(report.applied ? "interop_import_done" : "interop_import_refused",
                               ["created": "\(report.created)", "present": "\(report.already_present)", "rejected": "\(report.rejected.count)"])
        let result = View.Result(summary: summary, applied: report.applied,
                                 rejected: report.rejected.map { .init(line: $0.line, laporID: $0.lapor_id ?? "—", text: $0.reason) },
                                 imported: report.complaints.prefix(200).map {
                                     .init(line: $0.line, laporID: $0.lapor_id, text: TrackingID($0.tracking_id)?.formatted ?? $0.tracking_id)
                                 })
        return try await render(req, ws, selected: target, result: result, error: nil, status: report.applied ? .ok : .unprocessableEntity)
    }
}

extension SiteURL {
    /// Paths of the officer's import/export page (`InteropPageController`).
    enum Interop {
        case page
        case importLapor
        /// `csv` or `xlsx`; the listing's filters may follow as a query.
        case export(String)

        var path: String {
            switch self {
            case .page: return "/petugas/impor-ekspor"
            case .importLapor: return "/petugas/impor-ekspor/lapor"
            case .export(let ext): return "/petugas/ekspor/aduan.\(ext)"
            }
        }
    }
}
