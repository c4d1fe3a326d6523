import AduanCore
import Fluent
import Foundation
import NIOCore
import Testing
import Vapor
@testable import App

// MARK: - Message building (no server)

@Suite("Mail: message building")
struct MailMessageTests {
    /// Decodes `=?UTF-8?B?…?=` words the way a mail reader does: adjacent words joined, folding whitespace dropped.
    func decodeWords(_ header: String) -> String {
        var bytes: [UInt8] = []
        for word in header.components(separatedBy: "\r\n ").flatMap({ $0.split(separator: " ") }) {
            guard word.hasPrefix("=?UTF-8?B?"), word.hasSuffix("?=") else { return header }
            bytes += Data(base64Encoded: String(word.dropFirst(10).dropLast(2))) ?? Data()
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test("a UTF-8 subject becomes folded encoded-words that decode back, every line within 76 characters")
    func encodedWords() {
        let subject = "Laporan Anda — tanggapan akhir untuk warga Banjarmasin: “jalan rusak” di Jl. A. Yani km 6, ümlaut ✓ 🚧"
        let encoded = MIME.headerText(subject, prefixLength: 9)
        #expect(encoded.contains("=?UTF-8?B?"))
        #expect(decodeWords(encoded) == subject)
        let lines = ("Subject: " + encoded).components(separatedBy: "\r\n")
        #expect(lines.count > 1)
        #expect(lines.allSatisfy { $0.count <= 76 })
    }

    @Test("a short ASCII subject stays plain; a line break cannot inject a header")
    func plainAndInjection() {
        #expect(MIME.headerText("[ADU-1] Report closed", prefixLength: 9) == "[ADU-1] Report closed")
        let hostile = MIME.headerText("Hello\r\nBcc: victim@example.org", prefixLength: 9)
        #expect(!hostile.contains("\r\nBcc"))
        #expect(!hostile.contains("\n"))
        #expect(MailAddress("x@example.org>\r\nRCPT TO:<y@example.org") == nil)
        #expect(MailAddress("Aduan Kalsel <noreply@kalselprov.go.id>") == MailAddress(name: "Aduan Kalsel", address: "noreply@kalselprov.go.id"))
        #expect(MailAddress(name: "Dinas Kesehatan (Kalsel)", address: "a@b.id")?.header == "\"Dinas Kesehatan (Kalsel)\" <a@b.id>")
        #expect(MailAddress(name: "Siti Aisyah", address: "siti@example.org")?.header == "Siti Aisyah <siti@example.org>")
        #expect(MailAddress(name: "Ñoño", address: "n@example.org")?.header.hasPrefix("=?UTF-8?B?") == true)
    }

    @Test("dot-stuffing doubles leading dots, normalises line ends and terminates the data")
    func dotStuffing() {
        #expect(MIME.dotStuffed("a\n.b\r\n..c\r\nd.\n.") == "a\r\n..b\r\n...c\r\nd.\r\n..\r\n.\r\n")
        #expect(MIME.dotStuffed("only\r\n") == "only\r\n.\r\n")
    }

    @Test("quoted-printable keeps lines within 76 characters, escapes '=' and trailing spaces, and round-trips UTF-8")
    func quotedPrintable() {
        let text = String(repeating: "Tindak lanjut = selesai. ", count: 8) + "akhir \nbaris é\n"
        let encoded = MIME.quotedPrintable(text)
        let lines = encoded.components(separatedBy: "\r\n")
        #expect(lines.allSatisfy { $0.count <= 76 })
        #expect(encoded.contains("=3D"))
        #expect(encoded.contains("akhir=20\r\n"))
        #expect(encoded.contains("=C3=A9"))
        #expect(!encoded.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        // Undo the encoding: drop soft breaks, decode =XX.
        var bytes: [UInt8] = []
        let joined = Array(encoded.replacingOccurrences(of: "=\r\n", with: "").utf8)
        var i = 0
        while i < joined.count {
            if joined[i] == UInt8(ascii: "="), let byte = UInt8(String(decoding: joined[(i + 1)...(i + 2)], as: UTF8.self), radix: 16) {
                bytes.append(byte); i += 3
            } else { bytes.append(joined[i]); i += 1 }
        }
        #expect(String(decoding: bytes, as: UTF8.self) == text.replacingOccurrences(of: "\n", with: "\r\n"))
    }

    @Test("the message is multipart/alternative with a text and an HTML part, CRLF only, and carries the idempotency key")
    func multipart() throws {
        let from = try #require(MailAddress("Aduan Kalsel <noreply@kalselprov.go.id>"))
        let message = MailMessage(from: from, to: [try #require(MailAddress(name: "Siti", address: "siti@example.org"))],
                                  subject: "Laporan Anda telah diterima", text: "Halo\n.titik di awal", html: "<p>Halo</p>",
                                  date: Date(timeIntervalSince1970: 1_773_385_200), idempotencyKey: "ADU-X:1:reporter:received")
        let rendered = message.rendered(boundary: "=_b")
        #expect(rendered.contains("Content-Type: multipart/alternative; boundary=\"=_b\"\r\n"))
        #expect(rendered.components(separatedBy: "\r\n--=_b\r\n").count == 3)
        #expect(rendered.hasSuffix("\r\n--=_b--\r\n"))
        #expect(rendered.contains("Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n"))
        #expect(rendered.contains("Content-Type: text/html; charset=UTF-8"))
        #expect(rendered.contains("Date: Fri, 13 Mar 2026 07:00:00 +0000\r\n"))
        #expect(rendered.contains("MIME-Version: 1.0\r\n"))
        #expect(rendered.contains("X-Aduan-Message-Key: ADU-X:1:reporter:received\r\n"))
        #expect(rendered.contains("Message-ID: \(message.messageID)\r\n"))
        #expect(message.messageID.hasSuffix("@kalselprov.go.id>"))
        #expect(!rendered.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        #expect(MIME.dotStuffed(rendered).contains("\r\n...titik di awal\r\n") == false) // QP never starts a line with a bare '.' twice
        #expect(MIME.dotStuffed(rendered).contains("\r\n..titik di awal\r\n"))
    }

    @Test("every kind the core emits has Indonesian and English wording; links and text are HTML-escaped")
    func templates() {
        let kinds = ["received", "info_requested", "dispositioned", "follow_up", "final_answer", "closed", "archived", "forwarded", "merged",
                     "new_complaint", "new_disposition", "returned", "reporter_replied", "disputed", "confirmed", "feedback",
                     "extension_requested", "extension_approved", "extension_refused", "supervision", "collaboration", "overdue", "escalation"]
        for kind in kinds {
            #expect(MailTemplates.table[kind]?["id"] != nil, "\(kind) id")
            #expect(MailTemplates.table[kind]?["en"] != nil, "\(kind) en")
        }
        let rendered = MailTemplates.render(kind: "received", language: "en", trackingID: "ADU-1", link: "https://x.id/t/ADU-1?a=1&b=<2>", officer: false)
        #expect(rendered.subject == "[ADU-1] Your report has been received")
        #expect(rendered.html.contains("https://x.id/t/ADU-1?a=1&amp;b=&lt;2&gt;"))
        #expect(!rendered.html.contains("<2>"))
        #expect(rendered.text.contains("https://x.id/t/ADU-1?a=1&b=<2>"))
        #expect(MailTemplates.render(kind: "received", language: "xx", trackingID: "ADU-1", link: "", officer: false).subject
                == "[ADU-1] Laporan Anda telah diterima")
    }

    @Test("settings: nothing without a host, defaults, and every malformed value listed")
    func settings() throws {
        #expect(try MailSettings.fromEnvironment([:]) == nil)
        let plain = try #require(try MailSettings.fromEnvironment(["ADUAN_SMTP_HOST": "smtp.kalselprov.go.id",
                                                                    "ADUAN_SMTP_FROM": "Aduan Kalsel <noreply@kalselprov.go.id>"]))
        #expect(plain.client.port == 587)
        #expect(plain.client.security == .starttls)
        #expect(plain.from.address == "noreply@kalselprov.go.id")
        let tls = try #require(try MailSettings.fromEnvironment(["ADUAN_SMTP_HOST": "h", "ADUAN_SMTP_FROM": "a@b.id", "ADUAN_SMTP_SECURITY": "tls"]))
        #expect(tls.client.port == 465)
        do {
            _ = try MailSettings.fromEnvironment(["ADUAN_SMTP_HOST": "h", "ADUAN_SMTP_PORT": "99999", "ADUAN_SMTP_SECURITY": "ssl",
                                                  "ADUAN_SMTP_USERNAME": "u"])
            Issue.record("expected a configuration error")
        } catch let error as Settings.Invalid {
            #expect(error.problems.count == 4, "\(error.problems)")
        }
    }

    @Test("replies: multi-line replies are joined, a malformed line is a protocol error")
    func replies() async throws {
        let reader = SMTPReplyReader(timeout: .seconds(1))
        let channel = EmbeddedChannel(handler: reader)
        try channel.writeInbound(ByteBuffer(string: "250-mail.example.org\r\n250-AUTH PLAIN LOGIN\r\n250 STARTTLS\r\n"))
        let reply = try await reader.next(stage: "EHLO", on: channel.eventLoop).get()
        #expect(reply == SMTPReply(code: 250, lines: ["mail.example.org", "AUTH PLAIN LOGIN", "STARTTLS"]))
        try channel.writeInbound(ByteBuffer(string: "hello\r\n"))
        await #expect(throws: SMTPError.self) { try await reader.next(stage: "x", on: channel.eventLoop).get() }
    }
}

