import AduanCore
import Fluent
import Foundation
import Vapor

/// `/berhenti/{id}/{channel}?k=…`: the link at the end of every message to a reporter stops that channel's
/// messages about that complaint. The page asks for a click (mail scanners follow links; they do not post forms).
enum UnsubscribeController {
    struct View: Encodable, Sendable {
        var formattedID: String
        /// The complaint's public page, its path shown as the link's text in the formatted number, and the form's target.
        var trackingURL: String
        var trackingLabel: String
        var action: String
        var channelName: String
        var key: String
        var done: Bool
    }

    struct Form: Content { var k: String? }

    static func load(_ req: Request, key: String?) async throws -> (Complaint, String) {
        let channel = req.parameters.get("channel") ?? ""
        guard ["email", "sms"].contains(channel), let id = TrackingID(req.parameters.get("id") ?? ""),
              let complaint = try await Complaint.byTrackingID(id.rawValue, on: req.db),
              let key, key.utf8.count == 32,
              Secrets.constantTimeEqual(key, NotificationLinks.unsubscribeKey(complaint.trackingID, channel: channel, secrets: req.application.secrets))
        else { throw AppError.notFound(req.text("unsubscribe_invalid")) }
        return (complaint, channel)
    }

    static func view(_ req: Request, _ c: Complaint, _ channel: String, key: String, done: Bool) -> View {
        let formatted = TrackingID(c.trackingID)?.formatted ?? c.trackingID
        return View(formattedID: formatted, trackingURL: SiteURL.publicComplaint(c.trackingID).path,
                    trackingLabel: SiteURL.publicComplaint(formatted).path, action: SiteURL.unsubscribe(c.trackingID, channel).path,
                    channelName: req.text("unsubscribe_channel_\(channel)"), key: key, done: done)
    }

    static func show(_ req: Request) async throws -> Response {
        let key = req.query[String.self, at: "k"]
        let (complaint, channel) = try await load(req, key: key)
        let done = channel == "email" ? !complaint.notifyEmail : !complaint.notifyPhone
        return try await req.page("unsubscribe", title: "unsubscribe_title", view(req, complaint, channel, key: key ?? "", done: done))
    }

    static func confirm(_ req: Request) async throws -> Response {
        let key = try req.content.decode(Form.self).k
        let (complaint, channel) = try await load(req, key: key)
        let query = Complaint.query(on: req.writeDB).filter(\.$id == complaint.id!)
        if channel == "email" { query.set(\.$notifyEmail, to: false) } else { query.set(\.$notifyPhone, to: false) }
        try await query.update()
        return try await req.page("unsubscribe", title: "unsubscribe_title", view(req, complaint, channel, key: key ?? "", done: true))
    }
}
