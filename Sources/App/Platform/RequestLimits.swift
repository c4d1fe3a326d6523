import AduanCore
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import Vapor

/// What one request may cost the server (docs/configuration.md, "Request limits"): a body no larger than its route
/// allows (a form's few hundred kilobytes; more only where files are uploaded), arriving at a minimum pace, a bounded
/// total of body bytes held in memory at once, and a bounded number of requests in progress per client address.
/// Without them, thirty unfinished 45 MB uploads took the server from 115 MB to 1.5 GB.
struct RequestLimits: Sendable, Equatable {
    /// Body limit of every route that takes no files (ADUAN_MAX_FORM_KB).
    var formBytes = 256 * 1024
    /// Seconds a body may take before it must keep the minimum pace (ADUAN_BODY_TIMEOUT).
    var bodyTimeout: Double = 30
    /// Bytes per second a body must average after that (ADUAN_BODY_MIN_RATE_KB): a 10 MB photo on a slow phone gets
    /// its time, a trickle of a byte now and then does not.
    var bodyMinBytesPerSecond = 16 * 1024
    /// Body bytes held in memory by all requests together (ADUAN_BODY_MEMORY_MB); a request that would pass it is
    /// answered 503 at once instead of growing the server.
    var bodyMemoryBytes = 128 * 1_048_576
    /// Requests in progress at once from one client address (ADUAN_MAX_REQUESTS_PER_ADDRESS; 0 turns it off). An
    /// HTTP/1.1 connection carries one request at a time, so this caps one address's busy connections; the address
    /// is the one `X-Forwarded-For` names when the peer is in ADUAN_TRUSTED_PROXIES.
    var perAddress = 32
    /// Seconds a connection may stay without reading or writing anything before it is closed (ADUAN_IDLE_TIMEOUT).
    var idleTimeout: Int64 = 60

    /// The key under which a route records its larger body limit (`RoutesBuilder.upload`).
    static let routeKey = "aduan.body_limit"

    /// The body limit of the route the request was routed to.
    func bodyLimit(of request: Request) -> Int {
        (request.route?.userInfo[AnySendableHashable(Self.routeKey)] as? Int) ?? formBytes
    }

    /// The time by which `received` bytes must have arrived, counted from the start of the body.
    func deadline(after received: Int) -> Double {
        bodyTimeout + Double(received) / Double(max(1, bodyMinBytesPerSecond))
    }
}

/// Requests in progress per client address.
final class AddressGate: Sendable {
    private let counts = NIOLockedValueBox<[String: Int]>([:])

    func enter(_ address: String, max: Int) -> Bool {
        counts.withLockedValue { counts in
            let current = counts[address, default: 0]
            guard current < max else { return false }
            counts[address] = current + 1
            return true
        }
    }

    func leave(_ address: String) {
        counts.withLockedValue { counts in
            let left = counts[address, default: 1] - 1
            counts[address] = left > 0 ? left : nil
        }
    }

    func inProgress(_ address: String) -> Int { counts.withLockedValue { $0[address, default: 0] } }
}

/// Body bytes held in memory by all requests together.
final class BodyBudget: Sendable {
    let capacity: Int
    private let used = NIOLockedValueBox(0)

    init(capacity: Int) { self.capacity = capacity }

    func take(_ bytes: Int) -> Bool {
        used.withLockedValue { used in
            guard used + bytes <= capacity else { return false }
            used += bytes
            return true
        }
    }

    func give(_ bytes: Int) { used.withLockedValue { $0 = max(0, $0 - bytes) } }

    var inUse: Int { used.withLockedValue { $0 } }
}

extension Application {
    private struct AddressGateKey: StorageKey { typealias Value = AddressGate }
    private struct BodyBudgetKey: StorageKey { typealias Value = BodyBudget }
    var addressGate: AddressGate {
        get { storage[AddressGateKey.self]! }
        set { storage[AddressGateKey.self] = newValue }
    }
    var bodyBudget: BodyBudget {
        get { storage[BodyBudgetKey.self]! }
        set { storage[BodyBudgetKey.self] = newValue }
    }
}

extension HTTPResponseStatus {
    /// The client went away before its request was read (nginx's 499): counted apart from the server's own errors.
    static let clientClosedRequest = HTTPResponseStatus(statusCode: 499, reasonPhrase: "Client Closed Request")
}

