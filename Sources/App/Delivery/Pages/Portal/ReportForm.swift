import AduanCore
import Foundation
import Vapor

/// The submission form: the values typed so far, the choices, and the errors next to each field.
struct ReportFormView: Encodable, Sendable {

    var values: [String: String]
    var checked: [String: Bool]
    var errors: [String: String]
    var errorList: [FieldMessage]
    var hasErrors: Bool { !errorList.isEmpty }
    var types: [Choice]
    var jurisdictions: [Choice]
    var categories: [ChoiceGroup]
    var units: [Choice]
    /// The agencies a complaint may name, by name under their region (a `<select>` with `<optgroup>`, issue 19 fix 4).
    var unitGroups: [ChoiceGroup] = []
    var maxFiles: Int
    var maxMB: Int
    /// Set when the form comes from a unit's QR code: the unit is fixed.
    var presetUnit: String?
    var presetUnitName: String?
    var action: String
    /// Staff entry only: how the complaint came in (walk-in, phone, letter …); empty on the public forms.
    var mediums: [Choice] = []
    /// The map to drop a pin on (issue 19), when the installation has a tile server; built by `map.js`.
    var map: MapPicker? = nil

    struct FieldMessage: Encodable, Sendable { var field: String; var message: String }

    enum CodingKeys: String, CodingKey {
        case values, checked, errors, errorList, types, jurisdictions, categories, units, unitGroups, maxFiles, maxMB, presetUnit, presetUnitName, action, hasErrors, mediums, staff, map
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(values, forKey: .values); try c.encode(checked, forKey: .checked); try c.encode(errors, forKey: .errors)
        try c.encode(errorList, forKey: .errorList); try c.encode(types, forKey: .types); try c.encode(jurisdictions, forKey: .jurisdictions)
        try c.encode(categories, forKey: .categories); try c.encode(units, forKey: .units); try c.encode(maxFiles, forKey: .maxFiles)
        try c.encode(unitGroups, forKey: .unitGroups)
        try c.encode(maxMB, forKey: .maxMB); try c.encodeIfPresent(presetUnit, forKey: .presetUnit)
        try c.encodeIfPresent(presetUnitName, forKey: .presetUnitName); try c.encode(action, forKey: .action); try c.encode(hasErrors, forKey: .hasErrors)
        try c.encode(mediums, forKey: .mediums); try c.encode(!mediums.isEmpty, forKey: .staff)
        try c.encodeIfPresent(map, forKey: .map)
    }
}

/// The fields of the HTML form (multipart).
struct ReportFormInput: Content {
    var type: String?
    var title: String?
    var body: String?
    var incident_date: String?
    var jurisdiction: String?
    var address: String?
    var category: String?
    var target_unit: String?
    var anonymous: String?
    var confidential: String?
    var name: String?
    var email: String?
    var phone: String?
    var website: String?   // honeypot: people never see it, bots fill it
    var medium: String?    // staff entry only
    /// Present when the form showed the channel choice; the boxes are sent only when ticked.
    var notify_choice: String?
    var notify_email: String?
    var notify_phone: String?
    /// The pin dropped on the map (hidden fields `map.js` fills; empty without JavaScript).
    var lat: String?
    var lng: String?

    /// The pin as numbers: nil for an empty field, and a problem for one that is not a number (never stored).
    func coordinates() -> (lat: Double?, lng: Double?, problems: [FieldError]) {
        var problems: [FieldError] = []
        func number(_ text: String?, _ field: String) -> Double? {
            guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
            guard let value = Double(text), value.isFinite else { problems.append(FieldError(field, "\(field) is not a number")); return nil }
            return value
        }
        let lat = number(self.lat, "lat"), lng = number(self.lng, "lng")
        return (lat, lng, problems)
    }

    /// The reporter's channel choice as the API's `notify`, nil when the form did not ask.
    var notify: [String]? {
        guard notify_choice != nil else { return nil }
        return (notify_email != nil ? ["email"] : []) + (notify_phone != nil ? ["phone"] : [])
    }
    var attachments: [File]?
}

