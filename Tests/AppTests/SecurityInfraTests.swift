import AduanCore
import Fluent
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import App

// Issue 17, the infrastructure findings (5, 6, 8, 10, 11): each broken at the level where it was found. The request
// limits (7), the dead receiver against a real SMTP sink (8) and the log and metrics findings (10) are also shown
// against the running binary in tests-security/.

/// Python as the outside oracle (its csv and ipaddress modules do not share Aduan's assumptions). CI has python3; a
/// missing interpreter fails the test.
enum PythonOracle {
    static func run(_ script: String, input: Data) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin; process.standardOutput = stdout; process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(input)
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw AppError.badRequest("python3 failed: \(String(decoding: errors, as: UTF8.self))")
        }
        return output
    }

    /// The rows of a CSV file as Python's csv module reads it (newline='' keeps line breaks inside quoted fields).
    static func csvRows(_ data: Data) throws -> [[String]] {
        let script = "import csv, io, json, sys\ntext = sys.stdin.buffer.read().decode('utf-8-sig')\nprint(json.dumps(list(csv.reader(io.StringIO(text, newline='')))))"
        return try JSONDecoder().decode([[String]].self, from: run(script, input: data))
    }
}

// MARK: - Finding 5: CSV

@Suite("Finding 5: the CSV export quotes CR LF and defuses formulas on every line", .serialized)
struct CSVHardeningTests {
    @Test("a field is looked at scalar by scalar: CR LF is quoted, and each line that starts like a formula is defused")
    func field() {
        #expect(CSVRowEncoder.field("a\r\nb") == "\"a\r\nb\"")
        #expect(CSVRowEncoder.field("x\r\n=1+1") == "\"x\r\n'=1+1\"")
        #expect(CSVRowEncoder.field("x\n@SUM(A1)\r-2") == "\"x\n'@SUM(A1)\r'-2\"")
        #expect(CSVRowEncoder.field("=A1") == "'=A1")
        #expect(CSVRowEncoder.field("biasa saja") == "biasa saja")
        #expect(CSVRowEncoder.field("kata \"kutip\"") == "\"kata \"\"kutip\"\"\"")
    }

    @Test("over HTTP: Python's csv reader gets one row per complaint, and no line of any cell starts a formula")
    func exportOverHTTP() async throws {
        try await TestHarness.withApp { app in
            let coordinator = try await app.createOfficer("koord", .coordinator, "63")
            let typed = try await app.submit(["body": "Baris pertama laporan.\r\n=HYPERLINK(\"http://contoh.test\",\"klik\")\r\n@SUM(1+1)\r\n-2+3"])
            let legacy = try await app.submit()
            // Text written before it was cleaned where it enters (an older version) still holds CR LF.
            try await (app.db as! any SQLDatabase).raw("""
                UPDATE complaints SET title = \(bind: "Judul\r\n=1+1"), body = \(bind: "Isi lama\r\n+cmd|' /C calc'!A0\r\n\"kutip\", koma")
                WHERE tracking_id = \(bind: legacy.tracking_id)
                """).run()
            var data = Data()
            try await app.testing().test(.GET, "/api/v1/export/complaints.csv", headers: ["authorization": "Bearer \(coordinator)"]) { res in
                #expect(res.status == .ok)
                data = Data(buffer: res.body)
            }
            let rows = try PythonOracle.csvRows(data)
            #expect(rows.count == 3, "header and two complaints, whatever line breaks they hold")
            let header = try #require(rows.first)
            #expect(header == ComplaintExport.columns)
            #expect(rows.allSatisfy { $0.count == header.count })
            let byID = Dictionary(uniqueKeysWithValues: rows.dropFirst().map { row in
                (row[0], Dictionary(uniqueKeysWithValues: zip(header, row).map { ($0, $1) }))
            })
            #expect(byID[typed.tracking_id]?["body"] == "Baris pertama laporan.\n'=HYPERLINK(\"http://contoh.test\",\"klik\")\n'@SUM(1+1)\n'-2+3")
            #expect(byID[legacy.tracking_id]?["title"] == "Judul\r\n'=1+1")
            #expect(byID[legacy.tracking_id]?["body"] == "Isi lama\r\n'+cmd|' /C calc'!A0\r\n\"kutip\", koma")
            for cell in rows.dropFirst().flatMap({ $0 }) {
                for line in cell.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) {
                    #expect(!(line.first.map { "=+-@\t".contains($0) } ?? false), "a line of a cell starts a formula: \(line)")
                }
            }
        }
    }
}

// MARK: - Finding 6: outbound requests

/// A TCP server on loopback that writes `banner` to whoever connects (an internal service that is not SMTP), or,
/// with no banner, accepts and never answers (a dead receiver). Counts connections.
final class LoopbackTCPServer: @unchecked Sendable {
    private let channel: any Channel
    let accepted = NIOLockedValueBox(0)
    var port: Int { channel.localAddress?.port ?? 0 }

