import AduanCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// What an import did (or, when `applied` is false, would have refused to do).
struct LaporImportReport: Content, Equatable {
    struct Rejected: Content, Equatable {
        var line: Int
        var lapor_id: String?
        var reason: String
    }
    struct Imported: Content, Equatable {
        var line: Int
        var lapor_id: String
        var tracking_id: String
        var state: String
    }
    /// False when rows were rejected and the import was not partial: nothing was written.
    var applied: Bool
    var created: Int
    var already_present: Int
    var rejected: [Rejected]
    var complaints: [Imported]

    /// "N created, M already present, K rejected (line: reason; …)".
    var summary: String {
        var text = "\(created) created, \(already_present) already present, \(rejected.count) rejected"
        if !rejected.isEmpty {
            text += " (" + rejected.prefix(20).map { "line \($0.line): \($0.reason)" }.joined(separator: "; ")
                + (rejected.count > 20 ? "; …" : "") + ")"
        }
        if !applied { text += "; nothing was imported" }
        return text
    }
}

/// Import of complaints from SP4N-LAPOR! admin exports, CSV or XLSX (SPEC §6). Idempotent by LAPOR's tracking number:
/// a number already here (imported before, or forwarded from here through the bridge) is counted as present and
/// left alone. All or nothing per file: every row is checked first, and when any row is rejected nothing is written
/// unless the import is `partial`, which writes the good rows. The rows are written in one transaction.
///
/// Each complaint is one `submit` event of channel `lapor_import` (`Lifecycle.importFromNational`): LAPOR's open
/// statuses start at `baru` in the jurisdiction's coordinator queue, finished ones are imported finished.
enum LaporImport {
    enum Column: String, CaseIterable, Sendable {
        case ticket, title, body, date, status, category, agency, anonymous, confidential, type, location, incidentDate
        case reporterName, reporterEmail, reporterPhone

        /// Column headings as LAPOR's admin export writes them, and common variants (compared without case,
        /// spacing and punctuation).
        var headings: [String] {
            switch self {
            case .ticket: return ["No. Tiket", "Nomor Tiket", "No Tiket", "Tiket", "Tracking ID", "ID Laporan", "No. Laporan"]
            case .title: return ["Judul", "Judul Laporan"]
            case .body: return ["Isi Laporan", "Isi", "Laporan", "Uraian"]
            case .date: return ["Tanggal Laporan", "Tanggal", "Tanggal Masuk", "Waktu Laporan"]
            case .status: return ["Status", "Status Laporan"]
            case .category: return ["Kategori"]
            case .agency: return ["Instansi", "Instansi Tujuan", "Instansi Terdisposisi"]
            case .anonymous: return ["Anonim"]
            case .confidential: return ["Rahasia"]
            case .type: return ["Jenis", "Jenis Laporan", "Klasifikasi"]
            case .location: return ["Lokasi", "Alamat", "Lokasi Kejadian"]
            case .incidentDate: return ["Tanggal Kejadian"]
            case .reporterName: return ["Nama Pelapor", "Pelapor"]
            case .reporterEmail: return ["Email Pelapor", "Email"]
            case .reporterPhone: return ["Telepon Pelapor", "No. HP", "No. Telepon", "Telepon"]
            }
        }
        static let required: [Column] = [.ticket, .title, .body, .date, .status]
    }

    static let maxRows = 50_000

    /// A row that passed every check, ready to become a complaint.
    struct Candidate: Sendable {
        var line: Int
        var laporID: String
        var submission: Submission
        var reporter: ReporterIdentity?
        var content: SubmissionController.ContentFields
        var submittedAt: Date
        var status: String
        var note: String
    }

