import AduanCore
import Fluent
import Foundation
import Vapor

/// What every officer page needs: who is signed in, their scope, and how a complaint reads in a list.
/// Every complaint an officer page touches is loaded through `ScopedComplaints` or checked with `Access.canRead`.
struct Workspace {
    let req: Request
    let principal: OfficerPrincipal
    let reference: ReferenceData
    let now: Date

    var officer: Officer { principal.officer }
    var participant: Participant { .officer(principal.officer) }

    /// The signed-in officer's workspace; the gate in front of `/petugas` has made sure there is one.
    static func of(_ req: Request) async throws -> Workspace {
        guard let principal = req.auth.get(OfficerPrincipal.self) else { throw AppError.unauthorized(req.text("officer_error_signin")) }
        return Workspace(req: req, principal: principal, reference: try await req.reference(), now: req.application.clock.now)
    }

    func holds(_ role: Role) -> Bool { officer.assignments.contains { $0.role == role } }

    func wording(for jurisdiction: String) -> Wording {
        Wording(req, timeZone: reference.calendar(for: jurisdiction).timeZone)
    }

    func available(_ record: ComplaintRecord) -> [Action] {
        Action.officerActions.filter { Lifecycle.isAvailable($0, to: participant, on: record, tree: reference.tree) }
    }

    /// The next step this officer owes on the complaint, if any (`NextStep` in AduanCore).
    func nextAction(_ record: ComplaintRecord) -> Action? {
        NextStep.of(record, available: Set(available(record)))
    }

    /// The government's due when it is running, else the reporter's; and how pressing it is.
    func countdown(_ c: Complaint) -> (due: Date, countdown: Countdown)? {
        guard let due = c.officerDue ?? c.dueAt else { return nil }
        return (due, Countdown(due: due, now: now, calendar: reference.calendar(for: c.jurisdictionCode)))
    }

    func countdownText(_ countdown: Countdown) -> String {
        switch countdown.status {
        case .overdue: return req.text("ws_overdue_days", ["n": "\(max(countdown.workingDays, 1))"])
        case .dueSoon, .onTrack:
            return countdown.workingDays == 0 ? req.text("ws_due_today") : req.text("ws_days_left", ["n": "\(countdown.workingDays)"])
        }
    }

    func unitName(_ id: String?) -> String? { id.map { reference.tree.units[$0]?.name ?? $0 } }
    func jurisdictionName(_ code: String) -> String { reference.tree.jurisdictions[code]?.name ?? code }
    /// A category in the officer's language (its English name on English pages where it has one).
    func categoryName(_ code: String) -> String { reference.categories[code]?.name(req.language) ?? code }
    /// The categories to choose from, by name in the officer's language.
    func categoryChoices(selected: String?) -> [Choice] {
        reference.categories.keys.map { (code: $0, name: categoryName($0)) }.sorted { $0.name < $1.name }
            .map { Choice(value: $0.code, label: $0.name, selected: $0.code == selected) }
    }

    func row(_ c: Complaint, selectable: Bool = false) -> CaseRow {
        let record = c.record
        let timing = countdown(c)
        let government = c.officerDue != nil
        var flags: [String] = []
        if c.type == ComplaintType.wbs.rawValue { flags.append(req.text("type_wbs")) }
        if c.confidential { flags.append(req.text("ws_flag_confidential")) }
        if record.isReturned { flags.append(req.text("ws_flag_returned")) }
        if let days = c.extensionRequestedDays { flags.append(req.text("ws_flag_extension", ["n": "\(days)"])) }
        if c.reopenCount > 0 { flags.append(req.text("ws_flag_reopened", ["n": "\(c.reopenCount)"])) }
        if c.escalationLevel > 0 { flags.append(req.text("ws_flag_escalated", ["n": "\(c.escalationLevel)"])) }
        if c.supervision { flags.append(req.text("ws_flag_supervision")) }
        var row = CaseRow(
            trackingID: c.trackingID, formattedID: TrackingID(c.trackingID)?.formatted ?? c.trackingID,
            title: c.title, state: req.text("state_\(c.state)"), stateCode: c.state,
            unit: unitName(c.unitID), jurisdiction: jurisdictionName(c.jurisdictionCode),
            submitted: wording(for: c.jurisdictionCode).dateTime(c.submittedAt),
            due: timing.map { wording(for: c.jurisdictionCode).due($0.due, coverage: reference.coverage) },
            countdown: timing.map { countdownText($0.countdown) },
            countdownStatus: government ? (timing?.countdown.status.rawValue ?? "none") : "reporter",
            next: nextAction(record).map { req.text("do_\($0.rawValue)") },
            flags: flags, hasFlags: !flags.isEmpty, selectable: selectable, url: SiteURL.officerComplaint(c.trackingID).path)
        row.channel = req.text("stats_channel_\(c.channel)")
        row.assignee = c.assigneeID
        row.mine = c.assigneeID == officer.id
        return row
    }

    /// Complaints the officer may read, most urgent first, within the states given.
    func scoped(states: [ComplaintState], limit: Int = 500) async throws -> [Complaint] {
        // Government work first, by its due (the lifecycle sets one in each of these states), then what waits for the
        // reporter, by theirs. Two queries, so each walks an index in order (`complaints_officer_due`,
        // `complaints_reporter_due`) and stops at the limit: one ordering over both would read every open complaint
        // of the scope, and the engines disagree on where NULL dues sort.
        let running = states.filter(\.isGovernmentsTurn), waiting = states.filter { !$0.isGovernmentsTurn }
        var found: [Complaint] = []
        if !running.isEmpty {
            found = try await ScopedComplaints.query(for: officer, reference: reference, on: req.db)
                .filter(\.$state ~~ running.map(\.rawValue)).filter(\.$officerDue != nil)
                .sort(\.$officerDue, .ascending).sort(\.$id, .ascending).limit(limit).all()
        }
        if !waiting.isEmpty && found.count < limit {
            found += try await ScopedComplaints.query(for: officer, reference: reference, on: req.db)
                .filter(\.$state ~~ waiting.map(\.rawValue))
                .sort(\.$reporterDue, .ascending).sort(\.$id, .ascending).limit(limit - found.count).all()
        }
        return found
    }

