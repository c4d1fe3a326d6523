import AduanCore
import Fluent
import Foundation
import Vapor

/// Officer accounts: who they are, their roles on their scopes, lock-out and two-factor. An administrator sees and
/// changes only officers whose every role lies in their scope (`AdminScope.covers(officerWith:)`).
extension AdminController {
    struct UsersView: Encodable, Sendable {
        struct Row: Encodable, Sendable {
            var username: String; var href: String; var name: String; var email: String?; var active: Bool
            var roles: [String]; var lockedUntil: String?; var twoFactor: Bool
        }
        /// A role waiting for a second administrator, linked to its officer's page where it is decided.
        struct PendingRow: Encodable, Sendable { var username: String; var href: String; var role: String; var requestedBy: String }
        var nav: [NavLink]
        var rows: [Row]
        var hasRows: Bool
        var pending: [PendingRow] = []
        var hasPending: Bool = false
        var createAction: String
        var roles: [Choice]
        var scopes: [ChoiceGroup]
        var values: [String: String]
        var errors: [String: String]
        var message: String?
    }

    struct UserView: Encodable, Sendable {
        struct RoleRow: Encodable, Sendable { var label: String; var scope: String; var scopeName: String; var removeAction: String? }
        /// A role waiting for a second administrator; the actions are there only for an administrator who may decide.
        struct PendingRow: Encodable, Sendable {
            var label: String; var scope: String; var requestedBy: String; var requested: String
            var approveAction: String?; var refuseAction: String?; var waitsForOther: Bool
        }
        var nav: [NavLink]
        var username: String
        var name: String
        var email: String?
        var active: Bool
        var twoFactor: Bool
        var lockedUntil: String?
        var failedLogins: Int
        var created: String
        var lastLogin: String?
        var isSelf: Bool
        var assignments: [RoleRow]
        var pending: [PendingRow] = []
        var hasPending: Bool = false
        var addRoleAction: String
        var roles: [Choice]
        var scopes: [ChoiceGroup]
        var values: [String: String]
        var errors: [String: String]
        var toggleAction: String
        var unlockAction: String?
        var resetAction: String?
        var message: String?
        var error: String?
    }

    /// Whether the administrator may manage an officer with these role rows and pending grants (a row that does not
    /// parse counts as out of scope).
    static func manageable(_ roles: [UserRole], _ ctx: Context, pending: [RoleGrant] = []) -> Bool {
        let assignments = roles.compactMap(\.assignment) + pending.compactMap(\.assignment)
        return assignments.count == roles.count + pending.count ? ctx.scope.covers(officerWith: assignments) : ctx.scope.isInstallationWide
    }

    /// The counted failed sign-ins of an officer from every address (`SecretLimiter`), and until when sign-in is refused.
    static func signInFailures(_ username: String, _ req: Request) async throws -> (failures: Int, lockedUntil: Date?) {
        let key = SecretSubject.stored(.signIn, SecretSubject.officer(username))
        let now = SecretLimiter.now(req.application)
        guard let counter = try await SecretLimiter.counter(key, on: req.db), counter.windowEnds > now else { return (0, nil) }
        let locked = AttemptRule.isFull(counter, limit: SecretPolicy.signIn.subject.tries, now: now)
        return (counter.failures, locked ? Date(timeIntervalSince1970: TimeInterval(counter.windowEnds)) : nil)
    }

    static func roleLabel(_ req: Request, _ role: String) -> String { req.text("role_\(role)") }

    // MARK: List and create

    static func users(_ req: Request, _ ctx: Context) async throws -> Response {
        try await renderUsers(req, ctx, Feedback(), status: .ok)
    }