    /// Reads, checks and (when allowed) writes one export file.
    static func run(_ data: Data, jurisdiction: String, partial: Bool, actorRole: String, actorID: String?,
                    app: Application) async throws -> LaporImportReport {
        let reference = try await app.reference.get(on: app.db)
        guard reference.tree.jurisdictions[jurisdiction] != nil else {
            throw AppError.invalid("unknown jurisdiction \(jurisdiction)", field: "jurisdiction")
        }
        let rows: [SheetRow]
        do { rows = try SpreadsheetReader.rows(from: data) } catch let error as SpreadsheetError {
            throw AppError.invalid(error.description, field: "file")
        }
        let (candidates, rejected) = try check(rows, jurisdiction: jurisdiction, reference: reference, now: app.clock.now)
        if !rejected.isEmpty && !partial {
            return LaporImportReport(applied: false, created: 0, already_present: try await present(candidates.map(\.laporID), app: app).count,
                                     rejected: rejected, complaints: [])
        }
        let (created, present) = try await write(candidates, actorRole: actorRole, actorID: actorID, app: app)
        return LaporImportReport(applied: true, created: created.count, already_present: present, rejected: rejected, complaints: created)
    }

    /// Maps the header and checks every row; throws only when the file as a whole cannot be read.
    static func check(_ rows: [SheetRow], jurisdiction: String, reference: ReferenceData, now: Date) throws -> ([Candidate], [LaporImportReport.Rejected]) {
        // Exports often start with a title block: the header is the first row naming the ticket and title columns.
        guard let headerIndex = rows.prefix(10).firstIndex(where: { row in
            let mapped = mapHeader(row.cells)
            return mapped[.ticket] != nil && mapped[.title] != nil
        }) else {
            throw AppError.invalid("no header row found: the file needs the columns \(Column.required.map { "\"\($0.headings[0])\"" }.joined(separator: ", "))", field: "file")
        }
        let columns = mapHeader(rows[headerIndex].cells)
        let missing = Column.required.filter { columns[$0] == nil }
        guard missing.isEmpty else {
            throw AppError.invalid("the header (line \(rows[headerIndex].line)) lacks \(missing.map { "\"\($0.headings[0])\"" }.joined(separator: ", "))", field: "file")
        }
        let body = rows[(headerIndex + 1)...]
        guard body.count <= maxRows else { throw AppError.invalid("at most \(maxRows) rows per file; split the export", field: "file") }

        let calendar = reference.calendar(for: jurisdiction)
        let today = calendar.localDate(of: now)
        var candidates: [Candidate] = []
        var rejected: [LaporImportReport.Rejected] = []
        var seen: [String: Int] = [:]
        for row in body {
            func cell(_ column: Column) -> String? {
                guard let index = columns[column], index < row.cells.count else { return nil }
                let text = row.cells[index].trimmingCharacters(in: .whitespacesAndNewlines)
                return text.isEmpty ? nil : text
            }
            let ticket = cell(.ticket)
            func reject(_ reason: String) { rejected.append(.init(line: row.line, lapor_id: ticket, reason: reason)) }
            guard let ticket else { reject("\"No. Tiket\" is empty"); continue }
            guard ticket.count <= 64 else { reject("\"No. Tiket\" is longer than 64 characters"); continue }
            if let first = seen[ticket] { reject("No. Tiket \(ticket) appears again (first on line \(first))"); continue }
            seen[ticket] = row.line

            var problems: [String] = []
            guard let statusText = cell(.status) else { reject("\"Status\" is empty"); continue }
            if National.status(of: statusText) == nil {
                problems.append("unknown status \"\(statusText)\" (known: \(National.statuses.map(\.label).joined(separator: ", ")))")
            }
            let submittedAt = cell(.date).flatMap { LaporDate.parse($0, timeZone: calendar.timeZone) }
            if cell(.date) == nil { problems.append("\"Tanggal Laporan\" is empty") }
            else if submittedAt == nil { problems.append("\"Tanggal Laporan\" \"\(cell(.date)!)\" is not a date (e.g. 2025-03-14 10:22 or 14/03/2025)") }
            else if submittedAt! > now { problems.append("\"Tanggal Laporan\" is in the future") }

            var submission = Submission(title: cell(.title) ?? "", body: cell(.body) ?? "", jurisdiction: jurisdiction)
            submission.channel = .lapor_import
            if let type = cell(.type) {
                if let parsed = LaporImport.type(of: type) { submission.type = parsed } else { problems.append("unknown \"Jenis\" \"\(type)\"") }
            }
            let anonymous = flag(cell(.anonymous)), confidential = flag(cell(.confidential))
            if anonymous == nil { problems.append("\"Anonim\" must be Ya or Tidak") }
            if confidential == nil { problems.append("\"Rahasia\" must be Ya or Tidak") }
            submission.anonymous = anonymous ?? false
            submission.confidential = confidential ?? false
            submission.address = cell(.location).map { TextHygiene.clean($0, multiline: false) }
            if let raw = cell(.incidentDate) {
                if let date = LaporDate.parse(raw, timeZone: calendar.timeZone) { submission.incidentDate = calendar.localDate(of: date) }
                else { problems.append("\"Tanggal Kejadian\" \"\(raw)\" is not a date") }
            }
            let categoryText = cell(.category)
            submission.category = categoryText.flatMap { category(named: $0, reference: reference) }
            let agency = cell(.agency)
            submission.targetUnit = agency.flatMap { unit(named: $0, in: jurisdiction, reference: reference) }

            var reporter: ReporterIdentity?
            do {
                reporter = try SubmissionController.validateReporter(ReporterIdentity(name: cell(.reporterName), email: cell(.reporterEmail),
                                                                                     phone: cell(.reporterPhone), nik: nil))
            } catch let error as AppError {
                problems.append(error.message)
            }
            // LAPOR's reporter follows the complaint in LAPOR; answers reach them through the bridge, not from here.
            submission.hasReporterContact = false
            for problem in submission.problems(tree: reference.tree, categories: Set(reference.categories.keys), today: today) {
                problems.append(problem.field == "title" || problem.field == "body"
                                ? problem.message.replacingOccurrences(of: "title", with: "\"Judul\"").replacingOccurrences(of: "body (the chronology)", with: "\"Isi Laporan\"")
                                : problem.message)
            }
            guard problems.isEmpty, let submittedAt else { reject(problems.joined(separator: "; ")); continue }

            var note = "Diimpor dari ekspor SP4N-LAPOR!: No. Tiket \(ticket), status \"\(statusText)\""
            if let agency { note += ", instansi \"\(agency)\"" + (submission.targetUnit == nil ? " (tidak cocok dengan unit di sini)" : "") }
            if let categoryText, submission.category == nil { note += ", kategori LAPOR \"\(categoryText)\"" }
            note += "."
            var content = SubmissionController.ContentFields(title: submission.title.trimmingCharacters(in: .whitespacesAndNewlines),
                                                             body: submission.body.trimmingCharacters(in: .whitespacesAndNewlines))
            content.address = submission.address
            content.incidentDate = submission.incidentDate?.description
            candidates.append(Candidate(line: row.line, laporID: ticket, submission: submission, reporter: reporter, content: content,
                                        submittedAt: submittedAt, status: statusText, note: note))
        }
        return (candidates, rejected)
    }

    /// Writes the candidates that are not here yet, in one transaction; the check runs inside it, so two imports of
    /// one file at once still create each complaint once (the unique index on `lapor_id` settles a race, the
    /// transaction is retried and finds them present).
    static func write(_ candidates: [Candidate], actorRole: String, actorID: String?,
                      app: Application) async throws -> ([LaporImportReport.Imported], Int) {
        guard !candidates.isEmpty else { return ([], 0) }
        let reference = try await app.reference.get(on: app.db)
        let secrets = app.secrets
        let prepared = try candidates.map { candidate in
            (candidate, try candidate.reporter.map { try secrets.seal(JSONEncoder().encode($0)) })
        }
        return try await withWriteTransaction(app) { db in
            let existing = try await present(candidates.map(\.laporID), on: db)
            var created: [LaporImportReport.Imported] = []
            let now = app.clock.now
            let context = reference.context(now: now)
            for (candidate, sealed) in prepared where !existing.contains(candidate.laporID) {
                let trackingID = TrackingID.random().rawValue
                let transition = try Lifecycle.importFromNational(candidate.submission, trackingID: trackingID, laporID: candidate.laporID,
                                                                  laporStatus: candidate.status, submittedAt: candidate.submittedAt,
                                                                  actorRole: actorRole, note: candidate.note, context: context)
                let complaint = Complaint()
                complaint.title = candidate.content.title; complaint.body = candidate.content.body
                complaint.incidentDate = candidate.content.incidentDate; complaint.address = candidate.content.address
                complaint.language = "id"
                complaint.reporterSealed = sealed
                complaint.reporterEmailHash = candidate.reporter?.email.map(secrets.lookupHash)
                complaint.reporterPhoneHash = candidate.reporter?.phone.map(secrets.lookupHash)
                // Nobody holds these: LAPOR's reporter follows the complaint in LAPOR.
                complaint.secretHash = secrets.reporterSecretHash(Secrets.randomToken(bytes: 20))
                complaint.pinHash = secrets.reporterSecretHash(Secrets.randomToken(bytes: 20))
                complaint.secretFailures = 0
                complaint.notifyEmail = false
                complaint.notifyPhone = false
                try await ComplaintStore.commit(transition, to: complaint, actorID: actorID, secrets: secrets, reference: reference, language: "id", on: db)
                created.append(.init(line: candidate.line, lapor_id: candidate.laporID, tracking_id: trackingID, state: complaint.state))
            }
            return (created, candidates.count - created.count)
        }
    }

    /// The LAPOR numbers of `ids` that are here already: imported, or forwarded from here and numbered by LAPOR.
    static func present(_ ids: [String], app: Application) async throws -> Set<String> {
        try await present(ids, on: app.db)
    }

    static func present(_ ids: [String], on db: any Database) async throws -> Set<String> {
        var found = Set<String>()
        var start = 0
        while start < ids.count {
            let chunk = Array(ids[start..<min(start + 500, ids.count)])
            start += 500
            let imported = try await Complaint.query(on: db).filter(\.$laporID ~~ chunk).field(\.$id).field(\.$laporID).all()
            found.formUnion(imported.compactMap(\.laporID))
            let forwarded = try await Complaint.query(on: db).filter(\.$externalDestination == National.destination)
                .filter(\.$externalRef ~~ chunk).field(\.$id).field(\.$externalRef).all()
            found.formUnion(forwarded.compactMap(\.externalRef))
        }
        return found
    }

    // MARK: reading cells

    static func normalise(_ text: String) -> String {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
            .split(whereSeparator: { !$0.isLetter && !$0.isNumber }).joined(separator: " ")
    }

    static func mapHeader(_ cells: [String]) -> [Column: Int] {
        var result: [Column: Int] = [:]
        for (index, cell) in cells.enumerated() {
            let key = normalise(cell)
            guard !key.isEmpty else { continue }
            for column in Column.allCases where result[column] == nil && column.headings.contains(where: { normalise($0) == key }) {
                result[column] = index
                break
            }
        }
        return result
    }

    /// Ya/Tidak and their usual spellings; an empty cell is "no". nil for anything else.
    static func flag(_ text: String?) -> Bool? {
        guard let text else { return false }
        switch normalise(text) {
        case "ya", "y", "yes", "true", "1", "benar": return true
        case "tidak", "t", "n", "no", "false", "0", "bukan", "-": return false
        default: return nil
        }
    }

    static func type(of text: String) -> ComplaintType? {
        switch normalise(text) {
        case "pengaduan", "keluhan": return .pengaduan
        case "aspirasi": return .aspirasi
        case "permintaan informasi", "informasi": return .permintaan_informasi
        case "wbs", "whistleblowing", "whistle blowing": return .wbs
        default: return ComplaintType(rawValue: text)
        }
    }

    /// A category of this installation with the same name or code; LAPOR's own categories that match none are kept
    /// in the import note only.
    static func category(named text: String, reference: ReferenceData) -> String? {
        let key = normalise(text)
        return reference.categories.first { normalise($0.value.name) == key || $0.key == text }?.key
    }

    /// An active unit of the jurisdiction whose name is the agency's, with or without the jurisdiction's name after it
    /// ("Dinas Kesehatan" and "Dinas Kesehatan Provinsi Kalimantan Selatan" are `63/dinkes`).
    static func unit(named text: String, in jurisdiction: String, reference: ReferenceData) -> String? {
        let key = normalise(text)
        let place = reference.tree.jurisdictions[jurisdiction].map { normalise($0.name) } ?? ""
        return reference.tree.units.values
            .filter { $0.jurisdiction == jurisdiction && $0.active }
            .sorted { $0.id < $1.id }
            .first { unit in
                let name = normalise(unit.name)
                return name == key || (!place.isEmpty && name + " " + place == key)
            }?.id
    }
}

