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
        var out: [UInt8] = Array("aduan-event-v1".utf8)
        func field(_ value: String?) {
            guard let value else { out.append(contentsOf: Array("-;".utf8)); return }
            let utf8 = Array(value.utf8)
            out.append(contentsOf: Array("\(utf8.count):".utf8)); out.append(contentsOf: utf8); out.append(UInt8(ascii: ";"))
        }
        field(trackingID); field(String(seq)); field(String(Self.milliseconds(at))); field(action); field(fromState)
        field(toState); field(actorRole); field(actorID); field(unit); field(jurisdiction); field(publicText)
        field(internalText); field(dueAt.map { String(Self.milliseconds($0)) }); field(late.map { $0 ? "1" : "0" })
        field(data); field(previousHash)
        return out
    }

    /// Deterministic JSON for event data (sorted keys).
    public static func encodeData(_ data: [String: String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? String(decoding: encoder.encode(data), as: UTF8.self)) ?? "{}"
    }
}
