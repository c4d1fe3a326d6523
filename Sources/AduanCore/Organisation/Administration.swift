import Foundation

/// What one system administrator may manage (SPEC §1: sysadmin). A sysadmin scoped to a jurisdiction manages it and
/// every kabupaten/kota below it, as the inspector and the executive read it: the province's sysadmin runs the whole
/// installation, a kabupaten's sysadmin only their kabupaten. What every jurisdiction shares (national holidays,
/// the category tree, the deadline policy, security settings) is for an administrator of every jurisdiction.
public struct AdminScope: Sendable, Equatable {
    public let jurisdictions: Set<String>
    /// Manages every jurisdiction of the installation.
    public let isInstallationWide: Bool

    public init(officer: Officer, tree: OrgTree) {
        var managed: Set<String> = []
        for case .jurisdiction(let code) in officer.scopes(for: .sysadmin) {
            managed.formUnion(tree.jurisdictionSubtree(code))
        }
        jurisdictions = managed
        isInstallationWide = !managed.isEmpty && managed.isSuperset(of: tree.jurisdictions.keys)
    }

    /// True when the officer administers anything at all.
    public var isAdministrator: Bool { !jurisdictions.isEmpty }

    public func covers(jurisdiction code: String) -> Bool { jurisdictions.contains(code) }

    /// A jurisdiction scope, or a unit scope by the jurisdiction in its id (`63.01/dinkes` → `63.01`).
    public func covers(_ scope: Scope) -> Bool {
        switch scope {
        case .jurisdiction(let code): return covers(jurisdiction: code)
        case .unit(let id): return covers(jurisdiction: String(id.prefix { $0 != "/" }))
        }
    }

    /// Whether this administrator may manage an officer holding `assignments`: every one of them must be in scope,
    /// so a kabupaten's administrator cannot lock out a provincial officer. An officer with no role at all is for an
    /// administrator of every jurisdiction.
    public func covers(officerWith assignments: [RoleAssignment]) -> Bool {
        assignments.isEmpty ? isInstallationWide : assignments.allSatisfy { covers($0.scope) }
    }

    /// Why `role` cannot be given on `scope`, or nil when it can. The scope kind follows `Access.readFilter`:
    /// coordinator, inspector, executive and sysadmin hold a jurisdiction; liaison and unit head hold a unit.
    public func assignmentProblem(_ role: Role, _ scope: Scope, tree: OrgTree) -> AssignmentProblem? {
        switch scope {
        case .jurisdiction where !role.isJurisdictionScoped: return .needsUnit
        case .unit where role.isJurisdictionScoped: return .needsJurisdiction
        default: break
        }
        guard tree.contains(scope) else { return .unknownScope }
        if case .unit(let id) = scope, tree.units[id]?.active == false { return .inactiveUnit }
        return covers(scope) ? nil : .outsideScope
    }
}

public enum AssignmentProblem: String, Sendable, Equatable {
    case needsUnit = "needs_unit"
    case needsJurisdiction = "needs_jurisdiction"
    case unknownScope = "unknown_scope"
    case inactiveUnit = "inactive_unit"
    case outsideScope = "outside_scope"
}

/// Why a change to the organisation tree is refused. Each names the form field it belongs to.
public enum UnitProblem: String, Sendable, Equatable {
    case slugInvalid = "slug_invalid"
    case slugTaken = "slug_taken"
    case nameInvalid = "name_invalid"
    case kindInvalid = "kind_invalid"
    /// Only one coordinator unit and one inspectorate per jurisdiction (SPEC §2).
    case kindTaken = "kind_taken"
    case parentRequired = "parent_required"
    case parentNotAllowed = "parent_not_allowed"
    case parentInvalid = "parent_invalid"
    /// The coordinator unit and the inspectorate receive complaints by rule and stay active.
    case keyUnit = "key_unit"
    case activeSubunits = "active_subunits"
    case inactiveParent = "inactive_parent"

    public var field: String {
        switch self {
        case .slugInvalid, .slugTaken: return "slug"
        case .nameInvalid: return "name"
        case .kindInvalid, .kindTaken: return "kind"
        case .parentRequired, .parentNotAllowed, .parentInvalid, .inactiveParent: return "parent"
        case .keyUnit, .activeSubunits: return "active"
        }
    }
}

