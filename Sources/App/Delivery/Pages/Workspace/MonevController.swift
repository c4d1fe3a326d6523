import AduanCore
import Fluent
import Foundation
import Vapor

/// The figures of a reader's selection (scope, period, as-of day) and what of them the reader may see, with the
/// headline numbers: the dashboard, the report, the files, the API and the executive's home all start here.
enum MonevEvaluation {
    typealias T = FigureViews

    /// What the reader asked for: the jurisdiction, whether its kabupaten/kota are included, the period, a past day to
    /// evaluate as of, and whether units with nothing in the period are listed.
    struct Selection: Sendable {
        var code: String
        var includeSub: Bool
        var period: Period
        var asOf: LocalDate?
        var allUnits: Bool
    }

    /// What the dashboard, the report, the files and the executive's home have in common: the scope, the period, the
    /// figures, and what of them this reader may see.
    struct Evaluation: Sendable {
        var jurisdiction: OrgTree.Jurisdiction
        var codes: [String]
        var includeSub: Bool
        var period: Period
        var from: Date
        var to: Date
        /// The instant the figures are evaluated at: now, or the end of the chosen day (`per`).
        var now: Date
        var asOf: LocalDate?
        var summary: MetricSummary
        /// Every handling unit of the scope, ranked.
        var units: [UnitMetrics]
        var jurisdictions: [(code: String, metrics: UnitMetrics)]
        /// The kabupaten/kota whose row is withheld for this reader (`SmallCounts.place`).
        var withheldPlaces: Set<String>
        /// The most overdue open stages (at most 100) and how many there are.
        var overdue: [OverdueStage]
        var overdueCount: Int
        /// Complaints received per month (`yyyymm`).
        var receivedByMonth: [Int: Int]
        var publicCount: Int
        var weights: ComplianceWeights
        /// The reader sees exact figures (an inspector over the scope); otherwise small counts are withheld.
        var exact: Bool
        var sensitive: SensitiveCounts
        var disclosure: SmallCounts.Disclosure
        /// Units with nothing in the period are listed too.
        var allUnits: Bool

        /// The units the ranking lists: all of them when asked, else those with something in the period.
        var shownUnits: [UnitMetrics] { allUnits ? units : units.filter { !$0.hasNothing } }
        var quietUnits: Int { units.filter(\.hasNothing).count }
        func withheld(unit m: UnitMetrics) -> Bool { !exact && SmallCounts.row(m, sensitive: sensitive.unit(m.unit)) }
        func withheld(place code: String, _ m: UnitMetrics) -> Bool { withheldPlaces.contains(code) }
        func withheld(month yyyymm: Int) -> Bool {
            !exact && (disclosure.population || SmallCounts.isWithheld(count: receivedByMonth[yyyymm] ?? 0, sensitive: sensitive.month(yyyymm)))
        }
    }

    /// Reads `j`, `sub`, `periode` (`year`, `quarter-2`, `month-4`, or `quarter`/`month` with `ke`), `tahun`, `per` and
    /// `semua` from the query; 403 outside the officer's scope, 422 for a period or day that does not exist.
    static func selection(_ req: Request, principal: OfficerPrincipal, reference: ReferenceData) throws -> Selection {
        let allowed = Access.monevJurisdictions(principal.officer, tree: reference.tree)
        guard !allowed.isEmpty else { throw AppError.forbidden(req.text("monev_forbidden")) }
        let requested = req.query[String.self, at: "j"].flatMap { $0.isEmpty ? nil : $0 }
        let code = requested ?? allowed.min { ($0.split(separator: ".").count, $0) < ($1.split(separator: ".").count, $1) }!
        guard reference.tree.jurisdictions[code] != nil else { throw AppError.notFound(req.text("stats_not_found")) }
        guard allowed.contains(code) else { throw AppError.forbidden(req.text("monev_forbidden")) }
        let today = reference.calendar(for: code).localDate(of: req.application.clock.now)
        var asOf: LocalDate?
        if let text = req.query[String.self, at: "per"], !text.isEmpty {
            guard let day = LocalDate(text), day <= today else { throw AppError.invalid(req.text("monev_error_as_of"), field: "per") }
            if day < today { asOf = day }
        }
        let raw = req.query[String.self, at: "periode"].flatMap { $0.isEmpty ? nil : $0 } ?? Period.Kind.year.rawValue
        var kindText = raw, indexText = req.query[String.self, at: "ke"]
        if let dash = raw.firstIndex(of: "-") { kindText = String(raw[..<dash]); indexText = String(raw[raw.index(after: dash)...]) }
        guard let kind = Period.Kind(rawValue: kindText) else { throw AppError.invalid(req.text("monev_error_period"), field: "periode") }
        let year = req.query[String.self, at: "tahun"].flatMap { Int($0) } ?? today.year
        let defaultIndex = kind == .month ? today.month : kind == .quarter ? (today.month - 1) / 3 + 1 : 1
        let index = indexText.flatMap { $0.isEmpty ? nil : $0 }.map { Int($0) ?? 0 } ?? defaultIndex
        guard let period = Period(kind: kind, year: year, index: kind == .year ? 1 : index) else {
            throw AppError.invalid(req.text("monev_error_period"), field: "periode")
        }
        let includeSub = reference.tree.jurisdictionSubtree(code).count > 1 && req.query[String.self, at: "sub"] == "1"
        return Selection(code: code, includeSub: includeSub, period: period, asOf: asOf, allUnits: req.query[String.self, at: "semua"] == "1")
    }

