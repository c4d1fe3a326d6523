import Foundation

/// Where a new complaint probably belongs, for the coordinator's disposition form (issue: "suggested unit from the
/// category, the reporter's target or the QR code"). The first suggestion is preselected; the coordinator decides.
public struct UnitSuggestion: Sendable, Equatable {
    public enum Reason: String, Sendable, Codable {
        /// The complaint came in through this unit's QR code.
        case qrCode = "qr_code"
        /// The reporter chose this unit.
        case reporterTarget = "reporter_target"
        /// The category's default unit in the complaint's jurisdiction.
        case categoryDefault = "category_default"
    }

    public var unit: String
    public var reasons: [Reason]

    public init(unit: String, reasons: [Reason]) {
        self.unit = unit; self.reasons = reasons
    }

    /// Suggestions in order of strength, one per unit, only active units of the complaint's jurisdiction.
    /// `categoryDefault` is the default unit of the category (or its nearest ancestor) in that jurisdiction.
    public static func units(for record: ComplaintRecord, cameThroughQRCode: Bool, categoryDefault: String?,
                             tree: OrgTree) -> [UnitSuggestion] {
        var result: [UnitSuggestion] = []
        func add(_ unit: String?, _ reason: Reason) {
            guard let unit, let info = tree.units[unit], info.active, info.jurisdiction == record.jurisdiction else { return }
            if let index = result.firstIndex(where: { $0.unit == unit }) {
                result[index].reasons.append(reason)
            } else {
                result.append(UnitSuggestion(unit: unit, reasons: [reason]))
            }
        }
        add(record.targetUnit, cameThroughQRCode ? .qrCode : .reporterTarget)
        add(categoryDefault, .categoryDefault)
        return result
    }

    /// The default unit of `category` in `jurisdiction`, inherited from the nearest ancestor category that has one.
    /// `defaults` is keyed `category@jurisdiction`; `parents` maps a category to its parent.
    public static func categoryDefault(_ category: String?, jurisdiction: String, defaults: [String: String],
                                       parents: [String: String]) -> String? {
        var current = category
        var seen = Set<String>()
        while let code = current, seen.insert(code).inserted {
            if let unit = defaults["\(code)@\(jurisdiction)"] { return unit }
            current = parents[code]
        }
        return nil
    }
}
