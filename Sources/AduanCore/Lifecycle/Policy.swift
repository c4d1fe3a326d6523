import Foundation

/// The deadlines and thresholds of SPEC §4-5. Regulation figures are defaults an administrator can change.
public struct Policy: Sendable, Codable, Equatable {
    /// Working days the coordinator has to verify a new complaint.
    public var verificationDays = 3
    /// Working days the unit has for its first response after a disposition.
    public var responseDays = 5
    /// Working days a reporter has to answer a request for information before it is archived.
    public var infoReplyDays = 10
    /// Working days a reporter has to confirm or dispute a final answer before it closes.
    public var reporterWindowDays = 10
    /// The longest extension a unit may ask for, once.
    public var maxExtensionDays = 7
    /// Working days from disposition to final answer, by resolution class.
    public var resolutionDays: [String: Int] = [
        ResolutionClass.informasi.rawValue: 5,
        ResolutionClass.sederhana.rawValue: 5,
        ResolutionClass.tanpa_pemeriksaan.rawValue: 14,
        ResolutionClass.pemeriksaan_lapangan.rawValue: 60,
        ResolutionClass.berkadar_pengawasan.rawValue: 60,
    ]
    /// The class used when neither the coordinator nor the category names one.
    public var defaultResolutionClass = ResolutionClass.tanpa_pemeriksaan
    /// Working days after a missed due at which the coordinator is alerted.
    public var escalateToCoordinatorAfterDays = 2
    /// Working days after a missed due at which the complaint joins the inspectorate's escalation list.
    public var escalateToInspectorateAfterDays = 5

    public init() {}

    /// A stored policy written by an older version lacks the fields added since: those keep their defaults
    /// instead of the whole policy falling back to the defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = Policy()
        verificationDays = try c.decodeIfPresent(Int.self, forKey: .verificationDays) ?? d.verificationDays
        responseDays = try c.decodeIfPresent(Int.self, forKey: .responseDays) ?? d.responseDays
        infoReplyDays = try c.decodeIfPresent(Int.self, forKey: .infoReplyDays) ?? d.infoReplyDays
        reporterWindowDays = try c.decodeIfPresent(Int.self, forKey: .reporterWindowDays) ?? d.reporterWindowDays
        maxExtensionDays = try c.decodeIfPresent(Int.self, forKey: .maxExtensionDays) ?? d.maxExtensionDays
        resolutionDays = d.resolutionDays.merging(try c.decodeIfPresent([String: Int].self, forKey: .resolutionDays) ?? [:]) { _, stored in stored }
        defaultResolutionClass = try c.decodeIfPresent(ResolutionClass.self, forKey: .defaultResolutionClass) ?? d.defaultResolutionClass
        escalateToCoordinatorAfterDays = try c.decodeIfPresent(Int.self, forKey: .escalateToCoordinatorAfterDays) ?? d.escalateToCoordinatorAfterDays
        escalateToInspectorateAfterDays = try c.decodeIfPresent(Int.self, forKey: .escalateToInspectorateAfterDays) ?? d.escalateToInspectorateAfterDays
    }

    enum CodingKeys: String, CodingKey {
        case verificationDays, responseDays, infoReplyDays, reporterWindowDays, maxExtensionDays, resolutionDays
        case defaultResolutionClass, escalateToCoordinatorAfterDays, escalateToInspectorateAfterDays
    }

    public func days(for resolutionClass: ResolutionClass) -> Int {
        resolutionDays[resolutionClass.rawValue] ?? 14
    }

    /// Every whole-number setting of the policy, by a stable snake_case name (forms, messages).
    public enum Number: Hashable, Sendable {
        case verificationDays, responseDays, infoReplyDays, reporterWindowDays, maxExtensionDays
        case escalateToCoordinatorAfterDays, escalateToInspectorateAfterDays
        case resolutionDays(ResolutionClass)

        public static var all: [Number] {
            [.verificationDays, .responseDays, .infoReplyDays, .reporterWindowDays, .maxExtensionDays]
                + ResolutionClass.allCases.map { .resolutionDays($0) }
                + [.escalateToCoordinatorAfterDays, .escalateToInspectorateAfterDays]
        }

        public var name: String {
            switch self {
            case .verificationDays: return "verification_days"
            case .responseDays: return "response_days"
            case .infoReplyDays: return "info_reply_days"
            case .reporterWindowDays: return "reporter_window_days"
            case .maxExtensionDays: return "max_extension_days"
            case .escalateToCoordinatorAfterDays: return "escalate_to_coordinator_after_days"
            case .escalateToInspectorateAfterDays: return "escalate_to_inspectorate_after_days"
            case .resolutionDays(let c): return "resolution_days_\(c.rawValue)"
            }
        }

        /// Allowed values: at least one working day and at most a year; an extension may be none at all.
        public var range: ClosedRange<Int> { self == .maxExtensionDays ? 0...60 : 1...365 }
    }

    public subscript(number: Number) -> Int {
        get {
            switch number {
            case .verificationDays: return verificationDays
            case .responseDays: return responseDays
            case .infoReplyDays: return infoReplyDays
            case .reporterWindowDays: return reporterWindowDays
            case .maxExtensionDays: return maxExtensionDays
            case .escalateToCoordinatorAfterDays: return escalateToCoordinatorAfterDays
            case .escalateToInspectorateAfterDays: return escalateToInspectorateAfterDays
            case .resolutionDays(let c): return days(for: c)
            }
        }
        set {
            switch number {
            case .verificationDays: verificationDays = newValue
            case .responseDays: responseDays = newValue
            case .infoReplyDays: infoReplyDays = newValue
            case .reporterWindowDays: reporterWindowDays = newValue
            case .maxExtensionDays: maxExtensionDays = newValue
            case .escalateToCoordinatorAfterDays: escalateToCoordinatorAfterDays = newValue
            case .escalateToInspectorateAfterDays: escalateToInspectorateAfterDays = newValue
            case .resolutionDays(let c): resolutionDays[c.rawValue] = newValue
            }
        }
    }

    public enum Problem: Equatable, Sendable {
        case outOfRange(Number)
        /// The inspectorate is alerted before the coordinator.
        case escalationOrder
    }

    /// Problems that would make deadlines meaningless; empty when the policy is usable.
    public func problems() -> [Problem] {
        var result = Number.all.filter { !$0.range.contains(self[$0]) }.map(Problem.outOfRange)
        if escalateToInspectorateAfterDays < escalateToCoordinatorAfterDays { result.append(.escalationOrder) }
        return result
    }
}