    static func evaluate(_ req: Request, principal: OfficerPrincipal, reference: ReferenceData) async throws -> Evaluation {
        try await evaluate(req, principal: principal, reference: reference, selection(req, principal: principal, reference: reference))
    }

    /// The figures of a selection through `MonevQuery.figures`, and what of them `principal` may see.
    static func evaluate(_ req: Request, principal: OfficerPrincipal, reference: ReferenceData, _ s: Selection) async throws -> Evaluation {
        guard let jurisdiction = reference.tree.jurisdictions[s.code] else { throw AppError.notFound(req.text("stats_not_found")) }
        let calendar = reference.calendar(for: s.code)
        let now = s.asOf.map { MonevQuery.asOfInstant(of: $0, in: calendar) } ?? req.application.clock.now
        let codes = s.includeSub ? reference.tree.jurisdictionSubtree(s.code).sorted() : [s.code]
        let (from, to) = s.period.bounds(in: calendar)
        let weights = try await MonevQuery.weights(on: req.db)
        let handling = reference.tree.handlingUnits(in: codes)
        let f = try await MonevQuery.figures(on: req.db, reference: reference, jurisdictions: codes, from: from, to: to, now: now,
                                             asOf: s.asOf.map { _ in now }, weights: weights, including: handling)
        let exact = SmallCounts.readsExactFigures(principal.officer, over: codes, tree: reference.tree)
        let sensitive = exact ? SensitiveCounts()
            : try await MonevQuery.sensitive(on: req.db, reference: reference, figures: f, jurisdictions: codes, from: from, to: to,
                                             asOf: s.asOf.map { _ in now })
        // Each kabupaten/kota scored like a unit, over its own complaints and stages.
        let ranked = f.jurisdictions.map { code, summary in (code: code, metrics: MetricEngine.unit(code, summary: summary, weights: weights)) }
            .sorted { UnitMetrics.rankedFirst($0.metrics, $1.metrics) }
        return Evaluation(jurisdiction: jurisdiction, codes: codes, includeSub: s.includeSub, period: s.period, from: from, to: to, now: now,
                          asOf: s.asOf, summary: f.summary, units: f.units.sorted(by: UnitMetrics.rankedFirst),
                          jurisdictions: s.includeSub ? ranked : [],
                          withheldPlaces: exact ? [] : Set(f.jurisdictions.filter { SmallCounts.place($0.value, $0.key, sensitive) }.keys),
                          overdue: f.overdue, overdueCount: f.overdueCount,
                          receivedByMonth: f.receivedByMonth, publicCount: f.publicCount, weights: weights, exact: exact,
                          sensitive: sensitive, disclosure: exact ? SmallCounts.exact : SmallCounts.summary(f.summary, sensitive),
                          allUnits: s.allUnits)
    }

    /// A headline figure; `metric` is the API's field name (the pages carry it as `data-metric`).
    struct Figure: Encodable, Sendable { var metric: String; var label: String; var value: String; var link: String? }
    /// The list of complaints behind a number: the officer list with the dashboard's scope and period.
    static func drill(_ e: Evaluation, _ extra: [(String, String)] = []) -> String {
        var items: [(String, String)] = [("j", e.jurisdiction.code), ("dari", e.period.days.first.description),
                                         ("sampai", e.period.days.next.adding(days: -1).description)]
        if e.includeSub { items.append(("sub", "1")) }
        return T.link(SiteURL.officerComplaints.path, items + extra)
    }

    /// The period in a link: its kind and year, and the month or quarter number (`ke`) except for a whole year.
    static func periodQuery(_ p: Period) -> [(String, String)] {
        [("periode", p.kind.rawValue), ("tahun", String(p.year))] + (p.kind == .year ? [] : [("ke", String(p.index))])
    }

    /// The query that selects `e` again (the links to the report and the files keep the scope, period and options).
    static func selectionQuery(_ e: Evaluation) -> [(String, String)] {
        [("j", e.jurisdiction.code)] + periodQuery(e.period)
            + (e.includeSub ? [("sub", "1")] : []) + (e.asOf.map { [("per", $0.description)] } ?? []) + (e.allUnits ? [("semua", "1")] : [])
    }

    /// The headline figures of `e` in the reader's language, small counts withheld for restricted readers.
    static func headline(_ e: Evaluation, _ req: Request, links: Bool) -> [Figure] {
        let n = T.Numbers(language: req.language)
        let s = e.summary, d = e.disclosure
        func link(_ extra: [(String, String)] = []) -> String? { links ? drill(e, extra) : nil }
        return [
            Figure(metric: "received", label: req.text("stats_received"), value: n.count(s.received, withheld: d.withholds("received"), req), link: link()),
            Figure(metric: "dispositioned", label: req.text("stats_dispositioned"),
                   value: n.count(s.dispositioned, withheld: d.withholds("dispositioned"), req), link: nil),
            Figure(metric: "followed_up_rate", label: req.text("metric_followed_up"),
                   value: n.percent(s.followedUpRate, withheld: d.withholds("followed_up_rate"), req), link: nil),
            Figure(metric: "completion_rate", label: req.text("metric_completion"),
                   value: n.percent(s.completionRate, withheld: d.withholds("completion_rate"), req), link: link([("state", "selesai")])),
            Figure(metric: "response_on_time_rate", label: req.text("metric_response_on_time"),
                   value: n.percent(s.responseOnTimeRate, withheld: d.population, req), link: nil),
            Figure(metric: "satisfaction_mean", label: req.text("metric_satisfaction"),
                   value: d.withholds("satisfaction_mean") ? req.text("small_count_figure") : n.satisfaction(s.satisfactionMean, req), link: nil),
            Figure(metric: "reopen_rate", label: req.text("metric_reopen"), value: n.percent(s.reopenRate, withheld: d.withholds("reopen_rate"), req),
                   link: nil),
            Figure(metric: "overdue_now", label: req.text("metric_overdue_now"), value: n.count(s.overdueNow, withheld: d.population, req),
                   link: link([("terlambat", "1")])),
            Figure(metric: "archived", label: req.text("stats_archived"), value: n.count(s.archived, withheld: d.withholds("archived"), req),
                   link: link([("state", "diarsipkan")])),
            Figure(metric: "forwarded_out", label: req.text("stats_forwarded_out"),
                   value: n.count(s.forwardedOut, withheld: d.withholds("forwarded_out"), req), link: link([("state", "diteruskan")])),
        ]
    }
}

