import Foundation
import Testing
import Vapor
import VaporTesting
@testable import App
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Support for the issue 17 tests: a cookie-keeping client that shows every header, the real server on a socket with a
// client that sends many requests at once, the raw bytes of an HTTP exchange, and a password hasher that counts checks.

struct Reply: Sendable {
    var status: HTTPStatus
    var headers: HTTPHeaders
    var body: String
    var location: String? { headers.first(name: .location) }
}

/// A browser in memory: keeps cookies, knows the last form token, shows status, headers and body.
final class WebClient: @unchecked Sendable {
    let app: Application
    var cookies: [String: String] = [:]
    var token = ""
    var forwardedFor: String?

    init(_ app: Application) { self.app = app }

    @discardableResult
    func get(_ path: String) async throws -> Reply { try await send(.GET, path, form: nil) }

    @discardableResult
    func post(_ path: String, _ form: [String: String], csrf: Bool = true) async throws -> Reply {
        var fields = form
        if csrf { fields["_csrf"] = token }
        return try await send(.POST, path, form: fields)
    }

    func send(_ method: HTTPMethod, _ path: String, form: [String: String]?, headers extra: HTTPHeaders = [:]) async throws -> Reply {
        var out = Reply(status: .internalServerError, headers: [:], body: "")
        try await app.testing().test(method, path, headers: extra, beforeRequest: { req in
            var jar = HTTPCookies()
            for (k, v) in self.cookies { jar[k] = .init(string: v) }
            req.headers.cookie = jar
            if let forwardedFor = self.forwardedFor { req.headers.replaceOrAdd(name: "X-Forwarded-For", value: forwardedFor) }
            if let form { try req.content.encode(form, as: .urlEncodedForm) }
        }, afterResponse: { res in
            for (name, value) in res.headers.setCookie?.all ?? [:] {
                if value.string.isEmpty { self.cookies.removeValue(forKey: name) } else { self.cookies[name] = value.string }
            }
            out = Reply(status: res.status, headers: res.headers, body: res.body.string)
            if let token = csrfToken(in: out.body) { self.token = token }
        })
        return out
    }
}

func csrfToken(in html: String) -> String? {
    guard let r = html.range(of: #"name="_csrf" value=""#) else { return nil }
    return String(html[r.upperBound...].prefix { $0 != "\"" })
}

/// The application listening on a real socket (127.0.0.1, a free port), with an HTTP client that opens up to 64
/// connections at once and never follows redirects.
final class LiveServer: @unchecked Sendable {
    let app: Application
    let port: Int
    let client: HTTPClient

    private init(app: Application, port: Int, client: HTTPClient) { self.app = app; self.port = port; self.client = client }

    static func start(_ app: Application) async throws -> LiveServer {
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        let port = try #require(app.http.server.shared.localAddress?.port)
        var config = HTTPClient.Configuration()
        config.redirectConfiguration = .disallow
        config.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        return LiveServer(app: app, port: port, client: HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: config))
    }

    func send(_ method: HTTPMethod, _ path: String, headers: HTTPHeaders = [:], body: String? = nil) async throws -> Reply {
        var request = try HTTPClient.Request(url: "http://127.0.0.1:\(port)\(path)", method: method, headers: headers)
        if let body { request.body = .string(body) }
        let response = try await client.execute(request: request).get()
        let text = response.body.map { $0.getString(at: $0.readerIndex, length: $0.readableBytes) ?? "" } ?? ""
        return Reply(status: response.status, headers: response.headers, body: text)
    }

    /// `count` requests at once; the replies in the order of their index.
    func parallel(_ count: Int, _ make: @escaping @Sendable (Int) async throws -> Reply) async throws -> [Reply] {
        try await withThrowingTaskGroup(of: (Int, Reply).self) { group in
            for i in 0..<count { group.addTask { (i, try await make(i)) } }
            var replies = [Reply?](repeating: nil, count: count)
            for try await (i, reply) in group { replies[i] = reply }
            return replies.map { $0! }
        }
    }

    func stop() async {
        try? await client.shutdown()
        await app.server.shutdown()
    }

    /// Runs `body` with the server up, and always takes it down.
    static func with(_ app: Application, _ body: (LiveServer) async throws -> Void) async throws {
        let server = try await start(app)
        do { try await body(server) } catch { await server.stop(); throw error }
        await server.stop()
    }
}

