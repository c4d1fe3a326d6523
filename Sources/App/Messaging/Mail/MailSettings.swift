import Foundation
import NIOCore
import Vapor

/// SMTP configuration from the environment. Absent (nil) when ADUAN_SMTP_HOST is unset: messages are then only logged.
///
/// ADUAN_SMTP_HOST, ADUAN_SMTP_PORT (587; 465 with `tls`), ADUAN_SMTP_SECURITY (`starttls` | `tls` | `none`,
/// default `starttls`), ADUAN_SMTP_USERNAME, ADUAN_SMTP_PASSWORD, ADUAN_SMTP_FROM (required with a host),
/// ADUAN_SMTP_TIMEOUT (seconds per reply, 30), ADUAN_SMTP_CA_FILE (extra PEM trust roots).
struct MailSettings: Sendable {
    var client: SMTPClient.Configuration
    var from: MailAddress

    static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) throws -> MailSettings? {
        func value(_ name: String) -> String? { env[name].flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 } }
        guard let host = value("ADUAN_SMTP_HOST") else { return nil }
        var problems: [String] = []
        let security: SMTPClient.Security
        if let raw = value("ADUAN_SMTP_SECURITY") {
            security = SMTPClient.Security(rawValue: raw.lowercased()) ?? .starttls
            if SMTPClient.Security(rawValue: raw.lowercased()) == nil {
                problems.append("ADUAN_SMTP_SECURITY must be starttls, tls or none, got '\(raw)'")
            }
        } else {
            security = .starttls
        }
        var port = security == .tls ? 465 : 587
        if let raw = value("ADUAN_SMTP_PORT") {
            if let parsed = Int(raw), (1...65535).contains(parsed) { port = parsed } else { problems.append("ADUAN_SMTP_PORT must be a port number, got '\(raw)'") }
        }
        var timeout = 30
        if let raw = value("ADUAN_SMTP_TIMEOUT") {
            if let parsed = Int(raw), (1...600).contains(parsed) { timeout = parsed } else { problems.append("ADUAN_SMTP_TIMEOUT must be 1...600 seconds, got '\(raw)'") }
        }
        let from = value("ADUAN_SMTP_FROM").flatMap(MailAddress.init)
        if from == nil { problems.append("ADUAN_SMTP_FROM must be an address such as 'Aduan Kalsel <noreply@kalselprov.go.id>', got '\(env["ADUAN_SMTP_FROM"] ?? "")'") }
        let username = value("ADUAN_SMTP_USERNAME")
        if username != nil, value("ADUAN_SMTP_PASSWORD") == nil { problems.append("ADUAN_SMTP_PASSWORD is required with ADUAN_SMTP_USERNAME") }
        if let file = value("ADUAN_SMTP_CA_FILE"), !FileManager.default.isReadableFile(atPath: file) {
            problems.append("ADUAN_SMTP_CA_FILE '\(file)' is not a readable file")
        }
        guard problems.isEmpty, let from else { throw Settings.Invalid(problems: problems) }
        let helo = value("ADUAN_BASE_URL").flatMap { URL(string: $0)?.host } ?? "localhost"
        return MailSettings(
            client: SMTPClient.Configuration(host: host, port: port, security: security, username: username, password: env["ADUAN_SMTP_PASSWORD"],
                                             heloName: helo, replyTimeout: .seconds(Int64(timeout)), trustRootsFile: value("ADUAN_SMTP_CA_FILE")),
            from: from)
    }
}
