import Foundation

/// Guesses at a secret (issue 17): every check of a password, PIN, TOTP or recovery code first reserves one try in
/// each of its buckets, and is made only when every bucket had room. A wrong answer keeps its try; a right one gives it
/// back. So however many requests arrive at once, no more than a bucket's limit are ever checked in its window.
public struct AttemptBucket: Sendable, Hashable {
    /// Stored key, e.g. `signin:officer:admin|203.0.113.7`.
    public var key: String
    /// What the bucket belongs to (an account, a complaint), so an administrator can clear its buckets at once.
    public var subject: String
    public var limit: Int
    /// Seconds from the first counted try until the count starts again.
    public var window: Int64
    /// A refused try pushes the end of the window out again, so an address that keeps trying keeps itself refused.
    /// Only for buckets that name the address: one that anyone can fill (an account's own) must end on time.
    public var backOff: Bool

    public init(key: String, subject: String, limit: Int, window: Int64, backOff: Bool) {
        self.key = key; self.subject = subject; self.limit = limit; self.window = window; self.backOff = backOff
    }
}

/// A bucket's stored state: tries counted in the current window and when that window ends (seconds since 1970).
public struct AttemptCounter: Sendable, Equatable {
    public var failures: Int
    public var windowEnds: Int64
    public init(failures: Int, windowEnds: Int64) { self.failures = failures; self.windowEnds = windowEnds }
}

public enum AttemptRule {
    /// One try in every bucket: the counters to store, and whether the secret may be checked. When any bucket is full
    /// nothing is counted in the others (a refused try is not a guess), and full buckets with back-off stay shut longer.
    public static func reserve(_ counters: [String: AttemptCounter], in buckets: [AttemptBucket], now: Int64)
        -> (counters: [String: AttemptCounter], allowed: Bool, retryAfter: Int64) {
        var fresh: [String: AttemptCounter] = [:]
        var full: [AttemptBucket] = []
        for bucket in buckets {
            var counter = counters[bucket.key] ?? AttemptCounter(failures: 0, windowEnds: 0)
            if counter.windowEnds <= now { counter = AttemptCounter(failures: 0, windowEnds: now + bucket.window) }
            fresh[bucket.key] = counter
            if counter.failures >= bucket.limit { full.append(bucket) }
        }
        guard full.isEmpty else {
            var changed: [String: AttemptCounter] = [:]
            for bucket in full where bucket.backOff {
                var counter = fresh[bucket.key]!
                counter.windowEnds = max(counter.windowEnds, now + bucket.window)
                changed[bucket.key] = counter
            }
            let retry = full.map { (changed[$0.key] ?? fresh[$0.key]!).windowEnds - now }.max() ?? 0
            return (changed, false, max(1, retry))
        }
        for bucket in buckets { fresh[bucket.key]!.failures += 1 }
        return (fresh, true, 0)
    }

    /// A right answer gives its try back (it was not a guess). Only its own: the tries of others stay counted.
    public static func release(_ counter: AttemptCounter, now: Int64) -> AttemptCounter? {
        guard counter.windowEnds > now, counter.failures > 0 else { return nil }
        return AttemptCounter(failures: counter.failures - 1, windowEnds: counter.windowEnds)
    }

    /// Whether the bucket refuses tries now.
    public static func isFull(_ counter: AttemptCounter?, limit: Int, now: Int64) -> Bool {
        guard let counter, counter.windowEnds > now else { return false }
        return counter.failures >= limit
    }
}

/// Which buckets guard each kind of secret. Three per check:
/// - the subject at this address: the rule people know ("5 wrong passwords"), with back-off for the address;
/// - the address across subjects: one client trying many accounts or many complaints;
/// - the subject from everywhere: many addresses working together. It ends on time whatever happens, so it can only
///   slow an account down, never lock it for good; one address alone fills the first bucket long before this one.
public struct SecretPolicy: Sendable, Equatable {
    public struct Limit: Sendable, Equatable {
        public var tries: Int
        public var window: Int64
        public init(_ tries: Int, per window: Int64) { self.tries = tries; self.window = window }
    }

    public var family: String
    public var subjectAtAddress: Limit
    public var address: Limit
    public var subject: Limit

