import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// What can go wrong talking to the mail server. The worker retries them all with backoff.
enum SMTPError: Error, Equatable, CustomStringConvertible {
    /// The server answered with an unexpected code (4xx transient, 5xx permanent).
    case rejected(code: Int, text: String)
    case connection(String)
    case timeout(String)
    case tls(String)
    case `protocol`(String)

    var description: String {
        switch self {
        case .rejected(let code, let text): return "SMTP server rejected: \(code) \(text)"
        case .connection(let detail): return "SMTP connection failed: \(detail)"
        case .timeout(let stage): return "SMTP timeout while waiting for \(stage)"
        case .tls(let detail): return "SMTP TLS failed: \(detail)"
        case .protocol(let detail): return "SMTP protocol error: \(detail)"
        }
    }
}

extension SMTPError {
    /// What went wrong without a word the server said (its reply text, a line that was not SMTP): what the sysadmin's
    /// test page shows, so a test against some other service reveals nothing of it.
    var summary: String {
        switch self {
        case .rejected(let code, _): return "the server answered \(code)"
        case .connection: return "no connection"
        case .timeout(let stage): return "no answer in time (\(stage.split(separator: ":").first.map(String.init) ?? stage))"
        case .tls: return "TLS failed"
        case .protocol: return "the answer was not SMTP"
        }
    }
}

/// One reply: a three-digit code and its text lines (RFC 5321 §4.2, several lines joined by `-`).
struct SMTPReply: Sendable, Equatable {
    var code: Int
    var lines: [String]
    var text: String { lines.joined(separator: " / ") }
}

/// An SMTP client on SwiftNIO: one connection per message, plain, implicit TLS or STARTTLS, AUTH PLAIN or LOGIN.
/// Hand-written because no package on this machine speaks SMTP.
struct SMTPClient: Sendable {
    enum Security: String, Sendable, CaseIterable { case starttls, tls, none }

    struct Configuration: Sendable {
        var host: String
        var port: Int
        var security: Security
        var username: String?
        var password: String?
        /// The name this client gives in EHLO.
        var heloName: String = "localhost"
        var connectTimeout: TimeAmount = .seconds(10)
        var replyTimeout: TimeAmount = .seconds(30)
        /// Extra PEM trust roots (a private CA); the system roots otherwise.
        var trustRootsFile: String?
        /// Where the connection may go: public addresses only unless the operator allows more
        /// (ADUAN_OUTBOUND_ALLOW; the transports put the installation's policy here).
        var outbound = OutboundPolicy()
    }

    let configuration: Configuration
    let group: any EventLoopGroup

    init(configuration: Configuration, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.configuration = configuration
        self.group = group
    }

    /// Sends the message to every envelope recipient in one transaction; throws unless all were accepted.
    func send(_ message: MailMessage) async throws {
        try await send(from: message.from.address, to: message.to.map(\.address), data: message.rendered())
    }

    func send(from sender: String, to recipients: [String], data: String) async throws {
        guard !recipients.isEmpty else { throw SMTPError.protocol("no recipients") }
        let session = try await connect()
        do {
            try await session.expect(220, "greeting")
            var capabilities = try await hello(session)
            if configuration.security == .starttls {
                guard capabilities.keys.contains("STARTTLS") else {
                    // Refuse rather than fall back: a man in the middle can strip the capability.
                    throw SMTPError.tls("server does not offer STARTTLS")
                }
                try await session.command("STARTTLS", expect: 220, stage: "STARTTLS")
                try await session.startTLS(context: try tlsContext(), serverHostname: serverHostname)
                capabilities = try await hello(session)
            }
            if let username = configuration.username, !username.isEmpty {
                try await authenticate(session, capabilities: capabilities, username: username, password: configuration.password ?? "")
            }
            try await session.command("MAIL FROM:<\(sender)>", expect: 250, stage: "MAIL FROM")
            for recipient in recipients {
                try await session.command("RCPT TO:<\(recipient)>", expect: [250, 251], stage: "RCPT TO")
            }
            try await session.command("DATA", expect: 354, stage: "DATA")
            try await session.write(MIME.dotStuffed(data))
            try await session.expect(250, "end of data")
            _ = try? await session.command("QUIT", expect: 221, stage: "QUIT")
            await session.close()
        } catch {
            await session.close()
            throw error
        }
    }