    static func renderUsers(_ req: Request, _ ctx: Context, _ feedback: Feedback, status: HTTPStatus) async throws -> Response {
        let accounts = try await User.query(on: req.db).sort(\.$username).all()
        let roles = Dictionary(grouping: try await UserRole.query(on: req.db).all(), by: { $0.$user.id })
        let waiting = try await RoleGrant.query(on: req.db).filter(\.$status == RoleGrant.pending).sort(\.$requestedAt).all()
        let grants = Dictionary(grouping: waiting, by: \.userID)
        let wording = ctx.wording(req)
        var rows: [UsersView.Row] = []
        var names: [UUID: String] = [:]
        for account in accounts {
            let held = roles[account.id!] ?? []
            guard manageable(held, ctx, pending: grants[account.id!] ?? []) else { continue }
            names[account.id!] = account.username
            rows.append(UsersView.Row(username: account.username, href: SiteURL.Admin.user(account.username).path, name: account.displayName,
                                      email: account.email, active: account.active,
                                      roles: held.map { "\(roleLabel(req, $0.role)) · \($0.scope)" }.sorted(),
                                      lockedUntil: try await signInFailures(account.username, req).lockedUntil.map(wording.dateTime),
                                      twoFactor: account.hasTwoFactor))
        }
        let pending = waiting.compactMap { grant in
            names[grant.userID].map { UsersView.PendingRow(username: $0, href: SiteURL.Admin.user($0).path,
                                                             role: "\(roleLabel(req, grant.role)) · \(grant.scope)", requestedBy: grant.requestedBy) }
        }
        let view = UsersView(nav: nav(req, ctx, .users), rows: rows, hasRows: !rows.isEmpty, pending: pending, hasPending: !pending.isEmpty, createAction: SiteURL.Admin.users.path,
                             roles: roleOptions(req, selected: feedback.values["role"]), scopes: scopeOptions(req, ctx, selected: feedback.values["scope"]),
                             values: feedback.values, errors: feedback.errors, message: doneMessage(req))
        return try await req.page("admin_users", title: "admin_section_users", view, status: status)
    }

    static func roleOptions(_ req: Request, selected: String?) -> [Choice] {
        Role.allCases.map { Choice(value: $0.rawValue, label: roleLabel(req, $0.rawValue), selected: $0.rawValue == selected) }
    }

    /// The places a role can be given on: the administrator's jurisdictions, then each one's active units.
    static func scopeOptions(_ req: Request, _ ctx: Context, selected: String?) -> [ChoiceGroup] {
        let ordered = orderedJurisdictions(ctx).map(\.0)
        var groups = [ChoiceGroup(label: req.text("admin_scope_jurisdictions"), options: ordered.map {
            Choice(value: $0.code, label: "\($0.name) (\($0.code))", selected: $0.code == selected)
        })]
        for jurisdiction in ordered {
            let units = orderedUnits(ctx.tree, in: jurisdiction.code).filter { $0.0.active }.map { unit, depth in
                Choice(value: unit.id, label: String(repeating: "— ", count: depth) + "\(unit.name) (\(unit.id))", selected: unit.id == selected)
            }
            if !units.isEmpty { groups.append(ChoiceGroup(label: req.text("admin_scope_units_of", ["name": jurisdiction.name]), options: units)) }
        }
        return groups
    }

    /// The role and scope of a form, or the errors by field.
    static func assignment(_ req: Request, _ ctx: Context, role roleText: String, scope scopeText: String) -> (RoleAssignment?, [String: String]) {
        var errors: [String: String] = [:]
        let role = Role(rawValue: roleText)
        if role == nil { errors["role"] = req.text("admin_role_error_role") }
        guard let scope = Scope(scopeText), ctx.tree.contains(scope) else {
            errors["scope"] = req.text("admin_role_error_\(AssignmentProblem.unknownScope.rawValue)")
            return (nil, errors)
        }
        guard let role else { return (nil, errors) }
        if let problem = ctx.scope.assignmentProblem(role, scope, tree: ctx.tree) {
            errors["scope"] = req.text("admin_role_error_\(problem.rawValue)")
            return (nil, errors)
        }
        return (RoleAssignment(role: role, scope: scope), errors)
    }

    static func createUser(_ req: Request, _ ctx: Context) async throws -> Response {
        let values = ["username": field(req, "username"), "display_name": field(req, "display_name"), "email": field(req, "email"),
                      "role": field(req, "role"), "scope": field(req, "scope")]
        let password = (try? req.content.get(String.self, at: "password")) ?? ""
        let username = values["username"]!, name = values["display_name"]!, email = values["email"]!
        var (granted, errors) = assignment(req, ctx, role: values["role"]!, scope: values["scope"]!)
        if !UserAdmin.isValidUsername(username) {
            errors["username"] = req.text("admin_user_error_username")
        } else if try await User.query(on: req.db).filter(\.$username == username).count() > 0 {
            errors["username"] = req.text("admin_user_error_username_taken")
        }
        if name.isEmpty || name.count > 120 { errors["display_name"] = req.text("admin_user_error_name") }
        if !email.isEmpty, (try? SubmitComplaint.validateReporter(ReporterIdentity(email: email)))??.email == nil {
            errors["email"] = req.text("error_email")
        }
        if password.count < UserAdmin.minPasswordLength || password.count > 200 { errors["password"] = req.text("admin_user_error_password") }
        guard errors.isEmpty, let granted else {
            return try await renderUsers(req, ctx, Feedback(values: values, errors: errors), status: .unprocessableEntity)
        }
        // The account first, then its role through `RoleGrants`: one that reaches confidential complaints waits for
        // a second administrator (the account has no role until then).
        do {
            try await UserAdmin.create(req.application, username: username, password: password, displayName: name, email: email.isEmpty ? nil : email,
                                       assignments: [], actor: ctx.actor)
        } catch let error as AppError where error.status == .conflict {
            return try await renderUsers(req, ctx, Feedback(values: values, errors: ["username": req.text("admin_user_error_username_taken")]),
                                         status: .unprocessableEntity)
        }
        guard let account = try await User.query(on: req.db).filter(\.$username == username).first() else { throw AppError.notFound() }
        let result = try await RoleGrants.request(req.application, actor: ctx.actor, server: false, user: account, granted)
        return redirect(req, to: SiteURL.Admin.user(username).path, done: result == .granted ? "user_create" : "user_create_pending")
    }

