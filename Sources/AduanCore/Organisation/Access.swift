import Foundation

/// Which complaints one officer may read, as data the shell turns into a query (SPEC §1: scope is enforced on
/// every query). A complaint is readable when any clause matches it.
public struct ReadFilter: Sendable, Equatable {
    public struct Clause: Sendable, Equatable {
        /// Complaint's holding jurisdiction must be one of these (nil: any).
        public var jurisdictions: Set<String>?
        /// Complaint's handling or a collaborating unit must be one of these (nil: any).
        public var units: Set<String>?
        public var includeWhistleblowing: Bool
        public var includeConfidential: Bool
    }

    public var clauses: [Clause]

    public init(clauses: [Clause]) { self.clauses = clauses }

    /// True when the officer may read no complaint at all.
    public var isEmpty: Bool { clauses.isEmpty }

    public func matches(_ record: ComplaintRecord) -> Bool {
        clauses.contains { clause in
            if let js = clause.jurisdictions, !js.contains(record.jurisdiction) { return false }
            if let us = clause.units {
                let held = [record.unit].compactMap { $0 } + record.collaboratingUnits
                if !held.contains(where: us.contains) { return false }
            }
            if record.type == .wbs && !clause.includeWhistleblowing { return false }
            if record.confidential && !clause.includeConfidential { return false }
            return true
        }
    }
}

/// The rules of who may see and do what, on which part of the organisation tree (SPEC §1, §3, §4).
public enum Access {
    /// Actions the coordinator of the complaint's jurisdiction takes (the inspectorate takes them for `wbs`).
    public static let coordinatorActions: Set<Action> = [
        .verify, .request_info, .archive, .forward_jurisdiction, .forward_external, .redispose,
        .decide_extension, .merge, .set_privacy,
    ]
    /// Actions the handling unit's liaison takes.
    public static let liaisonActions: Set<Action> = [.follow_up, .return, .request_extension, .respond_final]

    public static func readFilter(for officer: Officer, tree: OrgTree) -> ReadFilter {
        var clauses: [ReadFilter.Clause] = []
        for assignment in officer.assignments {
            switch (assignment.role, assignment.scope) {
            case (.coordinator, .jurisdiction(let code)):
                clauses.append(.init(jurisdictions: [code], units: nil, includeWhistleblowing: false, includeConfidential: true))
            case (.inspector, .jurisdiction(let code)):
                clauses.append(.init(jurisdictions: tree.jurisdictionSubtree(code), units: nil, includeWhistleblowing: true, includeConfidential: true))
            case (.executive, .jurisdiction(let code)):
                clauses.append(.init(jurisdictions: tree.jurisdictionSubtree(code), units: nil, includeWhistleblowing: false, includeConfidential: false))
            case (.liaison, .unit(let id)), (.unit_head, .unit(let id)):
                // wbs complaints only ever reach the inspectorate unit, so a unit match is enough.
                clauses.append(.init(jurisdictions: nil, units: tree.unitSubtree(id), includeWhistleblowing: true, includeConfidential: true))
            default:
                // sysadmins read no complaint content; roles on a scope of the wrong kind grant nothing.
                continue
            }
        }
        return ReadFilter(clauses: clauses)
    }

    public static func canRead(_ officer: Officer, _ record: ComplaintRecord, tree: OrgTree) -> Bool {
        readFilter(for: officer, tree: tree).matches(record)
    }

    /// The role under which the officer may take `action` on the complaint now, or nil if they may not.
    public static func actingRole(of officer: Officer, for action: Action, on record: ComplaintRecord, tree: OrgTree) -> Role? {
        func holds(_ role: Role, where test: (Scope) -> Bool) -> Bool { officer.scopes(for: role).contains(where: test) }
        let ownJurisdiction: (Scope) -> Bool = { $0 == .jurisdiction(record.jurisdiction) }

        if coordinatorActions.contains(action) {
            if record.type == .wbs { return holds(.inspector, where: ownJurisdiction) ? .inspector : nil }
            return holds(.coordinator, where: ownJurisdiction) ? .coordinator : nil
        }
        if liaisonActions.contains(action) {
            guard let unit = record.unit else { return nil }
            return holds(.liaison, where: { scope in
                if case .unit(let id) = scope { return tree.unitSubtree(id).contains(unit) }
                return false
            }) ? .liaison : nil
        }
        switch action {
        case .flag_supervision:
            return holds(.inspector, where: { scope in
                if case .jurisdiction(let code) = scope { return tree.jurisdictionSubtree(code).contains(record.jurisdiction) }
                return false
            }) ? .inspector : nil
        case .assign, .release:
            return Assignment.actingRole(of: officer, on: record, tree: tree)
        case .note:
            for role in [Role.coordinator, .inspector, .liaison, .unit_head] {
                let single = Officer(id: officer.id, assignments: officer.assignments.filter { $0.role == role })
                if canRead(single, record, tree: tree) { return role }
            }
            return nil
        default:
            return nil
        }
    }