// MARK: - Against a real SMTP server on loopback

/// aiosmtpd (tests/mail/sink.py) run as a child process; each accepted message lands as .eml + .json in `folder`.
final class SMTPSink: @unchecked Sendable {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("tests/mail/sink.py").path
    static let available: Bool = run(["python3", "-c", "import aiosmtpd"]) == 0
    /// CI installs aiosmtpd (tests/mail/requirements.txt): there a missing server is a failure, not a skip.
    static let runs = available || ProcessInfo.processInfo.environment["CI"] == "true"

    struct Received: Decodable {
        var mail_from: String
        var rcpt_tos: [String]
        var subject: String
        var from: String
        var to: String
        var message_id: String
        var key: String
        var content_type: String
        var authenticated: Bool?
        var tls: Bool
        var plain: String?
        var html: String?
    }

    let folder: URL
    let extra: [String]
    private(set) var port = 0
    private var process: Process?

    init(_ extra: [String] = []) {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("aduan-sink-\(UUID().uuidString)")
        self.extra = extra
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: folder)
    }

    @discardableResult
    static func run(_ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Starts the server (on the same port as before, after a stop) and waits until it listens.
    func start() async throws {
        try #require(Self.available, "aiosmtpd is not installed: pip install -r tests/mail/requirements.txt")
        let ready = folder.appendingPathComponent("ready-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.script, "--folder", folder.appendingPathComponent("mail").path, "--port", "\(port)",
                             "--ready", ready.path] + extra
        try process.run()
        self.process = process
        for _ in 0..<300 where !FileManager.default.fileExists(atPath: ready.path) {
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let text = try #require(try? String(contentsOf: ready, encoding: .utf8), "the SMTP sink did not start")
        port = try #require(Int(text))
    }

    func stop() {
        guard let process else { return }
        // SIGKILL: the test runner's signal mask can leave SIGTERM blocked in children, and a crash-like stop is
        // what the server-down test wants anyway (the sink writes each file atomically).
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        self.process = nil
    }

    /// Freezes the server: connections are accepted by the kernel but nothing answers.
    func suspend() { _ = process?.suspend() }
    func resume() { _ = process?.resume() }

    var emlCount: Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("mail").path)) ?? []).filter { $0.hasSuffix(".eml") }.count
    }

    func messages() throws -> [Received] {
        let dir = folder.appendingPathComponent("mail")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
        return try names.map { try JSONDecoder().decode(Received.self, from: Data(contentsOf: dir.appendingPathComponent($0))) }
    }
}

