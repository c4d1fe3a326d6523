import AduanCore
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
    /// Body sizes, pace and memory, requests per address, idle connections (`RequestLimits`).
    var limits = RequestLimits()
    /// Where outbound requests may go (ADUAN_OUTBOUND_ALLOW, ADUAN_OUTBOUND_CONNECT_TIMEOUT).
    var outbound = OutboundPolicy()
    /// Timeouts and the circuit breaker of webhook deliveries (`DeliveryTuning`).
    var delivery = DeliveryTuning()
    /// Triage (issue 16): the worker retrains a jurisdiction's model when it is this many hours old and something
    /// changed (0: never on a schedule), and whenever this many more complaints reached a unit or category.
    var triageRetrainHours = 24
    var triageRetrainAfter = 100
    /// Seconds a write waits for SQLite's one writer when another process holds it (the server digesting a load
    /// beside a command) before it gives up with a clear message (`ADUAN_DB_WAIT`).
    var databaseWait = 30
    /// A graceful stop (SIGTERM): seconds readiness says 503 while still serving (`ADUAN_DRAIN_DELAY`), then at most
    /// this long for the requests in flight (`ADUAN_SHUTDOWN_GRACE`).
    var drainDelay = 0
    var shutdownGrace = 20
    /// When a report reaches the public side (ADUAN_PUBLISH, `Visibility.Publication`): after verification by default.
    var publication = Visibility.Publication.afterVerification

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
        var limits = RequestLimits()
        limits.formBytes = integer("ADUAN_MAX_FORM_KB", default: 256, range: 16...10_240) * 1024
        limits.bodyTimeout = Double(integer("ADUAN_BODY_TIMEOUT", default: 30, range: 1...3600))
        limits.bodyMinBytesPerSecond = integer("ADUAN_BODY_MIN_RATE_KB", default: 16, range: 1...1_048_576) * 1024
        limits.perAddress = integer("ADUAN_MAX_REQUESTS_PER_ADDRESS", default: 32, range: 0...100_000)
        limits.idleTimeout = Int64(integer("ADUAN_IDLE_TIMEOUT", default: 60, range: 1...3600))
        // Room for every attachment plus the form fields and multipart framing.
        let uploadBytes = settings.maxAttachmentBytes * max(1, settings.maxAttachments) + 1_048_576
        let memoryMB = integer("ADUAN_BODY_MEMORY_MB", default: max(128, 2 * uploadBytes / 1_048_576 + 1), range: 8...65_536)
        limits.bodyMemoryBytes = memoryMB * 1_048_576
        if limits.bodyMemoryBytes < uploadBytes {
            problems.append("ADUAN_BODY_MEMORY_MB (\(memoryMB)) must hold at least one whole upload (\(uploadBytes / 1_048_576 + 1) MB with the attachment settings)")
        }
        let triageRetrainHours = integer("ADUAN_TRIAGE_RETRAIN_HOURS", default: 24, range: 0...8760)
        let triageRetrainAfter = integer("ADUAN_TRIAGE_RETRAIN_AFTER", default: 100, range: 1...10_000_000)
        var outbound = OutboundPolicy()
        let (allowed, allowProblems) = OutboundPolicy.parseAllowed(env["ADUAN_OUTBOUND_ALLOW"] ?? "")
        outbound.allowed = allowed
        problems += allowProblems
        outbound.connectTimeout = Int64(integer("ADUAN_OUTBOUND_CONNECT_TIMEOUT", default: 5, range: 1...60))
        var delivery = DeliveryTuning()
        delivery.webhookTimeout = Int64(integer("ADUAN_WEBHOOK_TIMEOUT", default: 10, range: 1...60))
        delivery.breakerFailures = integer("ADUAN_WEBHOOK_BREAKER_FAILURES", default: 3, range: 1...100)
        delivery.breakerRetry = Double(integer("ADUAN_WEBHOOK_BREAKER_RETRY", default: 60, range: 5...86_400))
        let databaseWait = integer("ADUAN_DB_WAIT", default: 30, range: 1...3600)
        let drainDelay = integer("ADUAN_DRAIN_DELAY", default: 0, range: 0...300)
        let shutdownGrace = integer("ADUAN_SHUTDOWN_GRACE", default: 20, range: 1...3600)
        guard problems.isEmpty else { throw Invalid(problems: problems) }
        var result = settings
        result.limits = limits
        result.outbound = outbound
        result.delivery = delivery
        result.triageRetrainHours = triageRetrainHours
        result.triageRetrainAfter = triageRetrainAfter
        result.databaseWait = databaseWait
        result.drainDelay = drainDelay
        result.shutdownGrace = shutdownGrace
        result.maxBodyBytes = uploadBytes
        switch env["ADUAN_PUBLISH"] ?? "" {
        case "": break
        case let raw:
            guard let publication = Visibility.Publication(rawValue: raw) else {
                throw Invalid(problems: ["ADUAN_PUBLISH must be verified (the default: public once the coordinator verified it) or submitted, got '\(raw)'"])
            }
            result.publication = publication
        }
        switch env["ADUAN_WORKER"] ?? "" {
        case "", "1": break
        case "0": result.serveRunsWorker = false
        default: throw Invalid(problems: ["ADUAN_WORKER must be 1 (serve runs the worker, the default) or 0"])
        }
        return result
    }
}
