import AduanCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// What an import did, would do (`dry_run`), or refused to do (`applied` false).
struct LaporImportReport: Content, Equatable {
    struct Rejected: Content, Equatable {
        var line: Int
        var lapor_id: String?
        /// `no_number`, `number_too_long` or `no_text` (`LaporExport.Rejection`).
        var code: String
        /// Why, in the importer's language (Indonesian by default).
        var reason: String
    }
    struct Imported: Content, Equatable {
        var line: Int
        var lapor_id: String
        var tracking_id: String
        var state: String
    }
    /// A LAPOR agency name of the file, how many rows name it, and the unit it maps to here (nil: none).
    struct Instansi: Content, Equatable {
        var name: String
        var count: Int
        var unit: String?
    }
    struct UnknownValue: Content, Equatable {
        /// The column's heading, as LAPOR writes it.
        var column: String
        var value: String
        var count: Int
    }
    /// A LAPOR number that appears again further down the file: the first row counts, this one is skipped.
    struct Repeated: Content, Equatable {
        var line: Int
        var lapor_id: String
        var first_line: Int
    }

    /// Nothing was written: the file was only checked.
    var dry_run = false
    /// False when nothing was written (a dry run, or rejected rows without `partial`).
    var applied = false
    /// Data rows read below the header.
    var rows = 0
    var created = 0
    var already_present = 0
    /// Complaints imported before whose LAPOR agency now maps to a unit (a new alias, a new unit): their unit was set.
    var units_updated = 0
    var rejected: [Rejected] = []
    /// The complaints created (the first 1,000).
    var complaints: [Imported] = []
    /// The readable rows (new and present alike), by the state they are imported in, LAPOR's status, type, channel
    /// and archive reason.
    var by_state: [String: Int] = [:]
    var by_lapor_status: [String: Int] = [:]
    var by_type: [String: Int] = [:]
    var by_channel: [String: Int] = [:]
    var by_archive_reason: [String: Int] = [:]
    var anonymous = 0
    var confidential = 0
    var supervision = 0
    /// Rows whose agency maps to a unit, rows whose agency maps to none, rows without an agency.
    var instansi_mapped = 0
    var instansi_unmapped = 0
    var instansi_empty = 0
    var instansi: [Instansi] = []
    var unknown_values: [UnknownValue] = []
    /// Columns of LAPOR's current layout the file lacks (read without them).
    var missing_columns: [String] = []
    var repeated: [Repeated] = []
    /// The title block's `Nama Instansi` and `Periode Masuk`, when the file has one.
    var source_instansi: String?
    var source_period: String?

    static let listedComplaints = 1_000

    var unmappedInstansi: [Instansi] { instansi.filter { $0.unit == nil } }

    /// "N created, M already present, K rejected (line: reason; …)".
    var summary: String {
        var text = "\(created) created, \(already_present) already present, \(rejected.count) rejected"
        if units_updated > 0 { text += ", \(units_updated) units updated" }
        if !rejected.isEmpty {
            text += " (" + rejected.prefix(20).map { "line \($0.line): \($0.reason)" }.joined(separator: "; ")
                + (rejected.count > 20 ? "; …" : "") + ")"
        }
        if dry_run { text += "; dry run, nothing was imported" } else if !applied { text += "; nothing was imported" }
        return text
    }
}

/// Import of complaints from SP4N-LAPOR! admin exports, CSV or XLSX (SPEC §6), as LAPOR writes them (`LaporExport`
/// reads the rows; this type reads the file and writes). Idempotent by LAPOR's tracking number: a number already here
/// (imported before, or forwarded from here through the bridge) is counted as present and left alone, except that
/// its LAPOR agency is mapped again (`Lifecycle.nationalUnit`), so a new alias reaches complaints imported before.
///
/// Two steps, in constant memory whatever the file's size: the file is read once, row by row, each row checked and
/// its reading written to a scratch file while the report is counted; then, unless it is a dry run or a row was
/// rejected (without `partial`), the scratch file is written to the database in transactions of a few hundred rows.
/// An import interrupted half-way is finished by importing the same file again.
enum LaporImport {
    static let maxRows = 50_000
    static let batchSize = 250

