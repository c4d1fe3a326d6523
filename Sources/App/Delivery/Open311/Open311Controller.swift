import AduanCore
import Fluent
import Foundation
import Vapor

/// Open311 GeoReport v2 (SPEC §10) under `/open311/v2`: every path ends in `.json` or `.xml`.
func registerOpen311(_ app: Application) {
    app.get(.open311Method, use: Open311Controller.top)
    app.post(.open311Method, use: Open311Controller.submit)
    app.get(.open311Service, use: Open311Controller.serviceDefinition)
    app.get(.open311Request, use: Open311Controller.request)
    app.get(.open311Token, use: Open311Controller.token)
    // The router does not fall back from a literal segment to `:file`, so the bare names get the spec's error here.
    for name in ["services", "requests", "tokens"] {
        let bare = RoutePattern.open311Method.with("file", name)
        app.get(bare) { req in await Open311Controller.respond(req, name) { _, _ in throw AppError.notFound() } }
        app.post(bare) { req in await Open311Controller.respond(req, name) { _, _ in throw AppError.notFound() } }
    }
}

/// Stateless handlers. Only public columns of non-confidential complaints are ever read into a response:
/// GeoReport's request fields have no reporter fields, and none are added.
enum Open311Controller {
    static let windowDays = 90
    static let maxRecords = 1000
    static let changeset = "2026-11-29T00:00:00+08:00"

    // MARK: - routing and errors

    static func top(_ req: Request) async throws -> Response {
        let file = req.parameters.get("file") ?? ""
        return await respond(req, file) { name, format in
            try await readKey(req)
            switch name {
            case "discovery": return discovery(req, format)
            case "services": return try await services(req, format)
            case "requests": return try await requests(req, format)
            default: throw AppError.notFound("no such method: \(name)")
            }
        }
    }

    static func submit(_ req: Request) async throws -> Response {
        await respond(req, req.parameters.get("file") ?? "") { name, format in
            guard name == "requests" else { throw AppError.notFound("no such method: POST \(name)") }
            return try await create(req, format)
        }
    }

    /// Splits the extension, runs the body, and renders every failure in the spec's error format.
    static func respond(_ req: Request, _ file: String, _ body: (String, Open311Format) async throws -> Response) async -> Response {
        guard let (name, format) = Open311Format.split(file) else {
            return Open311Render.error(.notFound, "paths end in .json or .xml", format: .json)
        }
        do {
            return try await body(name, format)
        } catch let error where DatabaseOutage.appError(for: error) != nil {
            // The database out of reach (stopped, restarting, out of connection slots): 503 with Retry-After, never a 500.
            return render(DatabaseOutage.appError(for: error)!, format: format)
        } catch let error as AppError {
            return render(error, format: format)
        } catch let error as any AbortError {
            return Open311Render.error(status(for: error.status), error.reason, format: format)
        } catch is DecodingError {
            return Open311Render.error(.badRequest, "the request could not be read", format: format)
        } catch {
            req.logger.error("open311 failure: \(String(reflecting: error))")
            return Open311Render.error(.internalServerError, "internal error", format: format)
        }
    }

    static func render(_ error: AppError, format: Open311Format) -> Response {
        let response = Open311Render.error(status(for: error.status), error.message, format: format)
        if let wait = error.retryAfter, [.tooManyRequests, .serviceUnavailable].contains(error.status) {
            response.headers.replaceOrAdd(name: .retryAfter, value: String(wait))
        }
        return response
    }

    /// GeoReport knows 400, 403 and 404 (plus rate limiting, a service unavailable for a moment, and server errors).
    static func status(for status: HTTPStatus) -> HTTPStatus {
        switch status.code {
        case 401, 403: return .forbidden
        case 404: return .notFound
        case 429: return .tooManyRequests
        case 503: return .serviceUnavailable
        case 400..<500: return .badRequest
        default: return .internalServerError
        }
    }

    /// Every GET takes an optional `api_key`: when given it must be valid, within its limit and hold `read-public`
    /// (403 or 429 otherwise, never an anonymous answer).
    static func readKey(_ req: Request) async throws {
        try await APIKeys.authorizeOptional(req.query[String.self, at: "api_key"], scope: .readPublic, app: req.application)
    }

    // MARK: - discovery and services

