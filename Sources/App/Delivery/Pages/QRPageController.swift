import AduanCore
import Fluent
import Foundation
import Vapor

/// `/q/{code}`: where a QR code on a counter or a website lands — the phone-first form with the unit preset.
enum QRPageController {
    struct QRFormView: Encodable, Sendable {
        var form: ReportFormView
        var unitName: String
        var label: String?
        var location: String?
        var code: String
    }

    struct ReplacedView: Encodable, Sendable {
        var unitName: String
        /// The form of the code that replaced this one.
        var newURL: String?
    }

    static func show(_ req: Request) async throws -> Response {
        let (record, reference) = try await load(req)
        guard record.active else { return try await replaced(req, record, reference) }
        try await QRService.countScan(req.application, record)
        return try await req.page("qr_form", title: "qr_title", formView(req, record, reference, form: ReportFormBuilder.view(req, reference: reference, presetUnit: record.unitID)))
    }

    static func submit(_ req: Request) async throws -> Response {
        var (record, reference) = try await load(req)
        // A form opened just before its code was replaced still counts: it goes to the replacement (same unit).
        var hops = 0
        while !record.active, let next = record.replacedBy, hops < 10, let fresh = try await QRService.find(next, on: req.db) {
            record = fresh; hops += 1
        }
        guard record.active else { return try await replaced(req, record, reference) }
        return try await ReportFormBuilder.accept(req, from: record) { view in
            try await req.page("qr_form", title: "qr_title", formView(req, record, reference, form: view), status: .unprocessableEntity)
        }
    }

    static func formView(_ req: Request, _ record: UnitQRCode, _ reference: ReferenceData, form: ReportFormView) -> QRFormView {
        var form = form
        form.action = SiteURL.qrForm(record.code).path
        return QRFormView(form: form, unitName: reference.tree.units[record.unitID]?.name ?? record.unitID,
                          label: record.label, location: record.location, code: record.code)
    }

    /// A deactivated or rotated code still helps: it says so and leads to the right form.
    static func replaced(_ req: Request, _ record: UnitQRCode, _ reference: ReferenceData) async throws -> Response {
        try await req.page("qr_replaced", title: "qr_replaced_title",
                           ReplacedView(unitName: reference.tree.units[record.unitID]?.name ?? record.unitID, newURL: record.replacedBy.map { SiteURL.qrForm($0).path }),
                           status: .ok)
    }

    static func load(_ req: Request) async throws -> (UnitQRCode, ReferenceData) {
        guard let record = try await QRService.find(req.parameters.get("code") ?? "", on: req.db) else {
            throw AppError.notFound(req.text("qr_not_found"))
        }
        return (record, try await req.reference())
    }
}