    /// Writes the banner once the connection is up (and then reads nothing).
    final class Banner: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let text: String
        init(_ text: String) { self.text = text }
        func channelActive(context: ChannelHandlerContext) {
            context.writeAndFlush(NIOAny(ByteBuffer(string: text)), promise: nil)
            context.fireChannelActive()
        }
    }

    init(banner: String?) async throws {
        let accepted = self.accepted
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { child in
                accepted.withLockedValue { $0 += 1 }
                guard let banner else { return child.eventLoop.makeSucceededVoidFuture() }
                return child.eventLoop.makeCompletedFuture { try child.pipeline.syncOperations.addHandler(Banner(banner)) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    func stop() async { try? await channel.close() }
}

@Suite("Finding 6: outbound requests reach public addresses only, checked after resolution", .serialized)
struct OutboundPolicyTests {
    /// Addresses and whether Python's ipaddress module calls them public (global and not multicast).
    static let sample = ["0.0.0.0", "0.1.2.3", "10.1.2.3", "100.64.0.1", "100.127.255.254", "127.0.0.1", "127.1.2.3", "169.254.169.254",
                         "172.16.0.1", "172.31.255.255", "172.32.0.1", "192.0.2.7", "192.168.1.1", "198.18.0.1", "198.51.100.1", "203.0.113.9",
                         "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255", "8.8.8.8", "1.1.1.1", "36.86.63.182", "103.10.20.30",
                         "::", "::1", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1", "2001:db8::1", "100::1", "2001::1",
                         "2606:4700:4700::1111", "2404:6800:4003:c00::64"]

    @Test("every address Python's ipaddress module does not call public is refused; the public ones pass")
    func classificationAgainstPython() throws {
        let script = "import ipaddress, json, sys\nprint(json.dumps({a: (lambda i: i.is_global and not i.is_multicast)(ipaddress.ip_address(a)) for a in json.load(sys.stdin)}))"
        let oracle = try JSONDecoder().decode([String: Bool].self, from: PythonOracle.run(script, input: JSONEncoder().encode(Self.sample)))
        let policy = OutboundPolicy()
        for address in Self.sample {
            let ip = try #require(IPAddress(address), "\(address)")
            let ours = policy.check(ip, port: 443, host: address) == nil
            #expect(ours == oracle[address], "\(address): Aduan says \(ours ? "public" : "refused"), Python \(oracle[address] == true ? "public" : "not public")")
        }
    }

    @Test("IPv4 inside IPv6 (mapped, compatible, NAT64, 6to4) is judged as the IPv4 it carries, as Python reads it out")
    func embeddedIPv4() throws {
        let forms = ["::ffff:127.0.0.1": "127.0.0.1", "::ffff:10.0.0.1": "10.0.0.1", "::ffff:8.8.8.8": "8.8.8.8", "::127.0.0.2": "127.0.0.2",
                     "64:ff9b::a9fe:a9fe": "169.254.169.254", "64:ff9b::808:808": "8.8.8.8", "2002:7f00:1::": "127.0.0.1", "2002:c0a8:101::": "192.168.1.1"]
        // Python's own reading of the embedded address (ipv4_mapped, sixtofour; NAT64 and compatible by their last 32 bits).
        let script = """
            import ipaddress, json, sys
            out = {}
            for a in json.load(sys.stdin):
                i = ipaddress.IPv6Address(a)
                v4 = i.ipv4_mapped or i.sixtofour or ipaddress.IPv4Address(int(i) & 0xffffffff)
                out[a] = str(v4)
            print(json.dumps(out))
            """
        let python = try JSONDecoder().decode([String: String].self, from: PythonOracle.run(script, input: JSONEncoder().encode(Array(forms.keys))))
        let policy = OutboundPolicy()
        for (form, inner) in forms {
            #expect(python[form] == inner, "\(form)")
            let outer = try #require(IPAddress(form))
            #expect(outer.embeddedIPv4 == IPAddress(inner), "\(form)")
            #expect((policy.check(outer, port: 80, host: form) == nil) == (policy.check(IPAddress(inner)!, port: 80, host: inner) == nil), "\(form)")
        }
    }

    @Test("names and old numeric forms are resolved first: localhost, 2130706433, 127.1 and 0.0.0.0 are all refused")
    func resolvedBeforeChecked() async throws {
        let policy = OutboundPolicy()
        for host in ["localhost", "2130706433", "127.1", "0x7f.1", "0.0.0.0", "[::1]", "::ffff:127.0.0.1"] {
            await #expect(throws: OutboundPolicy.Refused.self, "\(host)") { try await policy.resolve(host: host, port: 80) }
        }
        // A name with one public and one private address is refused as a whole.
        await #expect(throws: OutboundPolicy.Refused.self) {
            try await policy.resolve(host: "mixed.test", port: 80, lookup: { _ in [IPAddress("93.184.216.34")!, IPAddress("10.0.0.5")!] })
        }
        let destination = try await policy.resolve(host: "public.test", port: 443, lookup: { _ in [IPAddress("93.184.216.34")!] })
        #expect(destination.address == IPAddress("93.184.216.34"))
    }

    @Test("ADUAN_OUTBOUND_ALLOW: addresses, networks and ports; malformed entries stop the start")
    func allowList() throws {
        let settings = try Settings.fromEnvironment(["ADUAN_OUTBOUND_ALLOW": "127.0.0.1:2525, 10.20.0.0/16, [::1]:25, fd00::/8"])
        let policy = settings.outbound
        #expect(policy.check(IPAddress("127.0.0.1")!, port: 2525, host: "relay") == nil)
        #expect(policy.check(IPAddress("127.0.0.1")!, port: 8080, host: "relay") != nil)
        #expect(policy.check(IPAddress("::ffff:127.0.0.1")!, port: 2525, host: "relay") == nil)
        #expect(policy.check(IPAddress("10.20.3.4")!, port: 443, host: "gw") == nil)
        #expect(policy.check(IPAddress("10.21.0.1")!, port: 443, host: "gw") != nil)
        #expect(policy.check(IPAddress("::1")!, port: 25, host: "relay") == nil)
        #expect(policy.check(IPAddress("fd00::7")!, port: 1, host: "x") == nil)
        #expect(throws: Settings.Invalid.self) { try Settings.fromEnvironment(["ADUAN_OUTBOUND_ALLOW": "localhost"]) }
        #expect(throws: Settings.Invalid.self) { try Settings.fromEnvironment(["ADUAN_OUTBOUND_ALLOW": "10.0.0.0/33"]) }
    }

    @Test("a webhook to loopback in any spelling reaches nothing and dead-letters with the reason; allowed, it is delivered")
    func webhookToLoopback() async throws {
        let receiver = try await FakeWebhookReceiver()
        defer { Task { try? await receiver.stop() } }
        let port = try #require(URL(string: receiver.base)?.port)
        let spellings = ["127.0.0.1", "2130706433", "127.1", "0.0.0.0", "localhost", "[::1]", "[::ffff:127.0.0.1]"]
        try await TestHarness.withApp { app in
            for (index, host) in spellings.enumerated() {
                let input = WebhookAdmin.Input(name: "h\(index)", url: "http://\(host):\(port)/hook/h\(index)", secret: "", actions: [], jurisdiction: "63",
                                               includeSub: false)
                #expect(WebhookAdmin.problems(input, tree: try await app.reference.get(on: app.db).tree).isEmpty)
                _ = try await WebhookAdmin.create(input, actor: "test", app: app, on: app.db)
            }
            _ = try await app.submit()
            _ = try await app.webhookWorker().runOnce()
            let rows = try await app.webhookRows()
            #expect(rows.count == spellings.count)
            #expect(rows.allSatisfy { $0.status == "dead" && $0.attempts == 1 && ($0.lastError ?? "").contains("ADUAN_OUTBOUND_ALLOW") }, "\(rows.map(\.lastError))")
            #expect(await receiver.log.calls.isEmpty, "nothing reached the loopback receiver")
        }
        // The same receiver, allowed by the operator for its one port.
        try await TestHarness.withApp(env: ["ADUAN_OUTBOUND_ALLOW": "127.0.0.1:\(port)"]) { app in
            try await app.subscribe("ok", receiver: receiver)
            _ = try await app.submit()
            _ = try await app.webhookWorker().runOnce()
            #expect(try await app.webhookRows().map(\.status) == ["sent"])
        }
    }

    @Test("the connection goes to the address that was checked: a name only the check's resolver knows still arrives, with its Host")
    func connectsToCheckedAddress() async throws {
        let receiver = try await FakeWebhookReceiver()
        defer { Task { try? await receiver.stop() } }
        let port = try #require(URL(string: receiver.base)?.port)
        try await TestHarness.withApp(loopbackReceivers: true) { app in
            await receiver.log.setSecret("checked", "x")
            // No resolver on this machine knows `checked-name.invalid`: reaching the receiver means no second lookup.
            let request = ClientRequest(method: .POST, url: URI(string: "http://checked-name.invalid:\(port)/hook/checked"),
                                        headers: ["content-type": "application/json"], body: ByteBuffer(string: "{}"), timeout: .seconds(5))
            let response = try await GuardedClient.send(request, app: app, lookup: { _ in [IPAddress("127.0.0.1")!] })
            #expect(response.status == .ok)
            let calls = await receiver.log.calls
            #expect(calls.count == 1 && calls[0].headers.first(name: .host) == "checked-name.invalid:\(port)")
            // And an answer to a name that rebinds to a refused address is refused before any connection.
            await #expect(throws: OutboundPolicy.Refused.self) {
                try await GuardedClient.send(request, app: app, lookup: { _ in [IPAddress("169.254.169.254")!] })
            }
            #expect(await receiver.log.calls.count == 1)
        }
    }

    @Test("the test page shows status and time, never the receiver's words; a refused address says why")
    func testPage() async throws {
        let receiver = try await FakeWebhookReceiver()
        defer { Task { try? await receiver.stop() } }
        try await TestHarness.withApp { app in
            _ = try await app.createOfficer("admin", .sysadmin, "63")
            let browser = Browser(app)
            try await browser.get("/petugas/masuk")
            _ = try await browser.post("/petugas/masuk", ["username": "admin", "password": "password-admin"])
            let refused = try await WebhookAdmin.create(.init(name: "internal", url: receiver.base + "internal", secret: "", actions: [],
                                                              jurisdiction: "63", includeSub: false), actor: "test", app: app, on: app.db).0
            let path = "/petugas/admin/pesan/webhook/\(refused.id!)"
            try await browser.get(path)
            let (status, page, _) = try await browser.post(path + "/uji", [:])
            #expect(status == .ok && page.contains("ditolak:") && page.contains("ADUAN_OUTBOUND_ALLOW"))
            #expect(await receiver.log.calls.isEmpty)
        }
        try await TestHarness.withApp(loopbackReceivers: true) { app in
            _ = try await app.createOfficer("admin", .sysadmin, "63")
            let subscription = try await app.subscribe("ok", receiver: receiver)
            let browser = Browser(app)
            try await browser.get("/petugas/masuk")
            _ = try await browser.post("/petugas/masuk", ["username": "admin", "password": "password-admin"])
            let path = "/petugas/admin/pesan/webhook/\(subscription.id!)"
            let (_, before) = try await browser.get(path)
            #expect(before.contains(#"action="\#(path)/uji""#), "the test button posts to the test action")
            let (status, page, _) = try await browser.post(path + "/uji", [:])
            #expect(status == .ok && page.contains("HTTP 200 · ") && !page.contains("received"))
        }
    }

    @Test("SMTP: a sink on loopback is refused unless allowed; the test page never shows what a non-SMTP service said")
    func smtp() async throws {
        let sink = SMTPSink()
        try await sink.start()
        defer { sink.stop() }
        let impostor = try await LoopbackTCPServer(banner: "HTTP/1.1 400 Bad Request\r\nX-Internal-Secret: kata-rahasia-internal\r\n\r\n")
        defer { Task { await impostor.stop() } }
        try await TestHarness.withApp { _ in
            var settings = MailSettings.loopback(port: sink.port)
            settings.client.outbound = OutboundPolicy()
            let client = SMTPClient(configuration: settings.client)
            let mail = MailMessage(from: settings.from, to: [MailAddress("uji@example.org")!], subject: "s", text: "t", html: "<p>t</p>",
                                   date: Date(), idempotencyKey: "k")
            await #expect(throws: OutboundPolicy.Refused.self) { try await client.send(mail) }
            #expect(sink.emlCount == 0)
        }
        try await TestHarness.withApp(loopbackReceivers: true) { app in
            _ = try await app.createOfficer("admin", .sysadmin, "63")
            let browser = Browser(app)
            try await browser.get("/petugas/masuk")
            _ = try await browser.post("/petugas/masuk", ["username": "admin", "password": "password-admin"])
            app.mailSettings = .loopback(port: impostor.port, replyTimeout: .seconds(2))
            try await browser.get("/petugas/admin/pesan")
            let (status, page, _) = try await browser.post("/petugas/admin/pesan/uji", ["to": "uji@example.org"])
            #expect(status == .badGateway && page.contains("the answer was not SMTP"), "\(page.components(separatedBy: "role=\"alert\"").dropFirst().first?.prefix(300) ?? page.suffix(500))")
            #expect(!page.contains("kata-rahasia-internal") && !page.contains("Bad Request"))
        }
    }

    @Test("SP4N-LAPOR!: a bridge URL on loopback is refused and the forward dead-letters at once with the reason")
    func laporBridge() async throws {
        try await TestHarness.withApp { app in
            try await FakeLapor.with { fake, url in
                app.laporSettings = LaporSettings(baseURL: url, token: FakeLapor.token, timeout: 5)
                let coordinator = try await app.createOfficer("koord", .coordinator, "63")
                let sent = try await app.submit()
                let (status, body) = try await app.act(coordinator, sent.tracking_id, "forward_external", ["destination": "lapor"])
                #expect(status == .ok, "\(body)")
                _ = try await Worker(app: app, transport: LaporTransport(app: app)).deliverOutbox()
                let row = try #require(try await OutboxMessage.query(on: app.db).filter(\.$channel == "lapor").first())
                #expect(row.status == "dead" && (row.lastError ?? "").contains("ADUAN_OUTBOUND_ALLOW"))
                #expect(await fake.calls.isEmpty)
            }
        }
    }
}

