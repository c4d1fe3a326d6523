import AduanCore
import Fluent
import Foundation
import Vapor

enum ExportFormat: String, CaseIterable, Sendable {
    case csv, xlsx

    var mediaType: HTTPMediaType {
        switch self {
        case .csv: return HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        case .xlsx: return HTTPMediaType(type: "application", subType: "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        }
    }
}

/// Where exported bytes go: an HTTP response body or a file. Called with chunks of about 64 KB.
typealias ExportSink = @Sendable ([UInt8]) async throws -> Void

/// Export of complaints as CSV or XLSX, streamed: complaints are read in pages by ascending id (keyset, never
/// OFFSET) and each page is encoded and handed to the sink before the next is read, so memory stays flat whatever
/// the number of rows. A reporter's identity is never written for an anonymous complaint (SPEC §3) and never
/// includes the NIK.
enum ComplaintExport {
    static let columns = [
        "tracking_id", "type", "title", "body", "state", "channel", "jurisdiction", "unit", "category", "target_unit",
        "submitted_at", "due_at", "overdue", "closed_at", "anonymous", "confidential", "archive_reason",
        "external_destination", "external_ref", "lapor_id", "reporter_name", "reporter_email", "reporter_phone",
    ]
    static let flushBytes = CSVRowEncoder.flushBytes

    struct Summary: Sendable, Equatable {
        var rows = 0
        var confidential = 0
    }

    /// Streams the complaints `query` selects (built anew for each page) to `sink`.
    static func stream(_ format: ExportFormat, query: @escaping @Sendable () -> QueryBuilder<Complaint>, app: Application,
                       pageSize: Int = 1_000, sink: ExportSink) async throws -> Summary {
        let reference = try await app.reference.get(on: app.db)
        let now = app.clock.now
        var encoder: any RowEncoder = format == .csv ? CSVRowEncoder() : try XLSXRowEncoder(modified: now)
        var summary = Summary()
        var formatters: [String: ISO8601DateFormatter] = [:]
        func time(_ date: Date?, _ jurisdiction: String) -> String {
            guard let date else { return "" }
            if formatters[jurisdiction] == nil {
                let f = ISO8601DateFormatter()
                f.timeZone = reference.calendar(for: jurisdiction).timeZone
                formatters[jurisdiction] = f
            }
            return formatters[jurisdiction]!.string(from: date)
        }

        try encoder.header(columns)
        var lastID = 0
        while true {
            let page = try await query().filter(\.$id > lastID).sort(\.$id, .ascending).limit(pageSize).all()
            for c in page {
                let reporter = try c.reporterIdentity(as: Visibility.identity(for: .export, anonymous: c.anonymous), secrets: app.secrets)
                let j = c.jurisdictionCode
                try encoder.row([
                    c.trackingID, c.type, c.title, c.body, c.state, c.channel, j, c.unitID ?? "", c.categoryCode ?? "", c.targetUnitID ?? "",
                    time(c.submittedAt, j), time(c.dueAt, j), (c.officerDue.map { now > $0 } ?? false) ? "true" : "false", time(c.closedAt, j),
                    c.anonymous ? "true" : "false", c.confidential ? "true" : "false", c.archiveReason ?? "",
                    c.externalDestination ?? "", c.externalRef ?? "", c.laporID ?? "",
                    reporter?.name ?? "", reporter?.email ?? "", reporter?.phone ?? "",
                ])
                summary.rows += 1
                if c.confidential { summary.confidential += 1 }
                if encoder.pendingBytes >= flushBytes { try await sink(encoder.drain()) }
            }
            lastID = page.last?.id ?? lastID
            if page.count < pageSize { break }
        }
        try encoder.finish()
        try await sink(encoder.drain())
        return summary
    }
}
