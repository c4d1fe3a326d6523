import Fluent
import Foundation
import Vapor

/// Where messages go: the SMTP server and the SMS/WhatsApp gateway. The operator sets them in the environment
/// (ADUAN_SMTP_*, ADUAN_SMS_*); the sysadmin can set them on the *Pesan* page, which stores the same variables in
/// the `delivery` setting (secrets sealed with the installation key) and then wins over the environment.
/// Both are checked by the same parsers, so a setting the page accepts is one the worker can use.
enum DeliverySettings {
    static let key = "delivery"
    /// Variables the page may set; the secrets among them are stored sealed.
    static let variables = ["ADUAN_SMTP_HOST", "ADUAN_SMTP_PORT", "ADUAN_SMTP_SECURITY", "ADUAN_SMTP_USERNAME", "ADUAN_SMTP_PASSWORD",
                            "ADUAN_SMTP_FROM", "ADUAN_SMS_WEBHOOK_URL", "ADUAN_SMS_WEBHOOK_SECRET", "ADUAN_SMS_CHANNEL",
                            "ADUAN_GATEWAY_INBOUND_SECRET"]
    static let secrets: Set<String> = ["ADUAN_SMTP_PASSWORD", "ADUAN_SMS_WEBHOOK_SECRET", "ADUAN_GATEWAY_INBOUND_SECRET"]

    /// The sysadmin's stored variables, secrets opened; empty when the page never saved any.
    static func stored(on db: any Database, secrets box: Secrets) async throws -> [String: String] {
        guard let row = try await Setting.find(key, on: db),
              let values = try? JSONDecoder().decode([String: String].self, from: Data(row.value.utf8)) else { return [:] }
        var opened: [String: String] = [:]
        for (name, value) in values where variables.contains(name) {
            opened[name] = secrets.contains(name) ? (try? String(decoding: box.open(value), as: UTF8.self)) : value
        }
        return opened
    }

    /// The variables in force: the stored ones when the page saved any, the environment's otherwise.
    static func effective(_ app: Application) async throws -> [String: String] {
        let environment = ProcessInfo.processInfo.environment
        let stored = try await stored(on: app.db, secrets: app.secrets)
        guard !stored.isEmpty else { return environment }
        // The page's set replaces the environment's (a variable left empty there is unset, not inherited).
        return environment.filter { !variables.contains($0.key) }.merging(stored) { _, page in page }
    }

    /// Stores the page's variables (empty values dropped), sealing the secrets.
    static func save(_ values: [String: String], app: Application) async throws {
        var sealed: [String: String] = [:]
        for (name, value) in values where variables.contains(name) && !value.isEmpty {
            sealed[name] = secrets.contains(name) ? try app.secrets.seal(Data(value.utf8)) : value
        }
        let text = String(decoding: try JSONEncoder().encode(sealed), as: UTF8.self)
        let now = app.clock.now
        try await withWriteTransaction(app) { db in
            if let row = try await Setting.find(key, on: db) {
                row.value = text; row.updatedAt = now
                try await row.update(on: db)
            } else {
                try await Setting(key: key, value: text, updatedAt: now).create(on: db)
            }
        }
    }

    static func clear(app: Application) async throws {
        try await withWriteTransaction(app) { db in try await Setting.query(on: db).filter(\.$id == key).delete() }
    }
}

extension Application {
    /// The SMTP settings in force (tests may set `mailSettings` to a local sink).
    func currentMailSettings() async throws -> MailSettings? {
        if let fixed = mailSettings { return fixed }
        return try MailSettings.fromEnvironment(try await DeliverySettings.effective(self))
    }

    func currentGatewaySettings() async throws -> GatewaySettings? {
        try GatewaySettings.fromEnvironment(try await DeliverySettings.effective(self))
    }
}