/// Dates as LAPOR exports and spreadsheets write them, read in the jurisdiction's time zone: ISO (2025-03-14,
/// 2025-03-14 10:22[:05], RFC 3339), day first (14/03/2025, 14-03-2025 10:22), Indonesian month names
/// (14 Maret 2025, 14 Mar 2025 10.22) and Excel serial numbers (45730.43).
enum LaporDate {
    static let months: [String: Int] = [
        "jan": 1, "januari": 1, "january": 1, "feb": 2, "februari": 2, "february": 2, "peb": 2, "mar": 3, "maret": 3, "march": 3,
        "apr": 4, "april": 4, "mei": 5, "may": 5, "jun": 6, "juni": 6, "june": 6, "jul": 7, "juli": 7, "july": 7,
        "agu": 8, "ags": 8, "agt": 8, "agustus": 8, "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9,
        "okt": 10, "oktober": 10, "oct": 10, "october": 10, "nov": 11, "nop": 11, "november": 11, "nopember": 11,
        "des": 12, "desember": 12, "dec": 12, "december": 12,
    ]

    static func parse(_ raw: String, timeZone: TimeZone) -> Date? {
        let text = raw.trimmingCharacters(in: .whitespaces)
        // RFC 3339 with an offset is an instant already.
        if text.count > 19, text.contains("T") {
            let iso = ISO8601DateFormatter()
            if let date = iso.date(from: text) { return date }
            iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            if let date = iso.date(from: text) { return date }
        }
        // Excel stores dates as days since 1899-12-30 (the 1900 system, with its leap-year quirk folded in).
        if let serial = Double(text), serial > 20_000, serial < 100_000, text.contains(".") || !text.contains("-") {
            let seconds = (serial * 86_400).rounded()
            let days = Int(seconds) / 86_400
            let inDay = Int(seconds) % 86_400
            return make(year: nil, dayNumber: days - 25_569, hour: inDay / 3600, minute: inDay % 3600 / 60, second: inDay % 60, timeZone: timeZone)
        }
        let tokens = text.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
        guard tokens.count >= 3 else { return nil }
        var year: Int?, month: Int?, day: Int?
        if tokens[0].count == 4, let y = Int(tokens[0]) {
            year = y; month = Int(tokens[1]); day = Int(tokens[2])
        } else if let d = Int(tokens[0]) {
            day = d
            month = Int(tokens[1]) ?? months[tokens[1]]
            year = Int(tokens[2])
        }
        guard let year, let month, let day, (1900...2200).contains(year), (1...12).contains(month), (1...31).contains(day) else { return nil }
        let time = tokens.dropFirst(3).prefix(3).map { Int($0) }
        guard time.allSatisfy({ $0 != nil }) else { return nil }
        let hour = time.count > 0 ? time[0]! : 0, minute = time.count > 1 ? time[1]! : 0, second = time.count > 2 ? time[2]! : 0
        guard (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second) else { return nil }
        guard let date = LocalDate(year: year, month: month, day: day) else { return nil }
        return make(year: year, dayNumber: date.dayNumber, hour: hour, minute: minute, second: second, timeZone: timeZone)
    }

    static func make(year: Int?, dayNumber: Int, hour: Int, minute: Int, second: Int, timeZone: TimeZone) -> Date? {
        let utc = Double(dayNumber * 86_400 + hour * 3600 + minute * 60 + min(second, 59))
        let guess = Date(timeIntervalSince1970: utc)
        return Date(timeIntervalSince1970: utc - Double(timeZone.secondsFromGMT(for: guess)))
    }
}