/// Applies `RequestLimits` to every request, before any other handler reads its body (the CSRF check included).
struct RequestLimitsMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let app = request.application
        let limits = app.settings.limits
        // No address holds a control character: refused before anything reads or logs it (log forging, NUL).
        if Self.hasControlCharacter(request.url.path) || Self.hasControlCharacter(request.url.query ?? "") {
            throw AppError.badRequest("the address holds a control character")
        }
        // A request without a peer did not come through a connection (an in-process test): nothing to cap.
        var slot: String?
        // The gate is held for the whole request: a request still finishing while the application shuts down (its
        // storage gone) must not read it again.
        let gate = app.addressGate
        if limits.perAddress > 0, request.remoteAddress != nil {
            let address = request.clientAddress
            guard gate.enter(address, max: limits.perAddress) else {
                BodyCollector.refuseRest(of: request, limits: limits)
                throw AppError.tooMany("too many requests in progress from this address; wait for them to finish", retryAfter: 5)
            }
            slot = address
        }
        defer { if let slot { gate.leave(slot) } }

        let limit = limits.bodyLimit(of: request)
        if let declared = request.headers.first(name: .contentLength).flatMap(Int.init), declared > limit {
            BodyCollector.refuseRest(of: request, limits: limits)
            throw Self.tooLarge(limit)
        }
        if let collected = request.body.data {
            if collected.readableBytes > limit { throw Self.tooLarge(limit) }
            return try await next.respond(to: request)
        }
        let hasBody = request.headers.first(name: .contentLength).map { $0 != "0" } ?? request.headers.contains(name: .transferEncoding)
        guard hasBody else { return try await next.respond(to: request) }
        let collector = BodyCollector(limit: limit, limits: limits, budget: app.bodyBudget,
                                      declared: request.headers.first(name: .contentLength).flatMap(Int.init))
        defer { collector.release() }
        let body = try await collector.collect(request)
        try request.content.encode(EmptyContent(), using: CollectedBody(buffer: body))
        return try await next.respond(to: request)
    }

    static func hasControlCharacter(_ text: String) -> Bool {
        let decoded = text.removingPercentEncoding ?? text
        return decoded.unicodeScalars.contains(where: TextHygiene.isControl)
    }

    static func tooLarge(_ limit: Int) -> AppError {
        AppError(status: .payloadTooLarge, code: "payload_too_large",
                 message: "the request body is larger than this address takes (\(limit / 1024) KB)")
    }

    /// Vapor's public way to hand a request its collected body is through a content encoder: this one writes the
    /// bytes as they came and leaves the headers alone.
    private struct CollectedBody: ContentEncoder {
        let buffer: ByteBuffer
        func encode<E: Encodable>(_ encodable: E, to body: inout ByteBuffer, headers: inout HTTPHeaders) throws { body = buffer }
    }
    private struct EmptyContent: Encodable {}
}

/// Reads one request body as it arrives, on the request's event loop: refuses it past the route's limit (413), when
/// it falls behind the minimum pace (408), when the memory budget is spent (503), and counts a client that went away
/// mid-body as 499. After a refusal the rest of the body is not read at all: the connection falls silent and the idle
/// timeout closes it shortly after the answer (a trickling client cannot keep it open, and no bytes are spent on it).
final class BodyCollector: @unchecked Sendable {
    let limit: Int
    let limits: RequestLimits
    let budget: BodyBudget
    let declared: Int?
    // Touched on the request's event loop only.
    private var buffer = ByteBuffer()
    private var received = 0
    private var held = 0
    private var finished = false
    /// Set when the body was refused: from then on the connection is left silent.
    private var refused = false
    private var timer: Scheduled<Void>?
    private var promise: EventLoopPromise<ByteBuffer>?
    private var loop: (any EventLoop)?
    private var started = NIODeadline.now()

    init(limit: Int, limits: RequestLimits, budget: BodyBudget, declared: Int?) {
        self.limit = limit; self.limits = limits; self.budget = budget; self.declared = declared
    }

    func collect(_ request: Request) async throws -> ByteBuffer {
        let loop = request.eventLoop
        let promise = loop.makePromise(of: ByteBuffer.self)
        loop.execute {
            self.promise = promise
            self.loop = loop
            self.started = .now()
            self.arm()
            request.body.drain { part in
                self.receive(part)
                return self.refused ? Self.silence(loop, self.limits) : loop.makeSucceededVoidFuture()
            }
        }
        return try await promise.futureResult.get()
    }

    /// Stops reading a body nobody will use (a request refused before its body was read): Vapor would otherwise read
    /// and drop all of it, and a client trickling bytes would keep the connection open.
    static func refuseRest(of request: Request, limits: RequestLimits) {
        guard request.body.data == nil else { return }
        let loop = request.eventLoop
        // Registered now (the stream hops to its loop itself), so it is in place before the answer is sent.
        request.body.drain { part in
            if case .buffer = part { return silence(loop, limits) }
            return loop.makeSucceededVoidFuture()
        }
    }

    /// A promise kept only after the idle timeout has closed the silent connection (so none is ever left unkept).
    static func silence(_ loop: any EventLoop, _ limits: RequestLimits) -> EventLoopFuture<Void> {
        loop.scheduleTask(in: .seconds(limits.idleTimeout + 1)) {}.futureResult
    }

    /// Gives the bytes held back to the budget (when the request is answered).
    func release() {
        let bytes = held
        held = 0
        budget.give(bytes)
    }

    private func receive(_ part: BodyStreamResult) {
        guard !finished else { return }
        switch part {
        case .buffer(var chunk):
            received += chunk.readableBytes
            if received > limit { return fail(RequestLimitsMiddleware.tooLarge(limit)) }
            guard budget.take(chunk.readableBytes) else {
                var error = AppError(status: .serviceUnavailable, code: "busy", message: "the server is receiving too much at once; try again in a moment")
                error.retryAfter = 10
                return fail(error)
            }
            held += chunk.readableBytes
            buffer.writeBuffer(&chunk)
            arm()
        case .error:
            fail(Self.aborted)
        case .end:
            if let declared, received < declared { return fail(Self.aborted) }
            finished = true
            timer?.cancel()
            promise?.succeed(buffer)
        }
    }

    static let aborted = AppError(status: .clientClosedRequest, code: "client_closed", message: "the client closed the connection before its request arrived")

    private func arm() {
        guard let loop else { return }
        timer?.cancel()
        let due = started + .nanoseconds(Int64(limits.deadline(after: received) * 1e9))
        timer = loop.scheduleTask(deadline: due) { [self] in
            guard !finished else { return }
            fail(AppError(status: .requestTimeout, code: "request_timeout", message: "the request body arrived too slowly"))
        }
    }

    private func fail(_ error: AppError) {
        finished = true
        refused = true
        timer?.cancel()
        buffer = ByteBuffer()
        release()
        promise?.fail(error)
    }
}