extension MailSettings {
    static func loopback(port: Int, host: String = "127.0.0.1", security: SMTPClient.Security = .none, username: String? = nil,
                         password: String? = nil, trustRootsFile: String? = nil, replyTimeout: TimeAmount = .seconds(10)) -> MailSettings {
        // The sink listens on loopback, which an SMTP client reaches only when allowed (as an operator allows a relay).
        MailSettings(client: SMTPClient.Configuration(host: host, port: port, security: security, username: username, password: password,
                                                      heloName: "aduan.test", connectTimeout: .seconds(3), replyTimeout: replyTimeout,
                                                      trustRootsFile: trustRootsFile,
                                                      outbound: OutboundPolicy(allowed: OutboundPolicy.parseAllowed(TestHarness.loopbackReceivers).0)),
                     from: MailAddress("Aduan Kalsel <noreply@kalselprov.go.id>")!)
    }
}

extension Application {
    func setEmail(_ username: String, _ email: String) async throws {
        let user = try #require(try await User.query(on: db).filter(\.$username == username).first())
        user.email = email
        try await user.save(on: db)
    }

    func outbox() async throws -> [OutboxMessage] {
        try await OutboxMessage.query(on: db).sort(\.$id).all()
    }
}

@Suite("Mail: delivery through a real SMTP server", .enabled(if: SMTPSink.runs, "aiosmtpd is not installed"))
struct MailDeliveryTests {
    @Test("a lifecycle reaches the reporter and the officers, with subjects, links and the reporter's language")
    func lifecycle() async throws {
        let sink = SMTPSink()
        try await sink.start()
        defer { sink.stop() }
        try await TestHarness.withApp(loopbackReceivers: true) { app in
            // Given officers with addresses and two reporters, one writing in English
            app.clock.set(Date(timeIntervalSince1970: 1_773_385_200))
            let coordinator = try await app.createOfficer("koord", .coordinator, "63")
            let liaison = try await app.createOfficer("dinkes", .liaison, "63/dinkes")
            try await app.setEmail("koord", "koord@kalselprov.go.id")
            try await app.setEmail("dinkes", "dinkes@kalselprov.go.id")
            let indonesian = try await app.submit().tracking_id
            let english = try await app.submit(["language": "en", "reporter": ["name": "John", "email": "john@example.org"]]).tracking_id
            for id in [indonesian, english] {
                #expect(try await app.act(coordinator, id, "verify", ["unit": "63/dinkes"]).0 == .ok)
                #expect(try await app.act(liaison, id, "respond_final", ["text": "Sudah ditangani."]).0 == .ok)
            }

            // When the worker delivers the outbox by e-mail
            let worker = Worker(app: app, transport: EmailTransport(app: app, settings: .loopback(port: sink.port)))
            let report = try await worker.runOnce()

            // Then every message went out once, to the right people
            let rows = try await app.outbox()
            #expect(report.delivered == rows.count && report.failed == 0, "\(report)")
            #expect(rows.allSatisfy { $0.status == "sent" })
            let mails = try sink.messages()
            #expect(mails.count == rows.count)
            #expect(Set(mails.map(\.key)) == Set(rows.map(\.idempotencyKey)))
            #expect(Set(mails.map(\.message_id)).count == mails.count)
            #expect(mails.allSatisfy { $0.content_type == "multipart/alternative" && $0.mail_from == "noreply@kalselprov.go.id" })

            let base = app.settings.baseURL
            let siti = mails.filter { $0.rcpt_tos == ["siti@example.org"] }
            #expect(siti.map(\.subject) == ["[\(indonesian)] Laporan Anda telah diterima",
                                            "[\(indonesian)] Laporan Anda diteruskan ke unit terkait",
                                            "[\(indonesian)] Tanggapan akhir atas laporan Anda"])
            #expect(siti.allSatisfy { $0.plain?.contains("\(base)/t/\(indonesian)") == true && $0.html?.contains("\(base)/t/\(indonesian)") == true })
            #expect(siti.first?.to == "Siti <siti@example.org>")
            let john = mails.filter { $0.rcpt_tos == ["john@example.org"] }
            #expect(john.map(\.subject) == ["[\(english)] Your report has been received",
                                            "[\(english)] Your report was forwarded to the responsible unit",
                                            "[\(english)] Final answer to your report"])
            #expect(john.allSatisfy { $0.plain?.contains("Follow your report: \(base)/t/\(english)") == true })

            let dinkes = mails.filter { $0.rcpt_tos == ["dinkes@kalselprov.go.id"] }
            #expect(dinkes.map(\.subject).sorted() == ["[\(english)] Disposisi baru untuk unit Anda", "[\(indonesian)] Disposisi baru untuk unit Anda"].sorted())
            #expect(dinkes.allSatisfy { mail in [indonesian, english].contains { mail.plain?.contains("\(base)/petugas/aduan/\($0)") == true } })
            let koord = mails.filter { $0.rcpt_tos == ["koord@kalselprov.go.id"] }
            #expect(koord.count == 2 && koord.allSatisfy { $0.subject.hasSuffix("Laporan baru perlu diverifikasi") })
            #expect(siti.count + john.count + dinkes.count + koord.count == mails.count)
        }
    }

    @Test("with the server down messages wait with a backoff; when it returns each is delivered once")
    func serverDown() async throws {
        let sink = SMTPSink()
        try await sink.start()
        sink.stop()
        defer { sink.stop() }
        try await TestHarness.withApp(loopbackReceivers: true) { app in
            // Given a complaint whose messages meet a stopped server
            app.clock.set(Date(timeIntervalSince1970: 1_773_385_200))
            let coordinator = try await app.createOfficer("koord", .coordinator, "63")
            _ = try await app.createOfficer("dinkes", .liaison, "63/dinkes")
            try await app.setEmail("koord", "koord@kalselprov.go.id")
            try await app.setEmail("dinkes", "dinkes@kalselprov.go.id")
            let id = try await app.submit().tracking_id
            #expect(try await app.act(coordinator, id, "verify", ["unit": "63/dinkes"]).0 == .ok)
            let worker = Worker(app: app, transport: EmailTransport(app: app, settings: .loopback(port: sink.port)))
            let total = try await app.outbox().count

            // When the worker runs, every message fails and waits
            let down = try await worker.runOnce()
            #expect(down.delivered == 0 && down.failed == total, "\(down)")
            let waiting = try await app.outbox()
            #expect(waiting.allSatisfy { $0.status == "pending" && $0.attempts == 1 && $0.nextAttemptAt > app.clock.now && $0.lastError != nil })

            // Then, with the server back, nothing is sent before the backoff ends, and everything once after it
            try await sink.start()
            #expect(try await worker.runOnce().delivered == 0)
            app.clock.advance(by: 31)
            let up = try await worker.runOnce()
            #expect(up.delivered == total && up.failed == 0, "\(up)")
            app.clock.advance(by: 3600)
            #expect(try await worker.runOnce().delivered == 0)
            #expect(sink.emlCount == total)
            let mails = try sink.messages()
            #expect(Set(mails.map(\.message_id)).count == total)
            #expect(Set(mails.map(\.key)) == Set(waiting.map(\.idempotencyKey)))
            #expect(try await app.outbox().allSatisfy { $0.status == "sent" })
        }
    }

    @Test("a reporter who left no e-mail gets no e-mail (their phone gets the message), and everything counts as delivered")
    func noReporterAddress() async throws {
        let sink = SMTPSink()
        try await sink.start()
        defer { sink.stop() }
        try await TestHarness.withApp(loopbackReceivers: true) { app in
            let id = try await app.submit(["reporter": ["name": "Tanpa Surel", "phone": "081234567890"]]).tracking_id
            let phone = RecordingTransport()
            let worker = Worker(app: app, transport: ChannelRouter(email: EmailTransport(app: app, settings: .loopback(port: sink.port)), sms: phone))
            let report = try await worker.runOnce()
            let total = try await app.outbox().count
            #expect(report.failed == 0 && report.delivered == total)
            #expect(try sink.messages().allSatisfy { !$0.subject.contains("Laporan Anda") })
            #expect(try await app.outbox().filter { $0.audience == "reporter" }.map(\.channel) == ["sms"])
            #expect(await phone.keys == ["\(id):1:reporter:received:sms"])
        }
    }

    @Test("a mailbox the server refuses for good (550) is dead-lettered at once, not retried")
    func permanentRejection() async throws {
        let sink = SMTPSink(["--reject-domain", "gone.example"])
        try await sink.start()
        defer { sink.stop() }
        try await TestHarness.withApp(loopbackReceivers: true) { app in
            _ = try await app.submit(["reporter": ["name": "Hilang", "email": "hilang@gone.example"]])
            let worker = Worker(app: app, transport: EmailTransport(app: app, settings: .loopback(port: sink.port)))
            _ = try await worker.runOnce()
            let received = try #require(try await app.outbox().first { $0.audience == "reporter" })
            #expect(received.status == "dead" && received.attempts == 1 && received.lastError?.contains("550") == true)
        }
    }

    @Test("a silent server times out with a typed error")
    func timeout() async throws {
        let sink = SMTPSink()
        try await sink.start()
        defer { sink.resume(); sink.stop() }
        sink.suspend()
        let client = SMTPClient(configuration: MailSettings.loopback(port: sink.port, replyTimeout: .milliseconds(500)).client)
        // SIGSTOP reaches the sink asynchronously, so the greeting may or may not have left before it froze:
        // either way the client must give up with a timeout, not hang or fail otherwise.
        let error = await #expect(throws: SMTPError.self) {
            try await client.send(from: "a@kalselprov.go.id", to: ["b@example.org"], data: "Subject: x\r\n\r\nx\r\n")
        }
        guard case .timeout(let stage)? = error else { Issue.record("expected a timeout, got \(String(describing: error))"); return }
        #expect(["greeting", "EHLO"].contains(stage))
    }

    @Test("STARTTLS must be offered when configured")
    func startTLSRequired() async throws {
        let sink = SMTPSink()
        try await sink.start()
        defer { sink.stop() }
        let client = SMTPClient(configuration: MailSettings.loopback(port: sink.port, security: .starttls).client)
        await #expect(throws: SMTPError.tls("server does not offer STARTTLS")) {
            try await client.send(from: "a@kalselprov.go.id", to: ["b@example.org"], data: "Subject: x\r\n\r\nx\r\n")
        }
        #expect(sink.emlCount == 0)
    }
}

