import AduanCore
import Fluent
import Foundation
import Vapor

/// A sysadmin's wording of one message kind in one language, replacing the built-in one (`MailTemplates.table`).
final class MessageTemplate: Model, @unchecked Sendable {
    static let schema = "message_templates"
    /// `{kind}:{language}`.
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "kind") var kind: String
    @Field(key: "language") var language: String
    @Field(key: "subject") var subject: String
    @Field(key: "body") var body: String
    @Field(key: "updated_by") var updatedBy: String
    @Field(key: "updated_at") var updatedAt: Date

    init() {}
}

/// The wording of a message: the sysadmin's template when there is one, the built-in one otherwise.
enum MessageWording {
    static func wording(kind: String, language: String, on db: any Database) async throws -> MailTemplates.Wording {
        let language = MailTemplates.languages.contains(language) ? language : "id"
        if let custom = try await MessageTemplate.find("\(kind):\(language)", on: db) {
            return MailTemplates.Wording(subject: custom.subject, body: custom.body)
        }
        return MailTemplates.wording(kind: kind, language: language)
    }

    /// The text of an SMS or WhatsApp message: short, with the tracking number and the link.
    static func shortText(kind: String, language: String, trackingID: String, link: String, app: Application) async throws -> String {
        let wording = try await wording(kind: kind, language: language, on: app.db)
        let subject = wording.subject.replacingOccurrences(of: "{id}", with: trackingID)
        let formatted = TrackingID(trackingID)?.formatted ?? trackingID
        return "Aduan \(formatted): \(subject). \(link)"
    }
}

/// The links a notification carries.
enum NotificationLinks {
    /// The reporter's link: with the secret in the "received" message, the public page otherwise.
    static func reporter(_ payload: NotificationPayload, app: Application) -> String {
        var link = app.settings.baseURL + SiteURL.publicComplaint(payload.tracking_id).path
        if let sealed = payload.secret, let secret = try? String(decoding: app.secrets.open(sealed), as: UTF8.self) {
            link += "?s=" + secret
        }
        return link
    }

    static func officer(_ trackingID: String, app: Application) -> String {
        app.settings.baseURL + SiteURL.officerComplaint(trackingID).path
    }

    /// A link that stops one channel's messages about one complaint; its key is an HMAC, so it cannot be guessed.
    static func unsubscribe(_ trackingID: String, channel: String, app: Application) -> String {
        app.settings.baseURL + SiteURL.unsubscribe(trackingID, channel).path + "?k=" + unsubscribeKey(trackingID, channel: channel, secrets: app.secrets)
    }

    static func unsubscribeKey(_ trackingID: String, channel: String, secrets: Secrets) -> String {
        String(secrets.lookupHash("unsubscribe:\(trackingID):\(channel)").prefix(32))
    }
}