/// The monitoring-and-evaluation workspace (SPEC §8): the inspectorate's dashboard over a jurisdiction and its
/// kabupaten/kota for a month, quarter or year — the §8 figures, charts, rankings of units and of kabupaten/kota,
/// the overdue and escalation lists — with every number leading to the complaints behind it. Executives see the
/// same read-only, with small counts of confidential complaints withheld (SPEC §9, `SmallCounts`). The figures come
/// from one query (`MonevQuery.figures`) for the dashboard, the printed report, the CSV and XLSX, the API, the
/// executive's home and the public statistics.
enum MonevController {
    typealias T = FigureViews

    // MARK: the dashboard

    struct RankRow: Encodable, Sendable {
        var id: String; var rank: Int; var name: String; var link: String; var dispositioned: String; var followedUp: String
        var completion: String; var responseOnTime: String; var satisfaction: String; var score: String; var overdue: String
        var withheld: Bool
    }
    struct OverdueRow: Encodable, Sendable { var link: String; var tracking: String; var stage: String; var place: String; var due: String; var age: String }
    struct EscalationRow: Encodable, Sendable { var link: String; var tracking: String; var title: String; var level: String; var place: String; var due: String }

    /// The dashboard under `d`, as the report page has it, so both share one template for the figures.
    struct DashboardPage: Encodable, Sendable { var d: DashboardView }

    struct DashboardView: Encodable, Sendable {
        var jurisdiction: String
        var jurisdictions: [Choice]
        var hasSub: Bool
        var includeSub: Bool
        var periods: [ChoiceGroup]
        var years: [Choice]
        var periodText: String
        var asOf: String
        var asOfValue: String
        var headline: [MonevEvaluation.Figure]
        var stages: [T.StageRowView]
        var charts: [ChartView]
        var units: [RankRow]
        var allUnits: Bool
        /// Units left out of the ranking because nothing happened there in the period (0 when all are listed).
        var quietUnits: Int
        var quietNote: String
        var places: [RankRow]
        var hasPlaces: Bool
        var overdue: [OverdueRow]
        var overdueMore: Int
        var escalations: [EscalationRow]
        var scoreNote: String
        /// Set when figures are withheld for this reader (SPEC §9), saying why.
        var smallCountNote: String?
        var csv: String
        var xlsx: String
        var report: String
        var readOnly: Bool
    }

    static func dashboard(_ req: Request) async throws -> Response {
        let ws = try await Workspace.of(req)
        let e = try await MonevEvaluation.evaluate(req, principal: ws.principal, reference: ws.reference)
        return try await req.page("officer_monev", title: "monev_title", DashboardPage(d: try await dashboardView(ws, e)))
    }

