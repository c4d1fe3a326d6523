import Foundation
import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// An IPv4 (4 bytes) or IPv6 (16 bytes) address.
struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    let bytes: [UInt8]

    init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// A numeric address in its standard text form (`10.0.0.1`, `::1`, `[::1]`); names and the old shorthand forms
    /// (`2130706433`, `127.1`) are not addresses here: they go through the resolver, which is where they are checked.
    init?(_ text: String) {
        var text = text
        if text.hasPrefix("["), text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        if let zone = text.firstIndex(of: "%") { text = String(text[..<zone]) }
        var v4 = in_addr()
        if text.contains("."), !text.contains(":"), inet_pton(AF_INET, text, &v4) == 1 {
            self.bytes = withUnsafeBytes(of: &v4) { Array($0) }
            return
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            self.bytes = withUnsafeBytes(of: &v6) { Array($0) }
            return
        }
        return nil
    }

    init?(_ address: SocketAddress) {
        switch address {
        case .v4(let a):
            var raw = a.address.sin_addr
            self.bytes = withUnsafeBytes(of: &raw) { Array($0) }
        case .v6(let a):
            var raw = a.address.sin6_addr
            self.bytes = withUnsafeBytes(of: &raw) { Array($0) }
        default:
            return nil
        }
    }

    var isIPv4: Bool { bytes.count == 4 }

    var description: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        var copy = bytes
        let family = isIPv4 ? AF_INET : AF_INET6
        guard inet_ntop(family, &copy, &buffer, socklen_t(buffer.count)) != nil else { return "?" }
        return String(cString: buffer)
    }

    /// Whether the first `prefix` bits equal those of `network` (same family).
    func within(_ network: IPAddress, prefix: Int) -> Bool {
        guard bytes.count == network.bytes.count, prefix >= 0, prefix <= bytes.count * 8 else { return false }
        var bits = prefix
        for i in 0..<bytes.count where bits > 0 {
            let mask: UInt8 = bits >= 8 ? 0xFF : ~(0xFF >> UInt8(bits))
            if bytes[i] & mask != network.bytes[i] & mask { return false }
            bits -= 8
        }
        return true
    }

    /// The IPv4 address an IPv6 address stands for: IPv4-mapped (`::ffff:a.b.c.d`), IPv4-compatible (`::a.b.c.d`),
    /// NAT64 (`64:ff9b::a.b.c.d`) and 6to4 (`2002:AABB:CCDD::`), so `::ffff:127.0.0.1` is loopback like `127.0.0.1`.
    var embeddedIPv4: IPAddress? {
        guard bytes.count == 16 else { return nil }
        let zeros = bytes[0..<10].allSatisfy { $0 == 0 }
        if zeros && bytes[10] == 0xFF && bytes[11] == 0xFF { return IPAddress(bytes: Array(bytes[12..<16])) }
        if zeros && bytes[10] == 0 && bytes[11] == 0 && !bytes[12..<15].allSatisfy({ $0 == 0 }) { return IPAddress(bytes: Array(bytes[12..<16])) }
        if bytes[0..<12] == [0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0] { return IPAddress(bytes: Array(bytes[12..<16])) }
        if bytes[0] == 0x20 && bytes[1] == 0x02 { return IPAddress(bytes: Array(bytes[2..<6])) }
        return nil
    }
}

/// Where an outbound request may go. Aduan calls out to addresses a sysadmin types in (webhooks, the SMS/WhatsApp
/// gateway, SMTP) or an operator configures (the SP4N-LAPOR! bridge): without this check a sysadmin's form is a port
/// scanner of the server's own network. Only public unicast addresses are reached, checked after name resolution, and
/// the connection goes to the very address that was checked (a second lookup could answer differently: DNS
/// rebinding). The operator lists what else may be reached in `ADUAN_OUTBOUND_ALLOW`.
struct OutboundPolicy: Sendable, Equatable {
    /// One allowed destination: a network (an address is a /32 or /128) and optionally one port.
    struct Allowed: Sendable, Equatable {
        var network: IPAddress
        var prefix: Int
        var port: Int?

