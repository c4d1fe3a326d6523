import AduanCore
import Foundation
import Vapor

/// Sends each outbox row through the transport of its channel: e-mail over SMTP, `sms` through the SMS/WhatsApp
/// gateway, `webhook` to the sysadmin's webhook subscriptions. A channel without configuration logs its messages
/// (the embedded default needs no other service).
struct ChannelRouter: MessageTransport {
    let email: any MessageTransport
    let sms: any MessageTransport
    var webhook: (any MessageTransport)? = nil

    func deliver(_ message: OutboxSnapshot) async throws -> String? {
        switch message.channel {
        case "sms": return try await sms.deliver(message)
        case "email": return try await email.deliver(message)
        case WebhookOutbox.channel:
            guard let webhook else { throw DeliveryError.permanent("no webhook transport") }
            return try await webhook.deliver(message)
        default: throw DeliveryError.permanent("unknown channel \(message.channel)")
        }
    }

    /// The worker's transport: the delivery settings in force at each message (the sysadmin may change them).
    static func make(for app: Application) throws -> ConfiguredTransport {
        // Fail at start on a broken environment, as before; the page checks what it stores.
        _ = try MailSettings.fromEnvironment()
        _ = try GatewaySettings.fromEnvironment(ProcessInfo.processInfo.environment)
        return ConfiguredTransport(app: app)
    }
}

/// Routes each message with the settings in force when it is sent; a channel without settings logs its messages.
struct ConfiguredTransport: MessageTransport {
    let app: Application

    func deliver(_ message: OutboxSnapshot) async throws -> String? {
        let logging = LoggingTransport(logger: app.logger)
        let email: any MessageTransport = try await app.currentMailSettings().map { EmailTransport(app: app, settings: $0) } ?? logging
        let sms: any MessageTransport = try await app.currentGatewaySettings().map { GatewayTransport(app: app, settings: $0) } ?? logging
        return try await ChannelRouter(email: email, sms: sms, webhook: WebhookTransport(app: app)).deliver(message)
    }
}

extension ChannelRouter {
    /// The channels one notice goes out on: officers by e-mail; another system (SP4N-LAPOR!) on its own channel; the
    /// reporter by each channel they left and did not stop (`notify`), none when they left none.
    static func channels(for audience: Audience, reporterEmail: Bool, reporterPhone: Bool) -> [String] {
        if case .externalSystem(let name) = audience { return [name] }
        guard audience == .reporter else { return ["email"] }
        return (reporterEmail ? ["email"] : []) + (reporterPhone ? ["sms"] : [])
    }
}