    static func dashboardView(_ ws: Workspace, _ e: MonevEvaluation.Evaluation) async throws -> DashboardView {
        let req = ws.req
        let n = T.Numbers(language: req.language)
        let reference = ws.reference
        let calendar = reference.calendar(for: e.jurisdiction.code)
        let wording = Wording(req, timeZone: calendar.timeZone)
        let s = e.summary, d = e.disclosure
        let stages = T.StageRowView.all(s, withheld: d.population, numbers: n, req: req)
        var charts = [
            ChartView.months(id: "chart-trend", title: req.text("monev_chart_trend"),
                             items: e.period.months.map { m in
                                 let key = m.year * 100 + m.month
                                 return (String(wording.month(m.month).prefix(3)), "\(wording.month(m.month)) \(m.year)", e.receivedByMonth[key] ?? 0,
                                         e.withheld(month: key))
                             }, numbers: n, req: req),
        ]
        if !e.jurisdictions.isEmpty {
            let series = [req.text("metric_followed_up_short"), req.text("metric_completion_short"), req.text("metric_response_on_time_short")]
            charts.append(ChartView.grouped(
                id: "chart-places", title: req.text("monev_chart_places"), header: req.text("list_jurisdiction"), series: series,
                groups: e.jurisdictions.sorted { $0.code < $1.code }.map { p in
                    let withheld = e.withheld(place: p.code, p.metrics)
                    let values = [p.metrics.followedUpRate, p.metrics.completionRate, p.metrics.responseOnTimeRate].map { rate in
                        (rate: withheld ? nil : rate, text: n.percent(rate, withheld: withheld, req))
                    }
                    return (label: ws.jurisdictionName(p.code), values: values)
                }, numbers: n, req: req))
        }
        charts.append(ChartView.rates(
            id: "chart-response", title: req.text("monev_chart_response"), header: req.text("stats_col_unit"),
            items: e.shownUnits.filter { $0.responseOnTimeRate != nil || e.allUnits }.map { m in
                let withheld = e.withheld(unit: m)
                return (label: ws.unitName(m.unit) ?? m.unit, rate: withheld ? nil : m.responseOnTimeRate,
                        text: n.percent(m.responseOnTimeRate, withheld: withheld, req))
            }, numbers: n, req: req))
        charts += ChartView.breakdowns(s, d, reference: reference, numbers: n, req: req)
        let units = e.shownUnits.enumerated().map { i, m in
            rankRow(i, m.unit, ws.unitName(m.unit) ?? m.unit, MonevEvaluation.drill(e, [("unit", m.unit)]), m, withheld: e.withheld(unit: m), n, req)
        }
        let places = e.jurisdictions.enumerated().map { i, p in
            rankRow(i, p.code, ws.jurisdictionName(p.code),
                    T.link(SiteURL.officerMonev.path, [("j", p.code)] + MonevEvaluation.periodQuery(e.period)), p.metrics, withheld: e.withheld(place: p.code, p.metrics), n, req)
        }
        let overdue = e.overdue.prefix(100).map { o in
            OverdueRow(link: SiteURL.officerComplaint(o.stage.complaintTrackingID).path,
                       tracking: TrackingID(o.stage.complaintTrackingID)?.formatted ?? o.stage.complaintTrackingID,
                       stage: req.text("stage_\(o.stage.kind.rawValue)"),
                       place: ws.unitName(o.stage.unit) ?? ws.jurisdictionName(o.stage.jurisdiction),
                       due: wording.date(o.stage.dueAt), age: req.text("ws_overdue_days", ["n": n.decimal(o.ageDays)]))
        }
        let escalated = try await Complaint.query(on: req.db).filter(\.$jurisdictionCode ~~ e.codes)
            // The top of the ladder (the inspectorate's): equality lets `complaints_escalated` give the order.
            .filter(\.$escalationLevel == Lifecycle.topEscalationLevel).filter(\.$state ~~ ComplaintState.allCases.filter(\.isOpen).map(\.rawValue))
            .sort(\.$officerDue, .ascending).limit(100).all()
        let escalations = escalated.map { c in
            EscalationRow(link: SiteURL.officerComplaint(c.trackingID).path, tracking: TrackingID(c.trackingID)?.formatted ?? c.trackingID,
                          title: Access.canRead(ws.officer, c.record, tree: reference.tree) ? c.title : req.text("monev_hidden_title"),
                          level: String(c.escalationLevel), place: ws.unitName(c.unitID) ?? ws.jurisdictionName(c.jurisdictionCode),
                          due: c.officerDue.map(wording.date) ?? "—")
        }
        let allowed = Access.monevJurisdictions(ws.officer, tree: reference.tree)
        let today = calendar.localDate(of: ws.now)
        let query = MonevEvaluation.selectionQuery(e)
        let withheldAny = !d.isEmpty || units.contains(where: \.withheld) || places.contains(where: \.withheld)
        return DashboardView(
            jurisdiction: e.jurisdiction.name,
            jurisdictions: reference.tree.jurisdictions.values.filter { allowed.contains($0.code) }.sorted { $0.code < $1.code }
                .map { Choice(value: $0.code, label: $0.name, selected: $0.code == e.jurisdiction.code) },
            hasSub: reference.tree.jurisdictionSubtree(e.jurisdiction.code).count > 1, includeSub: e.includeSub,
            periods: periodChoices(e.period, req, wording),
            years: T.yearOptions(selected: e.period.year, current: today.year),
            periodText: periodText(e.period, req, wording),
            asOf: req.text("stats_period_as_of", ["when": wording.dateTime(e.now)]), asOfValue: e.asOf?.description ?? "",
            headline: MonevEvaluation.headline(e, req, links: true), stages: stages, charts: charts, units: units, allUnits: e.allUnits,
            quietUnits: e.allUnits ? 0 : e.quietUnits,
            quietNote: req.text("monev_quiet_units", ["n": n.count(e.quietUnits)]),
            places: places, hasPlaces: !places.isEmpty,
            overdue: Array(overdue), overdueMore: max(0, e.overdueCount - overdue.count), escalations: escalations,
            scoreNote: T.scoreNote(e.weights, req, n), smallCountNote: withheldAny ? req.text("small_count_note") : nil,
            csv: T.link(SiteURL.monevCSV.path, query), xlsx: T.link(SiteURL.monevXLSX.path, query),
            report: T.link(SiteURL.monevReport.path, query),
            readOnly: !ws.holds(.inspector))
    }

    static func rankRow(_ index: Int, _ id: String, _ name: String, _ link: String, _ m: UnitMetrics, withheld: Bool,
                        _ n: T.Numbers, _ req: Request) -> RankRow {
        RankRow(id: id, rank: index + 1, name: name, link: link, dispositioned: n.count(m.dispositioned, withheld: withheld, req),
                followedUp: n.percent(m.followedUpRate, withheld: withheld, req), completion: n.percent(m.completionRate, withheld: withheld, req),
                responseOnTime: n.percent(m.responseOnTimeRate, withheld: withheld, req),
                satisfaction: n.decimal(m.satisfactionMean, withheld: withheld, req), score: n.decimal(m.complianceScore, withheld: withheld, req),
                overdue: n.count(m.overdueNow, withheld: withheld, req), withheld: withheld)
    }