    static func discovery(_ req: Request, _ format: Open311Format) -> Response {
        let base = req.application.settings.baseURL
        let contact = "Admin Aduan, \(base)"
        let keyService = "API keys are issued by the installation's sysadmin (Kunci API page, or aduan apikey create)."
        let url = base + RoutePattern.open311.link()
        let spec = "http://wiki.open311.org/GeoReport_v2"
        switch format {
        case .json:
            return Open311Render.json([
                "changeset": changeset, "contact": contact, "key_service": keyService,
                "endpoints": [["specification": spec, "url": url, "changeset": changeset, "type": "production",
                               "formats": ["application/json", "text/xml"]]],
            ] as [String: Any])
        case .xml:
            let e = Open311Render.escape
            return Open311Render.xml(#"<?xml version="1.0" encoding="utf-8"?>"# + "\n<discovery><changeset>\(changeset)</changeset>"
                + "<contact>\(e(contact))</contact><key_service>\(e(keyService))</key_service><endpoints><endpoint>"
                + "<specification>\(spec)</specification><url>\(e(url))</url><changeset>\(changeset)</changeset><type>production</type>"
                + "<formats><format>application/json</format><format>text/xml</format></formats></endpoint></endpoints></discovery>\n")
        }
    }

    static func services(_ req: Request, _ format: Open311Format) async throws -> Response {
        let reference = try await req.reference()
        let attributes = try await CategoryAttribute.all(on: req.db)
        let language = Language.negotiated(req)
        let records: [Open311Record] = reference.categories.sorted { $0.key < $1.key }.map { code, info in
            let name = info.name(language)
            let parentName = info.parent.flatMap { reference.categories[$0]?.name(language) }
            let keywords = code.split(separator: ".").map(String.init).joined(separator: ", ")
            return [("service_code", .string(code)), ("service_name", .string(name)),
                    ("description", .string(parentName.map { "\(name) (\($0))" } ?? name)),
                    ("metadata", .bool(!(attributes[code] ?? []).isEmpty)), ("type", .string("realtime")), ("keywords", .string(keywords)),
                    ("group", .string(parentName ?? name))]
        }
        return Open311Render.response(records, list: "services", item: "service", format: format)
    }

    /// A category's attributes (edited on the sysadmin's category page), in their order; an empty list for a
    /// category without any; an unknown service_code is 404.
    static func serviceDefinition(_ req: Request) async throws -> Response {
        await respond(req, req.parameters.get("file") ?? "") { code, format in
            try await readKey(req)
            guard try await req.reference().categories[code] != nil else { throw AppError.notFound("no service with service_code \(code)") }
            let attributes = try await CategoryAttribute.of(code, on: req.db)
            switch format {
            case .json:
                let list: [[String: Any]] = attributes.map { a in
                    ["variable": a.variable, "code": a.code, "datatype": a.datatype.rawValue, "required": a.required,
                     "datatype_description": a.datatypeDescription.map { $0 as Any } ?? NSNull(), "order": a.order,
                     "description": a.description, "values": a.values.map { ["key": $0.key, "name": $0.name] }]
                }
                return Open311Render.json(["service_code": code, "attributes": list] as [String: Any])
            case .xml:
                let e = Open311Render.escape
                var xml = #"<?xml version="1.0" encoding="utf-8"?>"# + "\n<service_definition><service_code>" + e(code) + "</service_code><attributes>"
                for a in attributes {
                    xml += "<attribute><variable>\(a.variable)</variable><code>\(e(a.code))</code><datatype>\(a.datatype.rawValue)</datatype>"
                        + "<required>\(a.required)</required>"
                        + (a.datatypeDescription.map { "<datatype_description>\(e($0))</datatype_description>" } ?? "<datatype_description/>")
                        + "<order>\(a.order)</order><description>\(e(a.description))</description><values>"
                        + a.values.map { "<value><key>\(e($0.key))</key><name>\(e($0.name))</name></value>" }.joined()
                        + "</values></attribute>"
                }
                return Open311Render.xml(xml + "</attributes></service_definition>\n")
            }
        }
    }

    // MARK: - reading requests

    struct Filters: Sendable {
        var ids: [String]?
        var serviceCodes: [String]?
        var start: Date?
        var end: Date?
        /// `true` = open, `false` = closed; empty = both.
        var statuses: Set<Bool> = []
        var updatedAfter: Date?
        var page = 1
        var pageSize = Open311Controller.maxRecords
    }

