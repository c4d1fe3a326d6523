import AduanCore
import Fluent
import Foundation
import Vapor

/// The public transparency pages of SPEC §9: the list and search of non-confidential complaints, each unit's
/// report card and the statistics of a jurisdiction. Figures come from `MetricEngine` over `MonevQuery.facts`,
/// the same path as the inspector's monev, so public counts match the monev definitions.
enum TransparencyController {
    /// Rows per page of the public list.
    static let perPage = 20

    // MARK: - GET /laporan

    /// What the visitor asked the list for. Unknown values are dropped rather than refused, so an old or
    /// hand-edited link still shows a list instead of an error.
    struct ListFilters: Sendable, Equatable {
        var jurisdiction: String?
        var unit: String?
        var category: String?
        var state: ComplaintState?
        var q: String?
        var page = 1

        static let maxQueryLength = 200

        static func parse(_ req: Request, reference: ReferenceData) -> ListFilters {
            func value(_ name: String) -> String? {
                guard let raw = req.query[String.self, at: name]?.trimmingCharacters(in: .whitespacesAndNewlines), !raw.isEmpty
                else { return nil }
                return raw
            }
            var f = ListFilters()
            f.jurisdiction = value("jurisdiction").flatMap { reference.tree.jurisdictions[$0] == nil ? nil : $0 }
            f.unit = value("unit").flatMap { reference.tree.units[$0] == nil ? nil : $0 }
            f.category = value("category").flatMap { reference.categories[$0] == nil ? nil : $0 }
            f.state = value("state").flatMap(ComplaintState.init(rawValue:))
            f.q = value("q").map { String($0.prefix(maxQueryLength)) }
            f.page = value("page").flatMap(Int.init).map { min(max($0, 1), 100_000) } ?? 1
            return f
        }

        var hasFilters: Bool { jurisdiction != nil || unit != nil || category != nil || state != nil || q != nil }

        /// The list's address with these filters, on `page`.
        func link(page: Int) -> String {
            var items: [(String, String)] = []
            if let jurisdiction { items.append(("jurisdiction", jurisdiction)) }
            if let unit { items.append(("unit", unit)) }
            if let category { items.append(("category", category)) }
            if let state { items.append(("state", state.rawValue)) }
            if let q { items.append(("q", q)) }
            if page > 1 { items.append(("page", String(page))) }
            return FigureViews.link(SiteURL.complaintList.path, items)
        }
    }

    /// One page of the public list: complaints and the total that matched.
    struct ListResult: Sendable {
        struct Row: Sendable {
            var trackingID: String
            var title: String
            var state: String
            var jurisdiction: String
            var unit: String?
            var submittedAt: Date
            /// When the current stage is due (nil when no deadline runs).
            var dueAt: Date? = nil
        }
        var rows: [Row]
        var total: Int
    }

