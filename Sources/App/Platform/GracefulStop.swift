import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// Whether this instance should get new requests: false from SIGTERM on (the proxy's readiness check, `/readyz`,
/// answers 503 while the instance drains).
final class Readiness: Sendable {
    private let stopping = NIOLockedValueBox(false)
    var draining: Bool { stopping.withLockedValue { $0 } }
    func drain() { stopping.withLockedValue { $0 = true } }
}

extension Application {
    private struct ReadinessKey: StorageKey { typealias Value = Readiness }
    var readiness: Readiness {
        if let existing = storage[ReadinessKey.self] { return existing }
        let made = Readiness()
        storage[ReadinessKey.self] = made
        return made
    }
}

/// A graceful stop of `serve` (SIGTERM or SIGINT): readiness turns 503 at once; for `ADUAN_DRAIN_DELAY` seconds the
/// instance still serves, so a proxy that polls `/readyz` stops sending it new requests; then the listener closes
/// (new connections are refused), requests in flight are answered, idle keep-alive connections are closed, for at
/// most `ADUAN_SHUTDOWN_GRACE` seconds. Only then do the worker (it finishes the message it is sending and gives its
/// other claimed messages back) and the database connections stop. Registered after the worker so it runs first.
struct GracefulStop: LifecycleHandler {
    func shutdownAsync(_ app: Application) async {
        app.readiness.drain()
        let delay = app.settings.drainDelay
        app.logger.notice("stopping: readiness is 503; draining requests in flight",
                          metadata: ["drain_delay_s": "\(delay)", "grace_s": "\(app.settings.shutdownGrace)"])
        if delay > 0 { try? await Task.sleep(nanoseconds: UInt64(delay) * 1_000_000_000) }
        await app.server.shutdown()
        app.logger.notice("stopped accepting requests; the requests in flight were answered")
    }
}

/// Runs `body` but gives up after `seconds` (the answer of a health check must never hang on an unreachable database;
/// the abandoned query ends on its own when the connection fails).
func withDeadline<T: Sendable>(_ seconds: Double, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        let answered = NIOLockedValueBox(false)
        let finish: @Sendable (Result<T, any Error>) -> Void = { result in
            let first = answered.withLockedValue { done -> Bool in defer { done = true }; return !done }
            if first { continuation.resume(with: result) }
        }
        let work = Task { do { finish(.success(try await body())) } catch { finish(.failure(error)) } }
        Task {
            try? await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
            finish(.failure(DeadlinePassed(seconds: seconds)))
            work.cancel()
        }
    }
}

struct DeadlinePassed: Error, CustomStringConvertible {
    var seconds: Double
    var description: String { "no answer within \(seconds) s" }
}