@Suite("Mail: TLS and authentication", .enabled(if: SMTPSink.runs, "aiosmtpd is not installed"))
struct MailTLSTests {
    /// A self-signed certificate for `localhost`, used as the client's only extra trust root.
    static func certificate() throws -> (cert: String, key: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("aduan-cert-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let cert = dir.appendingPathComponent("cert.pem").path, key = dir.appendingPathComponent("key.pem").path
        let status = SMTPSink.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2",
                                   "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"])
        try #require(status == 0, "openssl could not make a test certificate")
        return (cert, key)
    }

    func send(_ settings: MailSettings) async throws {
        let message = MailMessage(from: settings.from, to: [MailAddress(name: nil, address: "siti@example.org")!], subject: "Uji TLS ✓",
                                  text: "isi", html: "<p>isi</p>", date: Date(), idempotencyKey: "tls-\(UUID().uuidString)")
        try await SMTPClient(configuration: settings.client).send(message)
    }

    @Test("STARTTLS then AUTH PLAIN; a wrong password is rejected with the server's code")
    func startTLSAndPlain() async throws {
        let (cert, key) = try Self.certificate()
        let sink = SMTPSink(["--tls-cert", cert, "--tls-key", key, "--auth", "aduan:rahasia"])
        try await sink.start()
        defer { sink.stop() }
        try await send(.loopback(port: sink.port, host: "localhost", security: .starttls, username: "aduan", password: "rahasia", trustRootsFile: cert))
        let mail = try #require(try sink.messages().first)
        #expect(mail.tls && mail.authenticated == true)
        #expect(mail.subject == "Uji TLS ✓")
        do {
            try await send(.loopback(port: sink.port, host: "localhost", security: .starttls, username: "aduan", password: "salah", trustRootsFile: cert))
            Issue.record("a wrong password was accepted")
        } catch SMTPError.rejected(let code, _) {
            #expect(code == 535)
        }
        #expect(sink.emlCount == 1)
    }

    @Test("an untrusted certificate is a TLS error")
    func untrusted() async throws {
        let (cert, key) = try Self.certificate()
        let sink = SMTPSink(["--tls-cert", cert, "--tls-key", key])
        try await sink.start()
        defer { sink.stop() }
        await #expect {
            try await send(.loopback(port: sink.port, host: "localhost", security: .starttls))
        } throws: { error in
            if case SMTPError.tls = error { return true } else { return false }
        }
        #expect(sink.emlCount == 0)
    }

    @Test("implicit TLS with AUTH LOGIN when the server offers no PLAIN")
    func implicitTLSAndLogin() async throws {
        let (cert, key) = try Self.certificate()
        let sink = SMTPSink(["--tls-cert", cert, "--tls-key", key, "--implicit-tls", "--auth", "aduan:rahasia", "--login-only"])
        try await sink.start()
        defer { sink.stop() }
        try await send(.loopback(port: sink.port, host: "localhost", security: .tls, username: "aduan", password: "rahasia", trustRootsFile: cert))
        let mail = try #require(try sink.messages().first)
        #expect(mail.authenticated == true)
    }
}
