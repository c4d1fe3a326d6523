import AduanCore
import Fluent
import Foundation
import Vapor

/// The interoperability routes of issue 8, registered by one line in routes.swift.
func registerInterop(_ app: Application) {
    let api = app.grouped(BearerAuthenticator())
    api.upload(.POST, .importLapor, maxSize: LaporImport.maxFileBytes + 1_048_576,
               use: LaporImportController.upload)
    api.get(.exportCSV, use: ExportController.complaints(.csv))
    api.get(.exportXLSX, use: ExportController.complaints(.xlsx))
    // Signed by the provider (HMAC), not by a bearer token: see InboundGateway.
    app.upload(.POST, .gatewayInbound, maxSize: InboundGateway.maxBodyBytes,
               use: InboundGateway.receive)
}

/// `POST /api/v1/import/lapor`: a LAPOR admin export (multipart field `file`, CSV or XLSX) into a jurisdiction the
/// officer coordinates or administers.
enum LaporImportController {
    struct Form: Content {
        var file: File
        var jurisdiction: String?
        var partial: Bool?
        var dry_run: Bool?
    }

    /// 422 body when rows were rejected: the error and the full report (nothing was written).
    struct Refused: Content {
        var error: ErrorBody.Detail
        var report: LaporImportReport
    }

    static func upload(_ req: Request) async throws -> Response {
        let principal = try req.requireOfficer()
        guard let type = req.headers.contentType, type.type == "multipart", type.subType == "form-data" else {
            throw AppError(status: .unsupportedMediaType, code: "unsupported_media_type",
                           message: "send multipart/form-data with the export in the field `file`")
        }
        let form = try req.content.decode(Form.self)
        guard form.file.data.readableBytes > 0 else { throw AppError.invalid("the file is empty", field: "file") }
        guard form.file.data.readableBytes <= LaporImport.maxFileBytes else {
            throw AppError(status: .payloadTooLarge, code: "payload_too_large", message: "the file is larger than \(LaporImport.maxFileBytes / 1_048_576) MB", field: "file")
        }
        let reference = try await req.reference()
        let (jurisdiction, role) = try LaporImport.importTarget(principal, given: form.jurisdiction, reference: reference)
        let data = Data(buffer: form.file.data)
        let dryRun = form.dry_run ?? false
        let report = try await LaporImport.run(data, jurisdiction: jurisdiction, partial: form.partial ?? false, dryRun: dryRun,
                                               actorRole: role.rawValue, actorID: principal.username, app: req.application)
        if !dryRun { try await AuditEntry(at: req.application.clock.now, actor: principal.username, action: "lapor_import", complaintID: nil,
                             detail: "\(form.file.filename) → \(jurisdiction): \(report.summary)".prefix(2_000).description).create(on: req.writeDB) }
        let response: Response
        if report.applied || dryRun {
            response = Response(status: .ok)
            try response.content.encode(report, as: .json)
        } else {
            response = Response(status: .unprocessableEntity)
            try response.content.encode(Refused(error: .init(code: "import_rejected", message: report.summary, field: "file", request_id: req.id),
                                                report: report), as: .json)
        }
        return response
    }
}

/// `GET /api/v1/export/complaints.csv|.xlsx`: what the officer may read, with the listing's filters, streamed.
enum ExportController {
    static func complaints(_ format: ExportFormat) -> @Sendable (Request) async throws -> Response {
        { req in
            let principal = try req.requireOfficer()
            let p = try req.query.decode(ScopedComplaints.Parameters.self)
            let app = req.application
            let reference = try await req.reference()
            let now = app.clock.now
            let officer = principal.officer
            let usesSQLite = app.usesSQLite
            // Bad filters are refused before the first byte is sent.
            let probe = ScopedComplaints.query(for: officer, reference: reference, on: app.db)
            try ScopedComplaints.filter(probe, by: p, reference: reference, now: now, usesSQLite: usesSQLite)
            if format == .xlsx, try await probe.count() > XLSXRowEncoder.maxRows {
                throw AppError.invalid("more than \(XLSXRowEncoder.maxRows) complaints match, more than an XLSX sheet holds; export CSV or narrow the filters", field: "format")
            }
            try await AuditEntry(at: now, actor: principal.username, action: "export", complaintID: nil,
                                 detail: "complaints.\(format.rawValue)?\(req.url.query ?? "")".prefix(2_000).description).create(on: req.writeDB)
            let query: @Sendable () -> QueryBuilder<Complaint> = {
                let q = ScopedComplaints.query(for: officer, reference: reference, on: app.db)
                // The same filters on the same inputs as the probe above, which threw if they were bad.
                try? ScopedComplaints.filter(q, by: p, reference: reference, now: now, usesSQLite: usesSQLite)
                return q
            }
            let response = Response(status: .ok, body: .init(managedAsyncStream: { writer in
                _ = try await ComplaintExport.stream(format, query: query, app: app) { bytes in
                    try await writer.writeBuffer(ByteBuffer(bytes: bytes))
                }
            }))
            response.headers.contentType = format.mediaType
            let day = ISO8601DateFormatter.string(from: now, timeZone: reference.calendar(for: reference.defaultJurisdiction).timeZone,
                                                   formatOptions: [.withFullDate])
            response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"aduan-\(day).\(format.rawValue)\"")
            response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
            return response
        }
    }
}