    /// EHLO, falling back to HELO for old servers; returns the capabilities (`AUTH` → `PLAIN LOGIN`).
    func hello(_ session: SMTPSession) async throws -> [String: String] {
        let reply = try await session.command("EHLO \(configuration.heloName)", stage: "EHLO")
        guard reply.code == 250 else {
            try await session.command("HELO \(configuration.heloName)", expect: 250, stage: "HELO")
            return [:]
        }
        var capabilities: [String: String] = [:]
        for line in reply.lines.dropFirst() {
            let parts = line.split(separator: " ", maxSplits: 1)
            guard let keyword = parts.first else { continue }
            capabilities[keyword.uppercased()] = parts.count > 1 ? String(parts[1]).uppercased() : ""
        }
        return capabilities
    }

    func authenticate(_ session: SMTPSession, capabilities: [String: String], username: String, password: String) async throws {
        let mechanisms = Set((capabilities["AUTH"] ?? "").split(separator: " ").map(String.init))
        if mechanisms.contains("PLAIN") {
            let token = Data(([0] + Array(username.utf8) + [0] + Array(password.utf8))).base64EncodedString()
            try await session.command("AUTH PLAIN \(token)", expect: 235, stage: "AUTH PLAIN")
        } else if mechanisms.contains("LOGIN") {
            try await session.command("AUTH LOGIN", expect: 334, stage: "AUTH LOGIN")
            try await session.command(Data(username.utf8).base64EncodedString(), expect: 334, stage: "AUTH LOGIN username")
            try await session.command(Data(password.utf8).base64EncodedString(), expect: 235, stage: "AUTH LOGIN password")
        } else {
            throw SMTPError.protocol("credentials are configured but the server offers neither AUTH PLAIN nor AUTH LOGIN")
        }
    }

    /// SNI and certificate name: the configured host unless it is an IP literal (SNI forbids those).
    var serverHostname: String? {
        configuration.host.allSatisfy({ $0.isNumber || $0 == "." }) || configuration.host.contains(":") ? nil : configuration.host
    }

    func tlsContext() throws -> NIOSSLContext {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let file = configuration.trustRootsFile { tls.additionalTrustRoots = [.file(file)] }
        do { return try NIOSSLContext(configuration: tls) } catch { throw SMTPError.tls("\(error)") }
    }

    func connect() async throws -> SMTPSession {
        let reader = SMTPReplyReader(timeout: configuration.replyTimeout)
        let context = configuration.security == .tls ? try tlsContext() : nil
        let hostname = serverHostname
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(configuration.connectTimeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let context {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: hostname))
                    }
                    try channel.pipeline.syncOperations.addHandler(reader)
                }
            }
        // Resolved and checked first, then connected to the checked address (a second lookup could answer otherwise).
        let destination = try await configuration.outbound.resolve(host: configuration.host, port: configuration.port)
        do {
            let channel = try await bootstrap.connect(to: try destination.socketAddress).get()
            return SMTPSession(channel: channel, reader: reader)
        } catch ChannelError.connectTimeout {
            throw SMTPError.timeout("connection to \(configuration.host):\(configuration.port)")
        } catch let error as SMTPError {
            throw error
        } catch {
            throw SMTPError.connection("\(configuration.host):\(configuration.port): \(error)")
        }
    }
}

/// One open connection: writes commands, awaits replies.
struct SMTPSession: Sendable {
    let channel: any Channel
    let reader: SMTPReplyReader

    func write(_ text: String) async throws {
        do {
            try await channel.writeAndFlush(ByteBuffer(string: text))
        } catch {
            throw reader.failure(for: error)
        }
    }

    func reply(_ stage: String) async throws -> SMTPReply {
        let reader = self.reader
        return try await channel.eventLoop.flatSubmit { reader.next(stage: stage, on: self.channel.eventLoop) }.get()
    }

    /// Reads a reply and throws `.rejected` unless its code is the expected one.
    @discardableResult
    func expect(_ codes: Set<Int>, _ stage: String) async throws -> SMTPReply {
        let reply = try await reply(stage)
        guard codes.contains(reply.code) else { throw SMTPError.rejected(code: reply.code, text: "\(stage): \(reply.text)") }
        return reply
    }

    @discardableResult
    func expect(_ code: Int, _ stage: String) async throws -> SMTPReply { try await expect([code], stage) }

    @discardableResult
    func command(_ line: String, stage: String) async throws -> SMTPReply {
        try await write(line + "\r\n")
        return try await reply(stage)
    }

    @discardableResult
    func command(_ line: String, expect codes: Set<Int>, stage: String) async throws -> SMTPReply {
        try await write(line + "\r\n")
        return try await expect(codes, stage)
    }