    public init(family: String, subjectAtAddress: Limit, address: Limit, subject: Limit) {
        self.family = family; self.subjectAtAddress = subjectAtAddress; self.address = address; self.subject = subject
    }

    /// Officer and reporter sign-in, and every re-check of a password or second factor on an account page.
    public static let signIn = SecretPolicy(family: "signin", subjectAtAddress: Limit(5, per: 15 * 60), address: Limit(30, per: 15 * 60),
                                            subject: Limit(50, per: 3600))
    /// The reporter's six-digit PIN of one complaint. The complaint's own bucket allows 10 a day: a PIN found by
    /// guessing takes on average 50,000 days even from a million addresses.
    public static let reporterPIN = SecretPolicy(family: "pin", subjectAtAddress: Limit(5, per: 15 * 60), address: Limit(30, per: 15 * 60),
                                                 subject: Limit(10, per: 86_400))

    /// The three buckets of one check of `subject` (e.g. `officer:admin`, `complaint:ABCD…`) from `address`.
    public func buckets(subject: String, address: String) -> [AttemptBucket] {
        let own = "\(family):\(subject)"
        return [
            AttemptBucket(key: "\(own)|\(address)", subject: own, limit: subjectAtAddress.tries, window: subjectAtAddress.window, backOff: true),
            AttemptBucket(key: "\(family)@\(address)", subject: "\(family)@\(address)", limit: self.address.tries, window: self.address.window, backOff: true),
            AttemptBucket(key: own, subject: own, limit: self.subject.tries, window: self.subject.window, backOff: false),
        ]
    }
}

/// The part of a client address that one client controls: an IPv4 address, or the /64 network of an IPv6 address
/// (one home or phone gets a whole /64, so counting single IPv6 addresses would count nothing).
public enum ClientAddress {
    public static func bucket(_ address: String) -> String {
        let text = address.trimmingCharacters(in: .whitespaces)
        guard text.contains(":"), let groups = ipv6Groups(text) else { return text.isEmpty ? "unknown" : text }
        // IPv4-mapped (::ffff:a.b.c.d) is the IPv4 client.
        if groups[0..<5].allSatisfy({ $0 == 0 }) && groups[5] == 0xffff {
            return "\(groups[6] >> 8).\(groups[6] & 0xff).\(groups[7] >> 8).\(groups[7] & 0xff)"
        }
        return groups[0..<4].map { String($0, radix: 16) }.joined(separator: ":") + "::/64"
    }

    /// The eight 16-bit groups of an IPv6 address in text form, or nil when it is not one.
    static func ipv6Groups(_ text: String) -> [UInt16]? {
        var body = text
        if let zone = body.firstIndex(of: "%") { body = String(body[..<zone]) }
        var tail: [UInt16] = []
        // A dotted IPv4 tail counts as two groups.
        if let lastColon = body.lastIndex(of: ":"), body[body.index(after: lastColon)...].contains(".") {
            let v4 = body[body.index(after: lastColon)...].split(separator: ".", omittingEmptySubsequences: false).compactMap { UInt8($0) }
            guard v4.count == 4 else { return nil }
            tail = [UInt16(v4[0]) << 8 | UInt16(v4[1]), UInt16(v4[2]) << 8 | UInt16(v4[3])]
            body = String(body[...lastColon])
            if !body.hasSuffix("::") { body.removeLast() }
        }
        func parse(_ part: Substring) -> [UInt16]? {
            guard !part.isEmpty else { return [] }
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            var out: [UInt16] = []
            for piece in pieces {
                guard (1...4).contains(piece.count), let value = UInt16(piece, radix: 16) else { return nil }
                out.append(value)
            }
            return out
        }
        let halves = body.components(separatedBy: "::")
        var groups: [UInt16]
        switch halves.count {
        case 1:
            guard let all = parse(Substring(halves[0])) else { return nil }
            groups = all + tail
            guard groups.count == 8 else { return nil }
        case 2:
            guard let head = parse(Substring(halves[0])), let rest = parse(Substring(halves[1])) else { return nil }
            let known = head.count + rest.count + tail.count
            guard known < 8 else { return nil }
            groups = head + Array(repeating: 0, count: 8 - known) + rest + tail
        default:
            return nil
        }
        return groups
    }
}
