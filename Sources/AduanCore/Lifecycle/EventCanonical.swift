import Foundation

/// The exact bytes an event's hash covers. Fields are length-prefixed so no two events share an encoding;
/// times are whole milliseconds so both database engines round-trip them exactly.
public struct CanonicalEvent: Sendable, Equatable {
    public var trackingID: String
    public var seq: Int
    public var at: Date
    public var action: String
    public var fromState: String?
    public var toState: String
    public var actorRole: String
    public var actorID: String?
    public var unit: String?
    public var jurisdiction: String
    public var publicText: String?
    public var internalText: String?
    public var dueAt: Date?
    public var late: Bool?
    /// Extra data as stored (JSON text with sorted keys).
    public var data: String
    public var previousHash: String

    public init(trackingID: String, seq: Int, at: Date, action: String, fromState: String?, toState: String,
                actorRole: String, actorID: String?, unit: String?, jurisdiction: String, publicText: String?,
                internalText: String?, dueAt: Date?, late: Bool?, data: String, previousHash: String) {
        self.trackingID = trackingID; self.seq = seq; self.at = at; self.action = action; self.fromState = fromState
        self.toState = toState; self.actorRole = actorRole; self.actorID = actorID; self.unit = unit
        self.jurisdiction = jurisdiction; self.publicText = publicText; self.internalText = internalText
        self.dueAt = dueAt; self.late = late; self.data = data; self.previousHash = previousHash
    }

    /// The hash of the event before the first one of a complaint.
    public static let genesis = String(repeating: "0", count: 64)

    public static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }

    public var bytes: [UInt8] {
        Self.lengthPrefixed("aduan-event-v1", [
            trackingID, String(seq), String(Self.milliseconds(at)), action, fromState, toState, actorRole, actorID, unit, jurisdiction,
            publicText, internalText, dueAt.map { String(Self.milliseconds($0)) }, late.map { $0 ? "1" : "0" }, data, previousHash,
        ])
    }

    /// `tag`, then each field as `<UTF-8 length>:<bytes>;` (`-;` for none): no two lists of fields share an encoding.
    /// The event chain's encoding, and that of the audit log's chain and its anchors (each with its own tag).
    public static func lengthPrefixed(_ tag: String, _ fields: [String?]) -> [UInt8] {
        var out: [UInt8] = Array(tag.utf8)
        for value in fields {
            guard let value else { out.append(contentsOf: Array("-;".utf8)); continue }
            let utf8 = Array(value.utf8)
            out.append(contentsOf: Array("\(utf8.count):".utf8)); out.append(contentsOf: utf8); out.append(UInt8(ascii: ";"))
        }
        return out
    }

    /// Deterministic JSON for event data (sorted keys).
    public static func encodeData(_ data: [String: String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? String(decoding: encoder.encode(data), as: UTF8.self)) ?? "{}"
    }
}
