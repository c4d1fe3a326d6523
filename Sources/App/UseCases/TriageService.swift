import AduanCore
import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// Triage that learns (issue 16), the shell around `AduanCore/Triage`: the training examples and the knowledge come
/// from this installation's database, the trained model is stored there (`triage_models`) so every instance suggests
/// from the same one, and each instance keeps the newest version in memory until a newer one is stored.
enum TriageService {
    /// The figures of an evaluation by date, as stored with a model, printed by `aduan triage evaluate` and shown on
    /// the sysadmin's page.
    struct Figures: Codable, Sendable, Equatable {
        struct Confusion: Codable, Sendable, Equatable { var truth: String; var predicted: String; var count: Int }
        struct Head: Codable, Sendable, Equatable {
            var train: Int
            var test: Int
            var top1: Double
            var top3: Double
            var macro_f1: Double
            var majority: Double
            var unseen_in_training: Int
            var clearly_ahead: Int
            var clearly_ahead_correct: Int
            var confusions: [Confusion]
        }
        var split: Date
        var units: Head
        var categories: Head

        init(_ report: TriageEvaluation.Report) {
            func head(_ h: TriageEvaluation.HeadReport) -> Head {
                Head(train: h.trainExamples, test: h.testExamples, top1: h.top1, top3: h.top3, macro_f1: h.macroF1, majority: h.majority,
                     unseen_in_training: h.unseenInTraining, clearly_ahead: h.clearlyAhead, clearly_ahead_correct: h.clearlyAheadCorrect,
                     confusions: h.confusions.prefix(5).map { Confusion(truth: $0.truth, predicted: $0.predicted, count: $0.count) })
            }
            split = report.split; units = head(report.units); categories = head(report.categories)
        }
    }

    // MARK: History and knowledge

    /// The complaints of a jurisdiction as training examples: title, body, category, submitted time, and the unit it
    /// reached — its handling unit after the last disposition, or for an import the unit LAPOR's agency maps to
    /// (a finished import holds it as its unit, an open one as its target). A reporter's own choice of unit on a
    /// complaint nobody has dispositioned yet teaches nothing. Whistleblowing reports always go to the inspectorate,
    /// so they are left out.
    static func examples(jurisdiction: String, on db: any Database) async throws -> [TriageExample] {
        guard let sql = db as? any SQLDatabase else { return [] }
        struct Row: Decodable {
            var tracking_id: String; var submitted_at: Date; var title: String; var body: String
            var unit_id: String?; var target_unit_id: String?; var lapor_instansi: String?; var category_code: String?
        }
        let rows = try await sql.select()
            .columns("tracking_id", "submitted_at", "title", "body", "unit_id", "target_unit_id", "lapor_instansi", "category_code")
            .from(Complaint.schema)
            .where("jurisdiction_code", .equal, jurisdiction)
            .where("type", .notEqual, ComplaintType.wbs.rawValue)
            .all(decoding: Row.self)
        return rows.compactMap { r in
            let unit = r.unit_id ?? (r.lapor_instansi != nil ? r.target_unit_id : nil)
            guard unit != nil || r.category_code != nil else { return nil }
            return TriageExample(id: r.tracking_id, submittedAt: r.submitted_at, title: r.title, body: r.body, unit: unit, category: r.category_code)
        }
    }

    /// How many complaints of the jurisdiction are training examples (the rule of `examples`, in SQL): the worker
    /// compares it with the stored model's count. `TriageShellTests.exampleRuleAndCountAgree` pins the two together.
    static func labelledCount(jurisdiction: String, on db: any Database) async throws -> Int {
        try await Complaint.query(on: db).filter(\.$jurisdictionCode == jurisdiction)
            .filter(\.$type != ComplaintType.wbs.rawValue)
            .group(.or) { or in
                or.filter(\.$unitID != nil).filter(\.$categoryCode != nil)
                    .group(.and) { $0.filter(\.$laporInstansi != nil).filter(\.$targetUnitID != nil) }
            }
            .count()
    }

