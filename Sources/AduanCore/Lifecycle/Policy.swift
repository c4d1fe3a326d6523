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

    public func days(for resolutionClass: ResolutionClass) -> Int {
        resolutionDays[resolutionClass.rawValue] ?? 14
    }

    /// Problems that would make deadlines meaningless; empty when the policy is usable.
    public func problems() -> [String] {
        var result: [String] = []
        let named: [(String, Int)] = [
            ("verificationDays", verificationDays), ("responseDays", responseDays), ("infoReplyDays", infoReplyDays),
            ("reporterWindowDays", reporterWindowDays), ("escalateToCoordinatorAfterDays", escalateToCoordinatorAfterDays),
            ("escalateToInspectorateAfterDays", escalateToInspectorateAfterDays),
        ] + ResolutionClass.allCases.map { ("resolutionDays.\($0.rawValue)", days(for: $0)) }
        for (name, value) in named where !(1...365).contains(value) { result.append("\(name) must be 1-365, is \(value)") }
        if !(0...60).contains(maxExtensionDays) { result.append("maxExtensionDays must be 0-60, is \(maxExtensionDays)") }
        if escalateToInspectorateAfterDays < escalateToCoordinatorAfterDays {
            result.append("escalateToInspectorateAfterDays must not be below escalateToCoordinatorAfterDays")
        }
        return result
    }
}
