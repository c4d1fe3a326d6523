import AduanCore
import Fluent
import Foundation
import Vapor

/// Each officer's home is their work queue (issue 5): what needs them, most urgent first, with countdowns in
/// working days; the unit head also sees the unit's figures and escalations. Plus the searchable list of every
/// complaint in scope, and bulk actions for coordinators.
enum QueueController {
    struct HomeView: Encodable, Sendable {
        var displayName: String
        var roles: [String]
        var sections: [CaseSection]
        var units: [UnitFigures]
        var hasUnits: Bool
        /// Warnings (teguran) the unit head must acknowledge.
        var warnings: [WarningList.Row]
        var bulkUnits: [Choice]
        var archiveReasons: [Choice]
        var canEnter: Bool
        var isSysadminOnly: Bool
        var message: String?
        /// Coordinators, from October: next year's national holidays are not loaded yet (issue 19).
        var calendarWarning: String?
        /// Executives: the headline figures of each jurisdiction they lead, with a link to the dashboard.
        var executive: [ExecutiveSummary]
        /// "Milik saya" (issue 19): only what is assigned to this officer; offered to the officers of a unit.
        var mineFilter = false
        var mineOnly = false
        var mineURL = ""
        var allURL = ""
    }

    struct ExecutiveSummary: Encodable, Sendable {
        var heading: String
        var figures: [MonevEvaluation.Figure]
        var dashboard: String
        var dashboardWithSub: String?
        var smallCountNote: String?
    }

    /// The year so far of each jurisdiction the officer leads as an executive, from the monev dashboard's own
    /// evaluation (the same figures, small counts withheld as on the dashboard).
    static func executiveSummaries(_ ws: Workspace) async throws -> [ExecutiveSummary] {
        let req = ws.req
        var out: [ExecutiveSummary] = []
        for scope in ws.officer.scopes(for: .executive) {
            guard case .jurisdiction(let code) = scope, let jurisdiction = ws.reference.tree.jurisdictions[code] else { continue }
            let year = ws.reference.calendar(for: code).localDate(of: ws.now).year
            guard let period = Period(kind: .year, year: year) else { continue }
            let e = try await MonevEvaluation.evaluate(req, principal: ws.principal, reference: ws.reference,
                                                       .init(code: code, includeSub: false, period: period, asOf: nil, allUnits: false))
            let shown: Set<String> = ["received", "dispositioned", "followed_up_rate", "completion_rate", "response_on_time_rate", "overdue_now"]
            let link = FigureViews.link(SiteURL.officerMonev.path, [("j", code), ("periode", "year"), ("tahun", String(year))])
            out.append(ExecutiveSummary(
                heading: req.text("ws_executive_heading", ["place": jurisdiction.name, "year": String(year)]),
                figures: MonevEvaluation.headline(e, req, links: false).filter { shown.contains($0.metric) }, dashboard: link,
                dashboardWithSub: ws.reference.tree.jurisdictionSubtree(code).count > 1 ? link + "&sub=1" : nil,
                smallCountNote: e.disclosure.isEmpty ? nil : req.text("small_count_note")))
        }
        return out
    }

    struct UnitFigures: Encodable, Sendable {
        var name: String
        var open: Int
        var overdue: Int
        var dueSoon: Int
        var escalated: Int
        var closed30: Int
    }

