import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Vapor

/// Aduan's HTTP client (`app.client`): every outbound request (webhooks, the SMS/WhatsApp gateway, the SP4N-LAPOR!
/// bridge) goes through `OutboundPolicy`. The name is resolved and checked here, and the connection is made to that
/// checked address (AsyncHTTPClient's DNS override; TLS still verifies the certificate for the name). Redirects are
/// not followed (a 3xx could point anywhere), and no more of the answer than `maxResponseBytes` is read.
struct GuardedClient: Client {
    let app: Application
    let eventLoop: any EventLoop
    /// Enough for any JSON answer Aduan reads; the rest of a larger answer is dropped unread.
    static let maxResponseBytes = 1_048_576

    func delegating(to eventLoop: any EventLoop) -> any Client { GuardedClient(app: app, eventLoop: eventLoop) }

    func send(_ request: ClientRequest) -> EventLoopFuture<ClientResponse> {
        let app = self.app
        return eventLoop.makeFutureWithTask { try await Self.send(request, app: app) }
    }

    static func send(_ request: ClientRequest, app: Application,
                     lookup: @Sendable (String) async throws -> [IPAddress] = OutboundPolicy.lookup) async throws -> ClientResponse {
        guard let url = URL(string: request.url.string), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = url.host, !host.isEmpty else {
            throw OutboundPolicy.Refused(host: request.url.string, address: "", kind: "")
        }
        let policy = app.settings.outbound
        let port = url.port ?? (scheme == "https" ? 443 : 80)
        let destination = try await policy.resolve(host: host, port: port, lookup: lookup)

        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow,
                                                     timeout: .init(connect: .seconds(policy.connectTimeout), read: request.timeout))
        configuration.dnsOverride = [host: destination.address.description, "[\(host)]": destination.address.description]
        let client = HTTPClient(eventLoopGroup: app.eventLoopGroup, configuration: configuration)
        do {
            var outgoing = HTTPClientRequest(url: request.url.string)
            outgoing.method = request.method
            outgoing.headers = request.headers
            if let body = request.body { outgoing.body = .bytes(body) }
            let deadline = NIODeadline.now() + (request.timeout ?? .seconds(30))
            let response = try await client.execute(outgoing, deadline: deadline)
            var collected = ByteBuffer()
            for try await var chunk in response.body {
                let room = maxResponseBytes - collected.readableBytes
                if chunk.readableBytes > room {
                    if room > 0, let part = chunk.readSlice(length: room) { var p = part; collected.writeBuffer(&p) }
                    break
                }
                collected.writeBuffer(&chunk)
            }
            try await client.shutdown()
            return ClientResponse(status: response.status, headers: response.headers, body: collected)
        } catch {
            try? await client.shutdown()
            throw error
        }
    }
}