/// The rules for editing the organisation tree. Units are never deleted: complaints and events keep naming them.
public enum OrgRules {
    public static let maxNameLength = 200

    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= maxNameLength
    }

    /// Problems with a new unit `{jurisdiction}/{slug}`: a sub-unit sits under an active unit of the same
    /// jurisdiction, other kinds at the top.
    public static func newUnitProblems(jurisdiction: String, slug: String, name: String, kind: UnitKind?, parent: String?,
                                       tree: OrgTree) -> [UnitProblem] {
        var problems: [UnitProblem] = []
        if !Scope.isSlug(slug) {
            problems.append(.slugInvalid)
        } else if tree.units["\(jurisdiction)/\(slug)"] != nil {
            problems.append(.slugTaken)
        }
        if !isValidName(name) { problems.append(.nameInvalid) }
        guard let kind else { return problems + [.kindInvalid] }
        if kind == .coordinator || kind == .inspectorate,
           tree.units.values.contains(where: { $0.jurisdiction == jurisdiction && $0.kind == kind }) {
            problems.append(.kindTaken)
        }
        switch (kind, parent) {
        case (.subunit, nil): problems.append(.parentRequired)
        case (.subunit, let id?):
            guard let unit = tree.units[id], unit.jurisdiction == jurisdiction else { problems.append(.parentInvalid); break }
            if !unit.active { problems.append(.inactiveParent) }
        case (_, .some): problems.append(.parentNotAllowed)
        case (_, nil): break
        }
        return problems
    }

    /// Why the unit cannot be deactivated, or nil.
    public static func deactivationProblem(_ id: String, tree: OrgTree) -> UnitProblem? {
        guard let unit = tree.units[id] else { return nil }
        if unit.kind == .coordinator || unit.kind == .inspectorate { return .keyUnit }
        if tree.units.values.contains(where: { $0.parent == id && $0.active }) { return .activeSubunits }
        return nil
    }

    /// Why the unit cannot be reactivated, or nil: an active unit never sits under an inactive one.
    public static func reactivationProblem(_ id: String, tree: OrgTree) -> UnitProblem? {
        guard let parent = tree.units[id]?.parent else { return nil }
        return tree.units[parent]?.active == false ? .inactiveParent : nil
    }
}

/// Role grants that reach complaint content need two administrators (issue 17: a sysadmin granted itself the
/// inspector role and read whistleblowers' identities). Nobody changes their own roles at all.
extension AdminScope {
    /// Whether giving `assignment` waits for a second administrator: the roles that read confidential and
    /// whistleblowing complaints across a jurisdiction (coordinator, inspector), any role on an inspectorate or below
    /// it (whistleblowing complaints go there), and the sysadmin role itself (a sysadmin is an approver: one who could
    /// make another at will would approve their own requests).
    public static func needsSecondApproval(_ assignment: RoleAssignment, tree: OrgTree) -> Bool {
        switch (assignment.role, assignment.scope) {
        case (.coordinator, _), (.inspector, _), (.sysadmin, _): return true
        case (.liaison, .unit(let id)), (.unit_head, .unit(let id)):
            return tree.unitAncestry(id).contains { tree.units[$0]?.kind == .inspectorate }
        default: return false
        }
    }

    /// Why this administrator (`actor`) may not approve a pending grant of `assignment` to `grantee` that
    /// `requester` asked for, or nil when they may: never one's own roles, never one's own request.
    public func approvalProblem(actor: String, requester: String, grantee: String, _ assignment: RoleAssignment) -> GrantProblem? {
        if actor == grantee { return .ownRoles }
        if actor == requester { return .ownRequest }
        return covers(assignment.scope) ? nil : .outsideScope
    }
}

public enum GrantProblem: String, Sendable, Equatable {
    case ownRoles = "own_roles"
    case ownRequest = "own_request"
    case outsideScope = "outside_scope"
}

extension Scope {
    /// The jurisdiction a scope lies in (`63.01/dinkes` → `63.01`).
    public var jurisdiction: String {
        switch self {
        case .jurisdiction(let code): return code
        case .unit(let id): return String(id.prefix { $0 != "/" })
        }
    }
}