/// Sends `request` as it is (bytes on a plain socket) and returns everything the server wrote back until it closed.
/// No HTTP client in between: what a browser would receive, header lines included. The blocking socket calls run on
/// a thread of their own: on the cooperative pool (two threads on two cores) they would starve the server they wait for.
func rawHTTP(port: Int, _ request: String) async throws -> String {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try blockingRawHTTP(port: port, request) }) }
    }
}

private func blockingRawHTTP(port: Int, _ request: String) throws -> String {
    #if os(Linux)
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
    let fd = socket(AF_INET, SOCK_STREAM, 0)
    #endif
    guard fd >= 0 else { throw POSIXFailure(call: "socket") }
    defer { close(fd) }
    var timeout = timeval(tv_sec: 10, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { throw POSIXFailure(call: "connect") }
    let bytes = Array(request.utf8)
    var sent = 0
    while sent < bytes.count {
        let n = bytes[sent...].withUnsafeBufferPointer { send(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { throw POSIXFailure(call: "send") }
        sent += n
    }
    var received: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 8192)
    while true {
        let n = buffer.withUnsafeMutableBufferPointer { recv(fd, $0.baseAddress, $0.count, 0) }
        if n <= 0 { break }
        received += buffer[0..<n]
    }
    return String(decoding: received, as: UTF8.self)
}

struct POSIXFailure: Error { var call: String }

/// The header lines of a raw HTTP response (between the status line and the blank line), exactly as sent.
func headerLines(_ raw: String) -> [String] {
    let head = raw.components(separatedBy: "\r\n\r\n").first ?? raw
    return Array(head.components(separatedBy: "\r\n").dropFirst())
}

/// bcrypt (cost 4) that counts how many passwords it was asked to check: the number of secrets actually compared.
final class CountingHasher: PasswordHasher, @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    var verifications: Int { lock.withLock { count } }
    func reset() { lock.withLock { count = 0 } }

    func hash<Password: DataProtocol>(_ password: Password) throws -> [UInt8] {
        Array(try Bcrypt.hash(String(decoding: Array(password), as: UTF8.self), cost: 4).utf8)
    }

    func verify<Password: DataProtocol, Digest: DataProtocol>(_ password: Password, created digest: Digest) throws -> Bool {
        lock.withLock { count += 1 }
        return try Bcrypt.verify(String(decoding: Array(password), as: UTF8.self), created: String(decoding: Array(digest), as: UTF8.self))
    }

    /// Installs a fresh counter as the application's password hasher.
    static func install(_ app: Application) -> CountingHasher {
        let hasher = CountingHasher()
        app.passwords.use { _ in hasher }
        return hasher
    }
}

/// A Location header a browser would follow only within this site, written from the issue's words independently of
/// `RedirectTarget`: a path starting with one `/`, visible ASCII only, no `\`, no scheme or host, and nothing that
/// turns into a control character or a `//` path once percent-decoded.
func isSafeLocation(_ location: String) -> Bool {
    guard location.hasPrefix("/"), !location.hasPrefix("//"), !location.hasPrefix("/\\"), !location.contains("\\"),
          location.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7f }),
          let url = URL(string: location), url.scheme == nil, url.host == nil else { return false }
    let decoded = location.removingPercentEncoding ?? ""
    return !decoded.unicodeScalars.contains { $0.value < 0x20 || (0x7f...0x9f).contains($0.value) }
        && !decoded.hasPrefix("//") && !decoded.contains("\\")
}

/// Percent-encodes a value for a query string or form (everything but letters and digits).
func encoded(_ value: String) -> String { value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "" }
