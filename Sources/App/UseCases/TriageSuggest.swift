import AduanCore
import Fluent
import Foundation
import Vapor

/// Suggesting the handling unit and the category of a new report (issue 16), for the API and the verify form: the
/// stored model's choices among the jurisdiction's own units, with the reasons in the reader's language; with no
/// model or too little history, today's rules (the reporter's or the QR code's unit, the category's default unit).
enum TriageSuggest {
    struct Answer: Content, Sendable {
        struct UnitChoice: Content, Sendable {
            var unit: String
            var name: String
            /// Probability among the allowed units (0…1); null for a suggestion from the rules.
            var score: Double?
            var reasons: [String]
            /// `learned` (the model) or `rules` (QR code, reporter's choice, category default).
            var source: String
        }
        struct CategoryChoice: Content, Sendable {
            var category: String
            var name: String
            var score: Double
            var reasons: [String]
        }
        struct ModelInfo: Content, Sendable {
            var trained_at: Date
            var examples: Int
            var version: Int
        }
        /// For the units: `ready`, `insufficient_history` (a model, too little history in it) or `no_model`.
        var status: String
        var categories_status: String
        /// Whether the first learned unit is clearly ahead; only then may a form preselect it.
        var clearly_ahead: Bool
        var units: [UnitChoice]
        var categories: [CategoryChoice]
        var model: ModelInfo?
    }

    /// What today's rules know about the report, for the fallback.
    struct RuleInputs: Sendable {
        var targetUnit: String?
        var cameThroughQRCode = false
        var category: String?
    }

    static let limit = 5

    static func suggest(title: String, body: String, jurisdiction: String, rules: RuleInputs, language: Language,
                        app: Application, on db: any Database) async throws -> Answer {
        let reference = try await app.reference.get(on: db)
        let allowed = TriageService.allowedUnits(jurisdiction: jurisdiction, reference: reference)
        let words = Words(reference: reference, catalog: app.catalog, language: language)
        let loaded = try await TriageService.current(jurisdiction: jurisdiction, app: app, on: db)
        var answer = Answer(status: "no_model", categories_status: "no_model", clearly_ahead: false, units: [], categories: [], model: nil)
        if let loaded {
            let m = loaded.model
            answer.model = .init(trained_at: m.trainedAt, examples: m.examples, version: loaded.version)
            let s = m.suggest(title: title, body: body, allowedUnits: allowed, limit: limit)
            answer.status = s.units.status == .ready ? "ready" : "insufficient_history"
            answer.categories_status = s.categories.status == .ready ? "ready" : "insufficient_history"
            answer.clearly_ahead = s.units.clearlyAhead
            answer.units = s.units.choices.map { c in
                .init(unit: c.id, name: words.unitName(c.id), score: c.score, reasons: c.reasons.map { words.reason($0, unit: c.id) }, source: "learned")
            }
            answer.categories = s.categories.choices.map { c in
                .init(category: c.id, name: words.categoryName(c.id), score: c.score,
                      reasons: c.reasons.map { words.reason($0, category: c.id) })
            }
        }
        if answer.status != "ready" {
            // Today's rules, as the verify form has them: the reporter's (or the QR code's) unit, then the category's
            // default unit — the category given, or else the one the model suggests first.
            let parents = reference.categories.compactMapValues(\.parent)
            let category = rules.category ?? answer.categories.first?.category
            let categoryDefault = UnitSuggestion.categoryDefault(category, jurisdiction: jurisdiction,
                                                                 defaults: reference.categoryUnits, parents: parents)
            var fallback: [Answer.UnitChoice] = []
            func add(_ unit: String?, _ reason: UnitSuggestion.Reason) {
                guard let unit, allowed.contains(unit) else { return }
                let text = app.catalog.text("ws_reason_\(reason.rawValue)", language)
                if let i = fallback.firstIndex(where: { $0.unit == unit }) { fallback[i].reasons.append(text); return }
                fallback.append(.init(unit: unit, name: words.unitName(unit), score: nil, reasons: [text], source: "rules"))
            }
            add(rules.targetUnit, rules.cameThroughQRCode ? .qrCode : .reporterTarget)
            add(categoryDefault, .categoryDefault)
            answer.units = Array(fallback.prefix(limit))
        }
        return answer
    }

    /// The reasons in words, from the i18n catalogues (docs/triage.md gives the wording).
    struct Words {
        let reference: ReferenceData
        let catalog: Catalog
        let language: Language

        func unitName(_ id: String) -> String { reference.tree.units[id]?.name ?? id }
        func categoryName(_ id: String) -> String { reference.categories[id]?.name(language) ?? id }

        func reason(_ reason: TriageReason, unit: String? = nil, category: String? = nil) -> String {
            switch reason {
            case .similarReports(let count, let terms):
                let key = unit != nil ? "triage_reason_similar_unit" : "triage_reason_similar_category"
                let text = catalog.text(key, language, ["count": "\(count)", "name": unit.map(unitName) ?? category.map(categoryName) ?? ""])
                return terms.isEmpty ? text : "\(text) (\(terms.joined(separator: ", ")))"
            case .mentionsName(let name):
                return catalog.text("triage_reason_mentions_name", language, ["name": name])
            case .mentionsPlace(let name, let level):
                // The engine keeps place names folded ("baleendah"); people write them capitalised.
                let written = name.split(separator: " ").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: " ")
                return catalog.text(level == .kecamatan ? "triage_reason_mentions_kecamatan" : "triage_reason_mentions_kelurahan",
                                    language, ["name": written])
            case .defaultOfCategory(let id):
                return catalog.text("triage_reason_category_default", language, ["name": categoryName(id)])
            }
        }
    }
}
