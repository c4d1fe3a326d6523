import AduanCore
import Fluent
import Foundation
import Vapor

/// An item waiting for an officer's daily digest.
final class DigestItem: Model, @unchecked Sendable {
    static let schema = "digest_items"
    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Field(key: "user_id") var userID: UUID
    @Field(key: "kind") var kind: String
    @Field(key: "tracking_id") var trackingID: String
    /// The outbox message it came from: recorded once even if that message is redelivered.
    @OptionalField(key: "message_key") var messageKey: String?
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "sent_at") var sentAt: Date?

    init() {}
}

/// Messages to officers that are not about one complaint's step: warnings (teguran) and the daily digest.
/// Their outbox payloads are small JSON objects; the links lead into the officer workspace.
enum OfficerMail {
    static let warningKinds: Set<String> = ["warning_issued", "warning_acknowledged", "warning_reminder"]
    static let digestKind = "digest"

    struct WarningPayload: Codable, Sendable { var warning: Int; var unit: String; var unit_name: String }
    struct DigestPayload: Codable, Sendable {
        struct Item: Codable, Sendable { var kind: String; var tracking_id: String }
        var user: UUID
        var items: [Item]
    }

    /// Queues a warning message in the caller's transaction.
    static func queueWarning(_ kind: String, warning: UnitWarning, audience: Audience, unitName: String, at now: Date,
                             on db: any Database) async throws {
        let payload = String(decoding: try JSONEncoder().encode(WarningPayload(warning: warning.id!, unit: warning.unitID, unit_name: unitName)),
                             as: UTF8.self)
        try await OutboxMessage(key: "warning:\(warning.id!):\(kind):\(audience.code)", kind: kind, audience: audience.code, payload: payload,
                                complaintID: warning.complaintID, at: now).create(on: db)
    }

    static let warningWording: [String: (subject: String, body: String)] = [
        "warning_issued": ("Teguran Inspektorat untuk {unit}", "Inspektorat memberikan teguran resmi kepada {unit}. Kepala unit wajib menanggapinya dalam 5 hari kerja."),
        "warning_acknowledged": ("Teguran untuk {unit} telah ditanggapi", "Kepala unit {unit} telah menanggapi teguran Inspektorat."),
        "warning_reminder": ("Pengingat: teguran untuk {unit} belum ditanggapi", "Batas waktu tanggapan atas teguran Inspektorat untuk {unit} telah lewat. Mohon segera ditanggapi."),
    ]

    static func renderWarning(kind: String, payload: WarningPayload, link: String) -> MailTemplates.Rendered {
        let wording = warningWording[kind] ?? ("Teguran", "Ada pembaruan teguran untuk {unit}.")
        let fill = { (s: String) in s.replacingOccurrences(of: "{unit}", with: payload.unit_name) }
        return render(subject: fill(wording.subject), lines: [fill(wording.body)], link: link, label: "Buka teguran")
    }

    static func renderDigest(_ payload: DigestPayload, app: Application) -> MailTemplates.Rendered {
        let lines = payload.items.map { item in
            "\(MailTemplates.wording(kind: item.kind, language: "id").subject.replacingOccurrences(of: "{id}", with: item.tracking_id)) — "
                + "\(TrackingID(item.tracking_id)?.formatted ?? item.tracking_id): \(NotificationLinks.officer(item.tracking_id, app: app))"
        }
        return render(subject: "Ringkasan harian Aduan: \(payload.items.count) pemberitahuan",
                      lines: ["Pemberitahuan sejak ringkasan terakhir:"] + lines,
                      link: app.settings.baseURL + SiteURL.officerInbox.path, label: "Buka kotak masuk")
    }

    /// Lines, a link and the automatic-message footer, as text and HTML, in `language` (`id` or `en`).
    static func render(subject: String, lines: [String], link: String, label: String, language: String = "id") -> MailTemplates.Rendered {
        let e = MIME.escapeHTML
        let english = language == "en"
        let footer = english ? "This message was sent automatically by Aduan; please do not reply to it."
                             : "Pesan ini dikirim otomatis oleh Aduan; mohon tidak membalas pesan ini."
        let text = lines.joined(separator: "\n") + "\n\n\(label): \(link)\n\n-- \n\(footer)\n"
        let html = """
            <!DOCTYPE html>
            <html lang="\(english ? "en" : "id")"><head><meta charset="utf-8"><title>\(e(subject))</title></head>
            <body style="font-family:sans-serif;line-height:1.5">
            \(lines.map { "<p>\(e($0))</p>" }.joined(separator: "\n"))
            <p><a href="\(e(link))">\(e(label))</a></p>
            <hr><p style="color:#777;font-size:small">\(e(footer))</p>
            </body></html>

            """
        return MailTemplates.Rendered(subject: subject, text: text, html: html)
    }
}