    static func home(_ req: Request) async throws -> Response {
        let ws = try await Workspace.of(req)
        let user = try await User.find(ws.principal.userID, on: req.db)
        let mineOnly = req.query[String.self, at: "milik"] == "saya"
        let allOpen = try await ws.scoped(states: ComplaintState.allCases.filter(\.isOpen))
        let open = mineOnly ? allOpen.filter { $0.assigneeID == ws.officer.id } : allOpen

        var mine: [Complaint] = [], extensions: [Complaint] = [], unitWork: [Complaint] = [], waiting: [Complaint] = []
        for c in open {
            let record = c.record
            switch ws.nextAction(record) {
            case .verify?, .redispose?: mine.append(c)
            case .decide_extension?: extensions.append(c)
            case .follow_up?, .respond_final?: unitWork.append(c)
            default:
                let involved = ws.available(record).contains { [.archive, .follow_up, .request_extension].contains($0) }
                    || (record.state == .perlu_info || record.state == .ditanggapi) && (ws.holds(.coordinator) || ws.holds(.liaison))
                if involved { waiting.append(c) }
            }
        }
        func sorted(_ list: [Complaint]) -> [Complaint] {
            list.sorted { (ws.countdown($0)?.countdown.urgency ?? .max, $0.submittedAt) < (ws.countdown($1)?.countdown.urgency ?? .max, $1.submittedAt) }
        }
        var sections: [CaseSection] = []
        if ws.holds(.coordinator) || ws.holds(.inspector) {
            sections.append(CaseSection(id: "verifikasi", title: req.text("ws_section_verify"), hint: req.text("ws_section_verify_hint"),
                                        rows: sorted(mine).map { ws.row($0, selectable: true) }, bulk: true))
            sections.append(CaseSection(id: "perpanjangan", title: req.text("ws_section_extensions"), hint: req.text("ws_section_extensions_hint"),
                                        rows: sorted(extensions).map { ws.row($0) }, bulk: false))
        }
        if ws.holds(.liaison) {
            sections.append(CaseSection(id: "unit", title: req.text("ws_section_unit_work"), hint: req.text("ws_section_unit_work_hint"),
                                        rows: sorted(unitWork).map { ws.row($0) }, bulk: false))
        }
        if ws.holds(.coordinator) || ws.holds(.liaison) {
            sections.append(CaseSection(id: "menunggu", title: req.text("ws_section_waiting"), hint: req.text("ws_section_waiting_hint"),
                                        rows: sorted(waiting).map { ws.row($0) }, bulk: false))
        }

        // Unit heads: the unit's queue and figures, and what has been escalated.
        var figures: [UnitFigures] = []
        if ws.holds(.unit_head) {
            let headUnits = ws.officer.scopes(for: .unit_head).compactMap { scope -> String? in
                if case .unit(let id) = scope { return id }
                return nil
            }
            let since = ws.now.addingTimeInterval(-30 * 86_400)
            for unit in headUnits.sorted() {
                let subtree = ws.reference.tree.unitSubtree(unit)
                // The unit's figures count all its complaints, whatever the filter shows; its list follows the filter.
                let held = allOpen.filter { c in subtree.contains(c.unitID ?? "") }
                let timings = held.compactMap { ws.countdown($0)?.countdown }
                let closed = try await ScopedComplaints.query(for: ws.officer, reference: ws.reference, on: req.db)
                    .filter(\.$unitID ~~ Array(subtree)).filter(\.$closedAt >= since).count()
                figures.append(UnitFigures(name: ws.unitName(unit) ?? unit, open: held.count,
                                           overdue: held.filter { $0.officerDue.map { ws.now > $0 } ?? false }.count,
                                           dueSoon: timings.filter { $0.status == .dueSoon }.count,
                                           escalated: held.filter { $0.escalationLevel > 0 }.count, closed30: closed))
                sections.append(CaseSection(id: "kepala-\(unit.replacingOccurrences(of: "/", with: "-"))",
                                            title: req.text("ws_section_head", ["unit": ws.unitName(unit) ?? unit]),
                                            hint: req.text("ws_section_head_hint"),
                                            rows: sorted(open.filter { c in subtree.contains(c.unitID ?? "") }).map { ws.row($0) }, bulk: false))
            }
        }
        let escalatedRows = sorted(open.filter { $0.escalationLevel > 0 }).map { ws.row($0) }
        if ws.holds(.unit_head) || ws.holds(.coordinator) || ws.holds(.inspector) {
            sections.append(CaseSection(id: "eskalasi", title: req.text("ws_section_escalated"), hint: req.text("ws_section_escalated_hint"),
                                        rows: escalatedRows, bulk: false))
        }

        let coordinatorJurisdictions = ws.officer.scopes(for: .coordinator).compactMap { scope -> String? in
            if case .jurisdiction(let code) = scope { return code }
            return nil
        }
        let bulkUnits = ws.reference.tree.units.values
            .filter { $0.handlesComplaints && coordinatorJurisdictions.contains($0.jurisdiction) }
            .sorted { ($0.jurisdiction, $0.name) < ($1.jurisdiction, $1.name) }
            .map { Choice(value: $0.id, label: $0.name) }
        let warnings = ws.holds(.unit_head) ? try await WarningList.rows(WarningList.pending(ws), ws) : []
        let done = req.query[Int.self, at: "ok"].map { n in
            req.text("ws_bulk_done", ["n": "\(n)", "refused": "\(req.query[Int.self, at: "refused"] ?? 0)"])
        } ?? req.query[String.self, at: "selesai"].flatMap(Action.init(rawValue:)).map { req.text("ws_done_\($0.rawValue)") }
        var view = HomeView(
            displayName: user?.displayName ?? ws.principal.username,
            roles: ws.officer.assignments.map { "\(req.text("role_\($0.role.rawValue)")) · \(scopeName($0.scope, ws))" },
            sections: sections, units: figures, hasUnits: !figures.isEmpty, warnings: warnings, bulkUnits: bulkUnits,
            archiveReasons: ArchiveReason.allCases.filter { $0 != .duplikat }.map { Choice(value: $0.rawValue, label: req.text("stats_reason_\($0.rawValue)")) },
            canEnter: !coordinatorJurisdictions.isEmpty,
            isSysadminOnly: ws.officer.assignments.allSatisfy { $0.role == .sysadmin },
            message: done, calendarWarning: ws.holds(.coordinator) ? CalendarNotice.warning(req, ws.reference) : nil,
            executive: ws.holds(.executive) ? try await executiveSummaries(ws) : [])
        view.sections = try await ws.naming(sections)
        view.mineFilter = ws.holds(.liaison) || ws.holds(.unit_head)
        view.mineOnly = mineOnly
        view.mineURL = SiteURL.officerHome.path + "?milik=saya"
        view.allURL = SiteURL.officerHome.path
        return try await req.page("officer_home", title: "officer_home_title", view)
    }

