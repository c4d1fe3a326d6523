import Foundation
import Vapor

/// Sends each outbox row through the transport of its channel: e-mail over SMTP, `sms` through the SMS/WhatsApp
/// gateway. A channel without configuration logs its messages (the embedded default needs no other service).
struct ChannelRouter: MessageTransport {
    let email: any MessageTransport
    let sms: any MessageTransport

    func deliver(_ message: OutboxSnapshot) async throws -> String? {
        switch message.channel {
        case "sms": return try await sms.deliver(message)
        case "email": return try await email.deliver(message)
        default: throw DeliveryError.permanent("unknown channel \(message.channel)")
        }
    }

    static func make(for app: Application, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ChannelRouter {
        let logging = LoggingTransport(logger: app.logger)
        var email: any MessageTransport = logging
        if let settings = try MailSettings.fromEnvironment(environment) {
            app.logger.info("e-mail delivery enabled", metadata: [
                "smtp_host": "\(settings.client.host)", "smtp_port": "\(settings.client.port)", "security": "\(settings.client.security.rawValue)",
            ])
            email = EmailTransport(app: app, settings: settings)
        }
        var sms: any MessageTransport = logging
        if let settings = try GatewaySettings.fromEnvironment(environment) {
            app.logger.info("SMS/WhatsApp gateway enabled", metadata: ["url": "\(settings.url)", "channel": "\(settings.medium)"])
            sms = GatewayTransport(app: app, settings: settings)
        }
        return ChannelRouter(email: email, sms: sms)
    }
}