    static func parseFilters(_ req: Request, now: Date) throws -> Filters {
        func text(_ name: String) -> String? {
            (req.query[String.self, at: name]).flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
        }
        func list(_ name: String) -> [String]? {
            text(name).map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        }
        func time(_ name: String) throws -> Date? {
            guard let raw = text(name) else { return nil }
            guard let date = Open311Time.parse(raw, timeZone: WorkingCalendar.wita) else {
                throw AppError.badRequest("\(name) must be an ISO 8601 time such as 2026-03-13T15:00:00+08:00")
            }
            return date
        }
        func positive(_ name: String, max: Int) throws -> Int? {
            guard let raw = text(name) else { return nil }
            guard let n = Int(raw), (1...max).contains(n) else { throw AppError.badRequest("\(name) must be a whole number from 1 to \(max)") }
            return n
        }
        var f = Filters()
        f.ids = list("service_request_id")
        if let ids = f.ids, ids.count > maxRecords { throw AppError.badRequest("at most \(maxRecords) service_request_id values") }
        f.serviceCodes = list("service_code")
        f.start = try time("start_date")
        f.end = try time("end_date")
        if let s = f.start, let e = f.end, s > e { throw AppError.badRequest("start_date is after end_date") }
        // The spec's default window: the most recent 90 days when no dates are named.
        if f.start == nil && f.end == nil { f.start = now.addingTimeInterval(-Double(windowDays) * 86_400) }
        for status in list("status") ?? [] {
            switch status.lowercased() {
            case "open": f.statuses.insert(true)
            case "closed": f.statuses.insert(false)
            default: throw AppError.badRequest("status must be open or closed")
            }
        }
        f.updatedAfter = try time("updated_after")
        f.page = try positive("page", max: 1_000_000) ?? 1
        f.pageSize = try positive("page_size", max: maxRecords) ?? maxRecords
        return f
    }

    /// Complaints the public may see: never confidential, never whistleblowing, never spam, by default only verified.
    static func publicComplaints(_ publication: Visibility.Publication, on db: any Database) -> QueryBuilder<Complaint> {
        Complaint.query(on: db).listedPublicly(publication)
    }

    /// The request query, callable without HTTP. A list of ids overrides every other filter, as the spec says.
    static func query(_ f: Filters, publication: Visibility.Publication, on db: any Database) async throws -> [Complaint] {
        let query = publicComplaints(publication, on: db)
        if let ids = f.ids {
            let normalised = ids.compactMap { TrackingID($0)?.rawValue }
            guard !normalised.isEmpty else { return [] }
            query.filter(\.$trackingID ~~ normalised)
        } else {
            if let codes = f.serviceCodes { query.filter(\.$categoryCode ~~ codes) }
            if let start = f.start { query.filter(\.$submittedAt >= start) }
            if let end = f.end { query.filter(\.$submittedAt <= end) }
            let terminal = ComplaintState.allCases.filter(\.isTerminal).map(\.rawValue)
            if f.statuses == [true] { query.filter(\.$state !~ terminal) }
            if f.statuses == [false] { query.filter(\.$state ~~ terminal) }
            if let after = f.updatedAfter { query.filter(\.$updatedAt > after) }
        }
        return try await query.sort(\.$submittedAt, .descending).sort(\.$id, .descending)
            .range((f.page - 1) * f.pageSize ..< f.page * f.pageSize).all()
    }

    static func requests(_ req: Request, _ format: Open311Format) async throws -> Response {
        let filters = try parseFilters(req, now: req.application.clock.now)
        let complaints = try await query(filters, publication: req.application.settings.publication, on: req.db)
        let reference = try await req.reference()
        let records = complaints.map { record($0, reference: reference, app: req.application, language: Language.negotiated(req)) }
        return Open311Render.response(records, list: "service_requests", item: "request", format: format)
    }

    /// One request, still as a list of one element (the spec's shape).
    static func request(_ req: Request) async throws -> Response {
        await respond(req, req.parameters.get("file") ?? "") { id, format in
            try await readKey(req)
            guard let trackingID = TrackingID(id),
                  let complaint = try await publicComplaints(req.application.settings.publication, on: req.db).filter(\.$trackingID == trackingID.rawValue).first() else {
                throw AppError.notFound("no service request with service_request_id \(id)")
            }
            let record = record(complaint, reference: try await req.reference(), app: req.application, language: Language.negotiated(req))
            return Open311Render.response([record], list: "service_requests", item: "request", format: format)
        }
    }