    /// Display names of officers by user name (those not found are left out).
    func officerNames(_ usernames: Set<String>) async throws -> [String: String] {
        guard !usernames.isEmpty else { return [:] }
        let users = try await User.query(on: req.db).filter(\.$username ~~ Array(usernames)).all()
        return Dictionary(users.map { ($0.username, $0.displayName) }, uniquingKeysWith: { a, _ in a })
    }

    /// The lists with each assignee's user name replaced by their display name (one query for all of them).
    func naming(_ sections: [CaseSection]) async throws -> [CaseSection] {
        let names = try await officerNames(Set(sections.flatMap { $0.rows.compactMap(\.assignee) }))
        return sections.map { section in
            var section = section
            for i in section.rows.indices { section.rows[i].assignee = section.rows[i].assignee.map { names[$0] ?? $0 } }
            return section
        }
    }

    /// The active liaisons of a unit (or of a unit above it), who can be given its complaints (`Assignment.isEligible`).
    func liaisons(of unit: String) async throws -> [(username: String, name: String)] {
        let roles = try await UserRole.query(on: req.db).filter(\.$role == Role.liaison.rawValue)
            .filter(\.$scope ~~ reference.tree.unitAncestry(unit)).all()
        let ids = Set(roles.map { $0.$user.id })
        guard !ids.isEmpty else { return [] }
        return try await User.query(on: req.db).filter(\.$id ~~ Array(ids)).filter(\.$active == true).sort(\.$displayName).all()
            .map { ($0.username, $0.displayName) }
    }

    /// The complaint named in the path, if this officer may read it; 404 otherwise (existence is not revealed).
    func complaint(_ raw: String?) async throws -> Complaint {
        guard let raw, let complaint = try await Complaint.byTrackingID(raw, on: req.db),
              Access.canRead(officer, complaint.record, tree: reference.tree) else {
            throw AppError.notFound(req.text("not_found_complaint"))
        }
        return complaint
    }
}

/// One complaint as a line of an officer list.
struct CaseRow: Encodable, Sendable {
    var trackingID: String
    var formattedID: String
    var title: String
    var state: String
    var stateCode: String
    var unit: String?
    var jurisdiction: String
    var submitted: String
    var due: String?
    var countdown: String?
    /// `on_track`, `due_soon`, `overdue`, `reporter` (the reporter's window is running) or `none`.
    var countdownStatus: String
    var next: String?
    var flags: [String]
    var hasFlags: Bool
    var selectable: Bool
    var url: String
    /// How the complaint came in (QR, SMS, web …), in words (issue 19).
    var channel: String = ""
    /// Who in the handling unit has it (display name), and whether that is the signed-in officer (issue 19).
    var assignee: String? = nil
    var mine = false
}

/// A titled list on an officer page.
struct CaseSection: Encodable, Sendable {
    var id: String
    var title: String
    var hint: String
    var rows: [CaseRow]
    var count: Int
    var bulk: Bool

    init(id: String, title: String, hint: String, rows: [CaseRow], bulk: Bool) {
        self.id = id; self.title = title; self.hint = hint; self.rows = rows; self.count = rows.count
        self.bulk = bulk && rows.contains(where: \.selectable)
    }
}

/// Guards `/petugas`: pages need a signed-in officer; an officer who must enrol in two-factor sees only enrolment.
struct OfficerGate: AsyncMiddleware {
    /// Reachable without a session.
    static let open: Set<RoutePattern> = [.officerSignIn, .officerForgot, .officerReset]
    /// Reachable while two-factor enrolment is pending.
    static let enrolment: Set<RoutePattern> = [.officerAccount, .officerTwoFactor, .officerSignOut]
    /// Reachable while the first password must still be replaced.
    static let passwordChange: Set<RoutePattern> = [.officerAccount, .officerPassword, .officerSignOut]

    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let path = req.url.path
        // Matched against the route that answers (registered from these patterns), not the path as typed.
        if OfficerGate.open.contains(where: { $0.answers(req) }) { return try await next.respond(to: req) }
        guard let principal = req.auth.get(OfficerPrincipal.self) else {
            // A page leads to sign-in and back; a form sent after the session ended leads to sign-in and does nothing.
            guard req.method == .GET else { return req.redirect(to: SiteURL.officerSignIn.path) }
            let target = RedirectTarget.local(path + (req.url.query.map { "?" + $0 } ?? ""), under: SiteURL.officerHome.path)
            return req.redirect(to: SiteURL.officerSignIn.path + (target.map { "?next=" + RedirectTarget.queryValue($0) } ?? ""))
        }
        if principal.mustChangePassword && !OfficerGate.passwordChange.contains(where: { $0.answers(req) }) {
            return req.redirect(to: SiteURL.officerAccount.path + "?ganti-sandi=1")
        }
        if principal.mustEnrolTwoFactor && !OfficerGate.enrolment.contains(where: { $0.answers(req) }) {
            return req.redirect(to: SiteURL.officerAccount.path + "?wajib=1")
        }
        return try await next.respond(to: req)
    }
}