// MARK: - Finding 7: request limits (the bounded tests against a real server are in tests-security/)

@Suite("Finding 7: body limits per route, the CSRF check within them")
struct RequestLimitTests {
    @Test("a form takes a form's body (256 KB), an upload route more; a portal form over the limit is refused before the CSRF check")
    func limitsByRoute() async throws {
        try await TestHarness.withApp { app in
            let big = String(repeating: "a", count: 300 * 1024)
            // A portal form with no token and an oversized body: 413, not a buffered 51 MB.
            try await app.testing().test(.POST, "/akun/masuk", headers: ["content-type": "application/x-www-form-urlencoded"],
                                         body: ByteBuffer(string: "email=a%40b.c&password=" + big)) { res in
                #expect(res.status == .payloadTooLarge)
            }
            // The public API's submission takes files, so 300 KB is within its limit (and then judged on its content).
            let json = #"{"title":"Jalan rusak","body":"\#(String(repeating: "Lubang besar. ", count: 1000))","jurisdiction":"63","address":"\#(String(repeating: "x", count: 200 * 1024))"}"#
            try await app.testing().test(.POST, "/api/v1/complaints", headers: ["content-type": "application/json"], body: ByteBuffer(string: json)) { res in
                #expect(res.status == .unprocessableEntity, "judged on content, not refused for size: \(res.body.string.prefix(200))")
            }
            #expect(app.settings.limits.formBytes == 256 * 1024)
            #expect(app.settings.maxBodyBytes == 10 * 1_048_576 * 5 + 1_048_576)
        }
    }

