import AduanCore
import Foundation
import Vapor

/// The verify form's learned suggestions (issue 16): the units the stored model suggests join the rules' suggestions,
/// each with its reasons in words and its score; the first is preselected only when it is clearly ahead. Works
/// without JavaScript: it is part of the page. A model that cannot be used leaves the form as the rules make it.
enum TriageForm {
    struct View: Encodable, Sendable {
        /// `ready`, `insufficient_history` or `no_model`.
        var status: String
        /// Why there are no learned suggestions, in words (nil when there are).
        var note: String?
        /// Learned categories, "Jalan (62%)", best first.
        var categories: [String]
        /// The model they come from, in words.
        var model: String?
        /// Set when the first learned unit was preselected because it is clearly ahead.
        var preselectedNote: String?
    }

    /// Units shown on the form at most: the top three hold the right unit about four times in five (docs/triage.md).
    static let shown = 3

    static func learned(_ ws: Workspace, _ c: Complaint, joining suggestions: inout [CasePage.Suggestion],
                        returnedBy: String?) async throws -> (preselect: String?, view: View?) {
        guard c.type != ComplaintType.wbs.rawValue else { return (nil, nil) }
        let req = ws.req
        let answer: TriageSuggest.Answer
        do {
            answer = try await TriageSuggest.suggest(title: c.title, body: c.body, jurisdiction: c.jurisdictionCode, rules: .init(),
                                                     language: req.language, app: req.application, on: req.db)
        } catch {
            req.logger.warning("triage suggestions unavailable", metadata: ["error": "\(String(reflecting: error))"])
            return (nil, nil)
        }
        let learned = answer.units.filter { $0.source == "learned" }.prefix(shown)
        for choice in learned {
            let score = req.text("triage_score", ["score": percent(choice.score ?? 0)])
            let reasons = choice.reasons.joined(separator: "; ")
            if let i = suggestions.firstIndex(where: { $0.unit == choice.unit }) {
                suggestions[i].reasons += reasons.isEmpty ? "" : "; " + reasons
                suggestions[i].score = score
            } else {
                suggestions.append(.init(unit: choice.unit, name: choice.name, reasons: reasons, score: score))
            }
        }
        var preselect: String?
        var preselectedNote: String?
        if answer.clearly_ahead, let lead = learned.first, lead.unit != returnedBy,
           let i = suggestions.firstIndex(where: { $0.unit == lead.unit }) {
            suggestions.insert(suggestions.remove(at: i), at: 0)
            preselect = lead.unit
            preselectedNote = req.text("triage_preselected", ["name": lead.name])
        }
        var note: String?
        switch answer.status {
        case "no_model": note = req.text("triage_no_model")
        case "insufficient_history": note = req.text("triage_insufficient", ["count": "\(answer.model?.examples ?? 0)"])
        default: note = nil
        }
        let model = answer.model.map { m in
            req.text("triage_model", ["date": ws.wording(for: c.jurisdictionCode).date(m.trained_at), "count": "\(m.examples)"])
        }
        let categories = answer.categories.prefix(shown).map { "\($0.name) (\(percent($0.score)))" }
        return (preselect, View(status: answer.status, note: note, categories: categories, model: model, preselectedNote: preselectedNote))
    }

    static func percent(_ score: Double) -> String { "\(Int((score * 100).rounded()))%" }
}