    /// What the organisation knows: the jurisdiction's units with their names and saved aliases (including the LAPOR
    /// agency names a coordinator gave a unit), and the categories with their default unit in the jurisdiction. The
    /// places a unit serves are those its name says ("Kecamatan Baleendah"); the organisation has no other record of them.
    static func knowledge(jurisdiction: String, reference: ReferenceData, on db: any Database) async throws -> TriageKnowledge {
        let aliases = try await UnitAlias.query(on: db).filter(\.$jurisdictionCode == jurisdiction).all()
        var aliasesByUnit: [String: [String]] = [:]
        for a in aliases { aliasesByUnit[a.unitID, default: []].append(a.alias) }
        let units = reference.tree.units.values.filter { $0.jurisdiction == jurisdiction && $0.kind != .coordinator }
            .sorted { $0.id < $1.id }
            .map { TriageKnowledge.Unit(id: $0.id, name: $0.name, aliases: (aliasesByUnit[$0.id] ?? []).sorted()) }
        let parents = reference.categories.compactMapValues(\.parent)
        let categories = reference.categories.sorted { $0.key < $1.key }.map { code, info in
            TriageKnowledge.Category(id: code, name: info.name,
                                     defaultUnit: UnitSuggestion.categoryDefault(code, jurisdiction: jurisdiction,
                                                                                 defaults: reference.categoryUnits, parents: parents))
        }
        return TriageKnowledge(units: units, categories: categories)
    }

    /// The units a suggestion for this jurisdiction may name: its own active units that handle complaints.
    static func allowedUnits(jurisdiction: String, reference: ReferenceData) -> Set<String> {
        Set(reference.tree.units.values.filter { $0.jurisdiction == jurisdiction && $0.handlesComplaints }.map(\.id))
    }

    // MARK: Training

    struct Trained: Sendable {
        var version: Int
        var model: TriageModel
        var figures: Figures?
    }

    /// Trains on the jurisdiction's whole history and stores the model as the next version. The figures stored with it
    /// come from a split by date at training time: trained on the older four fifths, tested on the newest fifth.
    static func train(jurisdiction: String, by actor: String, app: Application) async throws -> Trained {
        let reference = try await app.reference.get(on: app.db)
        let history = try await examples(jurisdiction: jurisdiction, on: app.db)
        let knowledge = try await knowledge(jurisdiction: jurisdiction, reference: reference, on: app.db)
        let now = app.clock.now
        let (model, figures) = try await app.threadPool.runIfActive { () -> (TriageModel, Figures?) in
            let model = TriageTrainer.train(history, knowledge: knowledge, trainedAt: now)
            var figures: Figures?
            if let split = defaultSplit(history) {
                figures = Figures(TriageEvaluation.run(history, knowledge: knowledge, split: split))
            }
            return (model, figures)
        }
        let encoded = model.encoded()
        let evaluation = try figures.map { String(decoding: try JSONEncoder.triage.encode($0), as: UTF8.self) }
        // Two instances training at once: the unique (jurisdiction, version) lets one win; the other takes the next number.
        var attempt = 0
        while true {
            attempt += 1
            do {
                let newest = try await StoredTriageModel.query(on: app.writeDB).filter(\.$jurisdictionCode == jurisdiction)
                    .sort(\.$version, .descending).field(\.$id).field(\.$version).first()
                let row = StoredTriageModel()
                row.jurisdictionCode = jurisdiction; row.version = (newest?.version ?? 0) + 1; row.model = encoded
                row.trainedAt = now; row.examples = model.examples; row.unitExamples = model.unitExamples
                row.categoryExamples = model.categoryExamples; row.evaluation = evaluation; row.trainedBy = actor
                try await row.create(on: app.writeDB)
                app.triageModels.remember(jurisdiction, Loaded(version: row.version, model: model, figures: figures))
                return Trained(version: row.version, model: model, figures: figures)
            } catch where attempt < 5 && isWriteConflict(error) {
                continue
            }
        }
    }