enum ReportFormBuilder {
    static func view(_ req: Request, reference: ReferenceData, input: ReportFormInput? = nil,
                     errors: [FieldError] = [], presetUnit: String? = nil, said: [String: String] = [:]) -> ReportFormView {
        let lang = req.language
        let catalog = req.application.catalog
        var values: [String: String] = [:]
        if let input {
            values = ["title": input.title ?? "", "body": input.body ?? "", "incident_date": input.incident_date ?? "",
                      "address": input.address ?? "", "name": input.name ?? "", "email": input.email ?? "", "phone": input.phone ?? "",
                      "target_unit": input.target_unit ?? "", "jurisdiction": input.jurisdiction ?? reference.defaultJurisdiction,
                      "category": input.category ?? "", "type": input.type ?? "pengaduan",
                      "lat": input.lat ?? "", "lng": input.lng ?? ""]
        } else {
            values = ["jurisdiction": reference.tree.units[presetUnit ?? ""]?.jurisdiction ?? reference.defaultJurisdiction, "type": "pengaduan"]
        }
        let type = values["type"] ?? "pengaduan"
        let jurisdiction = values["jurisdiction"] ?? reference.defaultJurisdiction
        let category = values["category"] ?? ""
        let tree = reference.tree
        let top = reference.categories.filter { $0.value.parent == nil }.sorted { $0.value.name(lang) < $1.value.name(lang) }
        let groups = top.map { code, info in
            ChoiceGroup(label: info.name(lang), options: [Choice(value: code, label: info.name(lang), selected: category == code)]
                + reference.categories.filter { $0.value.parent == code }.sorted { $0.value.name(lang) < $1.value.name(lang) }
                    .map { Choice(value: $0.key, label: "— " + $0.value.name(lang), selected: category == $0.key) })
        }
        let chosenUnit = values["target_unit"] ?? ""
        let unitGroups = tree.jurisdictions.values.sorted { $0.code < $1.code }.compactMap { j -> ChoiceGroup? in
            let options = tree.units.values.filter { $0.handlesComplaints && $0.jurisdiction == j.code }.sorted { $0.name < $1.name }
                .map { Choice(value: $0.id, label: $0.name, selected: $0.id == chosenUnit) }
            return options.isEmpty ? nil : ChoiceGroup(label: j.name, options: options)
        }
        var view = ReportFormView(
            values: values,
            checked: ["anonymous": input?.anonymous != nil, "confidential": input?.confidential != nil,
                      "notify_email": input.map { $0.notify_choice == nil || $0.notify_email != nil } ?? true,
                      "notify_phone": input.map { $0.notify_choice == nil || $0.notify_phone != nil } ?? true],
            errors: Dictionary(errors.map { (formField($0.field), said[$0.field] ?? message($0, lang, catalog)) }, uniquingKeysWith: { a, _ in a }),
            // One line per form field: the pin's two coordinates are one field on the form.
            errorList: errors.reduce(into: [ReportFormView.FieldMessage]()) { list, error in
                let field = formField(error.field)
                if !list.contains(where: { $0.field == field }) { list.append(.init(field: field, message: said[error.field] ?? message(error, lang, catalog))) }
            },
            types: ComplaintType.allCases.map { .init(value: $0.rawValue, label: catalog.text("type_\($0.rawValue)", lang), selected: $0.rawValue == type) },
            jurisdictions: tree.jurisdictions.values.sorted { $0.code < $1.code }
                .map { .init(value: $0.code, label: $0.name, selected: $0.code == jurisdiction) },
            categories: groups,
            units: tree.units.values.filter(\.handlesComplaints).sorted { $0.id < $1.id }
                .map { .init(value: $0.id, label: "\($0.name) (\(tree.jurisdictions[$0.jurisdiction]?.name ?? $0.jurisdiction))", selected: false) },
            maxFiles: req.application.settings.maxAttachments,
            maxMB: req.application.settings.maxAttachmentBytes / 1_048_576,
            presetUnit: presetUnit, presetUnitName: presetUnit.flatMap { tree.units[$0]?.name },
            action: SiteURL.report.path)
        view.unitGroups = unitGroups
        view.map = reference.tiles.map(MapPicker.init)
        return view
    }

    /// A unit named by its name rather than its code (a form sent without the list, an old bookmark): the one handling
    /// unit of that name in the region, ignoring case and accents; anything else is left for the usual check.
    static func unitByName(_ typed: String?, jurisdiction: String, tree: OrgTree) -> String? {
        guard let typed = typed?.trimmingCharacters(in: .whitespacesAndNewlines), !typed.isEmpty else { return typed }
        if tree.units[typed] != nil { return typed }
        let fold = { (s: String) in s.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil) }
        let matches = tree.units.values.filter { $0.handlesComplaints && $0.jurisdiction == jurisdiction && fold($0.name) == fold(typed) }
        return matches.count == 1 ? matches[0].id : typed
    }

    /// The field's message in the visitor's language (the core's English message when the catalogue has none).
    static func message(_ error: FieldError, _ lang: Language, _ catalog: Catalog) -> String {
        let key = "error_" + formField(error.field)
        let text = catalog.text(key, lang)
        return text == key ? error.message : text
    }

    /// API field names to form field names (the reporter's contact is flat in the form).
    static func formField(_ field: String) -> String {
        field.hasPrefix("reporter.") ? String(field.dropFirst("reporter.".count)) : (field == "lat" || field == "lng" ? "location" : field)
    }
}

