import Foundation

/// Officer roles of SPEC §1.
public enum Role: String, Sendable, Codable, CaseIterable {
    case coordinator, liaison, unit_head, inspector, executive, sysadmin

    /// Roles whose scope is a jurisdiction; the others are scoped to a unit.
    public var isJurisdictionScoped: Bool {
        switch self {
        case .coordinator, .inspector, .executive, .sysadmin: return true
        case .liaison, .unit_head: return false
        }
    }
}

/// A place in the organisation tree: a jurisdiction (`63`, `63.71`) or a unit (`63/dinkes`).
public enum Scope: Hashable, Sendable, Codable, CustomStringConvertible, LosslessStringConvertible {
    case jurisdiction(String)
    case unit(String)

    public init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let slash = trimmed.firstIndex(of: "/") {
            let code = String(trimmed[..<slash]), slug = String(trimmed[trimmed.index(after: slash)...])
            guard Scope.isJurisdictionCode(code), Scope.isSlug(slug) else { return nil }
            self = .unit(trimmed)
        } else {
            guard Scope.isJurisdictionCode(trimmed) else { return nil }
            self = .jurisdiction(trimmed)
        }
    }

    public var description: String {
        switch self {
        case .jurisdiction(let code): return code
        case .unit(let id): return id
        }
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let scope = Scope(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a scope: \(text)"))
        }
        self = scope
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// Kemendagri region codes: `63`, `63.01`, `63.71` (dot-separated digit groups).
    public static func isJurisdictionCode(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return !parts.isEmpty && parts.count <= 4
            && parts.allSatisfy { !$0.isEmpty && $0.count <= 4 && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }
    }

    /// Unit slugs: lowercase ASCII letters, digits and dashes.
    public static func isSlug(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 64 && text.first != "-"
            && text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }
}

/// One role held on one scope.
public struct RoleAssignment: Hashable, Sendable, Codable {
    public var role: Role
    public var scope: Scope
    public init(role: Role, scope: Scope) { self.role = role; self.scope = scope }
}

/// A signed-in officer as the core sees them: an identity and the roles they hold.
public struct Officer: Sendable, Equatable {
    public var id: String
    public var assignments: [RoleAssignment]
    public init(id: String, assignments: [RoleAssignment]) { self.id = id; self.assignments = assignments }

    public func scopes(for role: Role) -> [Scope] { assignments.filter { $0.role == role }.map(\.scope) }
}

/// Kinds of unit (SPEC §2).
public enum UnitKind: String, Sendable, Codable, CaseIterable {
    case coordinator, inspectorate, agency, subunit
}

/// The jurisdictions and units of one installation, as a value the core can reason over.
public struct OrgTree: Sendable, Equatable {
    public struct Jurisdiction: Sendable, Equatable {
        public var code: String
        public var name: String
        public var parent: String?
        public init(code: String, name: String, parent: String?) { self.code = code; self.name = name; self.parent = parent }
    }

    public struct Unit: Sendable, Equatable {
        public var id: String          // "63/dinkes"
        public var jurisdiction: String
        public var name: String
        public var kind: UnitKind
        public var parent: String?      // unit id
        public var active: Bool
        public init(id: String, jurisdiction: String, name: String, kind: UnitKind, parent: String?, active: Bool = true) {
            self.id = id; self.jurisdiction = jurisdiction; self.name = name; self.kind = kind; self.parent = parent; self.active = active
        }

        /// Whether complaints go to this unit for handling: an active unit that is not the coordinator (who
        /// dispositions, SPEC §2). Such units are offered on forms and listed in the rankings.
        public var handlesComplaints: Bool { active && kind != .coordinator }
    }

    public private(set) var jurisdictions: [String: Jurisdiction]
    public private(set) var units: [String: Unit]

    public init(jurisdictions: [Jurisdiction], units: [Unit]) {
        self.jurisdictions = Dictionary(jurisdictions.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        self.units = Dictionary(units.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// The ids of the units that handle complaints (`Unit.handlesComplaints`) in the jurisdictions.
    public func handlingUnits(in jurisdictions: some Collection<String>) -> [String] {
        let codes = Set(jurisdictions)
        return units.values.filter { codes.contains($0.jurisdiction) && $0.handlesComplaints }.map(\.id).sorted()
    }

    /// The jurisdiction and every jurisdiction below it.
    public func jurisdictionSubtree(_ code: String) -> Set<String> {
        guard jurisdictions[code] != nil else { return [] }
        var result: Set<String> = [code]
        var frontier = [code]
        while let next = frontier.popLast() {
            for j in jurisdictions.values where j.parent == next && !result.contains(j.code) {
                result.insert(j.code); frontier.append(j.code)
            }
        }
        return result
    }

    /// The unit and every sub-unit below it.
    public func unitSubtree(_ id: String) -> Set<String> {
        guard units[id] != nil else { return [] }
        var result: Set<String> = [id]
        var frontier = [id]
        while let next = frontier.popLast() {
            for u in units.values where u.parent == next && !result.contains(u.id) {
                result.insert(u.id); frontier.append(u.id)
            }
        }
        return result
    }

    /// The unit and the units above it, nearest first (a sub-unit uses its agency's response templates too).
    public func unitAncestry(_ id: String) -> [String] {
        var result: [String] = []
        var current: String? = id
        while let unit = current, let info = units[unit], !result.contains(unit) {
            result.append(unit)
            current = info.parent
        }
        return result
    }

    /// The jurisdiction's inspectorate unit.
    public func inspectorate(of jurisdiction: String) -> String? {
        units.values.filter { $0.jurisdiction == jurisdiction && $0.kind == .inspectorate }.map(\.id).min()
    }

    /// The jurisdiction's coordinator unit (Diskominfo).
    public func coordinatorUnit(of jurisdiction: String) -> String? {
        units.values.filter { $0.jurisdiction == jurisdiction && $0.kind == .coordinator }.map(\.id).min()
    }

    /// Whether a scope names something that exists.
    public func contains(_ scope: Scope) -> Bool {
        switch scope {
        case .jurisdiction(let code): return jurisdictions[code] != nil
        case .unit(let id): return units[id] != nil
        }
    }
}