    /// One checked row, as the scratch file holds it.
    struct Candidate: Codable, Sendable {
        var line: Int
        var reading: LaporExport.Reading
        var unit: String?
        var category: String?
        var reporter: ReporterIdentity?
    }

    /// Reads, checks and (unless `dryRun`, and when allowed) writes one export.
    static func run(_ source: SpreadsheetSource, jurisdiction: String, partial: Bool, dryRun: Bool = false, actorRole: String,
                    actorID: String?, language: Language = .id, app: Application) async throws -> LaporImportReport {
        let reference = try await app.reference.get(on: app.db)
        guard reference.tree.jurisdictions[jurisdiction] != nil else {
            throw AppError.invalid(app.catalog.text("lapor_error_jurisdiction", language, ["code": jurisdiction]), field: "jurisdiction")
        }
        let aliases = try await UnitAlias.query(on: app.db).filter(\.$jurisdictionCode == jurisdiction).all().map { ($0.alias, $0.unitID) }
        let spool = FileManager.default.temporaryDirectory.appendingPathComponent("aduan-lapor-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: spool) }
        let now = app.clock.now
        let catalog = app.catalog
        var (report, units) = try await app.threadPool.runIfActive {
            try scan(source, into: spool, jurisdiction: jurisdiction, reference: reference, aliases: aliases, now: now,
                     texts: { catalog.text($0, language, $1) })
        }
        let present = try await presentEffects(units, jurisdiction: jurisdiction, actorRole: actorRole, reference: reference, now: now, app: app)
        report.already_present = present.count
        report.units_updated = present.unitUpdates
        report.created = units.count - present.count
        report.dry_run = dryRun
        if dryRun || (!report.rejected.isEmpty && !partial) {
            report.applied = false
            if !dryRun { report.created = 0; report.units_updated = 0 }
            return report
        }
        units.removeAll()
        let written = try await write(spool, jurisdiction: jurisdiction, actorRole: actorRole, actorID: actorID, app: app)
        report.applied = true
        report.created = written.created
        report.already_present = written.present
        report.units_updated = written.unitUpdates
        report.complaints = written.complaints
        return report
    }

    static func run(_ data: Data, jurisdiction: String, partial: Bool, dryRun: Bool = false, actorRole: String, actorID: String?,
                    language: Language = .id, app: Application) async throws -> LaporImportReport {
        try await run(.data(data), jurisdiction: jurisdiction, partial: partial, dryRun: dryRun, actorRole: actorRole, actorID: actorID,
                      language: language, app: app)
    }

    // MARK: Reading

    /// Reads the whole file once: each row checked, counted, and (when readable) written to `spool`. Returns the
    /// report and each readable row's LAPOR number with the unit its agency maps to. Throws `AppError.invalid` when
    /// the file as a whole is not an export.
    static func scan(_ source: SpreadsheetSource, into spool: URL, jurisdiction: String, reference: ReferenceData,
                     aliases: [(String, String)], now: Date,
                     texts: @escaping (String, [String: String]) -> String) throws -> (LaporImportReport, [String: String?]) {
        FileManager.default.createFile(atPath: spool.path, contents: nil)
        let out = try FileHandle(forWritingTo: spool)
        defer { try? out.close() }
        // Names are matched by the jurisdiction's own place only, so this import and the page of unmatched names
        // (`unmappedInstansi`) always agree.
        var scanner = RowScan(reference: reference, matcher: InstansiMatcher(tree: reference.tree, jurisdiction: jurisdiction, aliases: aliases),
                              timeZone: reference.calendar(for: jurisdiction).timeZone, now: now, texts: texts, out: out)
        do {
            try SpreadsheetReader.forEachRow(in: source) { row in try scanner.consume(row) }
        } catch ScanStop.noHeader {
            throw AppError.invalid(texts("lapor_error_no_header", [:]), field: "file")
        } catch ScanStop.tooMany {
            throw AppError.invalid(texts("lapor_error_too_many", ["n": "\(maxRows)"]), field: "file")
        } catch let error as SpreadsheetError {
            throw AppError.invalid(texts("lapor_error_unreadable", ["detail": error.description]), field: "file")
        }
        guard scanner.columns != nil else { throw AppError.invalid(texts("lapor_error_no_header", [:]), field: "file") }
        return try scanner.finish()
    }

    /// The first step's state: the header once found, what the report counts, the rows on their way to the spool.
    struct RowScan {
        let reference: ReferenceData
        let matcher: InstansiMatcher
        let timeZone: TimeZone
        let now: Date
        let texts: (String, [String: String]) -> String
        let out: FileHandle
        let encoder = JSONEncoder()
        var report = LaporImportReport()
        var preamble: [[String]] = []
        var columns: [LaporExport.Column: Int]?
        var privacyColumns = false
        var seen: [String: Int] = [:]
        var units: [String: String?] = [:]
        var instansi: [String: Int] = [:]
        /// LAPOR's category names already looked up (a file uses a few hundred, each on many rows).
        var categories: [String: String?] = [:]
        var unknown: [LaporExport.Unknown: Int] = [:]
        var buffer = Data()

        init(reference: ReferenceData, matcher: InstansiMatcher, timeZone: TimeZone, now: Date,
             texts: @escaping (String, [String: String]) -> String, out: FileHandle) {
            self.reference = reference; self.matcher = matcher; self.timeZone = timeZone; self.now = now; self.texts = texts; self.out = out
        }

        mutating func consume(_ row: SheetRow) throws {
            if let header = columns { try read(row, header) } else { try look(row) }
        }

        /// Before the header: the title block, until a row names the LAPOR number and some text.
        mutating func look(_ row: SheetRow) throws {
            let mapped = LaporExport.mapHeader(row.cells)
            guard LaporExport.isHeader(mapped) else {
                preamble.append(row.cells)
                if preamble.count >= LaporExport.headerSearchRows { throw ScanStop.noHeader }
                return
            }
            columns = mapped
            let block = LaporExport.titleBlock(preamble)
            report.source_instansi = LaporExport.instansiName(block)
            report.source_period = block.first { LaporExport.normalise($0.key) == "periode masuk" }?.value
            let flags = mapped[.privacy] != nil || mapped[.anonymous] != nil || mapped[.confidential] != nil
            privacyColumns = flags
            report.missing_columns = LaporExport.expectedColumns.filter { column in
                switch column {
                case .privacy: return !flags
                case .body: return mapped[.body] == nil && mapped[.originalBody] == nil
                default: return mapped[column] == nil
                }
            }.map(\.label)
        }

        mutating func read(_ row: SheetRow, _ header: [LaporExport.Column: Int]) throws {
            report.rows += 1
            guard report.rows <= LaporImport.maxRows else { throw ScanStop.tooMany }
            let cells = row.cells
            let cell: (LaporExport.Column) -> String? = { column in
                guard let index = header[column], index < cells.count else { return nil }
                let text = cells[index].trimmingWhitespace()
                return text.isEmpty ? nil : text
            }
            switch LaporExport.read(cell, timeZone: timeZone, now: now, privacyColumns: privacyColumns) {
            case .rejected(let rejection, let laporID):
                report.rejected.append(.init(line: row.line, lapor_id: laporID, code: rejection.rawValue,
                                             reason: texts("lapor_reject_\(rejection.rawValue)", [:])))
            case .reading(let reading):
                if let first = seen[reading.laporID] {
                    report.repeated.append(.init(line: row.line, lapor_id: reading.laporID, first_line: first))
                    return
                }
                seen[reading.laporID] = row.line
                try keep(reading, line: row.line)
            }
        }

        mutating func keep(_ read: LaporExport.Reading, line: Int) throws {
            var reading = read
            var reporter: ReporterIdentity?
            if reading.reporterName != nil || reading.reporterEmail != nil || reading.reporterPhone != nil {
                do {
                    reporter = try SubmitComplaint.validateReporter(ReporterIdentity(
                        name: reading.reporterName, email: reading.reporterEmail, phone: reading.reporterPhone, nik: nil))
                } catch {
                    // Not an address we can keep: the identity is left out, the row is not.
                    if let email = reading.reporterEmail { reading.unknowns.append(.init(.reporterEmail, email)) }
                    if let phone = reading.reporterPhone { reading.unknowns.append(.init(.reporterPhone, phone)) }
                }
            }
            let unit = reading.agency.flatMap { matcher.unit(for: $0) }
            let category = reading.category.flatMap { text in
                if let known = categories[text] { return known }
                let found = LaporImport.category(named: text, reference: reference)
                categories[text] = .some(found)
                return found
            }
            units[reading.laporID] = .some(unit)
            report.by_state[reading.state.rawValue, default: 0] += 1
            report.by_lapor_status[reading.status ?? "", default: 0] += 1
            report.by_type[reading.type.rawValue, default: 0] += 1
            report.by_channel[reading.channel.rawValue, default: 0] += 1
            if let reason = reading.archiveReason { report.by_archive_reason[reason.rawValue, default: 0] += 1 }
            if reading.anonymous { report.anonymous += 1 }
            if reading.confidential { report.confidential += 1 }
            if reading.supervision { report.supervision += 1 }
            if let agency = reading.agency {
                instansi[agency, default: 0] += 1
                if unit == nil { report.instansi_unmapped += 1 } else { report.instansi_mapped += 1 }
            } else {
                report.instansi_empty += 1
            }
            for value in reading.unknowns { unknown[value, default: 0] += 1 }
            let bytes = try encoder.encode(Candidate(line: line, reading: reading, unit: unit, category: category, reporter: reporter))
            var length = UInt32(bytes.count).littleEndian
            buffer.append(Data(bytes: &length, count: 4))
            buffer.append(bytes)
            if buffer.count > 1 << 20 { try out.write(contentsOf: buffer); buffer.removeAll(keepingCapacity: true) }
        }

        mutating func finish() throws -> (LaporImportReport, [String: String?]) {
            try out.write(contentsOf: buffer)
            buffer.removeAll()
            let matcher = self.matcher
            report.instansi = instansi.map { name, n in LaporImportReport.Instansi(name: name, count: n, unit: matcher.unit(for: name)) }
                .sorted { ($0.unit == nil ? 0 : 1, -$0.count, $0.name) < ($1.unit == nil ? 0 : 1, -$1.count, $1.name) }
            report.unknown_values = unknown.map { LaporImportReport.UnknownValue(column: $0.key.column.label, value: $0.key.value, count: $0.value) }
                .sorted { ($0.column, -$0.count, $0.value) < ($1.column, -$1.count, $1.value) }
            return (report, units)
        }
    }

    enum ScanStop: Error { case noHeader, tooMany }

    // MARK: Writing

    struct Written: Sendable {
        var created = 0, present = 0, unitUpdates = 0
        var complaints: [LaporImportReport.Imported] = []
    }

    /// Writes the scratch file's rows: new numbers become complaints, numbers here already get their LAPOR agency
    /// mapped again. One transaction per batch; the presence check runs inside it, so two imports of one file at once
    /// still create each complaint once (the unique index on `lapor_id` settles a race, the batch is retried and finds
    /// them present).
    static func write(_ spool: URL, jurisdiction: String, actorRole: String, actorID: String?, app: Application) async throws -> Written {
        let reader = try SpoolReader(spool)
        defer { reader.close() }
        var written = Written()
        while true {
            var batch: [Candidate] = []
            while batch.count < batchSize, let candidate = try reader.next() { batch.append(candidate) }
            guard !batch.isEmpty else { break }
            let result = try await writeBatch(batch, jurisdiction: jurisdiction, actorRole: actorRole, actorID: actorID, app: app)
            written.created += result.created; written.present += result.present; written.unitUpdates += result.unitUpdates
            written.complaints += result.complaints.prefix(LaporImportReport.listedComplaints - written.complaints.count)
        }
        return written
    }

    /// The scratch file read back, one row at a time: each is a little-endian length and the row's JSON.
    final class SpoolReader {
        let handle: FileHandle
        let decoder = JSONDecoder()
        init(_ url: URL) throws { handle = try FileHandle(forReadingFrom: url) }
        func close() { try? handle.close() }

        func next() throws -> Candidate? {
            guard let prefix = try handle.read(upToCount: 4), prefix.count == 4 else { return nil }
            let length = Int(prefix.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self)) })
            guard let bytes = try handle.read(upToCount: length), bytes.count == length else { return nil }
            return try decoder.decode(Candidate.self, from: bytes)
        }
    }

    static func writeBatch(_ batch: [Candidate], jurisdiction: String, actorRole: String, actorID: String?,
                           app: Application) async throws -> Written {
        let reference = try await app.reference.get(on: app.db)
        let secrets = app.secrets
        let prepared = try batch.map { candidate in
            (candidate, try candidate.reporter.map { try secrets.seal(JSONEncoder().encode($0)) })
        }
        return try await withWriteTransaction(app) { db in
            let ids = batch.map(\.reading.laporID)
            let imported = try await Complaint.query(on: db).filter(\.$laporID ~~ ids).all()
            let byNumber = Dictionary(imported.compactMap { c in c.laporID.map { ($0, c) } }, uniquingKeysWith: { a, _ in a })
            let forwarded = try await forwardedNumbers(ids, on: db)
            let now = app.clock.now
            let context = reference.context(now: now)
            let counters = MonevTally.Pending()
            var written = Written()
            for (candidate, sealed) in prepared {
                let r = candidate.reading
                if let complaint = byNumber[r.laporID] {
                    written.present += 1
                    if let unit = candidate.unit, let agency = r.agency,
                       let transition = Lifecycle.nationalUnit(complaint.record, unit: unit, agency: agency, actorRole: actorRole, context: context) {
                        try await ComplaintStore.commit(transition, to: complaint, actorID: actorID, secrets: secrets, reference: reference,
                                                       counters: counters, on: db)
                        written.unitUpdates += 1
                    }
                    continue
                }
                if forwarded.contains(r.laporID) { written.present += 1; continue }
                let trackingID = TrackingID.random().rawValue
                let transition = try Lifecycle.importFromNational(r, into: jurisdiction, unit: candidate.unit, category: candidate.category,
                                                                  trackingID: trackingID, actorRole: actorRole,
                                                                  note: LaporExport.note(r, unit: candidate.unit), context: context)
                let complaint = Complaint()
                complaint.title = r.title.trimmingWhitespace()
                complaint.body = r.body.trimmingWhitespace()
                complaint.incidentDate = r.incidentDate?.description
                complaint.address = r.location
                complaint.language = "id"
                complaint.laporInstansi = r.agency.map { String($0.prefix(500)) }
                complaint.reporterSealed = sealed
                complaint.reporterEmailHash = candidate.reporter?.email.map(secrets.lookupHash)
                complaint.reporterPhoneHash = candidate.reporter?.phone.map(secrets.lookupHash)
                // Nobody holds these: LAPOR's reporter follows the complaint in LAPOR.
                complaint.secretHash = secrets.reporterSecretHash(Secrets.randomToken(bytes: 20))
                complaint.pinHash = secrets.reporterSecretHash(Secrets.randomToken(bytes: 20))
                complaint.secretFailures = 0
                complaint.notifyEmail = false
                complaint.notifyPhone = false
                try await ComplaintStore.commit(transition, to: complaint, actorID: actorID, secrets: secrets, reference: reference, language: "id",
                                                counters: counters, on: db)
                written.created += 1
                if written.complaints.count < LaporImportReport.listedComplaints {
                    written.complaints.append(.init(line: candidate.line, lapor_id: r.laporID, tracking_id: trackingID, state: complaint.state))
                }
            }
            if let sql = db as? any SQLDatabase { try await counters.write(on: sql) }
            return written
        }
    }

    /// For a check without writing: how many of the file's numbers are here already, and how many of those would get
    /// a unit.
    static func presentEffects(_ units: [String: String?], jurisdiction: String, actorRole: String, reference: ReferenceData, now: Date,
                               app: Application) async throws -> (count: Int, unitUpdates: Int) {
        let numbers = Array(units.keys)
        let context = reference.context(now: now)
        var count = 0, updates = 0
        var start = 0
        while start < numbers.count {
            let chunk = Array(numbers[start..<min(start + 500, numbers.count)])
            start += 500
            let imported = try await Complaint.query(on: app.db).filter(\.$laporID ~~ chunk).all()
            for complaint in imported {
                count += 1
                if let number = complaint.laporID, let unit = units[number] ?? nil,
                   Lifecycle.nationalUnit(complaint.record, unit: unit, agency: complaint.laporInstansi ?? "", actorRole: actorRole,
                                          context: context) != nil {
                    updates += 1
                }
            }
            count += try await forwardedNumbers(chunk, on: app.db).subtracting(imported.compactMap(\.laporID)).count
        }
        return (count, updates)
    }

    /// The numbers of `ids` that LAPOR gave to complaints forwarded from here.
    static func forwardedNumbers(_ ids: [String], on db: any Database) async throws -> Set<String> {
        let forwarded = try await Complaint.query(on: db).filter(\.$externalDestination == National.destination)
            .filter(\.$externalRef ~~ ids).field(\.$id).field(\.$externalRef).all()
        return Set(forwarded.compactMap(\.externalRef))
    }

    /// A category of this installation with the same name or code; LAPOR's own categories that match none are kept
    /// in the import note only.
    static func category(named text: String, reference: ReferenceData) -> String? {
        let key = LaporExport.normalise(text)
        return reference.categories.first { LaporExport.normalise($0.value.name) == key || $0.key == text }?.key
    }

    // MARK: Agencies that match no unit

    /// The LAPOR agency names of the jurisdiction's imported complaints that map to no unit now, with how many
    /// complaints name each, most first.
    static func unmappedInstansi(jurisdiction: String, reference: ReferenceData, on db: any Database) async throws -> [LaporImportReport.Instansi] {
        guard let sql = db as? any SQLDatabase else { return [] }
        struct Row: Decodable { var lapor_instansi: String; var n: Int }
        let rows = try await sql.select().column("lapor_instansi").column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
            .from(Complaint.schema).where("jurisdiction_code", .equal, jurisdiction).where("lapor_instansi", .isNot, SQLLiteral.null)
            .groupBy("lapor_instansi").all(decoding: Row.self)
        let aliases = try await UnitAlias.query(on: db).filter(\.$jurisdictionCode == jurisdiction).all().map { ($0.alias, $0.unitID) }
        let matcher = InstansiMatcher(tree: reference.tree, jurisdiction: jurisdiction, aliases: aliases)
        return rows.filter { matcher.unit(for: $0.lapor_instansi) == nil }
            .map { .init(name: $0.lapor_instansi, count: $0.n, unit: nil) }
            .sorted { ($1.count, $0.name) < ($0.count, $1.name) }
    }
}