    @Test("the limits are settings: malformed values stop the start with every problem listed")
    func settings() throws {
        let s = try Settings.fromEnvironment(["ADUAN_MAX_FORM_KB": "64", "ADUAN_BODY_TIMEOUT": "5", "ADUAN_BODY_MIN_RATE_KB": "8",
                                              "ADUAN_BODY_MEMORY_MB": "200", "ADUAN_MAX_REQUESTS_PER_ADDRESS": "4", "ADUAN_IDLE_TIMEOUT": "7"])
        #expect(s.limits == RequestLimits(formBytes: 64 * 1024, bodyTimeout: 5, bodyMinBytesPerSecond: 8 * 1024, bodyMemoryBytes: 200 * 1_048_576,
                                          perAddress: 4, idleTimeout: 7))
        #expect(s.limits.deadline(after: 16 * 1024) == 7)
        #expect(throws: Settings.Invalid.self) { try Settings.fromEnvironment(["ADUAN_BODY_MEMORY_MB": "10"]) }
        #expect(throws: Settings.Invalid.self) { try Settings.fromEnvironment(["ADUAN_MAX_FORM_KB": "0"]) }
    }

    @Test("an address with a control character is refused (400) before anything reads or logs it")
    func controlCharactersInAddress() async throws {
        try await TestHarness.withApp { app in
            for path in ["/laporan?q=%00", "/t/ABC%0AFORGED", "/laporan?q=a%0d%0aSet-Cookie:%20x=1"] {
                try await app.testing().test(.GET, path) { res in #expect(res.status == .badRequest, "\(path)") }
            }
        }
    }
}

