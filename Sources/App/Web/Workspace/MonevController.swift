import AduanCore
import Fluent
import Foundation
import Vapor

/// The monitoring-and-evaluation workspace (SPEC §8): the inspectorate's dashboard over a jurisdiction and its
/// kabupaten/kota for a month, quarter or year — the §8 figures, charts, rankings of units and of kabupaten/kota,
/// the overdue and escalation lists — with every number leading to the complaints behind it. Executives see the
/// same read-only. The figures come from the same engine and query as the public statistics and the API.
enum MonevController {
    typealias T = TransparencyController

    /// What the dashboard, the CSV and the API have in common: the scope, the period and the figures.
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
        var units: [UnitMetrics]
        var jurisdictions: [(code: String, metrics: UnitMetrics)]
        /// The most overdue open stages (at most 100) and how many there are.
        var overdue: [OverdueStage]
        var overdueCount: Int
        /// Complaints received per month (`yyyymm`).
        var receivedByMonth: [Int: Int]
        var publicCount: Int
        var weights: ComplianceWeights
    }

    /// Reads `j`, `sub`, `periode`, `tahun`, `ke` (month or quarter) from the query; 403 outside the officer's scope.
    static func evaluate(_ req: Request, principal: OfficerPrincipal, reference: ReferenceData) async throws -> Evaluation {
        let allowed = Access.monevJurisdictions(principal.officer, tree: reference.tree)
        guard !allowed.isEmpty else { throw AppError.forbidden(req.text("monev_forbidden")) }
        let requested = req.query[String.self, at: "j"].flatMap { $0.isEmpty ? nil : $0 }
        let code = requested ?? allowed.min { ($0.split(separator: ".").count, $0) < ($1.split(separator: ".").count, $1) }!
        guard let jurisdiction = reference.tree.jurisdictions[code] else { throw AppError.notFound(req.text("stats_not_found")) }
        guard allowed.contains(code) else { throw AppError.forbidden(req.text("monev_forbidden")) }
        let calendar = reference.calendar(for: code)
        var now = req.application.clock.now
        let today = calendar.localDate(of: now)
        var asOf: LocalDate?
        if let text = req.query[String.self, at: "per"], !text.isEmpty {
            guard let day = LocalDate(text), day <= today else { throw AppError.invalid(req.text("monev_error_as_of"), field: "per") }
            if day < today { asOf = day; now = MonevQuery.asOfInstant(of: day, in: calendar) }
        }
        let kind = req.query[String.self, at: "periode"].flatMap(Period.Kind.init(rawValue:)) ?? .year
        let year = req.query[Int.self, at: "tahun"] ?? today.year
        let defaultIndex = kind == .month ? today.month : kind == .quarter ? (today.month - 1) / 3 + 1 : 1
        guard let period = Period(kind: kind, year: year, index: req.query[Int.self, at: "ke"] ?? defaultIndex) else {
            throw AppError.invalid(req.text("monev_error_period"), field: "periode")
        }
        let subtree = reference.tree.jurisdictionSubtree(code)
        let includeSub = subtree.count > 1 && req.query[String.self, at: "sub"] == "1"
        let codes = includeSub ? subtree.sorted() : [code]
        let (from, to) = period.bounds(in: calendar)
        let weights = try await MonevQuery.weights(on: req.db)
        let handling = reference.tree.handlingUnits(in: codes)
        let f = try await MonevQuery.figures(on: req.db, reference: reference, jurisdictions: codes, from: from, to: to, now: now,
                                             asOf: asOf.map { _ in now }, weights: weights, including: handling)
        // Each kabupaten/kota scored like a unit, over its own complaints and stages.
        let ranked = f.jurisdictions.map { code, s in (code: code, metrics: MetricEngine.unit(code, summary: s, weights: weights)) }
            .sorted { UnitMetrics.rankedFirst($0.metrics, $1.metrics) }
        return Evaluation(jurisdiction: jurisdiction, codes: codes, includeSub: includeSub, period: period, from: from, to: to, now: now, asOf: asOf,
                          summary: f.summary, units: f.units.sorted(by: UnitMetrics.rankedFirst), jurisdictions: includeSub ? ranked : [],
                          overdue: f.overdue, overdueCount: f.overdueCount, receivedByMonth: f.receivedByMonth, publicCount: f.publicCount,
                          weights: weights)
    }

    // MARK: the dashboard

    struct Figure: Encodable, Sendable { var label: String; var value: String; var link: String? }
    struct RankRow: Encodable, Sendable {
        var rank: Int; var name: String; var link: String; var dispositioned: String; var followedUp: String; var completion: String
        var responseOnTime: String; var satisfaction: String; var score: String; var overdue: String
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
        var kinds: [Choice]
        var years: [Choice]
        var indexes: [Choice]
        var periodText: String
        var asOf: String
        var asOfValue: String
        var headline: [Figure]
        var stages: [T.StageRowView]
        var charts: [T.BarChart]
        var units: [RankRow]
        var places: [RankRow]
        var hasPlaces: Bool
        var overdue: [OverdueRow]
        var overdueMore: Int
        var escalations: [EscalationRow]
        var scoreNote: String
        var csv: String
        var xlsx: String
        var report: String
        var readOnly: Bool
    }

    static func dashboard(_ req: Request) async throws -> Response {
        let ws = try await Workspace.of(req)
        let e = try await evaluate(req, principal: ws.principal, reference: ws.reference)
        return try await req.page("officer_monev", title: "monev_title", DashboardPage(d: try await dashboardView(ws, e)))
    }

    /// The list of complaints behind a number: the officer list with the dashboard's scope and period.
    static func drill(_ e: Evaluation, _ extra: [(String, String)] = []) -> String {
        var items: [(String, String)] = [("j", e.jurisdiction.code), ("dari", e.period.days.first.description),
                                         ("sampai", e.period.days.next.adding(days: -1).description)]
        if e.includeSub { items.append(("sub", "1")) }
        return T.link(SiteURL.officerComplaints.path, items + extra)
    }

    static func dashboardView(_ ws: Workspace, _ e: Evaluation) async throws -> DashboardView {
        let req = ws.req
        let n = T.Numbers(language: req.language)
        let reference = ws.reference
        let calendar = reference.calendar(for: e.jurisdiction.code)
        let wording = Wording(req, timeZone: calendar.timeZone)
        let s = e.summary
        let headline = [
            Figure(label: req.text("stats_received"), value: n.count(s.received), link: drill(e)),
            Figure(label: req.text("stats_dispositioned"), value: n.count(s.dispositioned), link: nil),
            Figure(label: req.text("metric_followed_up"), value: n.percent(s.followedUpRate), link: nil),
            Figure(label: req.text("metric_completion"), value: n.percent(s.completionRate), link: drill(e, [("state", "selesai")])),
            Figure(label: req.text("metric_satisfaction"), value: n.satisfaction(s.satisfactionMean, req), link: nil),
            Figure(label: req.text("metric_reopen"), value: n.percent(s.reopenRate), link: nil),
            Figure(label: req.text("metric_overdue_now"), value: n.count(s.overdueNow), link: drill(e, [("terlambat", "1")])),
            Figure(label: req.text("stats_archived"), value: n.count(s.archived), link: drill(e, [("state", "diarsipkan")])),
            Figure(label: req.text("stats_forwarded_out"), value: n.count(s.forwardedOut), link: drill(e, [("state", "diteruskan")])),
        ]
        let stages = [
            T.StageRowView(label: req.text("stats_stage_verification"), onTime: n.percent(s.verificationOnTimeRate),
                           median: n.decimal(s.verificationDaysMedian), mean: n.decimal(s.verificationDaysMean)),
            T.StageRowView(label: req.text("stats_stage_response"), onTime: n.percent(s.responseOnTimeRate),
                           median: n.decimal(s.responseDaysMedian), mean: n.decimal(s.responseDaysMean)),
            T.StageRowView(label: req.text("stats_stage_resolution"), onTime: n.percent(s.resolutionOnTimeRate),
                           median: n.decimal(s.resolutionDaysMedian), mean: n.decimal(s.resolutionDaysMean)),
        ]
        // Trend: complaints received per month of the period, in the jurisdiction's calendar.
        let months = e.period.months.map { m in ("\(wording.month(m.month)) \(m.year)", e.receivedByMonth[m.year * 100 + m.month] ?? 0) }
        let categoryName: (String) -> String = { code in
            code == MetricSummary.uncategorised ? req.text("stats_no_category") : T.categoryLabel(code, reference)
        }
        let responseByUnit = e.units.filter { $0.responseOnTimeRate != nil }.prefix(20)
            .map { (ws.unitName($0.unit) ?? $0.unit, Int((($0.responseOnTimeRate ?? 0) * 100).rounded())) }
        let charts = [
            T.BarChart.make(id: "chart-trend", title: req.text("monev_chart_trend"), header: req.text("monev_col_month"), numbers: n, req: req, items: months),
            T.BarChart.make(id: "chart-state", title: req.text("stats_by_state"), header: req.text("stats_col_state"), numbers: n, req: req,
                            items: ComplaintState.allCases.map { (req.text("state_\($0.rawValue)"), s.byState[$0.rawValue] ?? 0) }),
            T.BarChart.make(id: "chart-response", title: req.text("monev_chart_response"), header: req.text("stats_col_unit"), numbers: n, req: req,
                            items: Array(responseByUnit)),
            T.BarChart.make(id: "chart-category", title: req.text("stats_by_category"), header: req.text("stats_col_category"), numbers: n, req: req,
                            items: T.sortedCounts(s.byCategory).map { (categoryName($0.key), $0.count) }),
            T.BarChart.make(id: "chart-channel", title: req.text("stats_by_channel"), header: req.text("stats_col_channel"), numbers: n, req: req,
                            items: T.sortedCounts(s.byChannel).map { (req.text("stats_channel_\($0.key)"), $0.count) }),
        ]
        func rankRow(_ index: Int, _ name: String, _ link: String, _ m: UnitMetrics) -> RankRow {
            RankRow(rank: index + 1, name: name, link: link, dispositioned: n.count(m.dispositioned), followedUp: n.percent(m.followedUpRate),
                    completion: n.percent(m.completionRate), responseOnTime: n.percent(m.responseOnTimeRate),
                    satisfaction: n.decimal(m.satisfactionMean), score: n.decimal(m.complianceScore), overdue: n.count(m.overdueNow))
        }
        let units = e.units.enumerated().map { i, m in rankRow(i, ws.unitName(m.unit) ?? m.unit, drill(e, [("unit", m.unit)]), m) }
        let places = e.jurisdictions.enumerated().map { i, p in
            rankRow(i, ws.jurisdictionName(p.code), T.link(SiteURL.officerMonev.path, [("j", p.code), ("periode", e.period.kind.rawValue),
                                                                                        ("tahun", String(e.period.year)), ("ke", String(e.period.index))]), p.metrics)
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
        let today = calendar.localDate(of: e.now)
        let query: [(String, String)] = [("j", e.jurisdiction.code), ("periode", e.period.kind.rawValue), ("tahun", String(e.period.year)),
                                         ("ke", String(e.period.index))] + (e.includeSub ? [("sub", "1")] : [])
            + (e.asOf.map { [("per", $0.description)] } ?? [])
        return DashboardView(
            jurisdiction: e.jurisdiction.name,
            jurisdictions: reference.tree.jurisdictions.values.filter { allowed.contains($0.code) }.sorted { $0.code < $1.code }
                .map { Choice(value: $0.code, label: $0.name, selected: $0.code == e.jurisdiction.code) },
            hasSub: reference.tree.jurisdictionSubtree(e.jurisdiction.code).count > 1, includeSub: e.includeSub,
            kinds: Period.Kind.allCases.map { Choice(value: $0.rawValue, label: req.text("monev_period_\($0.rawValue)"), selected: $0 == e.period.kind) },
            years: T.yearOptions(selected: e.period.year, current: today.year),
            indexes: (1...12).map { Choice(value: String($0), label: "\($0)", selected: $0 == e.period.index) },
            periodText: periodText(e.period, req, wording),
            asOf: req.text("stats_period_as_of", ["when": wording.dateTime(e.now)]), asOfValue: e.asOf?.description ?? "",
            headline: headline, stages: stages, charts: charts, units: units, places: places, hasPlaces: !places.isEmpty,
            overdue: Array(overdue), overdueMore: max(0, e.overdueCount - overdue.count), escalations: escalations,
            scoreNote: T.scoreNote(e.weights, req, n),
            csv: T.link(SiteURL.officerMonev.path + ".csv", query), xlsx: T.link(SiteURL.officerMonev.path + ".xlsx", query), report: T.link(SiteURL.officerMonev.path + "/laporan", query),
            readOnly: !ws.holds(.inspector))
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
    struct ReportView: Encodable, Sendable {
        var d: DashboardView
        var roadmap: [Figure]
        var spbe: [EvidenceRow]
        var generated: String
    }

    /// The periodic evaluation report (SPEC §8): the dashboard's figures on a page made for printing, the Road Map
    /// indicators, and the SPBE indicator 42 evidence — what the installation offers at each level, with live figures.
    static func report(_ req: Request) async throws -> Response {
        let ws = try await Workspace.of(req)
        let e = try await evaluate(req, principal: ws.principal, reference: ws.reference)
        let n = T.Numbers(language: req.language)
        let publicCount = e.publicCount
        let qr = e.summary.byChannel[AduanCore.Channel.qr.rawValue] ?? 0
        let machineChannels: [AduanCore.Channel] = [.api, .open311, .sms, .whatsapp, .email, .lapor_import]
        var integrated = 0
        for channel in machineChannels { integrated += e.summary.byChannel[channel.rawValue] ?? 0 }
        let keys = try await APIKey.query(on: req.db).filter(\.$active == true).count()
        let warnings = try await UnitWarning.query(on: req.db).filter(\.$jurisdictionCode ~~ e.codes)
            .filter(\.$issuedAt >= e.from).filter(\.$issuedAt < e.to).all()
        let score = MetricEngine.unit(e.jurisdiction.code, summary: e.summary, weights: e.weights).complianceScore
        let values: [String: String] = [
            "public": n.count(publicCount), "received": n.count(e.summary.received), "qr": n.count(qr),
            "followed": n.percent(e.summary.followedUpRate), "response": n.percent(e.summary.responseOnTimeRate),
            "forwarded": n.count(e.summary.forwardedOut), "integrated": n.count(integrated), "keys": n.count(keys),
            "score": n.decimal(score), "warnings": n.count(warnings.count),
            "acknowledged": n.count(warnings.filter { $0.acknowledgedAt != nil }.count), "satisfaction": n.satisfaction(e.summary.satisfactionMean, req),
        ]
        let spbe = (1...4).map { level in
            EvidenceRow(level: req.text("monev_spbe_level_\(level)"), offer: req.text("monev_spbe_offer_\(level)"),
                        evidence: req.text("monev_spbe_evidence_\(level)", values))
        }
        let dashboard = try await dashboardView(ws, e)
        let roadmap = [
            Figure(label: req.text("monev_roadmap_received"), value: n.count(e.summary.received), link: nil),
            Figure(label: req.text("monev_roadmap_completed"), value: n.percent(e.summary.completionRate), link: nil),
        ]
        let view = ReportView(d: dashboard, roadmap: roadmap, spbe: spbe,
                              generated: Wording(req, timeZone: ws.reference.calendar(for: e.jurisdiction.code).timeZone).dateTime(e.now))
        return try await req.page("officer_monev_report", title: "monev_report_title", view)
    }

    // MARK: the report as a file

    /// The evaluation as a table: the scope and period, the figures, then one row per unit and one per
    /// kabupaten/kota. Written as CSV or XLSX (`monev.csv`, `monev.xlsx`).
    static func table(_ e: Evaluation, _ ws: Workspace) -> [[String]] {
        let req = ws.req
        var rows: [[String]] = [[req.text("monev_csv_scope"), e.jurisdiction.name + (e.includeSub ? " + " + req.text("stats_including_sub") : "")],
                                [req.text("monev_csv_period"), e.period.days.first.description, e.period.days.next.adding(days: -1).description],
                                [req.text("monev_csv_as_of"), ISO8601DateFormatter().string(from: e.now)], []]
        let s = e.summary
        func rate(_ r: Double?) -> String { r.map { String(format: "%.4f", $0) } ?? "" }
        func num(_ d: Double?) -> String { d.map { String(format: "%.2f", $0) } ?? "" }
        rows += [["metric", "value"], ["received", "\(s.received)"], ["dispositioned", "\(s.dispositioned)"],
                 ["followed_up_rate", rate(s.followedUpRate)], ["completion_rate", rate(s.completionRate)],
                 ["verification_on_time_rate", rate(s.verificationOnTimeRate)], ["response_on_time_rate", rate(s.responseOnTimeRate)],
                 ["resolution_on_time_rate", rate(s.resolutionOnTimeRate)], ["response_days_median", num(s.responseDaysMedian)],
                 ["response_days_mean", num(s.responseDaysMean)],
                 ["resolution_days_median", num(s.resolutionDaysMedian)], ["satisfaction_mean", num(s.satisfactionMean)],
                 ["reopen_rate", rate(s.reopenRate)], ["archived", "\(s.archived)"], ["forwarded_out", "\(s.forwardedOut)"],
                 ["overdue_now", "\(s.overdueNow)"], []]
        let header = ["rank", "id", "name", "dispositioned", "followed_up_rate", "completion_rate", "response_on_time_rate",
                      "response_days_mean", "satisfaction_mean", "compliance_score", "overdue_now"]
        func line(_ i: Int, _ id: String, _ name: String, _ m: UnitMetrics) -> [String] {
            [String(i + 1), id, name, "\(m.dispositioned)", rate(m.followedUpRate), rate(m.completionRate), rate(m.responseOnTimeRate),
             num(m.responseDaysMean), num(m.satisfactionMean), num(m.complianceScore), "\(m.overdueNow)"]
        }
        rows.append(header)
        rows += e.units.enumerated().map { line($0.offset, $0.element.unit, ws.unitName($0.element.unit) ?? $0.element.unit, $0.element) }
        if !e.jurisdictions.isEmpty {
            rows.append([])
            rows.append(header)
            rows += e.jurisdictions.enumerated().map { line($0.offset, $0.element.code, ws.jurisdictionName($0.element.code), $0.element.metrics) }
        }
        return rows
    }

    /// `/petugas/monev.csv` and `/petugas/monev.xlsx`: the same table through the export's encoders (CSV with a BOM
    /// and formulas neutralised; a real .xlsx that Excel and LibreOffice open).
    static func file(_ format: ExportFormat) -> @Sendable (Request) async throws -> Response {
        { req in
            let ws = try await Workspace.of(req)
            let e = try await evaluate(req, principal: ws.principal, reference: ws.reference)
            var encoder: any RowEncoder = format == .csv ? CSVRowEncoder() : try XLSXRowEncoder(modified: ws.now)
            for row in table(e, ws) { try encoder.row(row) }
            try encoder.finish()
            let response = Response(status: .ok, body: .init(data: Data(encoder.drain())))
            response.headers.contentType = format.mediaType
            let name = "monev-\(e.jurisdiction.code)-\(e.period.days.first.description).\(format.rawValue)"
            response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(name)\"")
            return response
        }
    }

    // MARK: API

    struct APIQuery: Content { var scope: String?; var include_sub: Bool?; var from: String?; var to: String?; var as_of: String? }

    /// `GET /api/v1/monev/summary` and `/units`: the §8 figures for a scope (jurisdiction or unit) and dates.
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
            let response = Response(status: .ok)
            if units {
                // A unit scope lists that unit only (the rows also hold units whose stages it shares).
                try response.content.encode(f.units.filter { unit == nil || $0.unit == unit }.sorted(by: UnitMetrics.rankedFirst), as: .json)
            } else {
                try response.content.encode(f.summary, as: .json)
            }
            return response
        }
    }
}