/// Who may import, into where (SPEC §11: coordinators and sysadmins, into a jurisdiction they hold), and how large a file.
extension LaporImport {
    static let maxFileBytes = 20 * 1_048_576

    /// The jurisdictions this officer may import into: those where they are coordinator or sysadmin.
    static func importJurisdictions(_ principal: OfficerPrincipal) -> [(String, Role)] {
        principal.officer.assignments.compactMap { a -> (String, Role)? in
            guard a.role == .coordinator || a.role == .sysadmin, case .jurisdiction(let j) = a.scope else { return nil }
            return (j, a.role)
        }
    }

    /// The jurisdiction to import into (named, or the officer's only one) and the role the import is recorded under.
    static func importTarget(_ principal: OfficerPrincipal, given: String?, reference: ReferenceData) throws -> (String, Role) {
        let allowed = importJurisdictions(principal)
        let jurisdiction: String
        if let given = given?.trimmingCharacters(in: .whitespaces), !given.isEmpty {
            guard reference.tree.jurisdictions[given] != nil else { throw AppError.invalid("unknown jurisdiction \(given)", field: "jurisdiction") }
            jurisdiction = given
        } else {
            let own = Set(allowed.map(\.0))
            guard own.count == 1 else { throw AppError.invalid("name the `jurisdiction` to import into", field: "jurisdiction") }
            jurisdiction = own.first!
        }
        guard let role = allowed.first(where: { $0.0 == jurisdiction })?.1 else {
            throw AppError.forbidden("importing into jurisdiction \(jurisdiction) needs the coordinator or sysadmin role there")
        }
        return (jurisdiction, role)
    }
}