    /// The split of the training-time evaluation: the date of the first report of the newest fifth; nil when there
    /// is too little history for both sides to mean anything.
    static func defaultSplit(_ history: [TriageExample]) -> Date? {
        let dates = history.filter { $0.unit != nil }.map(\.submittedAt).sorted()
        guard dates.count >= TriageModel.minimumExamples + 20 else { return nil }
        let split = dates[dates.count * 4 / 5]
        return split > dates[0] ? split : nil
    }

    /// `aduan triage evaluate`: trains on the reports before `split` and tests on those on or after it (nothing is stored).
    static func evaluate(jurisdiction: String, split: Date, app: Application) async throws -> TriageEvaluation.Report {
        let reference = try await app.reference.get(on: app.db)
        let history = try await examples(jurisdiction: jurisdiction, on: app.db)
        let knowledge = try await knowledge(jurisdiction: jurisdiction, reference: reference, on: app.db)
        return try await app.threadPool.runIfActive { TriageEvaluation.run(history, knowledge: knowledge, split: split) }
    }

    // MARK: The stored model in use

    struct Loaded: Sendable {
        var version: Int
        var model: TriageModel
        var figures: Figures?
    }

    /// The newest stored model of the jurisdiction (nil when none was trained yet, or it cannot be read). One small
    /// query per call finds the newest version; the model itself is read and decoded only when that version changed.
    static func current(jurisdiction: String, app: Application, on db: any Database) async throws -> Loaded? {
        guard let newest = try await StoredTriageModel.query(on: db).filter(\.$jurisdictionCode == jurisdiction)
            .sort(\.$version, .descending).field(\.$id).field(\.$version).first() else { return nil }
        if let cached = app.triageModels.cached(jurisdiction), cached.version >= newest.version { return cached }
        guard let row = try await StoredTriageModel.find(newest.id, on: db) else { return nil }
        do {
            let bytes = row.model
            let model = try await app.threadPool.runIfActive { try TriageModel(encoded: bytes) }
            let figures = row.evaluation.flatMap { try? JSONDecoder.triage.decode(Figures.self, from: Data($0.utf8)) }
            let loaded = Loaded(version: row.version, model: model, figures: figures)
            app.triageModels.remember(jurisdiction, loaded)
            return loaded
        } catch {
            app.logger.error("stored triage model cannot be read; suggestions fall back to the rules",
                             metadata: ["jurisdiction": "\(jurisdiction)", "version": "\(row.version)", "error": "\(error)"])
            return nil
        }
    }
}

/// Each instance's copy of the models in use, by jurisdiction.
final class TriageModelCache: Sendable {
    private let box = NIOLockedValueBox<[String: TriageService.Loaded]>([:])

    func cached(_ jurisdiction: String) -> TriageService.Loaded? { box.withLockedValue { $0[jurisdiction] } }

    /// Keeps `loaded` unless a newer version is already held.
    func remember(_ jurisdiction: String, _ loaded: TriageService.Loaded) {
        box.withLockedValue { models in
            if let held = models[jurisdiction], held.version > loaded.version { return }
            models[jurisdiction] = loaded
        }
    }
}

extension Application {
    private struct TriageModelCacheKey: StorageKey { typealias Value = TriageModelCache }
    var triageModels: TriageModelCache {
        if let cache = storage[TriageModelCacheKey.self] { return cache }
        let cache = TriageModelCache()
        storage[TriageModelCacheKey.self] = cache
        return cache
    }
}

extension JSONEncoder {
    static var triage: JSONEncoder {
        let e = JSONEncoder(); e.dateEncodingStrategy = .iso8601; e.outputFormatting = [.sortedKeys]; return e
    }
}

extension JSONDecoder {
    static var triage: JSONDecoder { let d = JSONDecoder(); d.dateDecodingStrategy = .iso8601; return d }
}