    /// The period as one choice: the whole year, a quarter or a month (so no "month or quarter number" box is offered
    /// for a year).
    static func periodChoices(_ p: Period, _ req: Request, _ wording: Wording) -> [ChoiceGroup] {
        [ChoiceGroup(label: req.text("monev_period_year"),
                     options: [Choice(value: "year", label: req.text("monev_period_whole_year"), selected: p.kind == .year)]),
         ChoiceGroup(label: req.text("monev_period_quarter"), options: (1...4).map { q in
             Choice(value: "quarter-\(q)", label: req.text("monev_period_quarter_choice", ["n": String(q), "from": wording.month(q * 3 - 2),
                                                                                          "to": wording.month(q * 3)]),
                    selected: p.kind == .quarter && p.index == q)
         }),
         ChoiceGroup(label: req.text("monev_period_month"), options: (1...12).map { m in
             Choice(value: "month-\(m)", label: wording.month(m), selected: p.kind == .month && p.index == m)
         })]
    }

    static func periodText(_ p: Period, _ req: Request, _ wording: Wording) -> String {
        switch p.kind {
        case .year: return req.text("stats_period_year", ["year": String(p.year)])
        case .quarter: return req.text("monev_period_quarter_text", ["n": String(p.index), "year": String(p.year)])
        case .month: return "\(wording.month(p.index)) \(p.year)"
        }
    }

    // MARK: the printable evaluation report

    struct EvidenceRow: Encodable, Sendable { var level: String; var offer: String; var evidence: String }
    struct Signature: Encodable, Sendable {
        var place: String; var date: String; var dateValue: String; var office: String; var name: String; var nip: String
        var placeValue: String; var nameValue: String; var nipValue: String
    }
    struct ReportView: Encodable, Sendable {
        var d: DashboardView
        /// "Pemerintah Provinsi Kalimantan Selatan" and the inspectorate's name, above the title.
        var government: String
        var inspectorate: String
        var scopeText: String
        var roadmap: [MonevEvaluation.Figure]
        var spbe: [EvidenceRow]
        var generated: String
        var signature: Signature
        var errors: [String: String]
        var hasErrors: Bool
        /// The report's own address without the options form's fields (the form adds them again).
        var hidden: [Choice]
    }

    /// The signature block's fields (`tempat`, `tanggal`, `nama`, `nip`): kept as typed, checked, never stored.
    static func signatureBlock(_ req: Request, _ e: MonevEvaluation.Evaluation, wording: Wording, today: LocalDate) -> (Signature, [String: String]) {
        func field(_ name: String, max: Int) -> String {
            String((req.query[String.self, at: name] ?? "").trimmingCharacters(in: .whitespacesAndNewlines).prefix(max))
        }
        var errors: [String: String] = [:]
        let place = field("tempat", max: 60), name = field("nama", max: 100), nipText = field("nip", max: 40)
        let dateText = field("tanggal", max: 10)
        var date = today
        if !dateText.isEmpty {
            if let day = LocalDate(dateText) { date = day } else { errors["tanggal"] = req.text("monev_sign_error_date") }
        }
        let nip = nipText.filter { !$0.isWhitespace }
        if !nip.isEmpty && !(nip.count == 18 && nip.allSatisfy(\.isASCII) && nip.allSatisfy(\.isNumber)) {
            errors["nip"] = req.text("monev_sign_error_nip")
        }
        let dots = "………………………"
        let inspectorate = e.jurisdiction.name
        return (Signature(place: place.isEmpty ? dots : place, date: wording.day(date), dateValue: date.description,
                          office: req.text("monev_sign_office", ["place": inspectorate]),
                          name: name.isEmpty ? dots : name, nip: errors["nip"] == nil && !nip.isEmpty ? nip : dots,
                          placeValue: place, nameValue: name, nipValue: nipText), errors)
    }

