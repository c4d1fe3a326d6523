import Foundation

/// An SP4N-LAPOR! admin export read into Aduan's concepts (SPEC §6): the "Laporan Ringkas" layout LAPOR writes today
/// (title block, then `Tracking ID`, `Tanggal Laporan Masuk`, `Waktu Laporan Masuk`, `Klasifikasi Laporan` …) and the
/// older one (`No. Tiket`, `Judul`, `Isi Laporan`, `Anonim`, `Rahasia` …). Columns are found by their headings, whatever
/// their case, punctuation and order. Pure rules: the shell reads the file and hands over rows of text.
///
/// A row is refused only when it has no LAPOR number or no text at all. Every other value LAPOR may write is mapped;
/// a value these rules do not know never refuses the row: it is kept (`Reading.unknowns`, the import note) and the
/// row gets the cautious reading (an unknown status waits at `baru` for the coordinator, an unknown privacy flag
/// makes the complaint confidential and anonymous).
public enum LaporExport {
    // MARK: Columns

    public enum Column: String, CaseIterable, Sendable, Codable {
        case trackingID = "tracking_id"
        case date, time, classification
        case categoryID = "category_id"
        case category, title, body
        case originalBody = "original_body"
        case privacy, anonymous, confidential, source
        case parentAgency = "parent_agency"
        case agency, status, reason, province, regency, location
        case incidentDate = "incident_date"
        case reporterName = "reporter_name"
        case reporterEmail = "reporter_email"
        case reporterPhone = "reporter_phone"

        /// Headings as LAPOR writes them, the current layout's first (compared by `normalise`).
        public var headings: [String] {
            switch self {
            case .trackingID: return ["Tracking ID", "No. Tiket", "Nomor Tiket", "No Tiket", "Tiket", "ID Laporan", "No. Laporan",
                                      "Nomor Laporan", "Nomor Tracking", "No. Tracking"]
            case .date: return ["Tanggal Laporan Masuk", "Tanggal Laporan", "Tanggal", "Tanggal Masuk", "Waktu Laporan", "Tanggal Lapor"]
            case .time: return ["Waktu Laporan Masuk", "Jam Laporan Masuk", "Jam Laporan", "Waktu Masuk", "Jam"]
            case .classification: return ["Klasifikasi Laporan", "Klasifikasi", "Jenis", "Jenis Laporan"]
            case .categoryID: return ["ID Kategori", "Kode Kategori"]
            case .category: return ["Kategori", "Kategori Laporan", "Topik"]
            case .title: return ["Judul Laporan", "Judul"]
            case .body: return ["Isi Laporan Akhir", "Isi Laporan", "Isi", "Laporan", "Uraian"]
            case .originalBody: return ["Isi Laporan Awal"]
            case .privacy: return ["Tipe Laporan (Anonim/Rahasia)", "Tipe Laporan", "Tipe"]
            case .anonymous: return ["Anonim"]
            case .confidential: return ["Rahasia"]
            case .source: return ["Sumber Laporan", "Sumber", "Kanal"]
            case .parentAgency: return ["Instansi Induk"]
            case .agency: return ["Instansi Terdisposisi", "Instansi", "Instansi Tujuan", "Disposisi"]
            case .status: return ["Status Laporan", "Status"]
            case .reason: return ["Alasan Tunda/Arsip", "Alasan", "Alasan Arsip", "Alasan Tunda"]
            case .province: return ["Provinsi"]
            case .regency: return ["Kota/Kabupaten", "Kabupaten/Kota"]
            case .location: return ["Lokasi", "Alamat", "Lokasi Kejadian"]
            case .incidentDate: return ["Tanggal Kejadian"]
            case .reporterName: return ["Nama Pelapor", "Pelapor"]
            case .reporterEmail: return ["Email Pelapor", "Email"]
            case .reporterPhone: return ["Telepon Pelapor", "No. HP", "No. Telepon", "Telepon"]
            }
        }

        /// The heading shown in messages (LAPOR's own word for it).
        public var label: String { headings[0] }
    }

    /// Columns the current layout has; a file without one of these is read, and the report says what was missing.
    public static let expectedColumns: [Column] = [.trackingID, .date, .time, .classification, .category, .title, .body, .privacy,
                                                   .source, .agency, .status, .reason]

    /// Lower case, accents folded, every run of punctuation and spacing one space: "Tipe Laporan (Anonim/Rahasia)" →
    /// "tipe laporan anonim rahasia".
    public static func normalise(_ text: String) -> String {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
            .split(whereSeparator: { !$0.isLetter && !$0.isNumber }).joined(separator: " ")
    }

