import AduanCore
import Fluent
import Foundation
import Vapor

/// The submit use case (SPEC §3, §10): read a submission, ask the lifecycle, write the complaint, its first event and
/// its notices. The API, the portal, the intake desk, Open311, the inbound gateway and the demo data all submit here.
enum SubmitComplaint {
    /// Content fields stored on the complaint besides the lifecycle projection.
    struct ContentFields: Sendable {
        var title: String
        var body: String
        var incidentDate: String?
        var address: String?
        var lat: Double?
        var lng: Double?
        var qrCode: String?
        /// The reporter's channels for messages (`notify`; both when not given).
        var notifyEmail = true
        var notifyPhone = true

        /// Stored text holds no control characters (`TextHygiene`): titles and addresses are one line.
        init(_ input: SubmissionRequest) {
            self.init(title: input.title, body: input.body)
            incidentDate = input.incident_date.flatMap { $0.isEmpty ? nil : $0 }
            address = input.address.map { TextHygiene.clean($0, multiline: false).trimmingCharacters(in: .whitespacesAndNewlines) }
            lat = input.lat; lng = input.lng
            qrCode = input.qr_code.flatMap { $0.isEmpty ? nil : $0 }
            if let notify = input.notify { notifyEmail = notify.contains("email"); notifyPhone = notify.contains("phone") }
        }
        init(title: String, body: String) {
            self.title = TextHygiene.clean(title, multiline: false).trimmingCharacters(in: .whitespacesAndNewlines)
            self.body = TextHygiene.clean(body, multiline: true).trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }


    /// A submission read from its request, with every problem found (in field order); usable only when `problems` is empty.
    struct Checked: Sendable {
        var submission: Submission
        var reporter: ReporterIdentity?
        var language: String
        var problems: [FieldError]
    }

    /// Reads and validates a submission against the reference data, collecting every problem.
    static func check(_ input: SubmissionRequest, reference: ReferenceData, now: Date) -> Checked {
        var problems: [FieldError] = []
        var submission = Submission(title: input.title, body: input.body, jurisdiction: input.jurisdiction)
        if let type = input.type {
            if let parsed = ComplaintType(rawValue: type) { submission.type = parsed }
            else { problems.append(FieldError("type", "type must be one of \(ComplaintType.allCases.map(\.rawValue).joined(separator: ", "))")) }
        }
        if let date = input.incident_date, !date.isEmpty {
            if let parsed = LocalDate(date) { submission.incidentDate = parsed }
            else { problems.append(FieldError("incident_date", "incident_date must be YYYY-MM-DD")) }
        }
        submission.address = input.address.map { TextHygiene.clean($0, multiline: false) }
        submission.latitude = input.lat
        submission.longitude = input.lng
        submission.category = input.category.flatMap { $0.isEmpty ? nil : $0 }
        submission.targetUnit = input.target_unit.flatMap { $0.isEmpty ? nil : $0 }
        submission.anonymous = input.anonymous ?? false
        submission.confidential = input.confidential ?? false
        submission.channel = (input.qr_code ?? "").isEmpty ? .api : .qr

        var reporter: ReporterIdentity?
        do { reporter = try validateReporter(input.reporter) } catch let error as AppError {
            problems.append(FieldError(error.field ?? "reporter", error.message))
        } catch {
            problems.append(FieldError("reporter", "reporter is not valid"))
        }
        submission.hasReporterContact = reporter?.email != nil || reporter?.phone != nil
        let language = input.language ?? "id"
        if !["id", "en"].contains(language) { problems.append(FieldError("language", "language must be id or en")) }
        if let qr = input.qr_code, qr.count > 64 { problems.append(FieldError("qr_code", "qr_code is too long")) }
        if let notify = input.notify, let unknown = notify.first(where: { !["email", "phone"].contains($0) }) {
            problems.append(FieldError("notify", "notify holds email and/or phone, not \(unknown)"))
        }

        let today = reference.calendar(for: submission.jurisdiction).localDate(of: now)
        for problem in submission.problems(tree: reference.tree, categories: Set(reference.categories.keys), today: today)
        where !problems.contains(where: { $0.field == problem.field }) {
            problems.append(problem)
        }
        return Checked(submission: submission, reporter: reporter, language: language, problems: problems)
    }