extension ReportFormBuilder {
    /// Accepts the portal form or a QR code's form (`code` set: its unit is the target and the channel is `qr`).
    /// With problems, `rerender` shows the same form again with every error next to its field.
    static func accept(_ req: Request, from code: UnitQRCode?,
                       rerender: (ReportFormView) async throws -> Response) async throws -> Response {
        try await RateLimiter.checkSubmission(req)
        var input = try req.content.decode(ReportFormInput.self)
        let reference = try await req.reference()
        if let code {
            input.target_unit = code.unitID
            input.jurisdiction = reference.tree.units[code.unitID]?.jurisdiction ?? input.jurisdiction
        }
        if code == nil {
            input.target_unit = unitByName(input.target_unit, jurisdiction: input.jurisdiction ?? reference.defaultJurisdiction, tree: reference.tree)
        }
        if let trap = input.website, !trap.isEmpty {
            throw AppError.badRequest("the form could not be accepted")
        }
        let pin = input.coordinates()
        let api = SubmissionRequest(type: input.type, title: input.title ?? "", body: input.body ?? "", incident_date: input.incident_date,
                                    jurisdiction: input.jurisdiction ?? reference.defaultJurisdiction, address: input.address, lat: pin.lat, lng: pin.lng,
                                    category: input.category.flatMap { $0.isEmpty ? nil : $0 },
                                    target_unit: input.target_unit.flatMap { $0.isEmpty ? nil : $0 },
                                    anonymous: input.anonymous != nil, confidential: input.confidential != nil,
                                    reporter: ReporterIdentity(name: input.name, email: input.email, phone: input.phone, nik: nil),
                                    qr_code: code?.code, language: req.language.rawValue, notify: input.notify,
                                    attachments: input.attachments)
        let checked = SubmitComplaint.check(api, reference: reference, now: req.application.clock.now)
        var errors = pin.problems + checked.problems
        // Files are checked here, so a refusal names its file in the visitor's language (issue 19, fix 5).
        var said: [String: String] = [:]
        var files: [SanitizedFile] = []
        let settings = req.application.settings
        do {
            files = try SubmitComplaint.inspectAttachments(input.attachments ?? [], limit: settings.maxAttachments, maxBytes: settings.maxAttachmentBytes)
        } catch let rejection as SubmitComplaint.AttachmentRejection {
            errors.append(FieldError("attachments", rejection.appError.message))
            said["attachments"] = rejection.words(req)
        }
        guard errors.isEmpty else {
            // Files are never kept from a refused form: say which were dropped, so they are chosen again.
            let sent = (input.attachments ?? []).filter { $0.data.readableBytes > 0 && !$0.filename.isEmpty }.map(\.filename)
            if !sent.isEmpty {
                let again = req.text("form_files_again", ["files": sent.joined(separator: ", ")])
                if let problem = said["attachments"] { said["attachments"] = problem + " " + again } else {
                    errors.append(FieldError("attachments", "choose the files again")); said["attachments"] = again
                }
            }
            return try await rerender(ReportFormBuilder.view(req, reference: reference, input: input, errors: errors, presetUnit: code?.unitID,
                                                             said: said))
        }
        var submission = checked.submission
        submission.channel = code == nil ? .web : .qr
        let result = try await SubmitComplaint.create(
            submission: submission, reporter: checked.reporter, content: .init(api), language: checked.language, files: files,
            actor: .reporter, actorID: nil, app: req.application, account: try await ReporterSession.current(req)?.id)
        req.application.metrics.submissions.increment()
        let response = req.redirect(to: SiteURL.reportSent.path, redirectType: .normal)
        let flash = ReceiptCookie(tracking_id: result.tracking_id, secret: result.secret, pin: result.pin,
                                  expires: req.application.clock.now.addingTimeInterval(900))
        response.cookies[ReceiptCookie.name] = HTTPCookies.Value(string: try flash.seal(req.application.secrets), path: "/lapor",
                                                                 isSecure: req.application.settings.baseURL.hasPrefix("https"),
                                                                 isHTTPOnly: true, sameSite: .lax)
        return response
    }
}