    /// The field mapping of a complaint onto a GeoReport request, its words in `language`. Reads public columns only.
    static func record(_ c: Complaint, reference: ReferenceData, app: Application, language: Language) -> Open311Record {
        let timeZone = reference.calendar(for: c.jurisdictionCode).timeZone
        let state = ComplaintState(rawValue: c.state) ?? .baru
        let label = app.catalog.text("state_\(state.rawValue)", language)
        var r: Open311Record = [
            ("service_request_id", .string(c.trackingID)),
            ("status", .string(state.isTerminal ? "closed" : "open")),
            ("status_notes", .string("\(state.rawValue): \(label)")),
        ]
        if let code = c.categoryCode {
            r.append(("service_name", reference.categories[code].map { .string($0.name(language)) } ?? .null))
            r.append(("service_code", .string(code)))
        } else {
            r.append(("service_name", .null)); r.append(("service_code", .null))
        }
        r.append(("description", .string(c.body)))
        r.append(("agency_responsible", c.unitID.flatMap { reference.tree.units[$0]?.name }.map { .string($0) } ?? .null))
        r.append(("service_notice", .string(notice(c.trackingID, app: app, language: language))))
        r.append(("requested_datetime", .string(Open311Time.format(c.submittedAt, in: timeZone))))
        r.append(("updated_datetime", .string(Open311Time.format(c.updatedAt, in: timeZone))))
        r.append(("expected_datetime", c.dueAt.map { .string(Open311Time.format($0, in: timeZone)) } ?? .null))
        r.append(("address", c.address.map { .string($0) } ?? .null))
        if let lat = c.lat, let lng = c.lng {
            // GeoReport is a public listing: the pin rounded to about 110 m, as on every public page (issue 19).
            let rounded = GeoPoint(lat: lat, lng: lng).publiclyRounded
            r.append(("lat", .number(rounded.lat))); r.append(("long", .number(rounded.lng)))
        }
        return r
    }

    static func notice(_ trackingID: String, app: Application, language: Language) -> String {
        app.catalog.text("open311_notice", language, ["url": "\(app.settings.baseURL)\(SiteURL.publicComplaint(trackingID).path)"])
    }

    // MARK: - tokens

    /// `GET tokens/{token}`: the request a token of `POST requests` stands for, as a list of one; unknown is 404.
    static func token(_ req: Request) async throws -> Response {
        await respond(req, req.parameters.get("file") ?? "") { token, format in
            try await readKey(req)
            guard !token.isEmpty, token.count <= 100, let row = try await Open311Token.find(token, on: req.db),
                  let complaint = try await Complaint.find(row.complaintID, on: req.db) else {
                throw AppError.notFound("no token \(token)")
            }
            let record: Open311Record = [("service_request_id", .string(complaint.trackingID)), ("token", .string(token))]
            return Open311Render.response([record], list: "service_requests", item: "request", format: format)
        }
    }

    // MARK: - submitting

    /// The form fields of `POST requests` (GeoReport v2). `attribute[code]` (and `attribute[code][]` for a
    /// multivaluelist) are read from the form body by `attributeAnswers`; `media_url`, `device_id`, `account_id`
    /// and `address_id` are accepted and ignored.
    struct PostForm: Content {
        var api_key: String?
        var jurisdiction_id: String?
        var service_code: String?
        var lat: String?
        var long: String?
        var address_string: String?
        var email: String?
        var first_name: String?
        var last_name: String?
        var phone: String?
        var description: String?
        var media_url: String?
    }