        func matches(_ address: IPAddress, port: Int) -> Bool {
            guard self.port == nil || self.port == port else { return false }
            return address.within(network, prefix: prefix) || (address.embeddedIPv4.map { $0.within(network, prefix: prefix) } ?? false)
        }
    }

    var allowed: [Allowed] = []
    /// Seconds to wait for a connection to be accepted (ADUAN_OUTBOUND_CONNECT_TIMEOUT).
    var connectTimeout: Int64 = 5

    /// A destination that passed the check: the name asked for and the address to connect to.
    struct Destination: Sendable, Equatable {
        var host: String
        var address: IPAddress
        var port: Int
        var socketAddress: SocketAddress {
            get throws { try SocketAddress(ipAddress: address.description, port: port) }
        }
    }

    struct Refused: Error, CustomStringConvertible, Equatable {
        var host: String
        var address: String
        var kind: String
        var description: String {
            address.isEmpty
                ? "\(host) cannot be resolved to an address"
                : "\(host) is \(address) (\(kind)): outbound requests do not go to such addresses unless an operator lists them in ADUAN_OUTBOUND_ALLOW"
        }
    }

    /// Kinds of address that are never reached unless allowed.
    enum Kind: String, Sendable {
        case `public`
        case unspecified, loopback, privateNetwork = "private network", sharedCGNAT = "shared address space (CGNAT)"
        case linkLocal = "link-local", multicast, documentation, reserved
    }

    private static let ipv4Ranges: [(String, Int, Kind)] = [
        ("0.0.0.0", 8, .unspecified), ("10.0.0.0", 8, .privateNetwork), ("100.64.0.0", 10, .sharedCGNAT),
        ("127.0.0.0", 8, .loopback), ("169.254.0.0", 16, .linkLocal), ("172.16.0.0", 12, .privateNetwork),
        ("192.0.0.0", 24, .reserved), ("192.0.2.0", 24, .documentation), ("192.88.99.0", 24, .reserved),
        ("192.168.0.0", 16, .privateNetwork), ("198.18.0.0", 15, .reserved), ("198.51.100.0", 24, .documentation),
        ("203.0.113.0", 24, .documentation), ("224.0.0.0", 4, .multicast), ("240.0.0.0", 4, .reserved),
    ]
    private static let ipv6Ranges: [(String, Int, Kind)] = [
        ("fe80::", 10, .linkLocal), ("fec0::", 10, .privateNetwork), ("fc00::", 7, .privateNetwork), ("ff00::", 8, .multicast),
        ("2001:db8::", 32, .documentation), ("2001::", 32, .reserved), ("64:ff9b:1::", 48, .privateNetwork), ("100::", 64, .reserved),
    ]
    private static let v4 = ipv4Ranges.map { (IPAddress($0.0)!, $0.1, $0.2) }
    private static let v6 = ipv6Ranges.map { (IPAddress($0.0)!, $0.1, $0.2) }
    private static let globalUnicast = IPAddress("2000::")!

    /// What kind of address `address` is; only `.public` is reached without the operator's word.
    static func kind(of address: IPAddress) -> Kind {
        if address.isIPv4 {
            return v4.first { address.within($0.0, prefix: $0.1) }?.2 ?? .public
        }
        if address.bytes.allSatisfy({ $0 == 0 }) { return .unspecified }
        if address.bytes.dropLast().allSatisfy({ $0 == 0 }) && address.bytes[15] == 1 { return .loopback }
        if let inner = address.embeddedIPv4 { return kind(of: inner) }
        if let range = v6.first(where: { address.within($0.0, prefix: $0.1) }) { return range.2 }
        return address.within(globalUnicast, prefix: 3) ? .public : .reserved
    }

    /// Whether the connection may go to `address:port`; the refusal says why not.
    func check(_ address: IPAddress, port: Int, host: String) -> Refused? {
        let kind = Self.kind(of: address)
        if kind == .public || allowed.contains(where: { $0.matches(address, port: port) }) { return nil }
        return Refused(host: host, address: address.description, kind: kind.rawValue)
    }

