import Foundation

/// Configuration from the environment (SPEC §12), validated at start-up; every problem is listed at once.
struct Settings: Sendable {
    var dataDirectory: URL
    var databaseURL: String?
    var secretKey: String?
    var baseURL: String
    var submitRateLimit: Int
    var trustedProxies: Set<String>
    var maxAttachmentBytes: Int
    var maxAttachments: Int
    var maxBodyBytes: Int
    /// Seconds between background sweeps.
    var workerInterval: Double
    /// Whether `serve` runs the worker in its own process (`ADUAN_WORKER=0` turns it off where dedicated
    /// `aduan worker` processes do the background work).
    var serveRunsWorker = true

    struct Invalid: Error, CustomStringConvertible {
        var problems: [String]
        var description: String { "invalid configuration:\n" + problems.map { "  - \($0)" }.joined(separator: "\n") }
    }

    static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) throws -> Settings {
        var problems: [String] = []
        func integer(_ name: String, default value: Int, range: ClosedRange<Int>) -> Int {
            guard let raw = env[name], !raw.isEmpty else { return value }
            guard let parsed = Int(raw), range.contains(parsed) else {
                problems.append("\(name) must be a whole number in \(range.lowerBound)...\(range.upperBound), got '\(raw)'")
                return value
            }
            return parsed
        }
        let dataDir = URL(fileURLWithPath: env["ADUAN_DATA_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "./aduan-data").standardizedFileURL
        var databaseURL = env["DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
        if let url = databaseURL, !(url.hasPrefix("postgres://") || url.hasPrefix("postgresql://")) {
            problems.append("DATABASE_URL must be a postgres:// or postgresql:// URL")
            databaseURL = nil
        }
        let baseURL = (env["ADUAN_BASE_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? "http://localhost:8080")
        if URL(string: baseURL)?.scheme == nil || !(baseURL.hasPrefix("http://") || baseURL.hasPrefix("https://")) {
            problems.append("ADUAN_BASE_URL must be an http(s) URL, got '\(baseURL)'")
        }
        let secret = env["ADUAN_SECRET_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        if let secret, secret.utf8.count < 32 { problems.append("ADUAN_SECRET_KEY must be at least 32 characters") }
        let proxies = Set((env["ADUAN_TRUSTED_PROXIES"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        let settings = Settings(
            dataDirectory: dataDir, databaseURL: databaseURL, secretKey: secret,
            baseURL: baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL,
            submitRateLimit: integer("ADUAN_SUBMIT_RATE_LIMIT", default: 20, range: 0...1_000_000),
            trustedProxies: proxies,
            maxAttachmentBytes: integer("ADUAN_MAX_ATTACHMENT_MB", default: 10, range: 1...100) * 1_048_576,
            maxAttachments: integer("ADUAN_MAX_ATTACHMENTS", default: 5, range: 0...20),
            maxBodyBytes: 0,
            workerInterval: Double(integer("ADUAN_WORKER_INTERVAL", default: 30, range: 1...3600)))
        guard problems.isEmpty else { throw Invalid(problems: problems) }
        var result = settings
        switch env["ADUAN_WORKER"] ?? "" {
        case "", "1": break
        case "0": result.serveRunsWorker = false
        default: throw Invalid(problems: ["ADUAN_WORKER must be 1 (serve runs the worker, the default) or 0"])
        }
        // Room for every attachment plus the form fields and multipart framing.
        result.maxBodyBytes = settings.maxAttachmentBytes * max(1, settings.maxAttachments) + 1_048_576
        return result
    }
}
