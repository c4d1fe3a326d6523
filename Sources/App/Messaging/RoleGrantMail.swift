import AduanCore
import Fluent
import Foundation
import Vapor

/// The Inspektorat's e-mail about a role given (or waiting for approval) in its jurisdiction.
enum RoleGrantMail {
    static let requestedKind = "role_grant_requested"
    static let grantedKind = "role_granted"
    static let kinds: Set<String> = [requestedKind, grantedKind]

    struct Payload: Codable, Sendable { var username: String; var role: String; var scope: String; var requested_by: String; var approved_by: String? }

    static func compose(_ message: OutboxSnapshot, transport: EmailTransport) async throws -> MailMessage? {
        let payload = try JSONDecoder().decode(Payload.self, from: Data(message.payload.utf8))
        let to = transport.addresses(try await transport.officers(of: message.audience))
        guard !to.isEmpty else { return nil }
        let role = "\(payload.role) @ \(payload.scope)"
        let rendered: MailTemplates.Rendered
        if message.kind == requestedKind {
            rendered = OfficerMail.render(subject: "Permintaan peran \(payload.role) untuk \(payload.username)", lines: [
                "Administrator \(payload.requested_by) meminta peran \(role) untuk akun \(payload.username).",
                "Peran ini membuka laporan rahasia atau WBS, jadi baru berlaku setelah disetujui administrator lain. Jika permintaan ini tidak semestinya, hubungi administrator sistem.",
            ], link: transport.app.settings.baseURL + SiteURL.officerHome.path, label: "Buka Aduan")
        } else {
            rendered = OfficerMail.render(subject: "Peran \(payload.role) diberikan kepada \(payload.username)", lines: [
                "Akun \(payload.username) kini memegang peran \(role).",
                "Diminta oleh \(payload.requested_by)" + (payload.approved_by.map { ", disetujui oleh \($0)" } ?? "") + ".",
            ], link: transport.app.settings.baseURL + SiteURL.officerHome.path, label: "Buka Aduan")
        }
        return MailMessage(from: transport.settings.from, to: to, subject: rendered.subject, text: rendered.text, html: rendered.html,
                           date: transport.app.clock.now, idempotencyKey: message.idempotencyKey)
    }
}