    /// The API's form of `check`: the first problem is the error.
    static func parse(_ input: SubmissionRequest, reference: ReferenceData, now: Date) throws -> (Submission, ReporterIdentity?, String) {
        let checked = check(input, reference: reference, now: now)
        if let first = checked.problems.first { throw AppError(first) }
        return (checked.submission, checked.reporter, checked.language)
    }

    static func validateReporter(_ reporter: ReporterIdentity?) throws -> ReporterIdentity? {
        guard let reporter else { return nil }
        func clean(_ s: String?, field: String, max: Int) throws -> String? {
            guard let s, case let t = TextHygiene.clean(s, multiline: false).trimmingCharacters(in: .whitespacesAndNewlines), !t.isEmpty else {
                return nil
            }
            guard t.count <= max else { throw AppError.invalid("reporter.\(field) is at most \(max) characters", field: "reporter.\(field)") }
            return t
        }
        var result = ReporterIdentity(name: try clean(reporter.name, field: "name", max: 120),
                                      email: try clean(reporter.email, field: "email", max: 254),
                                      phone: try clean(reporter.phone, field: "phone", max: 20),
                                      nik: try clean(reporter.nik, field: "nik", max: 16))
        if let email = result.email {
            let parts = email.split(separator: "@")
            guard parts.count == 2, parts[1].contains("."), !email.contains(" ") else {
                throw AppError.invalid("reporter.email is not an e-mail address", field: "reporter.email")
            }
            result.email = email.lowercased()
        }
        if let phone = result.phone {
            let digits = phone.filter { $0.isNumber }
            guard (8...15).contains(digits.count), phone.allSatisfy({ $0.isNumber || "+- ()".contains($0) }) else {
                throw AppError.invalid("reporter.phone must be a phone number of 8-15 digits", field: "reporter.phone")
            }
            result.phone = (phone.hasPrefix("+") ? "+" : "") + digits
        }
        if let nik = result.nik, nik.count != 16 || !nik.allSatisfy({ $0.isASCII && $0.isNumber }) {
            throw AppError.invalid("reporter.nik must be 16 digits", field: "reporter.nik")
        }
        return result == ReporterIdentity() ? nil : result
    }

    /// A page form's attachments, sanitised like the API's; a refusal (too many, too large, a type not taken) becomes
    /// the `attachments` field's error beside the form's others, and no file is kept.
    static func formAttachments(_ files: [File]?, settings: Settings, errors: inout [FieldError]) throws -> [SanitizedFile] {
        do {
            return try sanitizeAttachments(files ?? [], limit: settings.maxAttachments, maxBytes: settings.maxAttachmentBytes)
        } catch let error as AppError {
            errors.append(FieldError("attachments", error.message))
            return []
        }
    }

    /// Why a set of uploaded files was refused, with the file concerned, so each page can say it in its own words.
    enum AttachmentRejection: Error, Sendable {
        case tooMany(limit: Int)
        case tooLarge(file: String, maxBytes: Int)
        case unsupported(file: String, detail: String)

        /// The API's error (English, SPEC §10), as before.
        var appError: AppError {
            switch self {
            case .tooMany(let limit): return AppError.invalid("at most \(limit) attachments", field: "attachments")
            case .tooLarge(let file, let maxBytes):
                return AppError(status: .payloadTooLarge, code: "payload_too_large",
                                message: "attachment \(file) is larger than \(maxBytes / 1_048_576) MB", field: "attachments")
            case .unsupported(let file, let detail):
                return AppError(status: .unsupportedMediaType, code: "unsupported_attachment",
                                message: "attachment \(file): \(detail) (accepted: JPEG, PNG, WebP, PDF)", field: "attachments")
            }
        }
    }

    static func sanitizeAttachments(_ files: [File], limit: Int, maxBytes: Int) throws -> [SanitizedFile] {
        do { return try inspectAttachments(files, limit: limit, maxBytes: maxBytes) } catch let rejection as AttachmentRejection {
            throw rejection.appError
        }
    }