    @discardableResult
    func command(_ line: String, expect code: Int, stage: String) async throws -> SMTPReply {
        try await command(line, expect: [code], stage: stage)
    }

    /// Puts TLS under the reader. Bytes already received in clear after the 220 would be an injection attempt.
    func startTLS(context: NIOSSLContext, serverHostname: String?) async throws {
        let reader = self.reader
        let channel = self.channel
        try await channel.eventLoop.flatSubmit { () -> EventLoopFuture<Void> in
            if reader.hasBufferedInput {
                return channel.eventLoop.makeFailedFuture(SMTPError.protocol("data received before the TLS handshake"))
            }
            return channel.eventLoop.makeCompletedFuture {
                do {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: serverHostname),
                                                                   position: .first)
                } catch {
                    throw SMTPError.tls("\(error)")
                }
            }
        }.get()
    }

    func close() async {
        try? await channel.close()
    }
}

/// Splits incoming bytes into replies and hands them out in order, each wait bounded by the reply timeout.
/// Touched only on the channel's event loop (the client submits every call there).
final class SMTPReplyReader: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer

    private let timeout: TimeAmount
    private var buffer = ByteBuffer()
    private var lines: [String] = []
    private var replies: [SMTPReply] = []
    private var waiting: (promise: EventLoopPromise<SMTPReply>, timer: Scheduled<Void>, id: Int)?
    private var nextID = 0
    private var terminal: SMTPError?
    /// The longest line accepted (RFC 5321 allows 512; some servers send long EHLO lines).
    static let maxLine = 4096

    init(timeout: TimeAmount) { self.timeout = timeout }

    var hasBufferedInput: Bool { buffer.readableBytes > 0 || !lines.isEmpty || !replies.isEmpty }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        buffer.writeBuffer(&incoming)
        while terminal == nil, let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
            let length = newline - buffer.readerIndex
            var line = buffer.readString(length: length) ?? ""
            buffer.moveReaderIndex(forwardBy: 1)
            if line.hasSuffix("\r") { line.removeLast() }
            parse(line)
        }
        if buffer.readableBytes > Self.maxLine { fail(.protocol("reply line too long")) }
        buffer.discardReadBytes()
        deliver()
        if terminal != nil { context.close(promise: nil) }
    }

    func parse(_ line: String) {
        let bytes = Array(line.utf8)
        guard bytes.count >= 3, bytes[0...2].allSatisfy({ $0 >= 48 && $0 <= 57 }), let code = Int(String(line.prefix(3))),
              bytes.count == 3 || bytes[3] == UInt8(ascii: " ") || bytes[3] == UInt8(ascii: "-") else {
            fail(.protocol("malformed reply line: \(line.prefix(80))"))
            return
        }
        if let first = lines.first, !first.hasPrefix(String(code)) {
            fail(.protocol("reply code changed within a multi-line reply"))
            return
        }
        lines.append(line)
        if bytes.count == 3 || bytes[3] == UInt8(ascii: " ") {
            replies.append(SMTPReply(code: code, lines: lines.map { String($0.dropFirst(4)) }))
            lines = []
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(.connection("closed by the server"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(failure(for: error))
        context.close(promise: nil)
    }

    func failure(for error: any Error) -> SMTPError {
        if let error = error as? SMTPError { return error }
        if let terminal { return terminal }
        if error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError { return .tls("\(error)") }
        return .connection("\(error)")
    }

    /// The next reply; call on the event loop.
    func next(stage: String, on loop: any EventLoop) -> EventLoopFuture<SMTPReply> {
        if !replies.isEmpty { return loop.makeSucceededFuture(replies.removeFirst()) }
        if let terminal { return loop.makeFailedFuture(terminal) }
        precondition(waiting == nil, "one reply at a time")
        let promise = loop.makePromise(of: SMTPReply.self)
        nextID += 1
        let id = nextID
        let timer = loop.scheduleTask(in: timeout) { [self] in
            guard let waiting, waiting.id == id else { return }
            self.waiting = nil
            waiting.promise.fail(SMTPError.timeout(stage))
        }
        waiting = (promise, timer, id)
        return promise.futureResult
    }

    private func deliver() {
        guard let current = waiting else { return }
        if !replies.isEmpty {
            waiting = nil
            current.timer.cancel()
            current.promise.succeed(replies.removeFirst())
        } else if let terminal {
            waiting = nil
            current.timer.cancel()
            current.promise.fail(terminal)
        }
    }

    private func fail(_ error: SMTPError) {
        if terminal == nil { terminal = error }
        deliver()
    }
}
