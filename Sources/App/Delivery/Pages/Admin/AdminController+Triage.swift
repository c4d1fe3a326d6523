import AduanCore
import Fluent
import Foundation
import Vapor

/// The sysadmin's triage page (issue 16): the stored model of a jurisdiction — when and from how many reports it was
/// trained — and its accuracy measured at training time (top-1, top-3, macro-F1, the most frequent confusions, for
/// units and categories), the same figures `aduan triage evaluate` prints; and a button to train it now.
extension AdminController {
    static func registerTriage(_ admin: any RoutesBuilder) {
        admin.get(.adminTriage, use: guarded(triage))
        admin.post(.adminTriageTrain, use: guarded(trainTriage))
    }

    struct TriageView: Encodable, Sendable {
        struct Head: Encodable, Sendable {
            var name: String
            var train: Int; var test: Int; var unseen: Int
            var top1: String; var top3: String; var macroF1: String; var majority: String
            var clearlyAhead: String
            var confusions: [String]
        }
        var nav: [NavLink]
        var jurisdictions: [Choice]
        var filterAction: String
        var code: String
        var name: String
        var message: String?
        var hasModel: Bool
        var version: Int?
        var trainedAt: String?
        var trainedBy: String?
        var examples: Int?
        var unitExamples: Int?
        var categoryExamples: Int?
        var labelledNow: Int
        var split: String?
        var heads: [Head]
        var trainAction: String
    }

    static func triage(_ req: Request, _ ctx: Context) async throws -> Response {
        let jurisdiction = try ctx.jurisdiction(req.query[String.self, at: "j"], req)
        let wording = ctx.wording(req)
        let row = try await StoredTriageModel.query(on: req.db).filter(\.$jurisdictionCode == jurisdiction.code)
            .sort(\.$version, .descending).field(\.$id).field(\.$version).field(\.$trainedAt).field(\.$trainedBy)
            .field(\.$examples).field(\.$unitExamples).field(\.$categoryExamples).field(\.$evaluation).first()
        let figures = row?.evaluation.flatMap { try? JSONDecoder.triage.decode(TriageService.Figures.self, from: Data($0.utf8)) }
        func percent(_ x: Double) -> String { String(format: "%.1f%%", x * 100) }
        func head(_ key: String, _ h: TriageService.Figures.Head, name: (String) -> String) -> TriageView.Head {
            TriageView.Head(name: req.text(key), train: h.train, test: h.test, unseen: h.unseen_in_training, top1: percent(h.top1),
                            top3: percent(h.top3), macroF1: String(format: "%.3f", h.macro_f1), majority: percent(h.majority),
                            clearlyAhead: req.text("admin_triage_clearly_ahead_value", ["n": "\(h.clearly_ahead)", "right": "\(h.clearly_ahead_correct)"]),
                            confusions: h.confusions.map { "\($0.count)× \(name($0.truth)) → \(name($0.predicted))" })
        }
        let unitName = { (id: String) in ctx.tree.units[id]?.name ?? id }
        let categoryName = { (id: String) in ctx.reference.categories[id]?.name(req.language) ?? id }
        let heads = figures.map { [head("admin_triage_units", $0.units, name: unitName), head("admin_triage_categories", $0.categories, name: categoryName)] } ?? []
        let view = TriageView(
            nav: nav(req, ctx, .triage), jurisdictions: jurisdictionOptions(ctx, selected: jurisdiction.code),
            filterAction: SiteURL.Admin.triage(nil).path, code: jurisdiction.code, name: jurisdiction.name, message: doneMessage(req),
            hasModel: row != nil, version: row?.version, trainedAt: row.map { wording.dateTime($0.trainedAt) }, trainedBy: row?.trainedBy,
            examples: row?.examples, unitExamples: row?.unitExamples, categoryExamples: row?.categoryExamples,
            labelledNow: try await TriageService.labelledCount(jurisdiction: jurisdiction.code, on: req.db),
            split: figures.map { wording.date($0.split) }, heads: heads,
            trainAction: SiteURL.Admin.triageTrain(jurisdiction.code).path)
        return try await req.page("admin_triage", title: "admin_section_triage", view)
    }

    static func trainTriage(_ req: Request, _ ctx: Context) async throws -> Response {
        let jurisdiction = try ctx.jurisdiction(req.parameters.get("jurisdiction"), req)
        _ = try await TriageService.train(jurisdiction: jurisdiction.code, by: ctx.actor, app: req.application)
        return redirect(req, to: SiteURL.Admin.triage(jurisdiction.code).path, done: "triage_trained")
    }
}