    // MARK: One officer

    /// The officer named in the path with their role rows: 404 when unknown, 403 when outside the administrator's scope.
    static func loadUser(_ req: Request, _ ctx: Context) async throws -> (User, [UserRole]) {
        guard let account = try await User.query(on: req.db).filter(\.$username == (req.parameters.get("username") ?? "")).first() else {
            throw AppError.notFound()
        }
        let roles = try await UserRole.query(on: req.db).filter(\.$user.$id == account.requireID()).all()
        let pending = try await RoleGrant.query(on: req.db).filter(\.$userID == account.requireID()).filter(\.$status == RoleGrant.pending).all()
        guard manageable(roles, ctx, pending: pending) else { throw AppError.forbidden(req.text("admin_error_outside")) }
        return (account, roles)
    }

    static func user(_ req: Request, _ ctx: Context) async throws -> Response {
        let (account, roles) = try await loadUser(req, ctx)
        return try await renderUser(req, ctx, account, roles, Feedback(), error: nil, status: .ok)
    }

    static func renderUser(_ req: Request, _ ctx: Context, _ account: User, _ roles: [UserRole], _ feedback: Feedback, error: String?,
                           status: HTTPStatus) async throws -> Response {
        let now = req.application.clock.now
        let wording = ctx.wording(req)
        let isSelf = account.id == ctx.principal.userID
        let (failures, locked) = try await signInFailures(account.username, req)
        let rows = roles.sorted { ($0.role, $0.scope) < ($1.role, $1.scope) }.map { row in
            let scopeName = Scope(row.scope).map { scope -> String in
                switch scope {
                case .jurisdiction(let code): return ctx.tree.jurisdictions[code]?.name ?? code
                case .unit(let id): return ctx.tree.units[id]?.name ?? id
                }
            } ?? row.scope
            return UserView.RoleRow(label: roleLabel(req, row.role), scope: row.scope, scopeName: scopeName,
                                    removeAction: isSelf || roles.count < 2 ? nil : SiteURL.Admin.removeRole(account.username, row.id!).path)
        }
        let grants = try await RoleGrant.query(on: req.db).filter(\.$userID == account.requireID()).filter(\.$status == RoleGrant.pending)
            .sort(\.$requestedAt).all()
        let pending = grants.compactMap { grant -> UserView.PendingRow? in
            guard let assignment = grant.assignment, let id = grant.id else { return nil }
            let mayApprove = ctx.scope.approvalProblem(actor: ctx.actor, requester: grant.requestedBy, grantee: account.username, assignment) == nil
            return UserView.PendingRow(label: roleLabel(req, grant.role), scope: grant.scope, requestedBy: grant.requestedBy,
                                       requested: wording.dateTime(grant.requestedAt),
                                       approveAction: mayApprove ? SiteURL.Admin.decideGrant(account.username, id, approve: true).path : nil,
                                       refuseAction: isSelf ? nil : SiteURL.Admin.decideGrant(account.username, id, approve: false).path,
                                       waitsForOther: !mayApprove)
        }
        var view = UserView(
            nav: nav(req, ctx, .users), username: account.username, name: account.displayName, email: account.email, active: account.active,
            twoFactor: account.hasTwoFactor, lockedUntil: locked.map(wording.dateTime), failedLogins: failures,
            created: wording.dateTime(account.createdAt), lastLogin: account.lastLoginAt.map(wording.dateTime), isSelf: isSelf, assignments: rows,
            addRoleAction: SiteURL.Admin.userAction(account.username, .addRole).path,
            roles: roleOptions(req, selected: feedback.values["role"]), scopes: scopeOptions(req, ctx, selected: feedback.values["scope"]),
            values: feedback.values, errors: feedback.errors,
            toggleAction: SiteURL.Admin.userAction(account.username, account.active ? .deactivate : .reactivate).path,
            unlockAction: locked != nil || failures > 0 ? SiteURL.Admin.userAction(account.username, .unlock).path : nil,
            resetAction: account.hasTwoFactor ? SiteURL.Admin.userAction(account.username, .resetTwoFactor).path : nil,
            message: doneMessage(req), error: error)
        view.pending = pending
        view.hasPending = !pending.isEmpty
        return try await req.page("admin_user", title: "admin_user_title", view, status: status)
    }