// MARK: - Finding 8: delivery lanes and the circuit breaker

@Suite("Finding 8: deliveries in lanes; a dead receiver's circuit opens", .serialized)
struct DeliveryLaneTests {
    @Test("the breaker: open after N failures in a row, one trial after the wait, twice as long after a failed trial, closed by a success")
    func breaker() {
        let tuning = DeliveryTuning(webhookTimeout: 1, breakerFailures: 3, breakerRetry: 60)
        let t0 = Date(timeIntervalSince1970: 1_775_000_000)
        var b = CircuitBreaker()
        b.failed(at: t0, error: "x", tuning: tuning); b.failed(at: t0, error: "x", tuning: tuning)
        #expect(b.gate(at: t0) == .closed)
        b.failed(at: t0, error: "x", tuning: tuning)
        #expect(b.gate(at: t0) == .open(until: t0.addingTimeInterval(60)))
        #expect(b.gate(at: t0.addingTimeInterval(60)) == .halfOpen)
        b.failed(at: t0.addingTimeInterval(60), error: "x", tuning: tuning)
        #expect(b.gate(at: t0.addingTimeInterval(61)) == .open(until: t0.addingTimeInterval(180)))
        b.succeeded()
        #expect(b == CircuitBreaker())
    }

    @Test("a receiver that accepts and never answers: e-mails go out in the same sweep, the circuit opens after 2 tries, waits, tries once, and a live receiver closes it and gets everything in order")
    func deadReceiver() async throws {
        let dead = try await LoopbackTCPServer(banner: nil)
        defer { Task { await dead.stop() } }
        let live = try await FakeWebhookReceiver()
        defer { Task { try? await live.stop() } }
        try await TestHarness.withApp(env: ["ADUAN_OUTBOUND_ALLOW": TestHarness.loopbackReceivers, "ADUAN_WEBHOOK_TIMEOUT": "1",
                                            "ADUAN_WEBHOOK_BREAKER_FAILURES": "2", "ADUAN_WEBHOOK_BREAKER_RETRY": "60"]) { app in
            let subscription = try await WebhookAdmin.create(.init(name: "mati", url: "http://127.0.0.1:\(dead.port)/hook", secret: "", actions: [],
                                                                   jurisdiction: "63", includeSub: false), actor: "test", app: app, on: app.db).0
            app.clock.set(app.clock.now)
            var sent: [String] = []
            for _ in 0..<4 { sent.append(try await app.submit().tracking_id) }
            let email = RecordingTransport()
            let worker = Worker(app: app, transport: ChannelRouter(email: email, sms: RecordingTransport(), webhook: WebhookTransport(app: app)))

            let first = try await worker.runOnce()
            // Every citizen's e-mail went out in this sweep, beside the stuck webhook lane.
            let mailed = try await OutboxMessage.query(on: app.db).filter(\.$channel == "email").all()
            #expect(!mailed.isEmpty && mailed.allSatisfy { $0.status == "sent" })
            // Two tries reached the dead receiver, then its circuit opened; the other two events wait, attempts unspent.
            #expect(dead.accepted.withLockedValue { $0 } == 2)
            var hooks = try await app.webhookRows()
            #expect(hooks.filter { $0.attempts == 1 }.count == 2 && hooks.filter { $0.attempts == 0 && $0.lockedBy == nil }.count == 2)
            #expect(first.failed >= 2)
            let breaker = try await DeliveryCircuit.load(subscription.audience, on: app.db)
            guard case .open = breaker.gate(at: app.clock.now) else { Issue.record("the circuit is \(breaker)"); return }

            // Open: the next sweeps send it nothing.
            _ = try await worker.runOnce()
            #expect(dead.accepted.withLockedValue { $0 } == 2)
            // After the wait (and the failed messages' own backoff): one trial, which fails and opens it for twice as long.
            app.clock.advance(by: 61)
            _ = try await worker.runOnce()
            #expect(dead.accepted.withLockedValue { $0 } == 3)
            // Open again, for twice the wait (times compared to the millisecond: the databases store them so).
            guard case .open(let until) = try await DeliveryCircuit.load(subscription.audience, on: app.db).gate(at: app.clock.now) else {
                Issue.record("the circuit did not open again"); return
            }
            #expect(abs(until.timeIntervalSince(app.clock.now) - 120) < 0.01)

            // The receiver comes back at another address: after the wait, the trial succeeds, the circuit closes and the rest follows.
            subscription.url = live.base + "mati"
            try await subscription.update(on: app.db)
            await live.log.setSecret("mati", try subscription.openSecret(app.secrets))
            app.clock.advance(by: 121)
            _ = try await worker.runOnce()
            hooks = try await app.webhookRows()
            #expect(hooks.allSatisfy { $0.status == "sent" }, "\(hooks.map { "\($0.status) \($0.attempts)" })")
            #expect(try await DeliveryCircuit.load(subscription.audience, on: app.db) == CircuitBreaker())
            let order = await live.log.calls.compactMap { $0.json["tracking_id"] as? String }
            #expect(order == sent, "each receiver gets its events in order")
        }
    }
}

// MARK: - Finding 10

