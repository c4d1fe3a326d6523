import Foundation
import NIOConcurrencyHelpers
import Vapor

/// Fixed-window counters per client address, in memory (each instance limits on its own; put a shared limit in the
/// reverse proxy when scaling out).
final class RateLimiter: Sendable {
    private let state = NIOLockedValueBox<(window: Int, counts: [String: Int])>((0, [:]))

    /// Counts one hit for `key`; false when the limit for the current minute is exceeded.
    func allow(_ key: String, limit: Int, now: Date) -> Bool {
        guard limit > 0 else { return true }
        let window = Int(now.timeIntervalSince1970 / 60)
        return state.withLockedValue { s in
            if s.window != window { s = (window, [:]) }
            let count = (s.counts[key] ?? 0) + 1
            s.counts[key] = count
            return count <= limit
        }
    }

    static func checkSubmission(_ req: Request) throws {
        let app = req.application
        guard app.submissionLimiter.allow(req.clientAddress, limit: app.settings.submitRateLimit, now: app.clock.now) else {
            throw AppError.tooMany("too many submissions from this address; try again in a minute")
        }
    }
}

extension Application {
    private struct LimiterKey: StorageKey { typealias Value = RateLimiter }
    var submissionLimiter: RateLimiter {
        get { storage[LimiterKey.self]! }
        set { storage[LimiterKey.self] = newValue }
    }
}

extension Request {
    /// The client's address; `X-Forwarded-For` is believed only from ADUAN_TRUSTED_PROXIES.
    var clientAddress: String {
        let peer = remoteAddress?.ipAddress ?? "unknown"
        guard application.settings.trustedProxies.contains(peer),
              let forwarded = headers.first(name: "X-Forwarded-For")?.split(separator: ",").last else { return peer }
        return forwarded.trimmingCharacters(in: .whitespaces)
    }
}