    /// The public list query, callable without HTTP. Never confidential, never whistleblowing, never spam; only
    /// public columns are read, so no reporter identity can reach the page.
    static func listing(_ f: ListFilters, usesSQLite: Bool, publication: Visibility.Publication, on db: any Database) async throws -> ListResult {
        let query = Complaint.query(on: db).listedPublicly(publication)
        if let j = f.jurisdiction { query.filter(\.$jurisdictionCode == j) }
        if let unit = f.unit { query.filter(\.$unitID == unit) }
        if let category = f.category { query.filter(\.$categoryCode == category) }
        if let state = f.state { query.filter(\.$state == state.rawValue) }
        if let q = f.q {
            let words = q.replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: "")
            let pattern = "%" + words + "%"
            let like: DatabaseQuery.Filter.Method = usesSQLite ? .custom("LIKE") : .custom("ILIKE")
            let trackingID = TrackingID(q)
            query.group(.or) { any in
                if let trackingID { any.filter(\.$trackingID == trackingID.rawValue) }
                if !words.isEmpty { any.filter(\.$title, like, pattern).filter(\.$body, like, pattern) }
                if trackingID == nil && words.isEmpty { any.filter(\.$id == -1) }
            }
        }
        let total = try await query.count()
        let complaints = try await query.copy()
            .field(\.$id).field(\.$trackingID).field(\.$title).field(\.$state).field(\.$jurisdictionCode)
            .field(\.$unitID).field(\.$submittedAt).field(\.$dueAt)
            .sort(\.$submittedAt, .descending).sort(\.$id, .descending)
            .range((f.page - 1) * perPage ..< f.page * perPage)
            .all()
        return ListResult(rows: complaints.map {
            .init(trackingID: $0.trackingID, title: $0.title, state: $0.state, jurisdiction: $0.jurisdictionCode,
                  unit: $0.unitID, submittedAt: $0.submittedAt, dueAt: $0.dueAt)
        }, total: total)
    }

    struct ListRowView: Encodable, Sendable {
        var formattedID: String
        var link: String
        var title: String
        var state: String
        var stateCode: String
        var unit: String?
        var unitLink: String?
        var submitted: String
        var submittedISO: String
        /// The current stage's due, "(sementara)" when its year's national holidays are not loaded (issue 19).
        var due: String?
        var dueISO: String?
    }

    struct ListView: Encodable, Sendable {
        var action: String
        var q: String
        var jurisdictions: [Choice]
        var units: [ChoiceGroup]
        var categories: [Choice]
        var states: [Choice]
        var rows: [ListRowView]
        var hasRows: Bool
        var resultText: String
        var pageText: String?
        var previous: String?
        var next: String?
        var hasFilters: Bool
        var clearLink: String
    }

    static func list(_ req: Request) async throws -> Response {
        try await req.page("complaints", title: "list_title", listView(req))
    }

    /// The list page's view model for the request's filters and language.
    static func listView(_ req: Request) async throws -> ListView {
        let reference = try await req.reference()
        let f = ListFilters.parse(req, reference: reference)
        let result = try await listing(f, usesSQLite: req.application.usesSQLite, publication: req.application.settings.publication, on: req.db)
        let lang = req.language
        let numbers = FigureViews.Numbers(language: lang)
        let pages = max(1, (result.total + perPage - 1) / perPage)
        let rows = result.rows.map { row in
            let calendar = reference.calendar(for: row.jurisdiction)
            return ListRowView(
                formattedID: TrackingID(row.trackingID)?.formatted ?? row.trackingID,
                link: SiteURL.publicComplaint(row.trackingID).path, title: row.title,
                state: req.text("state_\(row.state)"), stateCode: row.state,
                unit: row.unit.map { reference.tree.units[$0]?.name ?? $0 }, unitLink: row.unit.map { SiteURL.unitCard($0).path },
                submitted: numbers.shortDate(row.submittedAt, calendar, req), submittedISO: calendar.localDate(of: row.submittedAt).description,
                due: row.dueAt.map { numbers.shortDate($0, calendar, req)
                    + (reference.coverage.isProvisional($0, in: calendar) ? " " + req.text("due_provisional_short") : "") },
                dueISO: row.dueAt.map { calendar.localDate(of: $0).description })
        }
        let view = ListView(
            action: SiteURL.complaintList.path, q: f.q ?? "",
            jurisdictions: jurisdictionOptions(reference, selected: f.jurisdiction),
            units: unitOptions(reference, selected: f.unit),
            categories: categoryOptions(reference, selected: f.category, req.language),
            states: ComplaintState.allCases.map { Choice(value: $0.rawValue, label: req.text("state_\($0.rawValue)"), selected: $0 == f.state) },
            rows: rows, hasRows: !rows.isEmpty,
            resultText: req.text(result.total == 0 ? "list_result_none" : "list_result_count", ["count": numbers.count(result.total)]),
            pageText: pages > 1 ? req.text("list_page_of", ["page": numbers.count(f.page), "pages": numbers.count(pages)]) : nil,
            previous: f.page > 1 ? f.link(page: min(f.page - 1, pages)) : nil,
            next: f.page < pages ? f.link(page: f.page + 1) : nil,
            hasFilters: f.hasFilters, clearLink: SiteURL.complaintList.path)
        return view
    }

    // MARK: - GET /unit/{jurisdiction}/{slug}

    struct Figure: Encodable, Sendable {
        var label: String
        var value: String
        var note: String?
        /// The API's field name, carried as `data-metric`.
        var metric: String = ""
    }

    struct UnitCardView: Encodable, Sendable {
        var action: String
        var name: String
        var jurisdiction: String
        var jurisdictionLink: String
        var parent: String?
        var parentLink: String?
        var children: [Link]
        var hasChildren: Bool
        var year: Int
        var years: [Choice]
        var periodText: String
        var asOf: String
        var figures: [Figure]
        var states: [CountRow]
        var hasComplaints: Bool
        /// Fewer than 5 complaints, a confidential one among them: no figure is shown (SPEC §9).
        var withheld: Bool
        var smallCountNote: String?
        var listLink: String
        var scoreNote: String
    }

    static func unit(_ req: Request) async throws -> Response {
        let id = "\(req.parameters.get("jurisdiction") ?? "")/\(req.parameters.get("slug") ?? "")"
        let view = try await unitCardView(req, unit: id)
        // The title names the unit: `page` looks its title up in the catalogue and falls back to the text itself.
        return try await req.page("unit", title: req.text("card_title", ["unit": view.name]), view)
    }

    /// The report card of unit `id` (`63/dinkes`) for the request's `?year=` and language; small counts of
    /// confidential complaints withheld (`SmallCounts`).
    static func unitCardView(_ req: Request, unit id: String) async throws -> UnitCardView {
        let reference = try await req.reference()
        guard let unit = reference.tree.units[id] else { throw AppError.notFound(req.text("card_not_found")) }
        let calendar = reference.calendar(for: unit.jurisdiction)
        let now = req.application.clock.now
        let year = requestedYear(req, calendar: calendar, now: now)
        let (from, to) = yearBounds(year, calendar)
        let weights = try await MonevQuery.weights(on: req.db)
        let f = try await MonevQuery.figures(on: req.db, reference: reference, jurisdictions: [], unit: unit.id, from: from, to: to, now: now,
                                             weights: weights, including: [unit.id], overdueLimit: 0)
        let summary = f.summary
        let metrics = f.units.first { $0.unit == unit.id } ?? UnitMetrics(unit: unit.id)
        let sensitive = try await MonevQuery.sensitive(on: req.db, reference: reference, figures: f, jurisdictions: [], unit: unit.id,
                                                       from: from, to: to)
        let d = SmallCounts.summary(summary, sensitive)

        let lang = req.language
        let n = FigureViews.Numbers(language: lang)
        let figures = [
            Figure(label: req.text("card_received"), value: n.count(summary.received, withheld: d.withholds("received"), req),
                   note: req.text("card_received_note"), metric: "received"),
            Figure(label: req.text("metric_followed_up"), value: n.percent(summary.followedUpRate, withheld: d.withholds("followed_up_rate"), req),
                   metric: "followed_up_rate"),
            Figure(label: req.text("metric_completion"), value: n.percent(summary.completionRate, withheld: d.withholds("completion_rate"), req),
                   metric: "completion_rate"),
            Figure(label: req.text("metric_response_on_time"), value: n.percent(summary.responseOnTimeRate, withheld: d.population, req),
                   metric: "response_on_time_rate"),
            Figure(label: req.text("metric_response_median"), value: d.population ? req.text("small_count_figure") : n.days(summary.responseDaysMedian, req),
                   metric: "response_days_median"),
            Figure(label: req.text("metric_resolution_on_time"), value: n.percent(summary.resolutionOnTimeRate, withheld: d.population, req),
                   metric: "resolution_on_time_rate"),
            Figure(label: req.text("metric_resolution_median"), value: d.population ? req.text("small_count_figure") : n.days(summary.resolutionDaysMedian, req),
                   metric: "resolution_days_median"),
            Figure(label: req.text("metric_satisfaction"),
                   value: d.withholds("satisfaction_mean") ? req.text("small_count_figure") : n.satisfaction(summary.satisfactionMean, req),
                   note: d.withholds("rated_share") ? nil : summary.ratedShare.map { req.text("metric_rated_share", ["share": n.percent($0)]) },
                   metric: "satisfaction_mean"),
            Figure(label: req.text("metric_reopen"), value: n.percent(summary.reopenRate, withheld: d.withholds("reopen_rate"), req), metric: "reopen_rate"),
            Figure(label: req.text("metric_overdue_now"), value: n.count(summary.overdueNow, withheld: d.population, req), metric: "overdue_now"),
            Figure(label: req.text("metric_compliance"), value: n.decimal(metrics.complianceScore, withheld: d.withholds("dispositioned"), req),
                   metric: "compliance_score"),
        ]
        let jurisdictionName = reference.tree.jurisdictions[unit.jurisdiction]?.name ?? unit.jurisdiction
        let parent = unit.parent.flatMap { reference.tree.units[$0] }
        let children = reference.tree.units.values.filter { $0.parent == unit.id && $0.active }.sorted { $0.name < $1.name }
        let view = UnitCardView(
            action: SiteURL.unitCard(unit.id).path, name: unit.name, jurisdiction: jurisdictionName,
            jurisdictionLink: FigureViews.link(SiteURL.statistics.path, [("j", unit.jurisdiction), ("year", String(year))]),
            parent: parent?.name, parentLink: parent.map { SiteURL.unitCard($0.id).path },
            children: children.map { Link(label: $0.name, href: SiteURL.unitCard($0.id).path) }, hasChildren: !children.isEmpty,
            year: year, years: FigureViews.yearOptions(selected: year, current: calendar.localDate(of: now).year),
            periodText: req.text("stats_period_year", ["year": String(year)]),
            asOf: req.text("stats_period_as_of", ["when": Wording(req, timeZone: calendar.timeZone).dateTime(now)]),
            figures: figures, states: stateRows(summary, req, n, disclosure: d), hasComplaints: summary.received > 0,
            withheld: d.population, smallCountNote: d.isEmpty ? nil : req.text("small_count_note"),
            listLink: FigureViews.link(SiteURL.complaintList.path, [("unit", unit.id)]),
            scoreNote: FigureViews.scoreNote(weights, req, n))
        return view
    }

    // MARK: - GET /statistik?j=63&year=2026

    struct UnitRowView: Encodable, Sendable {
        var id: String
        var name: String
        var link: String
        var dispositioned: String
        var followedUp: String
        var completion: String
        var responseOnTime: String
        var responseMean: String
        var satisfaction: String
        var score: String
        var overdue: String
        var withheld: Bool
    }

    struct StatisticsView: Encodable, Sendable {
        var action: String
        var jurisdiction: String
        var jurisdictionCode: String
        var year: Int
        /// The jurisdiction has kabupaten/kota below it, so the "include them" switch is offered.
        var hasSub: Bool
        var includeSub: Bool
        var jurisdictions: [Choice]
        var years: [Choice]
        var periodText: String
        var asOf: String
        var headline: [Figure]
        var stages: [FigureViews.StageRowView]
        var others: [Figure]
        var charts: [ChartView]
        /// Units with figures in the period, ranked.
        var units: [UnitRowView]
        var hasUnits: Bool
        /// Units with nothing in the period, listed by name under a fold.
        var quietUnits: [Link]
        var quietSummary: String
        var noComplaints: Bool
        var smallCountNote: String?
        var listLink: String
        var scoreNote: String
    }

    static func statistics(_ req: Request) async throws -> Response {
        let view = try await statisticsView(req)
        return try await req.page("statistics", title: req.text("stats_title", ["place": view.jurisdiction, "year": String(view.year)]), view)
    }

    /// The statistics page's view model for the request's `?j=` (default: the province) and `?year=`; small counts of
    /// confidential complaints withheld (`SmallCounts`).
    static func statisticsView(_ req: Request) async throws -> StatisticsView {
        let reference = try await req.reference()
        let requested = req.query[String.self, at: "j"]?.trimmingCharacters(in: .whitespaces)
        let code = requested.flatMap({ $0.isEmpty ? nil : $0 }) ?? reference.defaultJurisdiction
        guard let jurisdiction = reference.tree.jurisdictions[code] else { throw AppError.notFound(req.text("stats_not_found")) }
        let calendar = reference.calendar(for: code)
        let now = req.application.clock.now
        let year = requestedYear(req, calendar: calendar, now: now)
        let (from, to) = yearBounds(year, calendar)
        // `sub=1` adds the kabupaten/kota below a province (SPEC §12 `include_sub`).
        let subtree = reference.tree.jurisdictionSubtree(code)
        let includeSub = subtree.count > 1 && req.query[String.self, at: "sub"] == "1"
        let codes = includeSub ? subtree.sorted() : [code]
        // Every handling unit of the jurisdiction is listed: those with figures ranked, the others folded.
        let handling = reference.tree.handlingUnits(in: codes)
        let weights = try await MonevQuery.weights(on: req.db)
        let f = try await MonevQuery.figures(on: req.db, reference: reference, jurisdictions: codes, from: from, to: to, now: now,
                                             weights: weights, including: handling, overdueLimit: 0)
        let summary = f.summary
        let sensitive = try await MonevQuery.sensitive(on: req.db, reference: reference, figures: f, jurisdictions: codes, from: from, to: to)
        let d = SmallCounts.summary(summary, sensitive)

        let lang = req.language
        let n = FigureViews.Numbers(language: lang)
        let headline = [
            Figure(label: req.text("stats_received"), value: n.count(summary.received, withheld: d.withholds("received"), req), metric: "received"),
            Figure(label: req.text("stats_dispositioned"), value: n.count(summary.dispositioned, withheld: d.withholds("dispositioned"), req),
                   metric: "dispositioned"),
            Figure(label: req.text("metric_followed_up"), value: n.percent(summary.followedUpRate, withheld: d.withholds("followed_up_rate"), req),
                   metric: "followed_up_rate"),
            Figure(label: req.text("metric_completion"), value: n.percent(summary.completionRate, withheld: d.withholds("completion_rate"), req),
                   metric: "completion_rate"),
            Figure(label: req.text("metric_satisfaction"),
                   value: d.withholds("satisfaction_mean") ? req.text("small_count_figure") : n.satisfaction(summary.satisfactionMean, req),
                   metric: "satisfaction_mean"),
            Figure(label: req.text("metric_overdue_now"), value: n.count(summary.overdueNow, withheld: d.population, req), metric: "overdue_now"),
        ]
        let stageRows = FigureViews.StageRowView.all(summary, withheld: d.population, numbers: n, req: req)
        let archivedDetail = d.population ? "" : ArchiveReason.allCases.compactMap { reason -> String? in
            guard let count = summary.archivedByReason[reason.rawValue], count > 0 else { return nil }
            return "\(req.text("stats_reason_\(reason.rawValue)")) \(n.count(count, withheld: d.withholds(.archiveReason, reason.rawValue), req))"
        }.joined(separator: "; ")
        let others = [
            Figure(label: req.text("metric_reopen"), value: n.percent(summary.reopenRate, withheld: d.withholds("reopen_rate"), req), metric: "reopen_rate"),
            Figure(label: req.text("stats_rated_share"), value: n.percent(summary.ratedShare, withheld: d.withholds("rated_share"), req), metric: "rated_share"),
            Figure(label: req.text("stats_archived"), value: n.count(summary.archived, withheld: d.withholds("archived"), req),
                   note: archivedDetail.isEmpty ? nil : archivedDetail, metric: "archived"),
            Figure(label: req.text("stats_forwarded_out"), value: n.count(summary.forwardedOut, withheld: d.withholds("forwarded_out"), req),
                   metric: "forwarded_out"),
        ]
        let charts = ChartView.breakdowns(summary, d, reference: reference, numbers: n, req: req)
        let ranked = f.units.sorted(by: UnitMetrics.rankedFirst)
        let units = ranked.filter { !$0.hasNothing }.map { m in
            let withheld = SmallCounts.row(m, sensitive: sensitive.unit(m.unit))
            return UnitRowView(id: m.unit, name: reference.tree.units[m.unit]?.name ?? m.unit, link: SiteURL.unitCard(m.unit).path,
                               dispositioned: n.count(m.dispositioned, withheld: withheld, req),
                               followedUp: n.percent(m.followedUpRate, withheld: withheld, req),
                               completion: n.percent(m.completionRate, withheld: withheld, req),
                               responseOnTime: n.percent(m.responseOnTimeRate, withheld: withheld, req),
                               responseMean: n.decimal(m.responseDaysMean, withheld: withheld, req),
                               satisfaction: n.decimal(m.satisfactionMean, withheld: withheld, req),
                               score: n.decimal(m.complianceScore, withheld: withheld, req),
                               overdue: n.count(m.overdueNow, withheld: withheld, req), withheld: withheld)
        }
        let quiet = ranked.filter(\.hasNothing)
            .map { Link(label: reference.tree.units[$0.unit]?.name ?? $0.unit, href: SiteURL.unitCard($0.unit).path) }
            .sorted { $0.label < $1.label }
        let view = StatisticsView(
            action: SiteURL.statistics.path, jurisdiction: jurisdiction.name, jurisdictionCode: code, year: year,
            hasSub: subtree.count > 1, includeSub: includeSub,
            jurisdictions: jurisdictionOptions(reference, selected: code),
            years: FigureViews.yearOptions(selected: year, current: calendar.localDate(of: now).year),
            periodText: req.text("stats_period_year", ["year": String(year)]),
            asOf: req.text("stats_period_as_of", ["when": Wording(req, timeZone: calendar.timeZone).dateTime(now)]),
            headline: headline, stages: stageRows, others: others, charts: charts, units: units, hasUnits: !units.isEmpty,
            quietUnits: quiet, quietSummary: req.text("stats_quiet_units", ["n": n.count(quiet.count)]),
            noComplaints: summary.received == 0,
            smallCountNote: d.isEmpty && !units.contains(where: \.withheld) ? nil : req.text("small_count_note"),
            listLink: FigureViews.link(SiteURL.complaintList.path, [("jurisdiction", code)]),
            scoreNote: FigureViews.scoreNote(weights, req, n))
        return view
    }

    // MARK: - Shared view pieces
    struct Link: Encodable, Sendable { var label: String; var href: String }
    struct CountRow: Encodable, Sendable { var label: String; var count: String }

    // MARK: - Helpers

    /// `?year=` when it is a sensible year, else the current year in the jurisdiction's calendar.
    static func requestedYear(_ req: Request, calendar: WorkingCalendar, now: Date) -> Int {
        let current = calendar.localDate(of: now).year
        guard let text = req.query[String.self, at: "year"], let year = Int(text), (2000...current).contains(year) else { return current }
        return year
    }

    /// The instants bounding the local calendar year: [1 January 00:00, next 1 January 00:00).
    static func yearBounds(_ year: Int, _ calendar: WorkingCalendar) -> (Date, Date) {
        (calendar.startOfDay(LocalDate(year: year, month: 1, day: 1)!), calendar.startOfDay(LocalDate(year: year + 1, month: 1, day: 1)!))
    }

    /// The top of the tree (the province), the statistics page's default.
    static func jurisdictionOptions(_ reference: ReferenceData, selected: String?) -> [Choice] {
        reference.tree.jurisdictions.values.sorted { $0.code < $1.code }
            .map { Choice(value: $0.code, label: $0.name, selected: $0.code == selected) }
    }

    static func unitOptions(_ reference: ReferenceData, selected: String?) -> [ChoiceGroup] {
        let units = reference.tree.units.values.filter(\.handlesComplaints)
        return Dictionary(grouping: units, by: \.jurisdiction).keys.sorted().map { code in
            ChoiceGroup(label: reference.tree.jurisdictions[code]?.name ?? code,
                        options: units.filter { $0.jurisdiction == code }.sorted { $0.name < $1.name }
                            .map { Choice(value: $0.id, label: $0.name, selected: $0.id == selected) })
        }
    }

    static func categoryOptions(_ reference: ReferenceData, selected: String?, _ language: Language) -> [Choice] {
        reference.categories.keys.map { (code: $0, label: FigureViews.categoryLabel($0, reference, language)) }
            .sorted { $0.label < $1.label }
            .map { Choice(value: $0.code, label: $0.label, selected: $0.code == selected) }
    }

    static func stateRows(_ summary: MetricSummary, _ req: Request, _ n: FigureViews.Numbers, disclosure d: SmallCounts.Disclosure = SmallCounts.exact) -> [CountRow] {
        ComplaintState.allCases.compactMap { state in
            guard let count = summary.byState[state.rawValue], count > 0 else { return nil }
            return CountRow(label: req.text("state_\(state.rawValue)"), count: n.count(count, withheld: d.withholds(.state, state.rawValue), req))
        }
    }
}