@Suite("Finding 10: logs, file modes, control characters, webhooks of confidential complaints", .serialized)
struct SmallFindingTests {
    final class Capture: LogHandler, @unchecked Sendable {
        var lines: [String] = []
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
            let fields = (metadata ?? [:]).merging(self.metadata) { a, _ in a }.map { "\($0)=\($1)" }.sorted().joined(separator: " ")
            lines.append("\(message) \(fields)")
        }
    }

    @Test("the text log escapes control characters in messages and metadata: one call, one line")
    func logEscaping() {
        let capture = Capture()
        var logger = Logger(label: "t", factory: { _ in EscapingLogHandler(capture) })
        logger[metadataKey: "request-id"] = "a\nb"
        logger.info("GET /t/X\nINFO forged line", metadata: ["path": "/a\r\nb\u{1B}[31m", "list": .array([.string("x\ny")])])
        let line = capture.lines.joined()
        #expect(!line.contains("\n") && !line.contains("\r") && !line.contains("\u{1B}"))
        #expect(line.contains("GET /t/X\\nINFO forged line") && line.contains("/a\\r\\nb\\u{1b}[31m") && line.contains("a\\nb"))
        #expect(TextHygiene.escapedForLog("C:\\path") == "C:\\\\path", "a backslash is doubled so an escape cannot be faked")
    }

    @Test("the data folder: 0700, the SQLite file and its WAL 0600, the generated key 0600, attachments 0700/0600, a backup too")
    func fileModes() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("aduan-modes-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        // An earlier version left the folder and the database readable by everyone.
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        FileManager.default.createFile(atPath: dir.appendingPathComponent("aduan.sqlite").path, contents: nil, attributes: [.posixPermissions: 0o644])
        func mode(_ path: String) throws -> Int16 {
            try #require((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.int16Value) & 0o777
        }
        let app = try await Application.make(.testing)
        do {
            try configure(app, settings: try Settings.fromEnvironment(["ADUAN_DATA_DIR": dir.path, "ADUAN_SUBMIT_RATE_LIMIT": "0"]),
                          databaseOverride: nil)
            app.logger.logLevel = .warning
            try await Bootstrap.migrate(app)
            _ = try await ReferenceSeeder.seed(on: app.writeDB)
            app.reference.invalidate()
            let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0,
                                0x1F, 0x15, 0xC4, 0x89, 0, 0, 0, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0, 1, 0, 0, 5, 0, 1, 0x0D, 0x0A, 0x2D,
                                0xB4, 0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]
            let files = try SubmitComplaint.sanitizeAttachments([File(data: ByteBuffer(bytes: png), filename: "foto.png")], limit: 5, maxBytes: 1_048_576)
            _ = try await SubmitComplaint.create(submission: Submission(title: "Lampu mati", body: "Lampu jalan mati seminggu.", jurisdiction: "63"),
                                                      reporter: nil, content: .init(title: "Lampu mati", body: "Lampu jalan mati seminggu."),
                                                      language: "id", files: files, actor: .reporter, actorID: nil, app: app)
            #expect(try mode(dir.path) == 0o700)
            #expect(try mode(dir.appendingPathComponent("aduan.sqlite").path) == 0o600)
            #expect(try mode(dir.appendingPathComponent("aduan.sqlite-wal").path) == 0o600)
            #expect(try mode(dir.appendingPathComponent("secret.key").path) == 0o600)
            let attachments = dir.appendingPathComponent("attachments")
            #expect(try mode(attachments.path) == 0o700)
            let sub = try #require(try FileManager.default.contentsOfDirectory(atPath: attachments.path).first)
            #expect(try mode(attachments.appendingPathComponent(sub).path) == 0o700)
            let file = try #require(try FileManager.default.contentsOfDirectory(atPath: attachments.appendingPathComponent(sub).path).first)
            #expect(try mode(attachments.appendingPathComponent(sub).appendingPathComponent(file).path) == 0o600)
            let backup = dir.appendingPathComponent("cadangan")
            try await Backup.write(app, to: backup)
            #expect(try mode(backup.path) == 0o700)
            #expect(try mode(backup.appendingPathComponent("aduan.sqlite").path) == 0o600)
            #expect(try mode(backup.appendingPathComponent("secret.key").path) == 0o600)
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }

    @Test("control characters never reach storage: NUL, escapes and CR in titles, bodies, names and action texts (no 500 on PostgreSQL)")
    func controlCharacters() async throws {
        try await TestHarness.withApp { app in
            let body: [String: any Sendable] = ["title": "Jalan\u{0}berlubang\u{1B}[31m\r\nparah", "body": "Baris satu\u{0}\r\nBaris\u{7}dua\tTab",
                                                "jurisdiction": "63", "address": "Jl. A\u{0}Yani\nkm 17",
                                                "reporter": ["name": "Siti\u{0}\u{85}Aminah", "email": "siti@example.org"]]
            let data = try JSONSerialization.data(withJSONObject: body)
            var id = ""
            try await app.testing().test(.POST, "/api/v1/complaints", headers: ["content-type": "application/json"], body: ByteBuffer(data: data)) { res in
                #expect(res.status == .created, "\(res.body.string)")
                id = (try? res.content.decode(SubmissionResponse.self))?.tracking_id ?? ""
            }
            let stored = try await app.complaint(id)
            #expect(stored.title == "Jalanberlubang[31m parah")
            #expect(stored.body == "Baris satu\nBarisdua\tTab")
            #expect(stored.address == "Jl. AYani km 17")
            let reporter = try JSONDecoder().decode(ReporterIdentity.self, from: app.secrets.open(try #require(stored.reporterSealed)))
            #expect(reporter.name == "SitiAminah")
            // An officer's texts are cleaned the same way.
            let coordinator = try await app.createOfficer("koord", .coordinator, "63")
            let (status, answer) = try await app.act(coordinator, id, "request_info", ["text": "Mohon\u{0} foto\r\nlokasi", "internal_text": "cek\u{1B}"])
            #expect(status == .ok, "\(answer)")
            let event = try #require(try await Event.query(on: app.db).filter(\.$action == "request_info").first())
            #expect(event.publicText == "Mohon foto\nlokasi" && event.internalText == "cek")
            // The portal form too.
            let browser = Browser(app)
            try await browser.get("/lapor")
            let (formStatus, page, _) = try await browser.post("/lapor", ["title": "Sampah\u{0} menumpuk", "body": "Sampah di pasar\u{0} tidak diangkut.",
                                                                          "jurisdiction": "63"])
            #expect(formStatus == .seeOther, "\(page.prefix(300))")
            let titles = try await Complaint.query(on: app.db).all().map(\.title)
            #expect(titles.contains("Sampah menumpuk") && !titles.contains { $0.unicodeScalars.contains { TextHygiene.isControl($0) && $0 != "\n" } })
            let problems = try await AuditVerifier.verify(app).problems
            #expect(problems.isEmpty, "\(problems)")
        }
    }

    @Test("a complaint made confidential after its events were queued: what still waits is not sent")
    func madeConfidentialLater() async throws {
        let receiver = try await FakeWebhookReceiver()
        defer { Task { try? await receiver.stop() } }
        try await TestHarness.withApp(loopbackReceivers: true) { app in
            try await app.subscribe("all", receiver: receiver)
            let coordinator = try await app.createOfficer("koord", .coordinator, "63")
            let sent = try await app.submit()
            #expect(try await app.webhookRows().count == 1)
            let (status, body) = try await app.act(coordinator, sent.tracking_id, "set_privacy", ["confidential": true])
            #expect(status == .ok, "\(body)")
            _ = try await app.webhookWorker().runOnce()
            let row = try #require(try await app.webhookRows().first)
            #expect(row.status == "sent" && row.providerResponse == "skipped: the complaint is confidential")
            #expect(await receiver.log.calls.isEmpty)
        }
    }
}

// MARK: - Finding 11: the audit chain covers the complaint set, the projections and the audit log

@Suite("Finding 11: audit verify catches deleted complaints, edited rows and an edited audit log", .serialized)
struct AuditCoverageTests {
    /// A lifecycle with many kinds of move, anchored; verify finds nothing.
    func lifecycle(_ app: Application) async throws -> (kept: String, deleted: String) {
        let coordinator = try await app.createOfficer("koord", .coordinator, "63")
        let liaison = try await app.createOfficer("dinkes", .liaison, "63/dinkes")
        let kept = try await app.submit(["anonymous": true])
        for (token, action, body) in [(coordinator, "verify", ["unit": "63/dinkes"] as [String: any Sendable]),
                                      (liaison, "request_extension", ["days": 3, "internal_text": "Butuh survei"]),
                                      (coordinator, "decide_extension", ["approve": true]),
                                      (liaison, "follow_up", ["text": "Sedang dikerjakan"]),
                                      (liaison, "respond_final", ["text": "Sudah diperbaiki"]),
                                      (coordinator, "note", ["internal_text": "Dicek"]),
                                      (coordinator, "set_privacy", ["confidential": true])] {
            let (status, answer) = try await app.act(token, kept.tracking_id, action, body)
            #expect(status == .ok, "\(action): \(answer)")
        }
        #expect(try await app.reporter(kept.secret, kept.tracking_id, "dispute", ["text": "Belum beres"]).0 == .ok)
        #expect(try await app.act(liaison, kept.tracking_id, "respond_final", ["text": "Sekarang beres"]).0 == .ok)
        #expect(try await app.reporter(kept.secret, kept.tracking_id, "confirm", [:]).0 == .ok)
        #expect(try await app.reporter(kept.secret, kept.tracking_id, "feedback", ["rating": 4]).0 == .ok)
        let deleted = try await app.submit()
        #expect(try await app.act(coordinator, deleted.tracking_id, "archive", ["reason": "spam"]).0 == .ok)
        let other = try await app.submit()
        #expect(try await app.act(coordinator, other.tracking_id, "forward_external", ["destination": "Ombudsman RI", "external_ref": "OMB-1"]).0 == .ok)
        #expect(try await AuditAnchors.write(app) != nil)
        let clean = try await AuditVerifier.verify(app)
        #expect(clean.findings.isEmpty, "\(clean.problems)")
        #expect(clean.anchors == 1 && clean.auditRows > 0)
        return (kept.tracking_id, deleted.tracking_id)
    }

    var sql: (Application) -> any SQLDatabase { { $0.db as! any SQLDatabase } }

    @Test("a whole complaint deleted with its events and rows: the anchors miss it")
    func deletedComplaint() async throws {
        try await TestHarness.withApp { app in
            let (_, deleted) = try await lifecycle(app)
            let id = try await app.complaint(deleted).id!
            for table in ["events", "stages", "attachments", "outbox"] {
                try await sql(app).raw("DELETE FROM \(ident: table) WHERE complaint_id = \(bind: id)").run()
            }
            try await sql(app).raw("DELETE FROM complaints WHERE id = \(bind: id)").run()
            let result = try await AuditVerifier.verify(app)
            #expect(result.count(.anchors) >= 2, "\(result.problems)")
            #expect(result.findings.contains { $0.kind == .anchors && $0.text.contains("1 complaint anchored earlier is gone (id \(id))") })
            #expect(result.findings.contains { $0.kind == .anchors && $0.text.contains("event") && $0.text.contains("gone") })
            #expect(result.count(.eventChain) == 0 && result.count(.projection) == 0)
        }
    }

    @Test("a complaint row edited (state, unit, confidentiality): the replayed events disagree")
    func editedProjection() async throws {
        try await TestHarness.withApp { app in
            let (kept, deleted) = try await lifecycle(app)
            try await sql(app).raw("UPDATE complaints SET state = 'diproses' WHERE tracking_id = \(bind: kept)").run()
            try await sql(app).raw("UPDATE complaints SET confidential = \(bind: false) WHERE tracking_id = \(bind: kept)").run()
            try await sql(app).raw("UPDATE complaints SET unit_id = '63/dishub' WHERE tracking_id = \(bind: deleted)").run()
            let result = try await AuditVerifier.verify(app)
            let projection = result.findings.filter { $0.kind == .projection }.map(\.text)
            #expect(projection.contains { $0.hasPrefix("\(kept): state is diproses but its events say selesai") }, "\(projection)")
            #expect(projection.contains { $0.hasPrefix("\(kept): confidential is false but its events say true") })
            #expect(projection.contains { $0.hasPrefix("\(deleted): unit is 63/dishub") })
            #expect(result.count(.eventChain) == 0 && result.count(.anchors) == 0 && result.count(.auditLog) == 0)
        }
    }

    @Test("audit rows edited, deleted, or all rehashed: the audit log's chain and the anchors catch each")
    func editedAuditLog() async throws {
        try await TestHarness.withApp { app in
            _ = try await lifecycle(app)
            let rows = try await AuditEntry.query(on: app.db).sort(\.$id).all()
            #expect(rows.count >= 3 && rows.allSatisfy { $0.hash != nil })
            try await sql(app).raw("UPDATE audit_log SET detail = 'nothing to see' WHERE id = \(bind: rows[1].id!)").run()
            var result = try await AuditVerifier.verify(app)
            #expect(result.findings.contains { $0.kind == .auditLog && $0.text.contains("audit row \(rows[1].id!)") && $0.text.contains("altered") })
        }
        try await TestHarness.withApp { app in
            _ = try await lifecycle(app)
            let rows = try await AuditEntry.query(on: app.db).sort(\.$id).all()
            try await sql(app).raw("DELETE FROM audit_log WHERE id = \(bind: rows[1].id!)").run()
            let result = try await AuditVerifier.verify(app)
            #expect(result.findings.contains { $0.kind == .auditLog && $0.text.contains("a row was deleted") })
            #expect(result.findings.contains { $0.kind == .anchors && $0.text.contains("audit row anchored earlier is gone (id \(rows[1].id!))") })
        }
        try await TestHarness.withApp { app in
            // Someone edits a row and has every row rehashed (the chain is sealed again at the next audit write):
            // the chain is consistent, but the head the anchor recorded is gone.
            _ = try await lifecycle(app)
            let rows = try await AuditEntry.query(on: app.db).sort(\.$id).all()
            try await sql(app).raw("UPDATE audit_log SET detail = 'edited', hash = NULL, prev_hash = NULL").run()
            try await AuditEntry(at: app.clock.now, actor: "x", action: "login", complaintID: nil, detail: "").create(on: app.writeDB)
            let result = try await AuditVerifier.verify(app)
            #expect(result.count(.auditLog) == 0)
            #expect(result.findings.contains { $0.kind == .anchors && $0.text.contains("audit row \(rows.last!.id!) is not the one anchored") }, "\(result.problems)")
        }
    }

    @Test("anchors: an edited or deleted anchor is caught; rows from before the chain are sealed in order by the first audit write")
    func anchorsAndLegacy() async throws {
        try await TestHarness.withApp { app in
            _ = try await lifecycle(app)
            _ = try await app.submit()
            #expect(try await AuditAnchors.write(app) != nil)
            _ = try await app.submit()
            #expect(try await AuditAnchors.write(app) != nil)
            #expect(try await AuditAnchors.write(app) == nil, "nothing new, no anchor")
            try await sql(app).raw("UPDATE audit_anchors SET complaint_ids = '' WHERE id = 2").run()
            try await sql(app).raw("DELETE FROM audit_anchors WHERE id = 1").run()
            let result = try await AuditVerifier.verify(app)
            #expect(result.findings.contains { $0.kind == .anchors && $0.text == "anchor 2 was altered" })
            #expect(result.findings.contains { $0.kind == .anchors && $0.text.contains("anchor 2 does not follow") })
        }
        try await TestHarness.withApp { app in
            // Rows written before the upgrade have no hash; the next audit write chains them all, in order.
            for detail in ["satu", "dua"] {
                try await sql(app).raw("INSERT INTO audit_log (at, actor, action, detail) VALUES (\(bind: app.clock.now), 'lama', 'login', \(bind: detail))").run()
            }
            var result = try await AuditVerifier.verify(app)
            #expect(result.findings.filter { $0.kind == .auditLog }.count == 2)
            try await AuditEntry(at: app.clock.now, actor: "baru", action: "login", complaintID: nil, detail: "tiga").create(on: app.writeDB)
            result = try await AuditVerifier.verify(app)
            #expect(result.findings.isEmpty, "\(result.problems)")
            #expect(try await AuditEntry.query(on: app.db).sort(\.$id).all().map(\.detail) == ["satu", "dua", "tiga"])
        }
    }
}