    /// Resolves `host` and checks every address it has; the first is the one to connect to. A name with one address
    /// that may not be reached is refused as a whole (a mixed answer is how rebinding starts).
    /// `lookup` is the system resolver; a test puts a scripted one in its place.
    func resolve(host: String, port: Int, lookup: @Sendable (String) async throws -> [IPAddress] = OutboundPolicy.lookup) async throws -> Destination {
        let addresses: [IPAddress]
        if let literal = IPAddress(host) {
            addresses = [literal]
        } else {
            addresses = try await lookup(host)
        }
        guard let first = addresses.first else { throw Refused(host: host, address: "", kind: "") }
        for address in addresses {
            if let refused = check(address, port: port, host: host) { throw refused }
        }
        return Destination(host: host, address: first, port: port)
    }

    /// The system resolver (getaddrinfo, on NIO's thread pool: it blocks), without duplicates, in its order.
    static func lookup(_ host: String) async throws -> [IPAddress] {
        let name = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        return try await NIOThreadPool.singleton.runIfActive {
            var hints = addrinfo()
            hints.ai_family = AF_UNSPEC
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var result: UnsafeMutablePointer<addrinfo>?
            guard getaddrinfo(name, nil, &hints, &result) == 0, let list = result else { return [] }
            defer { freeaddrinfo(list) }
            var found: [IPAddress] = []
            var node: UnsafeMutablePointer<addrinfo>? = list
            while let entry = node {
                if let sockaddr = entry.pointee.ai_addr {
                    var address: IPAddress?
                    switch Int32(entry.pointee.ai_family) {
                    case AF_INET:
                        address = sockaddr.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                            var raw = pointer.pointee.sin_addr
                            return IPAddress(bytes: withUnsafeBytes(of: &raw) { Array($0) })
                        }
                    case AF_INET6:
                        address = sockaddr.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                            var raw = pointer.pointee.sin6_addr
                            return IPAddress(bytes: withUnsafeBytes(of: &raw) { Array($0) })
                        }
                    default: break
                    }
                    if let address, !found.contains(address) { found.append(address) }
                }
                node = entry.pointee.ai_next
            }
            return found
        }
    }

    /// ADUAN_OUTBOUND_ALLOW: comma-separated addresses or networks, each optionally with a port —
    /// `127.0.0.1:2525`, `10.20.0.0/16`, `[::1]:25`, `fd00::/8`. Returns the problems found, by entry.
    static func parseAllowed(_ text: String) -> ([Allowed], [String]) {
        var allowed: [Allowed] = []
        var problems: [String] = []
        for raw in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !raw.isEmpty {
            if let entry = parseEntry(raw) { allowed.append(entry) } else {
                problems.append("ADUAN_OUTBOUND_ALLOW: '\(raw)' is not an address or network (10.0.0.0/8, 127.0.0.1:2525, [::1]:25)")
            }
        }
        return (allowed, problems)
    }

    private static func parseEntry(_ raw: String) -> Allowed? {
        var text = raw
        var port: Int?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            let rest = text[text.index(after: close)...]
            if rest.hasPrefix(":") {
                guard let p = Int(rest.dropFirst()), (1...65_535).contains(p) else { return nil }
                port = p
            } else if !rest.isEmpty { return nil }
            text = String(text[text.index(after: text.startIndex)..<close])
        } else if text.filter({ $0 == ":" }).count == 1 {
            let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, let p = Int(parts[1]), (1...65_535).contains(p) else { return nil }
            text = parts[0]
            port = p
        }
        var prefix: Int?
        if let slash = text.firstIndex(of: "/") {
            guard let p = Int(text[text.index(after: slash)...]) else { return nil }
            prefix = p
            text = String(text[..<slash])
        }
        guard let address = IPAddress(text) else { return nil }
        let bits = address.bytes.count * 8
        let length = prefix ?? bits
        guard (0...bits).contains(length) else { return nil }
        return Allowed(network: address, prefix: length, port: port)
    }
}
