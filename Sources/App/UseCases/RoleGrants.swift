import AduanCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// Giving officers roles (issue 17). A role that reaches complaint content across a jurisdiction, whistleblowing, or
/// the sysadmin role itself (`AdminScope.needsSecondApproval`) is filed as a pending grant that a second administrator
/// approves; the CLI on the server grants at once (whoever runs it already holds the database and the key). Every
/// grant that takes effect, and every request for one that waits, is audited and told to the Inspektorat of the
/// scope's jurisdiction by e-mail. Callers check that nobody changes their own roles.
enum RoleGrants {
    enum Result: Equatable { case granted, pending, alreadyPending }

    /// Gives `assignment` to `user`, or files it for a second administrator. `server`: asked on the server (the CLI).
    @discardableResult
    static func request(_ app: Application, actor: String, server: Bool, user: User, _ assignment: RoleAssignment) async throws -> Result {
        let reference = try await app.reference.get(on: app.db)
        let userID = try user.requireID(), username = user.username, now = app.clock.now
        let detail = "\(username) \(assignment.role.rawValue)@\(assignment.scope)"
        let waits = !server && AdminScope.needsSecondApproval(assignment, tree: reference.tree)
        let result: Result = try await withWriteTransaction(app) { db in
            if waits {
                let open = try await RoleGrant.query(on: db).filter(\.$userID == userID).filter(\.$status == RoleGrant.pending)
                    .filter(\.$role == assignment.role.rawValue).filter(\.$scope == assignment.scope.description).count()
                guard open == 0 else { return .alreadyPending }
                let grant = RoleGrant()
                grant.userID = userID; grant.role = assignment.role.rawValue; grant.scope = assignment.scope.description
                grant.requestedBy = actor; grant.requestedAt = now; grant.status = RoleGrant.pending
                try await grant.create(on: db)
                try await OrgAdmin.audit(db, at: now, actor: actor, action: "role_grant_requested", detail: "\(detail) grant=\(grant.id ?? 0)")
                try await notify(RoleGrantMail.requestedKind, grant: grant.id ?? 0, username: username, assignment, by: actor, approvedBy: nil, at: now, on: db)
                return .pending
            }
            try await give(userID, assignment, on: db)
            try await OrgAdmin.audit(db, at: now, actor: actor, action: "role_add", detail: detail)
            try await notify(RoleGrantMail.grantedKind, grant: nil, username: username, assignment, by: actor, approvedBy: server ? "cli" : nil, at: now, on: db)
            // A pending request for the same role is settled by this grant.
            try await RoleGrant.query(on: db).filter(\.$userID == userID).filter(\.$status == RoleGrant.pending)
                .filter(\.$role == assignment.role.rawValue).filter(\.$scope == assignment.scope.description)
                .set(\.$status, to: RoleGrant.approved).set(\.$decidedBy, to: actor).set(\.$decidedAt, to: now).update()
            return .granted
        }
        app.reference.invalidate()
        return result
    }

    /// A second administrator's decision on a pending grant (the caller checked `AdminScope.approvalProblem` for an
    /// approval). False when the grant was no longer pending (decided by someone else meanwhile): nothing changes then.
    static func decide(_ app: Application, actor: String, grant: RoleGrant, approve: Bool) async throws -> Bool {
        guard let assignment = grant.assignment, let id = grant.id else { throw AppError.notFound() }
        let now = app.clock.now, userID = grant.userID, requester = grant.requestedBy
        let decided = try await withWriteTransaction(app) { db -> Bool in
            // Pending → decided in one conditional statement: of two administrators deciding at once, one wins.
            let rows = try await (db as! any SQLDatabase).raw("""
                UPDATE role_grants SET status = \(bind: approve ? RoleGrant.approved : RoleGrant.refused), decided_by = \(bind: actor),
                decided_at = \(bind: now) WHERE id = \(bind: id) AND status = \(bind: RoleGrant.pending) RETURNING id
                """).all()
            guard !rows.isEmpty, let user = try await User.find(userID, on: db) else { return false }
            let detail = "\(user.username) \(assignment.role.rawValue)@\(assignment.scope) grant=\(id) requested_by=\(requester)"
            if approve {
                try await give(userID, assignment, on: db)
                try await OrgAdmin.audit(db, at: now, actor: actor, action: "role_grant_approved", detail: detail)
                try await notify(RoleGrantMail.grantedKind, grant: id, username: user.username, assignment, by: requester, approvedBy: actor, at: now, on: db)
            } else {
                try await OrgAdmin.audit(db, at: now, actor: actor, action: "role_grant_refused", detail: detail)
            }
            return true
        }
        app.reference.invalidate()
        return decided
    }

    static func give(_ userID: UUID, _ assignment: RoleAssignment, on db: any Database) async throws {
        let held = try await UserRole.query(on: db).filter(\.$user.$id == userID).filter(\.$role == assignment.role.rawValue)
            .filter(\.$scope == assignment.scope.description).count()
        if held == 0 { try await UserRole(userID: userID, role: assignment.role.rawValue, scope: assignment.scope.description).create(on: db) }
    }

    /// An e-mail to the inspectors of the scope's jurisdiction, in the caller's transaction.
    static func notify(_ kind: String, grant: Int?, username: String, _ assignment: RoleAssignment, by: String, approvedBy: String?,
                       at now: Date, on db: any Database) async throws {
        let jurisdiction = assignment.scope.jurisdiction
        let payload = RoleGrantMail.Payload(username: username, role: assignment.role.rawValue, scope: assignment.scope.description,
                                            requested_by: by, approved_by: approvedBy)
        try await OutboxMessage(key: "\(kind):\(grant.map(String.init) ?? Secrets.randomToken(bytes: 12)):\(jurisdiction)", kind: kind,
                                audience: "inspectorate:\(jurisdiction)", payload: String(decoding: try JSONEncoder().encode(payload), as: UTF8.self),
                                at: now).create(on: db)
    }

    /// The pending grants an administrator sees: those on scopes they cover.
    static func pending(in scope: AdminScope, on db: any Database) async throws -> [RoleGrant] {
        try await RoleGrant.query(on: db).filter(\.$status == RoleGrant.pending).sort(\.$requestedAt).all()
            .filter { $0.assignment.map { scope.covers($0.scope) } ?? false }
    }
}
