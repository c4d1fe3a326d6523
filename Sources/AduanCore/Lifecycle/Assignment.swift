import Foundation

/// Who has a complaint inside its handling unit (issue 19): a liaison takes it ("Saya tangani"), or the unit head names
/// the liaison who has it; either may let it go again. The assignment belongs to the unit that holds the complaint (a
/// disposition to another unit, a return clears it) and never changes its state, dues or figures.
public enum Assignment {
    /// The states in which a unit holds the complaint and works on it.
    public static let states: Set<ComplaintState> = [.didisposisikan, .diproses]

    /// Whether `role` covers the complaint's handling unit (a role on a unit covers its sub-units).
    static func covers(_ officer: Officer, _ role: Role, unit: String, tree: OrgTree) -> Bool {
        officer.scopes(for: role).contains { scope in
            if case .unit(let id) = scope { return tree.unitSubtree(id).contains(unit) }
            return false
        }
    }

    /// The role under which the officer may take part in the complaint's assignment: unit head before liaison.
    public static func actingRole(of officer: Officer, on record: ComplaintRecord, tree: OrgTree) -> Role? {
        guard let unit = record.unit else { return nil }
        if covers(officer, .unit_head, unit: unit, tree: tree) { return .unit_head }
        if covers(officer, .liaison, unit: unit, tree: tree) { return .liaison }
        return nil
    }

    /// Whether `officer` can be given the complaint: a liaison of its handling unit (or of a unit above it).
    public static func isEligible(_ officer: Officer, for record: ComplaintRecord, tree: OrgTree) -> Bool {
        guard let unit = record.unit else { return false }
        return covers(officer, .liaison, unit: unit, tree: tree)
    }

    /// Whether the officer may assign or release now (the page offers only these): a unit head may always assign
    /// (to someone else too) and release; a liaison may take what is not already theirs and release what is.
    public static func isAvailable(_ action: Action, to officer: Officer, on record: ComplaintRecord, tree: OrgTree) -> Bool {
        guard states.contains(record.state), let role = actingRole(of: officer, on: record, tree: tree) else { return false }
        switch action {
        case .assign: return role == .unit_head || record.assignee != officer.id
        case .release: return record.assignee != nil && (role == .unit_head || record.assignee == officer.id)
        default: return false
        }
    }

    /// Refuses an assignment or release the rules above do not allow; other commands pass.
    static func check(_ command: ComplaintCommand, by officer: Officer, on record: ComplaintRecord, tree: OrgTree) throws(LifecycleError) {
        let role = actingRole(of: officer, on: record, tree: tree)
        switch command {
        case .assign(let target):
            let target = target ?? officer
            guard isEligible(target, for: record, tree: tree) else {
                throw .invalid(field: "assignee", message: "\(target.id) is not a liaison of the unit handling this complaint")
            }
            if role != .unit_head && target.id != officer.id {
                throw .notPermitted("only the unit head assigns a complaint to another officer; a liaison takes it for themselves")
            }
            if record.assignee == target.id {
                throw .illegalTransition(action: .assign, state: record.state, reason: "the complaint is already assigned to \(target.id)")
            }
            if role != .unit_head, let holder = record.assignee {
                throw .illegalTransition(action: .assign, state: record.state,
                                         reason: "the complaint is assigned to \(holder); they or the unit head must release it first")
            }
        case .release:
            guard let holder = record.assignee else {
                throw .illegalTransition(action: .release, state: record.state, reason: "nobody is assigned to the complaint")
            }
            if role != .unit_head && holder != officer.id {
                throw .notPermitted("only the officer who has the complaint or the unit head can release it")
            }
        default:
            return
        }
    }
}