    /// Where each known column is in a header row (the first cell with a heading wins).
    public static func mapHeader(_ cells: [String]) -> [Column: Int] {
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

    /// Whether a mapped row is an export's header: it names the LAPOR number and some text.
    public static func isHeader(_ columns: [Column: Int]) -> Bool {
        columns[.trackingID] != nil && (columns[.title] != nil || columns[.body] != nil || columns[.originalBody] != nil)
    }

    /// How far down the header may be (the title block is ten rows in LAPOR's export).
    public static let headerSearchRows = 30

    /// The title block above the header, as label → value (`Nama Instansi` → `Pemerintah Kabupaten Bandung`): the
    /// first non-empty cell of a row is the label, the next non-empty one its value.
    public static func titleBlock(_ rows: [[String]]) -> [String: String] {
        var result: [String: String] = [:]
        for cells in rows {
            let filled = cells.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
            guard filled.count >= 2, result[filled[0]] == nil else { continue }
            result[filled[0]] = filled[1]
        }
        return result
    }

    /// The title block's `Nama Instansi` (the government the export belongs to).
    public static func instansiName(_ block: [String: String]) -> String? {
        block.first { normalise($0.key) == "nama instansi" }?.value
    }

    // MARK: One row

    /// A value the rules do not know, kept as written.
    public struct Unknown: Sendable, Hashable, Codable {
        public var column: Column
        public var value: String
        public init(_ column: Column, _ value: String) { self.column = column; self.value = value }
    }

    /// Why a row cannot become a complaint (the only two: without a number, or without any text).
    public enum Rejection: String, Sendable, Codable, CaseIterable {
        case noNumber = "no_number"
        case numberTooLong = "number_too_long"
        case noText = "no_text"
    }

    /// One report as Aduan reads it.
    public struct Reading: Sendable, Equatable, Codable {
        public var laporID: String
        public var title: String
        public var body: String
        /// LAPOR's submission instant; nil when the file has no readable date (the importer uses the import time).
        public var submittedAt: Date?
        /// LAPOR's status label as written.
        public var status: String?
        /// The state the complaint is imported in (`National.Status.imported`; `baru` for an unknown status).
        public var state: ComplaintState
        public var archiveReason: ArchiveReason?
        public var type: ComplaintType
        /// LAPOR's "berkadar pengawasan" classification.
        public var supervision: Bool
        public var anonymous: Bool
        public var confidential: Bool
        public var channel: Channel
        /// For channel `officer`: how the report came in (`walk_in`, `phone`, `letter`, `social_media`).
        public var medium: String?
        /// Raw values kept in the note and the event.
        public var source: String?
        public var classification: String?
        public var agency: String?
        public var parentAgency: String?
        public var category: String?
        public var categoryID: String?
        public var reason: String?
        public var reporterRegion: String?
        public var location: String?
        public var incidentDate: LocalDate?
        public var reporterName: String?
        public var reporterEmail: String?
        public var reporterPhone: String?
        /// Values kept but not understood, in column order.
        public var unknowns: [Unknown] = []
        /// The title was empty and was taken from the start of the text.
        public var titleFromBody = false
    }

    public enum Outcome: Sendable, Equatable {
        case reading(Reading)
        case rejected(Rejection, laporID: String?)
    }

    public static let titleLimit = Submission.titleLimit.upperBound
    public static let bodyLimit = Submission.bodyLimit.upperBound
    public static let numberLimit = 64

    /// Reads one row. `cell` gives a column's trimmed text, nil when the column is absent or the cell empty.
    /// `privacyColumns` says whether the file has any flag column: without one, rows are read as confidential.
    public static func read(_ raw: (Column) -> String?, timeZone: TimeZone, now: Date, privacyColumns: Bool) -> Outcome {
        // Text from outside loses its control characters where it enters (docs/security.md, text hygiene).
        func cell(_ column: Column) -> String? {
            raw(column).map { TextHygiene.clean($0, multiline: column == .body || column == .originalBody) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        guard var number = cell(.trackingID) else { return .rejected(.noNumber, laporID: nil) }
        // A spreadsheet that took the number for a figure writes "5216807.0".
        if number.hasSuffix(".0"), number.dropLast(2).allSatisfy(\.isNumber) { number.removeLast(2) }
        guard number.count <= numberLimit else { return .rejected(.numberTooLong, laporID: String(number.prefix(numberLimit))) }
        let text = cell(.body) ?? cell(.originalBody)
        guard text != nil || cell(.title) != nil else { return .rejected(.noText, laporID: number) }

        var unknowns: [Unknown] = []
        var body = text ?? cell(.title)!
        var title = cell(.title) ?? ""
        var titleFromBody = false
        if title.isEmpty {
            title = headline(of: body)
            titleFromBody = true
        }
        if title.count > titleLimit { title = String(title.prefix(titleLimit - 1)) + "…" }
        if body.count > bodyLimit { body = String(body.prefix(bodyLimit - 1)) + "…" }

        var submittedAt: Date?
        if let date = cell(.date) {
            submittedAt = LaporDate.parse(date, time: cell(.time), timeZone: timeZone)
            if submittedAt.map({ $0 > now }) ?? true {
                // Unreadable, or after the import: the import's time stands in.
                submittedAt = nil
                unknowns.append(Unknown(.date, date))
            } else if let time = cell(.time), LaporDate.components(date)?.seconds == nil, LaporDate.timeOfDay(time) == nil {
                unknowns.append(Unknown(.time, time))
            }
        }

        let statusText = cell(.status)
        var state = ComplaintState.baru
        var archiveReason: ArchiveReason?
        if let statusText {
            if let status = National.status(of: statusText) {
                state = status.imported
                if state == .diarsipkan {
                    if let fixed = status.archiveReason {
                        archiveReason = fixed
                    } else {
                        let reading = self.archiveReason(cell(.reason))
                        archiveReason = reading.reason
                        if reading.unknown, let raw = cell(.reason) { unknowns.append(Unknown(.reason, raw)) }
                    }
                }
            } else {
                unknowns.append(Unknown(.status, statusText))
            }
        }

        var type = ComplaintType.pengaduan, supervision = false
        if let raw = cell(.classification) {
            if let c = classification(raw) { (type, supervision) = (c.type, c.supervision) } else { unknowns.append(Unknown(.classification, raw)) }
        }

        var anonymous = false, confidential = false
        if let raw = cell(.privacy) {
            let flags = privacy(raw)
            anonymous = flags.anonymous; confidential = flags.confidential
            if flags.unknown { unknowns.append(Unknown(.privacy, raw)) }
        }
        for (column, isConfidential) in [(Column.anonymous, false), (.confidential, true)] {
            guard let raw = cell(column) else { continue }
            let value = yesNo(raw)
            if value == nil { unknowns.append(Unknown(column, raw)) }
            // Unreadable means yes: a report must never become public because a flag could not be read.
            if value ?? true { if isConfidential { confidential = true } else { anonymous = true } }
        }
        if !privacyColumns { confidential = true }

        var channel = Channel.lapor_import, medium: String?
        if let raw = cell(.source) {
            if let c = self.channel(raw) { (channel, medium) = (c.channel, c.medium) } else { unknowns.append(Unknown(.source, raw)) }
        }

        var incidentDate: LocalDate?
        if let raw = cell(.incidentDate) {
            let today = LocalDate(dayNumber: Int(((now.timeIntervalSince1970 + Double(timeZone.secondsFromGMT(for: now))) / 86_400).rounded(.down)))
            if let day = LaporDate.components(raw)?.date, day <= today {
                incidentDate = day
            } else {
                unknowns.append(Unknown(.incidentDate, raw))
            }
        }

        let region = [cell(.regency), cell(.province)].compactMap { $0 }
        return .reading(Reading(
            laporID: number, title: title, body: body, submittedAt: submittedAt, status: statusText, state: state,
            archiveReason: archiveReason, type: type, supervision: supervision, anonymous: anonymous,
            confidential: confidential || type == .wbs, channel: channel, medium: medium, source: cell(.source),
            classification: cell(.classification), agency: cell(.agency), parentAgency: cell(.parentAgency), category: cell(.category),
            categoryID: cell(.categoryID), reason: cell(.reason), reporterRegion: region.isEmpty ? nil : region.joined(separator: ", "),
            location: cell(.location).map { String($0.prefix(Submission.addressLimit)) }, incidentDate: incidentDate,
            reporterName: cell(.reporterName), reporterEmail: cell(.reporterEmail), reporterPhone: cell(.reporterPhone),
            unknowns: unknowns, titleFromBody: titleFromBody))
    }

    /// A title for a report that has none: its first line, cut at a word before 80 characters.
    public static func headline(of body: String) -> String {
        let line = body.split(whereSeparator: \.isNewline).first.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? body
        guard line.count > 80 else { return line }
        let cut = line.prefix(80)
        let words = cut.split(separator: " ")
        let kept = words.count > 1 ? words.dropLast().joined(separator: " ") : String(cut)
        return kept + "…"
    }

    // MARK: Values

    /// `Klasifikasi Laporan` (and the older `Jenis`): the type, and whether LAPOR classified it "berkadar pengawasan".
    public static func classification(_ text: String) -> (type: ComplaintType, supervision: Bool)? {
        switch normalise(text) {
        case "pengaduan berkadar pengawasan": return (.pengaduan, true)
        case "pengaduan tidak berkadar pengawasan", "pengaduan", "keluhan": return (.pengaduan, false)
        case "aspirasi": return (.aspirasi, false)
        case "permintaan informasi", "informasi": return (.permintaan_informasi, false)
        case "wbs", "whistleblowing", "whistle blowing", "pengaduan whistleblowing": return (.wbs, false)
        case let key: return ComplaintType(rawValue: key.replacingOccurrences(of: " ", with: "_")).map { ($0, false) }
        }
    }

    /// `Tipe Laporan (Anonim/Rahasia)`: `Anonim`, `Rahasia`, `Anonim|Rahasia`, empty. Anything else reads as both.
    public static func privacy(_ text: String) -> (anonymous: Bool, confidential: Bool, unknown: Bool) {
        var anonymous = false, confidential = false, unknown = false
        for token in normalise(text).split(separator: " ") {
            switch token {
            case "anonim", "anonymous": anonymous = true
            case "rahasia", "confidential": confidential = true
            case "dan", "biasa", "publik", "umum", "tidak", "bukan": break
            default: unknown = true
            }
        }
        return unknown ? (true, true, true) : (anonymous, confidential, false)
    }

    /// Ya/Tidak and their usual spellings (the older layout's `Anonim` and `Rahasia` columns); nil for anything else.
    public static func yesNo(_ text: String) -> Bool? {
        switch normalise(text) {
        case "ya", "y", "yes", "true", "1", "benar", "anonim", "rahasia": return true
        case "tidak", "t", "n", "no", "false", "0", "bukan", "": return false // "" is "-" too
        default: return nil
        }
    }

    /// `Sumber Laporan` → the channel of SPEC §3. LAPOR's website (also `Website - <instansi>`, a LAPOR form embedded
    /// on an agency's site) is `web`; its mobile apps call its API (`api`); SMS, WhatsApp and e-mail keep their names;
    /// what LAPOR's admins typed in from a hotline, a counter, a letter or social media is `officer`, with the medium.
    public static func channel(_ text: String) -> (channel: Channel, medium: String?)? {
        let key = normalise(text)
        let first = key.split(separator: " ").first.map(String.init) ?? ""
        switch first {
        case "website", "web", "situs", "portal": return (.web, nil)
        case "android", "ios", "iphone", "aplikasi", "mobile", "app", "apps": return (.api, nil)
        case "sms": return (.sms, nil)
        case "whatsapp", "wa": return (.whatsapp, nil)
        case "email", "surel": return (.email, nil)
        case "e": return key.hasPrefix("e mail") ? (.email, nil) : nil
        case "hotline", "telepon", "telpon", "call", "callcenter", "telp": return (.officer, "phone")
        case "tatap", "loket", "datang", "walk": return (.officer, "walk_in")
        case "surat", "letter": return (.officer, "letter")
        case "instagram", "twitter", "facebook", "tiktok", "youtube", "x", "media", "medsos", "sosial": return (.officer, "social_media")
        case "lapor", "sp4n": return (.lapor_import, nil)
        default: return nil
        }
    }

    /// `Alasan Tunda/Arsip` → SPEC's archive reason. Each reason has its words; a sentence that names several reasons
    /// (LAPOR's admin text "Mengandung SARA, Tidak Memiliki Bukti Dukung, Tidak Jelas, dan Tidak Relevan …" lists
    /// every criterion at once) says none of them: `lainnya`. `unknown` when the text names no reason at all.
    public static func archiveReason(_ text: String?) -> (reason: ArchiveReason, unknown: Bool) {
        guard let text, !text.isEmpty else { return (.lainnya, false) }
        let key = " " + normalise(text) + " "
        let words: [(ArchiveReason, [String])] = [
            (.spam, [" spam ", " sara ", " konten terblokir ", " iklan ", " promosi "]),
            (.duplikat, [" duplikat ", " ganda ", " sudah pernah dilaporkan ", " laporan yang sama "]),
            (.bukan_pelayanan_publik, [" tidak relevan ", " bukan pelayanan publik ", " bukan kewenangan ", " di luar kewenangan ",
                                       " diluar kewenangan "]),
            (.tidak_lengkap, [" kadaluarsa ", " kedaluwarsa ", " kadaluwarsa ", " tidak lengkap ", " kelengkapan ", " bukti dukung ",
                              " tidak jelas "]),
        ]
        let named = words.filter { _, phrases in phrases.contains { key.contains($0) } }.map(\.0)
        if named.count == 1 { return (named[0], false) }
        if named.count > 1 { return (.lainnya, false) }
        // The reporter withdrew it: known, and no SPEC reason says so.
        if key.contains(" keinginan pelapor ") || key.contains(" permintaan pelapor ") || key.contains(" dicabut ") { return (.lainnya, false) }
        return (.lainnya, true)
    }

    // MARK: Note

    /// The import's internal note on the submit event: where the complaint came from and every LAPOR value that has
    /// no field here, in LAPOR's words (Indonesian, like the data).
    public static func note(_ r: Reading, unit: String?) -> String {
        var parts = ["Tracking ID \(r.laporID)"]
        func quoted(_ label: String, _ value: String?) { if let value { parts.append("\(label) \u{201C}\(value)\u{201D}") } }
        quoted("status", r.status)
        if r.archiveReason != nil { quoted("alasan", r.reason) }
        quoted("klasifikasi", r.classification)
        quoted("sumber", r.source)
        if let agency = r.agency { parts.append("instansi \u{201C}\(agency)\u{201D}" + (unit == nil ? " (tidak cocok dengan unit di sini)" : "")) }
        quoted("instansi induk", r.parentAgency)
        if let category = r.category { parts.append("kategori LAPOR \u{201C}\(category)\u{201D}" + (r.categoryID.map { " (ID \($0))" } ?? "")) }
        quoted("asal pelapor", r.reporterRegion)
        if r.titleFromBody { parts.append("judul diambil dari awal isi") }
        if !r.unknowns.isEmpty {
            parts.append("nilai yang tidak dikenali: " + r.unknowns.map { "\($0.column.label) \u{201C}\($0.value)\u{201D}" }.joined(separator: ", "))
        }
        return "Diimpor dari ekspor SP4N-LAPOR!: " + parts.joined(separator: ", ") + "."
    }
}

/// Dates and times as LAPOR exports and spreadsheets write them, read in the jurisdiction's time zone: `29 May 2023`
/// with `04:05:34` in the next column, Indonesian month names (`29 Mei 2023`, `3 Agu 2023 10.22`), ISO
/// (`2025-03-14 10:22:05`, RFC 3339), day first (`14/03/2025`, `14-03-2025 10:22`) and Excel date cells (serial
/// numbers such as `45075.17`, a time cell as a fraction of a day).
public enum LaporDate {
    public static let months: [String: Int] = [
        "jan": 1, "januari": 1, "january": 1, "feb": 2, "februari": 2, "february": 2, "peb": 2, "pebruari": 2,
        "mar": 3, "maret": 3, "march": 3, "apr": 4, "april": 4, "mei": 5, "may": 5, "jun": 6, "juni": 6, "june": 6,
        "jul": 7, "juli": 7, "july": 7, "agu": 8, "ags": 8, "agt": 8, "agust": 8, "agustus": 8, "aug": 8, "august": 8,
        "sep": 9, "sept": 9, "september": 9, "okt": 10, "oktober": 10, "oct": 10, "october": 10,
        "nov": 11, "nop": 11, "november": 11, "nopember": 11, "des": 12, "desember": 12, "dec": 12, "december": 12,
    ]
    static let weekdays: Set<String> = ["senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "minggu", "ahad",
                                        "mon", "tue", "wed", "thu", "fri", "sat", "sun", "monday", "tuesday", "wednesday",
                                        "thursday", "friday", "saturday", "sunday"]

    /// The instant of a date cell, with the time from `time` when the date carries none.
    public static func parse(_ raw: String, time: String? = nil, timeZone: TimeZone) -> Date? {
        let text = raw.trimmingCharacters(in: .whitespaces)
        // RFC 3339 with an offset is an instant already.
        if text.count > 19, text.contains("T") {
            let iso = ISO8601DateFormatter()
            if let date = iso.date(from: text) { return date }
            iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            if let date = iso.date(from: text) { return date }
        }
        guard let parts = components(text) else { return nil }
        return make(dayNumber: parts.date.dayNumber, seconds: parts.seconds ?? time.flatMap(timeOfDay) ?? 0, timeZone: timeZone)
    }

    /// The calendar date of a date cell and, when the cell carries one, its time of day in seconds.
    public static func components(_ raw: String) -> (date: LocalDate, seconds: Int?)? {
        let text = raw.trimmingCharacters(in: .whitespaces)
        // Excel stores dates as days since 1899-12-30 (the 1900 system, with its leap-year quirk folded in).
        if let serial = Double(text), serial > 20_000, serial < 100_000 {
            let seconds = Int((serial * 86_400).rounded())
            let dayNumber = seconds / 86_400 - 25_569
            guard LocalDate.supportedDayNumbers.contains(dayNumber) else { return nil }
            return (LocalDate(dayNumber: dayNumber), seconds % 86_400 == 0 ? nil : seconds % 86_400)
        }
        var tokens = text.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
        if let first = tokens.first, weekdays.contains(first) { tokens.removeFirst() }
        guard tokens.count >= 3 else { return nil }
        var year: Int?, month: Int?, day: Int?
        var rest = Array(tokens.dropFirst(3))
        if tokens[0].count == 4, let y = Int(tokens[0]) {
            year = y; month = Int(tokens[1]); day = Int(tokens[2])
        } else if let m = months[tokens[0]] {
            month = m; day = Int(tokens[1]); year = Int(tokens[2])
        } else if let d = Int(tokens[0]) {
            day = d
            month = Int(tokens[1]) ?? months[tokens[1]]
            year = Int(tokens[2])
        }
        guard var year, let month, let day else { return nil }
        if year < 100 { year += 2000 }
        guard (1900...2200).contains(year), let date = LocalDate(year: year, month: month, day: day) else { return nil }
        guard !rest.isEmpty else { return (date, nil) }
        // A time written in the date cell: 10:22[:05], 10.22, with AM/PM.
        var pm: Bool?
        if let last = rest.last, last == "am" || last == "pm" { pm = last == "pm"; rest.removeLast() }
        let parts = rest.map { Int($0) }
        guard (1...3).contains(parts.count), parts.allSatisfy({ $0 != nil }), let seconds = clock(parts.map { $0! }, pm: pm) else { return nil }
        return (date, seconds)
    }

    /// Seconds after midnight of a time cell: `04:05:34`, `4.05`, `4:05:34 PM`, or Excel's fraction of a day (`0.17`).
    public static func timeOfDay(_ raw: String) -> Int? {
        let text = raw.trimmingCharacters(in: .whitespaces).lowercased()
        // Excel's fraction of a day ("0.25" is 06:00); "00.30" and "04.05" are dotted times.
        if text == "0" || (text.hasPrefix("0.") && text.count > 2 && text.dropFirst(2).allSatisfy(\.isNumber)), let fraction = Double(text) {
            return Int((fraction * 86_400).rounded()) % 86_400
        }
        var tokens = text.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
        var pm: Bool?
        if let last = tokens.last, last == "am" || last == "pm" { pm = last == "pm"; tokens.removeLast() }
        let parts = tokens.map { Int($0) }
        guard (2...3).contains(parts.count), parts.allSatisfy({ $0 != nil }) else { return nil }
        return clock(parts.map { $0! }, pm: pm)
    }

    static func clock(_ parts: [Int], pm: Bool?) -> Int? {
        var hour = parts.count > 0 ? parts[0] : 0
        let minute = parts.count > 1 ? parts[1] : 0, second = parts.count > 2 ? parts[2] : 0
        if let pm {
            guard (1...12).contains(hour) else { return nil }
            hour = hour % 12 + (pm ? 12 : 0)
        }
        guard (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second) else { return nil }
        return hour * 3600 + minute * 60 + min(second, 59)
    }

    static func make(dayNumber: Int, seconds: Int, timeZone: TimeZone) -> Date {
        let utc = Double(dayNumber * 86_400 + seconds)
        let guess = Date(timeIntervalSince1970: utc)
        return Date(timeIntervalSince1970: utc - Double(timeZone.secondsFromGMT(for: guess)))
    }
}