    static func scopeName(_ scope: Scope, _ ws: Workspace) -> String {
        switch scope {
        case .jurisdiction(let code): return ws.jurisdictionName(code)
        case .unit(let id): return ws.unitName(id) ?? id
        }
    }

    // MARK: all complaints in scope

    struct ListView: Encodable, Sendable {
        /// "All complaints in your scope", or "Filtered complaints" while a filter narrows the list.
        var title: String
        /// One section, so the list uses the same table as the queues.
        var sections: [CaseSection]
        var states: [Choice]
        var q: String
        var overdueOnly: Bool
        var total: Int
        var page: Int
        var pages: Int
        var previous: String?
        var next: String?
        /// The scope and period the list is narrowed to (from the dashboard), kept by the filter form.
        var narrowed: String
        var hidden: [Choice]
        /// Only the complaints assigned to this officer (issue 19).
        var mineOnly = false
    }

    /// The list's filters; the monitoring dashboard links here with the scope and period behind each number.
    struct ListQuery: Content {
        var state: String?; var q: String?; var terlambat: String?; var halaman: Int?
        var j: String?; var sub: String?; var unit: String?; var dari: String?; var sampai: String?
        var milik: String?
    }

    static func list(_ req: Request) async throws -> Response {
        let ws = try await Workspace.of(req)
        let p = try req.query.decode(ListQuery.self)
        let perPage = 25
        let page = min(max(p.halaman ?? 1, 1), 10_000)
        let query = ScopedComplaints.query(for: ws.officer, reference: ws.reference, on: req.db)
        let state = p.state.flatMap(ComplaintState.init(rawValue:))
        if let state { query.filter(\.$state == state.rawValue) }
        let overdue = p.terlambat == "1"
        if overdue { query.filter(\.$officerDue < ws.now) }
        let mineOnly = p.milik == "saya"
        if mineOnly { query.filter(\.$assigneeID == ws.officer.id) }
        // Scope and period (from the dashboard): kept in the paging links, named in the page's note.
        var kept: [(String, String)] = []
        var said: [String] = []
        if let j = p.j, ws.reference.tree.jurisdictions[j] != nil {
            let codes = p.sub == "1" ? ws.reference.tree.jurisdictionSubtree(j).sorted() : [j]
            query.filter(\.$jurisdictionCode ~~ codes)
            kept.append(("j", j)); if p.sub == "1" { kept.append(("sub", "1")) }
            said.append(ws.jurisdictionName(j) + (p.sub == "1" ? " " + req.text("stats_including_sub") : ""))
        }
        if let unit = p.unit, ws.reference.tree.units[unit] != nil {
            query.filter(\.$unitID == unit); kept.append(("unit", unit)); said.append(ws.unitName(unit) ?? unit)
        }
        let calendar = ws.reference.calendar(for: p.j ?? ws.reference.defaultJurisdiction)
        let wording = Wording(req, timeZone: calendar.timeZone)
        let from = p.dari.flatMap(LocalDate.init), to = p.sampai.flatMap(LocalDate.init)
        if let from { query.filter(\.$submittedAt >= calendar.startOfDay(from)); kept.append(("dari", from.description)) }
        if let to { query.filter(\.$submittedAt < calendar.startOfDay(to.adding(days: 1))); kept.append(("sampai", to.description)) }
        if from != nil || to != nil {
            said.append([from, to].map { $0.map { wording.date(calendar.startOfDay($0)) } ?? "…" }.joined(separator: " – "))
        }
        let q = String((p.q ?? "").trimmingCharacters(in: .whitespaces).prefix(200))
        if !q.isEmpty {
            let pattern = "%" + q.replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: "") + "%"
            let like: DatabaseQuery.Filter.Method = req.application.usesSQLite ? .custom("LIKE") : .custom("ILIKE")
            let tid = TrackingID(q)?.rawValue ?? ""
            query.group(.or) { $0.filter(\.$trackingID == tid).filter(\.$title, like, pattern).filter(\.$body, like, pattern) }
        }
        let result = try await query.sort(\.$submittedAt, .descending).sort(\.$id, .descending)
            .paginate(PageRequest(page: page, per: perPage))
        let pages = max(1, (result.metadata.total + perPage - 1) / perPage)
        func link(_ n: Int) -> String {
            var items = ["halaman=\(n)"] + kept.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0.1)" }
            if let state { items.append("state=\(state.rawValue)") }
            if overdue { items.append("terlambat=1") }
            if mineOnly { items.append("milik=saya") }
            if !q.isEmpty { items.append("q=" + (q.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")) }
            return SiteURL.officerComplaints.path + "?" + items.joined(separator: "&")
        }
        // The heading names every filter, so a list reached from a monev figure never reads as all complaints.
        let filters = said + (state.map { [req.text("state_\($0.rawValue)")] } ?? []) + (overdue ? [req.text("ws_filter_overdue")] : [])
            + (mineOnly ? [req.text("ws_filter_mine")] : []) + (q.isEmpty ? [] : [req.text("ws_filter_search", ["q": q])])
        let filtered = !filters.isEmpty
        var view = ListView(
            title: filtered ? req.text("ws_list_title_named", ["filters": filters.joined(separator: " · ")]) : req.text("ws_list_title"),
            sections: [CaseSection(id: "daftar", title: req.text("ws_list_title"), hint: "", rows: result.items.map { ws.row($0) }, bulk: false)],
            states: ComplaintState.allCases.map { Choice(value: $0.rawValue, label: req.text("state_\($0.rawValue)"), selected: $0 == state) },
            q: q, overdueOnly: overdue, total: result.metadata.total, page: page, pages: pages,
            previous: page > 1 ? link(page - 1) : nil, next: page < pages ? link(page + 1) : nil,
            narrowed: said.joined(separator: " · "), hidden: kept.map { Choice(value: $0.1, label: $0.0) })
        view.mineOnly = mineOnly
        view.sections = try await ws.naming(view.sections)
        return try await req.page("officer_list", title: filtered ? "ws_list_title_filtered" : "ws_list_title", view)
    }

    // MARK: bulk actions

    struct BulkForm: Content {
        var ids: [String]?
        var action: String?
        var unit: String?
        var reason: String?
        var text: String?
    }

    /// The same action on several complaints, each decided and written on its own; the page reports what was done.
    static func bulk(_ req: Request) async throws -> Response {
        let ws = try await Workspace.of(req)
        let form = try req.content.decode(BulkForm.self)
        let ids = Array(Set(form.ids ?? [])).sorted()
        guard !ids.isEmpty, ids.count <= 100 else {
            throw AppError.invalid(req.text("ws_bulk_error_selection"), field: "ids")
        }
        let command: ComplaintCommand
        switch form.action {
        case "verify"?:
            guard let unit = form.unit, ws.reference.tree.units[unit] != nil else { throw AppError.invalid(req.text("ws_error_unit"), field: "unit") }
            command = .verify(Disposition(unit: unit))
        case "archive"?:
            guard let reason = form.reason.flatMap(ArchiveReason.init(rawValue:)), reason != .duplikat else {
                throw AppError.invalid(req.text("ws_error_reason"), field: "reason")
            }
            command = .archive(reason)
        default:
            throw AppError.invalid(req.text("ws_bulk_error_action"), field: "action")
        }
        // Every complaint must be readable by this officer before anything is written.
        for id in ids { _ = try await ws.complaint(id) }
        var done = 0, refused = 0
        for id in ids {
            do {
                let c = try await ws.complaint(id)
                var decided = command
                if case .verify(var d) = command, let category = c.categoryCode, let info = ws.reference.categories[category] {
                    d.category = category; d.categoryClass = info.resolutionClass
                    decided = .verify(d)
                }
                _ = try await ComplaintStore.perform(decided, actor: ws.participant, actorID: ws.principal.username,
                                                     trackingID: c.trackingID, texts: Texts(public: form.text), app: req.application)
                done += 1
            } catch is LifecycleError {
                // Someone else acted on it meanwhile, or it is not this officer's to decide: it stays in its queue.
                refused += 1
            }
        }
        return req.redirect(to: SiteURL.officerHome.path + "?ok=\(done)&refused=\(refused)")
    }
}