    /// Who may create, deactivate and rotate a unit's QR codes: the coordinator or sysadmin of its jurisdiction.
    public static func canManageQRCodes(of unit: String, _ officer: Officer, tree: OrgTree) -> Bool {
        guard let jurisdiction = tree.units[unit]?.jurisdiction else { return false }
        return officer.assignments.contains { a in
            (a.role == .coordinator || a.role == .sysadmin) && a.scope == .jurisdiction(jurisdiction)
        }
    }

    /// Who may see a unit's QR codes and their scan and complaint counts: managers, and the unit's own officers.
    public static func canViewQRCodes(of unit: String, _ officer: Officer, tree: OrgTree) -> Bool {
        if canManageQRCodes(of: unit, officer, tree: tree) { return true }
        return officer.assignments.contains { a in
            guard a.role == .liaison || a.role == .unit_head, case .unit(let id) = a.scope else { return false }
            return tree.unitSubtree(id).contains(unit)
        }
    }
}

extension Access {
    /// Who may issue a formal warning (teguran) to a unit: an inspector whose jurisdiction covers the unit's
    /// (the province's inspectorate covers every kabupaten/kota; SPEC §1, §4).
    public static func canWarn(_ unit: String, _ officer: Officer, tree: OrgTree) -> Bool {
        guard let jurisdiction = tree.units[unit]?.jurisdiction else { return false }
        return officer.scopes(for: .inspector).contains { scope in
            if case .jurisdiction(let code) = scope { return tree.jurisdictionSubtree(code).contains(jurisdiction) }
            return false
        }
    }

    /// Who must acknowledge a warning to a unit: the head of that unit (or of a unit above it).
    public static func canAcknowledgeWarning(to unit: String, _ officer: Officer, tree: OrgTree) -> Bool {
        officer.scopes(for: .unit_head).contains { scope in
            if case .unit(let id) = scope { return tree.unitSubtree(id).contains(unit) }
            return false
        }
    }

    /// Who may read a unit's warnings: those who may issue or acknowledge them, and the unit's liaisons.
    public static func canReadWarnings(of unit: String, _ officer: Officer, tree: OrgTree) -> Bool {
        if canWarn(unit, officer, tree: tree) || canAcknowledgeWarning(to: unit, officer, tree: tree) { return true }
        return officer.scopes(for: .liaison).contains { scope in
            if case .unit(let id) = scope { return tree.unitSubtree(id).contains(unit) }
            return false
        }
    }
}

extension Access {
    /// The jurisdictions whose monitoring figures the officer may see (SPEC §8): an inspector's or executive's
    /// jurisdiction and the kabupaten/kota below it. Figures are aggregates, so confidential complaints count in
    /// them; the complaints behind a number are still read through `readFilter`.
    public static func monevJurisdictions(_ officer: Officer, tree: OrgTree) -> Set<String> {
        var result = Set<String>()
        for assignment in officer.assignments where assignment.role == .inspector || assignment.role == .executive {
            if case .jurisdiction(let code) = assignment.scope { result.formUnion(tree.jurisdictionSubtree(code)) }
        }
        return result
    }
}

extension Access {
    /// What an integration's API key bound to `scope` may read (issue 8, `read-scope` and `act` keys): the
    /// complaints of a jurisdiction and the kabupaten/kota below it, or of a unit and its sub-units. Never
    /// whistleblowing, never confidential (rahasia): every read of those by a person is audited, and a machine
    /// reading them would make that record meaningless.
    public static func integrationReadFilter(bound scope: Scope, tree: OrgTree) -> ReadFilter {
        switch scope {
        case .jurisdiction(let code):
            return ReadFilter(clauses: [.init(jurisdictions: tree.jurisdictionSubtree(code), units: nil, includeWhistleblowing: false,
                                              includeConfidential: false)])
        case .unit(let id):
            return ReadFilter(clauses: [.init(jurisdictions: nil, units: tree.unitSubtree(id), includeWhistleblowing: false,
                                              includeConfidential: false)])
        }
    }

    /// The actions a unit-bound `act` key may post for its unit: the unit's public progress and its final answer.
    public static let integrationActions: Set<Action> = [.follow_up, .respond_final]
}
