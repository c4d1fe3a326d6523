import AduanCore
import Fluent
import Foundation
import QRCode
import Vapor

/// QR codes over the API: images, posters and snippets (public), management and counts (officers in scope).
enum QRController {
    struct QRView: Content {
        var code: String
        var unit: String
        var unit_name: String
        var label: String?
        var location: String?
        var active: Bool
        var replaced_by: String?
        var url: String
        var scans: Int
        var complaints: Int
        /// Complaints per scan; absent before the first scan.
        var conversion: Double?
        var svg_url: String
        var png_url: String
        var poster_url: String
        var snippet_url: String
        var created_at: Date
    }

    struct CreateRequest: Content { var unit: String; var label: String?; var location: String? }

    static func list(_ req: Request) async throws -> [QRView] {
        let officer = try req.requireOfficer().officer
        let reference = try await req.reference()
        let query = UnitQRCode.query(on: req.db).sort(\.$unitID).sort(\.$createdAt, .descending)
        if let unit = req.query[String.self, at: "unit"] { query.filter(\.$unitID == unit) }
        let visible = try await query.all().filter { Access.canViewQRCodes(of: $0.unitID, officer, tree: reference.tree) }
        let counts = try await QRService.complaintCounts(visible.map(\.code), on: req.db)
        return visible.map { view($0, complaints: counts[$0.code] ?? 0, reference: reference, app: req.application) }
    }

    static func create(_ req: Request) async throws -> Response {
        let principal = try req.requireOfficer()
        let body = try req.content.decode(CreateRequest.self)
        let reference = try await req.reference()
        guard reference.tree.units[body.unit] != nil else { throw AppError.invalid("unknown unit \(body.unit)", field: "unit") }
        guard Access.canManageQRCodes(of: body.unit, principal.officer, tree: reference.tree) else {
            throw AppError.forbidden("only the coordinator or the sysadmin of the unit's jurisdiction creates its QR codes")
        }
        let record = try await QRService.create(req.application, unit: body.unit, label: body.label, location: body.location, by: principal.username)
        let response = Response(status: .created)
        try response.content.encode(view(record, complaints: 0, reference: reference, app: req.application), as: .json)
        return response
    }

    static func manage(_ action: String) -> @Sendable (Request) async throws -> QRView {
        { req in
            let principal = try req.requireOfficer()
            let reference = try await req.reference()
            guard let record = try await QRService.find(req.parameters.get("code") ?? "", on: req.db),
                  Access.canViewQRCodes(of: record.unitID, principal.officer, tree: reference.tree) else {
                throw AppError.notFound("no QR code with that name in your scope")
            }
            guard Access.canManageQRCodes(of: record.unitID, principal.officer, tree: reference.tree) else {
                throw AppError.forbidden("only the coordinator or the sysadmin of the unit's jurisdiction manages its QR codes")
            }
            let result: UnitQRCode
            if action == "rotate" {
                result = try await QRService.rotate(req.application, record, by: principal.username)
            } else {
                guard record.active else { throw AppError.conflict("code \(record.code) is already inactive") }
                try await QRService.deactivate(req.application, record)
                result = try await QRService.find(record.code, on: req.db) ?? record
            }
            let counts = try await QRService.complaintCounts([result.code], on: req.db)
            return view(result, complaints: counts[result.code] ?? 0, reference: reference, app: req.application)
        }
    }

    /// `GET /api/v1/qr/{code}.svg|png?size=&level=`: public, like the poster on the wall.
    static func image(_ req: Request) async throws -> Response {
        let file = req.parameters.get("code") ?? ""
        let parts = file.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2, ["svg", "png"].contains(parts[1].lowercased()),
              let record = try await QRService.find(parts[0], on: req.db) else {
            throw AppError.notFound("no QR code \(file); ask for CODE.svg or CODE.png")
        }
        let options = try QRService.ImageOptions.parse(req)
        let symbol = try QRService.symbol(record.code, req.application, level: options.level)
        let response: Response
        if parts[1].lowercased() == "svg" {
            response = Response(status: .ok, body: .init(string: symbol.svg(moduleSize: options.size)))
            response.headers.replaceOrAdd(name: .contentType, value: "image/svg+xml")
        } else {
            response = Response(status: .ok, body: .init(data: Data(symbol.png(scale: options.size))))
            response.headers.contentType = .png
        }
        response.headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=86400")
        return response
    }

    static func poster(_ req: Request) async throws -> Response {
        guard let record = try await QRService.find(req.parameters.get("code") ?? "", on: req.db) else { throw AppError.notFound("no such QR code") }
        let reference = try await req.reference()
        let unit = reference.tree.units[record.unitID]?.name ?? record.unitID
        let catalog = req.application.catalog
        let poster: QRPoster
        do {
            poster = try QRPoster(title: catalog.text("qr_poster_title", .id), subtitle: [unit, record.label].compactMap { $0 }.joined(separator: " · "),
                                  instructions: [catalog.text("qr_poster_step_1", .id), catalog.text("qr_poster_step_2", .id),
                                                 catalog.text("qr_poster_step_3", .id)],
                                  url: QRService.url(record.code, req.application))
        } catch { throw AppError.badRequest(error.message) }
        let response = Response(status: .ok, body: .init(data: Data(poster.pdf())))
        response.headers.replaceOrAdd(name: .contentType, value: "application/pdf")
        response.headers.replaceOrAdd(name: .contentDisposition, value: "inline; filename=\"poster-\(record.code).pdf\"")
        return response
    }

    static func snippet(_ req: Request) async throws -> Response {
        guard let record = try await QRService.find(req.parameters.get("code") ?? "", on: req.db) else { throw AppError.notFound("no such QR code") }
        let reference = try await req.reference()
        let html = QRService.snippet(record, unitName: reference.tree.units[record.unitID]?.name ?? record.unitID, req.application)
        let response = Response(status: .ok, body: .init(string: html))
        response.headers.replaceOrAdd(name: .contentType, value: "text/plain; charset=utf-8")
        return response
    }

    static func view(_ r: UnitQRCode, complaints: Int, reference: ReferenceData, app: Application) -> QRView {
        QRView(code: r.code, unit: r.unitID, unit_name: reference.tree.units[r.unitID]?.name ?? r.unitID, label: r.label, location: r.location,
               active: r.active, replaced_by: r.replacedBy, url: QRService.url(r.code, app), scans: r.scans, complaints: complaints,
               conversion: r.scans > 0 ? Double(complaints) / Double(r.scans) : nil,
               svg_url: SiteURL.qrImage(r.code, "svg").path, png_url: SiteURL.qrImage(r.code, "png").path,
               poster_url: SiteURL.qrPoster(r.code).path, snippet_url: SiteURL.qrSnippet(r.code).path, created_at: r.createdAt)
    }
}