    /// The periodic evaluation report (SPEC §8): the dashboard's figures on a page made for printing on A4, the Road
    /// Map indicators, the SPBE indicator 42 evidence — what the installation offers at each level, with live figures —
    /// and a signature block for the Inspektur.
    static func report(_ req: Request) async throws -> Response {
        let ws = try await Workspace.of(req)
        let e = try await MonevEvaluation.evaluate(req, principal: ws.principal, reference: ws.reference)
        let n = T.Numbers(language: req.language)
        let d = e.disclosure
        let qr = e.summary.byChannel[AduanCore.Channel.qr.rawValue] ?? 0
        let machineChannels: [AduanCore.Channel] = [.api, .open311, .sms, .whatsapp, .email, .lapor_import]
        var integrated = 0
        for channel in machineChannels { integrated += e.summary.byChannel[channel.rawValue] ?? 0 }
        let integratedWithheld = machineChannels.contains { d.withholds(.channel, $0.rawValue) }
        let keys = try await APIKey.query(on: req.db).filter(\.$active == true).count()
        let warnings = try await UnitWarning.query(on: req.db).filter(\.$jurisdictionCode ~~ e.codes)
            .filter(\.$issuedAt >= e.from).filter(\.$issuedAt < e.to).all()
        let score = MetricEngine.unit(e.jurisdiction.code, summary: e.summary, weights: e.weights).complianceScore
        // The public count is received less the confidential ones: withheld with them.
        let publicWithheld = d.population || SmallCounts.isWithheld(count: e.summary.received - e.publicCount, sensitive: e.sensitive.total)
        let values: [String: String] = [
            "public": n.count(e.publicCount, withheld: !e.exact && publicWithheld, req), "received": n.count(e.summary.received, withheld: d.withholds("received"), req),
            "qr": n.count(qr, withheld: d.withholds(.channel, AduanCore.Channel.qr.rawValue), req),
            "followed": n.percent(e.summary.followedUpRate, withheld: d.withholds("followed_up_rate"), req),
            "response": n.percent(e.summary.responseOnTimeRate, withheld: d.population, req),
            "forwarded": n.count(e.summary.forwardedOut, withheld: d.withholds("forwarded_out"), req),
            "integrated": n.count(integrated, withheld: integratedWithheld, req), "keys": n.count(keys),
            "score": n.decimal(score, withheld: d.withholds("dispositioned"), req), "warnings": n.count(warnings.count),
            "acknowledged": n.count(warnings.filter { $0.acknowledgedAt != nil }.count),
            "satisfaction": d.withholds("satisfaction_mean") ? req.text("small_count_figure") : n.satisfaction(e.summary.satisfactionMean, req),
        ]
        let spbe = (1...4).map { level in
            EvidenceRow(level: req.text("monev_spbe_level_\(level)"), offer: req.text("monev_spbe_offer_\(level)"),
                        evidence: req.text("monev_spbe_evidence_\(level)", values))
        }
        let dashboard = try await dashboardView(ws, e)
        let roadmap = [
            MonevEvaluation.Figure(metric: "received", label: req.text("monev_roadmap_received"), value: n.count(e.summary.received, withheld: d.withholds("received"), req),
                   link: nil),
            MonevEvaluation.Figure(metric: "completion_rate", label: req.text("monev_roadmap_completed"),
                   value: n.percent(e.summary.completionRate, withheld: d.withholds("completion_rate"), req), link: nil),
        ]
        let calendar = ws.reference.calendar(for: e.jurisdiction.code)
        let wording = Wording(req, timeZone: calendar.timeZone)
        let (signature, errors) = signatureBlock(req, e, wording: wording, today: calendar.localDate(of: ws.now))
        let inspectorate = ws.reference.tree.inspectorate(of: e.jurisdiction.code).flatMap { ws.unitName($0) } ?? req.text("role_inspector")
        let scope = e.jurisdiction.name + (e.includeSub ? " · " + req.text("stats_including_sub") : "")
        let view = ReportView(d: dashboard, government: req.text("monev_report_government", ["place": e.jurisdiction.name]),
                              inspectorate: inspectorate + " " + e.jurisdiction.name, scopeText: scope,
                              roadmap: roadmap, spbe: spbe, generated: wording.dateTime(ws.now), signature: signature,
                              errors: errors, hasErrors: !errors.isEmpty,
                              hidden: MonevEvaluation.selectionQuery(e).filter { $0.0 != "semua" }.map { Choice(value: $0.1, label: $0.0) })
        return try await req.page("officer_monev_report", title: "monev_report_title", view,
                                  status: errors.isEmpty ? .ok : .unprocessableEntity)
    }

    // MARK: the report as a file

    /// A row of the file; header rows are bold in XLSX.
    struct SheetRow: Sendable { var cells: [SheetCell]; var bold = false }