    static func create(_ req: Request, _ format: Open311Format) async throws -> Response {
        let app = req.application
        let form = try req.content.decode(PostForm.self)
        try await APIKeys.authorize(form.api_key, scope: .submit, app: app)
        let reference = try await req.reference()

        let jurisdiction = form.jurisdiction_id.flatMap { $0.isEmpty ? nil : $0 } ?? reference.defaultJurisdiction
        guard reference.tree.jurisdictions[jurisdiction] != nil else { throw AppError.badRequest("unknown jurisdiction_id \(jurisdiction)") }
        guard let serviceCode = form.service_code, !serviceCode.isEmpty else { throw AppError.badRequest("service_code is required") }
        guard reference.categories[serviceCode] != nil else { throw AppError.badRequest("unknown service_code \(serviceCode)") }
        func coordinate(_ raw: String?, _ name: String, _ range: ClosedRange<Double>) throws -> Double? {
            guard let raw, !raw.isEmpty else { return nil }
            guard let value = Double(raw), range.contains(value) else { throw AppError.badRequest("\(name) must be a number in \(range)") }
            return value
        }
        let answers = try attributeAnswers(req)
        let definition = try await CategoryAttribute.of(serviceCode, on: req.db)
        let attributeRows: [(code: String, value: String)]
        switch ServiceAttributes.check(answers, against: definition, isDateTime: { Open311Time.parse($0, timeZone: WorkingCalendar.wita) != nil }) {
        case .success(let rows): attributeRows = rows
        case .failure(let problem): throw AppError.badRequest(problem.message, field: problem.field)
        }
        let lat = try coordinate(form.lat, "lat", -90...90)
        let lng = try coordinate(form.long, "long", -180...180)
        let address = form.address_string.flatMap { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0 }
        guard (lat != nil && lng != nil) || address != nil else {
            throw AppError.badRequest("a location is required: lat and long, or address_string")
        }
        let description = (form.description ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let name = [form.first_name, form.last_name].compactMap { $0?.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: " ")
        let input = SubmissionRequest(
            type: nil, title: title(from: description, fallback: reference.categories[serviceCode]?.name ?? serviceCode),
            body: description, incident_date: nil, jurisdiction: jurisdiction, address: address, lat: lat, lng: lng,
            category: serviceCode, target_unit: nil, anonymous: nil, confidential: nil,
            reporter: ReporterIdentity(name: name.isEmpty ? nil : name, email: form.email, phone: form.phone, nik: nil),
            qr_code: nil, language: Language.negotiated(req).rawValue, attachments: nil)
        var (submission, reporter, language) = try SubmitComplaint.parse(input, reference: reference, now: app.clock.now)
        submission.channel = .open311
        let token = Secrets.randomToken(bytes: 16)
        let now = app.clock.now
        let result = try await SubmitComplaint.create(submission: submission, reporter: reporter, content: .init(input),
                                                           language: language, files: [], actor: .reporter, actorID: nil, app: app) { complaint, db in
            let id = try complaint.requireID()
            for row in attributeRows { try await ComplaintAttribute(complaintID: id, code: row.code, value: row.value).create(on: db) }
            try await Open311Token(token: token, complaintID: id, at: now).create(on: db)
        }
        let record: Open311Record = [("service_request_id", .string(result.tracking_id)), ("token", .string(token)),
                                     ("service_notice", .string(notice(result.tracking_id, app: app, language: Language.negotiated(req)))), ("account_id", .null)]
        return Open311Render.response([record], list: "service_requests", item: "request", format: format, status: .created)
    }

    /// The `attribute[code]` and `attribute[code][]` fields of a form-encoded body, by code, in the order sent.
    static func attributeAnswers(_ req: Request) throws -> [String: [String]] {
        guard req.headers.contentType == .urlEncodedForm, let body = req.body.string else { return [:] }
        func decode(_ part: Substring) throws -> String {
            guard let text = part.replacingOccurrences(of: "+", with: " ").removingPercentEncoding else {
                throw AppError.badRequest("the form body is not valid URL encoding")
            }
            return text
        }
        var answers: [String: [String]] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = try decode(parts[0])
            guard name.hasPrefix("attribute[") else { continue }
            let rest = name.dropFirst("attribute[".count)
            guard let close = rest.firstIndex(of: "]"), rest[rest.index(after: close)...].isEmpty || rest[rest.index(after: close)...] == "[]" else {
                throw AppError.badRequest("\(name) is not attribute[code] or attribute[code][]")
            }
            answers[String(rest[..<close]), default: []].append(parts.count > 1 ? try decode(parts[1]) : "")
        }
        return answers
    }

    /// GeoReport has no title: the first line of the description, clipped, stands in for it.
    static func title(from description: String, fallback: String) -> String {
        let line = description.split(whereSeparator: \.isNewline).first.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? ""
        guard !line.isEmpty else { return fallback }
        return line.count > 100 ? String(line.prefix(99)) + "…" : line
    }
}