    /// Checks and strips every file; the first refusal names its file.
    static func inspectAttachments(_ files: [File], limit: Int, maxBytes: Int) throws -> [SanitizedFile] {
        let files = files.filter { $0.data.readableBytes > 0 || !$0.filename.isEmpty }
        guard files.count <= limit else { throw AttachmentRejection.tooMany(limit: limit) }
        return try files.enumerated().map { index, file in
            guard file.data.readableBytes <= maxBytes else { throw AttachmentRejection.tooLarge(file: file.filename, maxBytes: maxBytes) }
            let bytes = Array(file.data.readableBytesView)
            do {
                let (type, clean) = try MediaInspector.sanitize(bytes)
                let base = (file.filename as NSString).lastPathComponent.prefix(120)
                return SanitizedFile(filename: base.isEmpty ? "lampiran-\(index + 1).\(type.fileExtension)" : String(base), type: type, bytes: clean)
            } catch let error as MediaError {
                throw AttachmentRejection.unsupported(file: file.filename, detail: error.message)
            }
        }
    }

    /// Creates the complaint, its first event, stage and messages, and stores its attachments, in one transaction.
    static func create(submission: Submission, reporter: ReporterIdentity?, content: ContentFields, language: String,
                       files: [SanitizedFile], actor: Participant, actorID: String?, app: Application,
                       account: UUID? = nil,
                       alongside: (@Sendable (Complaint, any Database) async throws -> Void)? = nil) async throws -> SubmissionResponse {
        let secrets = app.secrets
        let store = AttachmentStore(root: app.settings.dataDirectory.appendingPathComponent("attachments"))
        let keys = try files.map { try store.save($0.bytes, ext: $0.type.fileExtension) }
        let secret = Secrets.randomToken(bytes: 20)
        let pin = Secrets.randomPIN()
        let sealed = try reporter.map { try secrets.seal(JSONEncoder().encode($0)) }
        let reference = try await app.reference.get(on: app.db)
        do {
            return try await withWriteTransaction(app) { db in
                let now = app.clock.now
                let trackingID = TrackingID.random().rawValue
                let transition = Lifecycle.submit(submission, trackingID: trackingID, by: actor, context: reference.context(now: now))
                let complaint = Complaint()
                complaint.title = content.title; complaint.body = content.body
                complaint.incidentDate = content.incidentDate; complaint.address = content.address
                complaint.lat = content.lat; complaint.lng = content.lng; complaint.qrCode = content.qrCode
                complaint.language = language
                complaint.reporterSealed = sealed
                complaint.reporterEmailHash = reporter?.email.map(secrets.lookupHash)
                complaint.reporterPhoneHash = reporter?.phone.map(secrets.lookupHash)
                complaint.secretHash = secrets.reporterSecretHash(secret)
                complaint.pinHash = secrets.reporterSecretHash(pin)
                complaint.secretFailures = 0
                complaint.notifyEmail = content.notifyEmail
                complaint.notifyPhone = content.notifyPhone
                complaint.reporterAccountID = account
                try await ComplaintStore.commit(transition, to: complaint, actorID: actorID, secrets: secrets, reference: reference, language: language,
                                                reporterSecret: secret, on: db)
                try await ComplaintStore.attach(files, keys: keys, to: complaint, eventSeq: 1, at: now, on: db)
                // Rows a channel keeps with the complaint (Open311 answers and token), in the same transaction.
                try await alongside?(complaint, db)
                return SubmissionResponse(tracking_id: trackingID, secret: secret, pin: pin, state: complaint.state,
                                          due_at: complaint.dueAt,
                                          url: app.settings.baseURL + SiteURL.publicComplaint(trackingID).path + "?s=" + secret,
                                          attachments: files.count)
            }
        } catch {
            keys.forEach(store.delete)
            throw error
        }
    }
}


/// `POST /api/v1/complaints` body (JSON, or multipart form fields with `attachments` files).
struct SubmissionRequest: Content {
    var type: String?
    var title: String
    var body: String
    var incident_date: String?
    var jurisdiction: String
    var address: String?
    var lat: Double?
    var lng: Double?
    var category: String?
    var target_unit: String?
    var anonymous: Bool?
    var confidential: Bool?
    var reporter: ReporterIdentity?
    var qr_code: String?
    var language: String?
    /// Channels for messages about the complaint: `email`, `phone` (SMS/WhatsApp). Default: every contact given.
    var notify: [String]?
    var attachments: [File]?
}

struct SubmissionResponse: Content {
    var tracking_id: String
    var secret: String
    var pin: String
    var state: String
    var due_at: Date?
    var url: String
    var attachments: Int
}
