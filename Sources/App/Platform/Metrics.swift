import Foundation
import Prometheus
import Vapor

/// Prometheus metrics of this process: HTTP requests and latencies, queue depths and overdue counts.
final class AppMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    let outboxPending: Gauge
    let outboxDead: Gauge
    let overdue: Gauge
    let openComplaints: Gauge
    let submissions: Counter
    let transitions: Counter

    init() {
        outboxPending = registry.makeGauge(name: "aduan_outbox_pending", labels: [], help: "Messages waiting for delivery")
        outboxDead = registry.makeGauge(name: "aduan_outbox_dead", labels: [], help: "Messages that failed every retry")
        overdue = registry.makeGauge(name: "aduan_overdue_complaints", labels: [], help: "Open complaints past the government's due")
        openComplaints = registry.makeGauge(name: "aduan_open_complaints", labels: [], help: "Complaints not yet closed, archived or forwarded")
        submissions = registry.makeCounter(name: "aduan_submissions_total", labels: [], help: "Complaints accepted")
        transitions = registry.makeCounter(name: "aduan_worker_transitions_total", labels: [], help: "Automatic transitions and escalations written by the worker")
    }

    func request(method: String, route: String, status: Int, seconds: Double) {
        registry.makeCounter(name: "http_requests_total", labels: [("method", method), ("route", route), ("status", String(status))],
                             help: "HTTP requests").increment()
        registry.makeDurationHistogram(name: "http_request_duration_seconds", labels: [("method", method), ("route", route)],
                                       buckets: Self.buckets, help: "HTTP request latency")
            .recordNanoseconds(Int64(seconds * 1e9))
    }

    static let buckets: [Duration] = [.milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
                                      .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5)]
}

extension Application {
    private struct MetricsKey: StorageKey { typealias Value = AppMetrics }
    var metrics: AppMetrics {
        get { storage[MetricsKey.self]! }
        set { storage[MetricsKey.self] = newValue }
    }
}

/// Request ID in the logs and the response, and request metrics labelled by route pattern (bounded cardinality).
struct ObservabilityMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let start = DispatchTime.now().uptimeNanoseconds
        let metrics = request.application.metrics   // read before the request runs: the application may be shutting down after it
        let response = try await next.respond(to: request)
        response.headers.replaceOrAdd(name: "X-Request-ID", value: request.id)
        let route = request.route.map { "/" + $0.path.map(\.description).joined(separator: "/") } ?? "unmatched"
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        metrics.request(method: request.method.rawValue, route: route, status: Int(response.status.code), seconds: seconds)
        return response
    }
}