    static func userAction(_ action: SiteURL.Admin.UserAction) -> Handler {
        { req, ctx in
            let (account, roles) = try await loadUser(req, ctx)
            let isSelf = account.id == ctx.principal.userID
            let app = req.application
            let done: String
            switch action {
            case .addRole:
                // Nobody changes their own roles (issue 17): another administrator must, or the CLI on the server.
                guard !isSelf else { throw AppError.forbidden(req.text("admin_error_self")) }
                let values = ["role": field(req, "role"), "scope": field(req, "scope")]
                var (granted, errors) = assignment(req, ctx, role: values["role"]!, scope: values["scope"]!)
                if let granted, roles.contains(where: { $0.assignment == granted }) {
                    errors["scope"] = req.text("admin_role_error_held")
                }
                guard errors.isEmpty, let granted else {
                    return try await renderUser(req, ctx, account, roles, Feedback(values: values, errors: errors), error: nil, status: .unprocessableEntity)
                }
                switch try await RoleGrants.request(app, actor: ctx.actor, server: false, user: account, granted) {
                case .granted: done = "role_add"
                case .pending, .alreadyPending: done = "role_pending"
                }
            case .deactivate:
                guard !isSelf else { throw AppError.forbidden(req.text("admin_error_self")) }
                if account.active { try await OrgAdmin.setUserActive(app, actor: ctx.actor, user: account, active: false) }
                done = "user_deactivate"
            case .reactivate:
                if !account.active { try await OrgAdmin.setUserActive(app, actor: ctx.actor, user: account, active: true) }
                done = "user_reactivate"
            case .unlock:
                try await OrgAdmin.unlock(app, actor: ctx.actor, user: account)
                done = "user_unlock"
            case .resetTwoFactor:
                try await OrgAdmin.resetTwoFactor(app, actor: ctx.actor, user: account)
                done = "totp_reset"
            }
            return redirect(req, to: SiteURL.Admin.user(account.username).path, done: done)
        }
    }

    /// Every officer keeps at least one role (to take all access away, deactivate the account), and nobody removes their own.
    static func removeRole(_ req: Request, _ ctx: Context) async throws -> Response {
        let (account, roles) = try await loadUser(req, ctx)
        guard let row = roles.first(where: { $0.id == req.parameters.get("role_id", as: Int.self) }) else { throw AppError.notFound() }
        guard account.id != ctx.principal.userID else { throw AppError.forbidden(req.text("admin_error_self")) }
        guard roles.count > 1 else {
            return try await renderUser(req, ctx, account, roles, Feedback(), error: req.text("admin_role_error_last"), status: .unprocessableEntity)
        }
        try await OrgAdmin.removeRole(req.application, actor: ctx.actor, user: account, row)
        return redirect(req, to: SiteURL.Admin.user(account.username).path, done: "role_remove")
    }

    /// A second administrator approves or refuses a pending grant. Approving needs an administrator other than the
    /// one who asked and than the officer themselves (`AdminScope.approvalProblem`); refusing, anyone but the officer.
    static func decideGrant(approve: Bool) -> Handler {
        { req, ctx in
            let (account, roles) = try await loadUser(req, ctx)
            guard let id = req.parameters.get("grant_id", as: Int.self), let grant = try await RoleGrant.find(id, on: req.db),
                  grant.userID == account.id, grant.status == RoleGrant.pending, let assignment = grant.assignment else { throw AppError.notFound() }
            if approve, let problem = ctx.scope.approvalProblem(actor: ctx.actor, requester: grant.requestedBy, grantee: account.username, assignment) {
                return try await renderUser(req, ctx, account, roles, Feedback(), error: req.text("admin_grant_error_\(problem.rawValue)"), status: .forbidden)
            }
            guard account.id != ctx.principal.userID else { throw AppError.forbidden(req.text("admin_error_self")) }
            let decided = try await RoleGrants.decide(req.application, actor: ctx.actor, grant: grant, approve: approve)
            return redirect(req, to: SiteURL.Admin.user(account.username).path, done: decided ? (approve ? "grant_approved" : "grant_refused") : "grant_decided")
        }
    }
}