    /// The evaluation as a table: the title, scope, period and time of evaluation; the figures with their names in the
    /// reader's language and their API field names; one row per unit and one per kabupaten/kota. Numbers are typed
    /// cells (`SheetCell`), times in the jurisdiction's time zone. Written as CSV or XLSX (`monev.csv`, `monev.xlsx`).
    static func table(_ e: MonevEvaluation.Evaluation, _ ws: Workspace) -> [SheetRow] {
        let req = ws.req
        let calendar = ws.reference.calendar(for: e.jurisdiction.code)
        let local = calendar.localDate(of: e.now)
        let offset = calendar.timeZone.secondsFromGMT(for: e.now)
        let seconds = ((Int(e.now.timeIntervalSince1970) + offset) % 86_400 + 86_400) % 86_400
        let small = SheetCell.text(req.text("small_count"))
        let d = e.disclosure
        func count(_ field: String, _ v: Int) -> SheetCell { d.withholds(field) ? small : .integer(v) }
        func rate(_ field: String, _ v: Double?) -> SheetCell { d.withholds(field) ? small : .percent(v) }
        func days(_ v: Double?) -> SheetCell { d.population ? small : .number(v) }
        func stageRate(_ v: Double?) -> SheetCell { d.population ? small : .percent(v) }
        let s = e.summary
        var rows: [SheetRow] = [
            SheetRow(cells: [.text(req.text("monev_report_title"))], bold: true),
            SheetRow(cells: [.text(req.text("monev_csv_scope")), .text(e.jurisdiction.name + (e.includeSub ? " + " + req.text("stats_including_sub") : "")),
                             .text(e.jurisdiction.code)]),
            SheetRow(cells: [.text(req.text("monev_csv_period")), .date(e.period.days.first), .date(e.period.days.next.adding(days: -1))]),
            SheetRow(cells: [.text(req.text("monev_csv_as_of")), .dateTime(local, secondsOfDay: seconds, offset: offset),
                             .text(Wording.zoneName(calendar.timeZone))]),
            SheetRow(cells: []),
            SheetRow(cells: [.text(req.text("monev_csv_metric")), .text(req.text("monev_csv_value")), .text(req.text("monev_csv_field"))], bold: true),
        ]
        let metrics: [(String, SheetCell)] = [
            ("received", count("received", s.received)), ("dispositioned", count("dispositioned", s.dispositioned)),
            ("followed_up_rate", rate("followed_up_rate", s.followedUpRate)), ("completion_rate", rate("completion_rate", s.completionRate)),
            ("verification_on_time_rate", stageRate(s.verificationOnTimeRate)), ("response_on_time_rate", stageRate(s.responseOnTimeRate)),
            ("resolution_on_time_rate", stageRate(s.resolutionOnTimeRate)),
            ("verification_days_median", days(s.verificationDaysMedian)), ("verification_days_mean", days(s.verificationDaysMean)),
            ("response_days_median", days(s.responseDaysMedian)), ("response_days_mean", days(s.responseDaysMean)),
            ("resolution_days_median", days(s.resolutionDaysMedian)), ("resolution_days_mean", days(s.resolutionDaysMean)),
            ("satisfaction_mean", d.withholds("satisfaction_mean") ? small : .number(s.satisfactionMean)),
            ("rated_share", rate("rated_share", s.ratedShare)), ("reopen_rate", rate("reopen_rate", s.reopenRate)),
            ("archived", count("archived", s.archived)), ("forwarded_out", count("forwarded_out", s.forwardedOut)),
            ("overdue_now", d.population ? small : .integer(s.overdueNow)),
        ]
        rows += metrics.map { SheetRow(cells: [.text(req.text("monev_metric_\($0.0)")), $0.1, .text($0.0)]) }
        rows.append(SheetRow(cells: []))
        let header: [SheetCell] = ["monev_col_rank", "monev_col_code", "stats_col_unit", "stats_col_dispositioned", "stats_col_followed_up",
                                   "stats_col_completion", "stats_col_response_on_time", "stats_col_response_mean", "stats_col_satisfaction",
                                   "stats_col_score", "stats_col_overdue"].map { .text(req.text($0)) }
        func line(_ i: Int, _ id: String, _ name: String, _ m: UnitMetrics, withheld: Bool) -> SheetRow {
            guard !withheld else { return SheetRow(cells: [.integer(i + 1), .text(id), .text(name), small]) }
            return SheetRow(cells: [.integer(i + 1), .text(id), .text(name), .integer(m.dispositioned), .percent(m.followedUpRate),
                                    .percent(m.completionRate), .percent(m.responseOnTimeRate), .number(m.responseDaysMean),
                                    .number(m.satisfactionMean), .number(m.complianceScore), .integer(m.overdueNow)])
        }
        rows.append(SheetRow(cells: [.text(req.text("monev_units_heading"))], bold: true))
        rows.append(SheetRow(cells: header, bold: true))
        rows += e.shownUnits.enumerated().map { line($0.offset, $0.element.unit, ws.unitName($0.element.unit) ?? $0.element.unit, $0.element,
                                                     withheld: e.withheld(unit: $0.element)) }
        if !e.allUnits && e.quietUnits > 0 {
            rows.append(SheetRow(cells: [.text(req.text("monev_quiet_units", ["n": String(e.quietUnits)]))]))
        }
        if !e.jurisdictions.isEmpty {
            rows.append(SheetRow(cells: []))
            rows.append(SheetRow(cells: [.text(req.text("monev_places_heading"))], bold: true))
            rows.append(SheetRow(cells: header, bold: true))
            rows += e.jurisdictions.enumerated().map { line($0.offset, $0.element.code, ws.jurisdictionName($0.element.code), $0.element.metrics,
                                                             withheld: e.withheld(place: $0.element.code, $0.element.metrics)) }
        }
        if !e.exact, !d.isEmpty || e.units.contains(where: e.withheld(unit:)) {
            rows.append(SheetRow(cells: []))
            rows.append(SheetRow(cells: [.text(req.text("small_count_note"))]))
        }
        return rows
    }

