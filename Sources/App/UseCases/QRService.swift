import AduanCore
import Fluent
import Foundation
import QRCode
import SQLKit
import Vapor

/// QR codes of units and service points: creation, rotation, images, posters and website snippets (SPEC §6).
enum QRService {
    /// Crockford base32, as tracking IDs.
    static let alphabet = TrackingID.alphabet

    /// Eight random Crockford base32 symbols (40 bits): short in the URL, never sequential.
    static func newCode() -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<8).map { _ in alphabet[Int.random(in: 0..<32, using: &generator)] })
    }

    /// Codes are read case-insensitively, with the same look-alike rules as tracking IDs.
    static func normalise(_ text: String) -> String? {
        let mapped = text.uppercased().replacingOccurrences(of: "O", with: "0").replacingOccurrences(of: "I", with: "1")
            .replacingOccurrences(of: "L", with: "1")
        guard mapped.count == 8, mapped.allSatisfy({ alphabet.contains($0) }) else { return nil }
        return mapped
    }

    static func find(_ text: String, on db: any Database) async throws -> UnitQRCode? {
        guard let code = normalise(text) else { return nil }
        return try await UnitQRCode.query(on: db).filter(\.$code == code).first()
    }

    static func url(_ code: String, _ app: Application) -> String { app.settings.baseURL + SiteURL.qrForm(code).path }

    static func create(_ app: Application, unit: String, label: String?, location: String?, by actor: String) async throws -> UnitQRCode {
        let reference = try await app.reference.get(on: app.db)
        guard let target = reference.tree.units[unit], target.active else { throw AppError.invalid("unknown or inactive unit \(unit)", field: "unit") }
        let label = Texts(public: label).publicText, location = Texts(public: location).publicText
        if (label?.count ?? 0) > 120 { throw AppError.invalid("label is at most 120 characters", field: "label") }
        if (location?.count ?? 0) > 200 { throw AppError.invalid("location is at most 200 characters", field: "location") }
        return try await withWriteTransaction(app) { db in
            let record = UnitQRCode()
            record.code = newCode()
            record.unitID = unit
            record.label = label
            record.location = location
            record.active = true
            record.scans = 0
            record.createdAt = app.clock.now
            record.createdBy = actor
            try await record.create(on: db)
            return record
        }
    }

    /// Replaces a code by a new one for the same unit and service point; the old one leads to the new one.
    static func rotate(_ app: Application, _ old: UnitQRCode, by actor: String) async throws -> UnitQRCode {
        guard old.active else { throw AppError.conflict("code \(old.code) is not active") }
        let fresh = try await create(app, unit: old.unitID, label: old.label, location: old.location, by: actor)
        try await UnitQRCode.query(on: app.writeDB).filter(\.$id == old.id!).set(\.$active, to: false).set(\.$replacedBy, to: fresh.code).update()
        return fresh
    }

    static func deactivate(_ app: Application, _ code: UnitQRCode) async throws {
        try await UnitQRCode.query(on: app.writeDB).filter(\.$id == code.id!).set(\.$active, to: false).update()
    }

    static func countScan(_ app: Application, _ code: UnitQRCode) async throws {
        guard let sql = app.writeDB as? any SQLDatabase else { return }
        try await sql.update(UnitQRCode.schema).set("scans", to: SQLRaw("scans + 1")).where("id", .equal, code.id!).run()
    }

    /// Complaints that came through each code.
    static func complaintCounts(_ codes: [String], on db: any Database) async throws -> [String: Int] {
        guard !codes.isEmpty else { return [:] }
        let rows = try await Complaint.query(on: db).filter(\.$qrCode ~~ codes).field(\.$qrCode).all()
        return Dictionary(grouping: rows.compactMap(\.qrCode), by: { $0 }).mapValues(\.count)
    }

    /// Image parameters a client may choose, with limits so a request cannot ask for a huge image.
    struct ImageOptions: Sendable {
        var level: ErrorCorrection
        var size: Int

        static func parse(_ req: Request) throws -> ImageOptions {
            let levelText = req.query[String.self, at: "level"] ?? "M"
            guard let level = ErrorCorrection(letter: levelText) else { throw AppError.invalid("level must be L, M, Q or H", field: "level") }
            let sizeText = req.query[String.self, at: "size"]
            let size = sizeText.flatMap(Int.init) ?? 8
            guard sizeText == nil || Int(sizeText!) != nil, (1...32).contains(size) else {
                throw AppError.invalid("size (pixels per module) must be a whole number from 1 to 32", field: "size")
            }
            return ImageOptions(level: level, size: size)
        }
    }

    static func symbol(_ code: String, _ app: Application, level: ErrorCorrection) throws -> QRCode {
        do { return try QRCode(encoding: url(code, app), errorCorrection: level) } catch { throw AppError.badRequest(error.message) }
    }

    /// A button and the code, to paste into an agency's website (no script, no external request).
    static func snippet(_ record: UnitQRCode, unitName: String, _ app: Application) -> String {
        let link = url(record.code, app)
        let image = app.settings.baseURL + SiteURL.qrImage(record.code, "svg").path + "?size=4"
        func escape(_ s: String) -> String {
            s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        }
        return """
        <a href="\(escape(link))" style="display:inline-flex;align-items:center;gap:12px;padding:12px 16px;border:2px solid #0b5c4a;border-radius:8px;color:#0b5c4a;font:600 16px sans-serif;text-decoration:none">
          <img src="\(escape(image))" width="96" height="96" alt="">
          <span>Sampaikan pengaduan tentang \(escape(unitName))</span>
        </a>
        """
    }
}