    /// `/petugas/monev.csv` and `/petugas/monev.xlsx`: the same table through the export's encoders (CSV with a BOM
    /// and formulas neutralised; a real .xlsx with numeric cells that Excel and LibreOffice sum and chart).
    static func file(_ format: ExportFormat) -> @Sendable (Request) async throws -> Response {
        { req in
            let ws = try await Workspace.of(req)
            let e = try await MonevEvaluation.evaluate(req, principal: ws.principal, reference: ws.reference)
            let bytes: [UInt8]
            switch format {
            case .csv:
                var encoder = CSVRowEncoder()
                for row in table(e, ws) { encoder.row(cells: row.cells) }
                bytes = encoder.drain()
            case .xlsx:
                var encoder = try XLSXRowEncoder(modified: ws.now)
                for row in table(e, ws) { try encoder.row(cells: row.cells, bold: row.bold) }
                try encoder.finish()
                bytes = encoder.drain()
            }
            let response = Response(status: .ok, body: .init(data: Data(bytes)))
            response.headers.contentType = format.mediaType
            let name = "monev-\(e.jurisdiction.code)-\(e.period.days.first.description).\(format.rawValue)"
            response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(name)\"")
            return response
        }
    }

    // MARK: API

    struct APIQuery: Content { var scope: String?; var include_sub: Bool?; var from: String?; var to: String?; var as_of: String? }

    /// `GET /api/v1/monev/summary` and `/units`: the §8 figures for a scope (jurisdiction or unit) and dates. Inspectors
    /// get exact figures; executives get small counts of confidential complaints withheld (`null`, named in `withheld`).
    static func api(_ units: Bool) -> @Sendable (Request) async throws -> Response {
        { req in
            let principal = try req.requireOfficer()
            let reference = try await req.reference()
            let q = try req.query.decode(APIQuery.self)
            let allowed = Access.monevJurisdictions(principal.officer, tree: reference.tree)
            guard !allowed.isEmpty else { throw AppError.forbidden("monev figures are for inspectors and executives") }
            let scopeText = q.scope ?? reference.defaultJurisdiction
            var codes: [String], unit: String?
            switch Scope(scopeText) {
            case .jurisdiction(let code)?:
                guard reference.tree.jurisdictions[code] != nil else { throw AppError.invalid("unknown jurisdiction \(code)", field: "scope") }
                codes = (q.include_sub ?? false) ? reference.tree.jurisdictionSubtree(code).sorted() : [code]
            case .unit(let id)?:
                guard let info = reference.tree.units[id] else { throw AppError.invalid("unknown unit \(id)", field: "scope") }
                codes = [info.jurisdiction]; unit = id
            case nil:
                throw AppError.invalid("scope must be a jurisdiction code (63) or a unit (63/dinkes)", field: "scope")
            }
            guard codes.allSatisfy(allowed.contains) else { throw AppError.forbidden("the scope is outside your jurisdiction") }
            let calendar = reference.calendar(for: codes[0])
            func day(_ text: String?, field: String) throws -> LocalDate? {
                guard let text else { return nil }
                guard let date = LocalDate(text) else { throw AppError.invalid("\(field) must be YYYY-MM-DD", field: field) }
                return date
            }
            let from = try day(q.from, field: "from").map(calendar.startOfDay)
            let to = try day(q.to, field: "to").map { calendar.startOfDay($0.adding(days: 1)) }
            if let from, let to, to <= from { throw AppError.invalid("to must not be before from", field: "to") }
            var now = req.application.clock.now
            var asOf = try day(q.as_of, field: "as_of")
            if let day = asOf {
                guard day <= calendar.localDate(of: now) else { throw AppError.invalid("as_of must not be in the future", field: "as_of") }
                // As of a past day: after everything that happened that day. Today is now.
                if day < calendar.localDate(of: now) { now = MonevQuery.asOfInstant(of: day, in: calendar) } else { asOf = nil }
            }
            let handling = unit.map { [$0] } ?? reference.tree.handlingUnits(in: codes)
            let f = try await MonevQuery.figures(on: req.db, reference: reference, jurisdictions: codes, unit: unit, from: from, to: to, now: now,
                                                 asOf: asOf.map { _ in now }, weights: try await MonevQuery.weights(on: req.db),
                                                 including: handling, overdueLimit: 0)
            let exact = SmallCounts.readsExactFigures(principal.officer, over: codes, tree: reference.tree)
            let sensitive = exact ? SensitiveCounts()
                : try await MonevQuery.sensitive(on: req.db, reference: reference, figures: f, jurisdictions: unit == nil ? codes : [],
                                                 unit: unit, from: from, to: to, asOf: asOf.map { _ in now })
            // A unit scope lists that unit only (the rows also hold units whose stages it shares).
            let rows = f.units.filter { unit == nil || $0.unit == unit }.sorted(by: UnitMetrics.rankedFirst)
            let body: Data
            if units {
                body = try Disclosed.units(rows, withheld: { !exact && SmallCounts.row($0, sensitive: sensitive.unit($0.unit)) })
            } else {
                body = try Disclosed.summary(f.summary, exact ? SmallCounts.exact : SmallCounts.summary(f.summary, sensitive))
            }
            let response = Response(status: .ok, body: .init(data: body))
            response.headers.contentType = .json
            return response
        }
    }
}

/// The API's JSON of the figures with what `SmallCounts` withholds taken out: a withheld number becomes `null`, a
/// withheld cell of a breakdown leaves its map, and `withheld` names them with the threshold, so a client never
/// mistakes a withheld figure for a missing one.
enum Disclosed {
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }

    static func summary(_ s: MetricSummary, _ d: SmallCounts.Disclosure) throws -> Data {
        guard !d.isEmpty else { return try encoder.encode(s) }
        guard var object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(s)) as? [String: Any] else { return try encoder.encode(s) }
        var named: [String] = []
        for (key, value) in object {
            if var map = value as? [String: Any] {
                for cell in map.keys where d.withholds(key + "." + cell) || d.population {
                    map.removeValue(forKey: cell); named.append(key + "." + cell)
                }
                object[key] = map
            } else if d.withholds(key) || (d.population && !(value is NSNull)) {
                object[key] = NSNull(); named.append(key)
            }
        }
        object["withheld"] = ["threshold": SmallCounts.threshold, "fields": named.sorted()] as [String: Any]
        return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
    }

    static func units(_ rows: [UnitMetrics], withheld: (UnitMetrics) -> Bool) throws -> Data {
        guard rows.contains(where: withheld) else { return try encoder.encode(rows) }
        let objects = try rows.map { m -> [String: Any] in
            var object = (try JSONSerialization.jsonObject(with: JSONEncoder().encode(m)) as? [String: Any]) ?? [:]
            if withheld(m) {
                for key in object.keys where key != "unit" { object[key] = NSNull() }
                object["withheld"] = true
            }
            return object
        }
        return try JSONSerialization.data(withJSONObject: objects, options: [.sortedKeys, .withoutEscapingSlashes])
    }
}
