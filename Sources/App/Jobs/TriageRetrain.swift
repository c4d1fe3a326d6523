import AduanCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// The worker's retraining of the triage models (issue 16). A jurisdiction's model is trained again when
/// - it has none yet and some complaint has reached a unit or a category;
/// - at least `ADUAN_TRIAGE_RETRAIN_AFTER` (100) more complaints have a unit or category than the model learned from
///   (a large import, or a busy day);
/// - it is older than `ADUAN_TRIAGE_RETRAIN_HOURS` (24; 0 turns the schedule off) and a complaint changed since.
/// Several instances may decide at once: each stores a version, the newest wins, nothing is lost.
enum TriageRetrain {
    static func sweep(_ app: Application) async -> Int {
        var trained = 0
        do {
            let reference = try await app.reference.get(on: app.db)
            for code in reference.tree.jurisdictions.keys.sorted() where try await due(code, app: app) {
                _ = try await TriageService.train(jurisdiction: code, by: "worker", app: app)
                trained += 1
            }
        } catch {
            app.logger.warning("triage retraining skipped", metadata: ["error": "\(String(reflecting: error))"])
        }
        return trained
    }

    /// Whether the jurisdiction's model is due. Counting the labelled complaints reads the jurisdiction's whole history
    /// (2.3 s for 582,000 complaints on SQLite), so the worker first asks the cheap question — how many complaints
    /// changed since the model was trained (`complaints_updated`) — and counts only when enough did. A complaint gains
    /// its unit or category by a change, so fewer changes than `triageRetrainAfter` cannot make that many new examples.
    static func due(_ jurisdiction: String, app: Application) async throws -> Bool {
        let settings = app.settings
        guard let newest = try await StoredTriageModel.query(on: app.db).filter(\.$jurisdictionCode == jurisdiction)
            .sort(\.$version, .descending).field(\.$id).field(\.$version).field(\.$examples).field(\.$trainedAt).first() else {
            return try await TriageService.labelledCount(jurisdiction: jurisdiction, on: app.db) > 0
        }
        let changed = try await changedSince(newest.trainedAt, jurisdiction: jurisdiction, on: app.db)
        if changed >= settings.triageRetrainAfter,
           try await TriageService.labelledCount(jurisdiction: jurisdiction, on: app.db) - newest.examples >= settings.triageRetrainAfter {
            return true
        }
        guard settings.triageRetrainHours > 0,
              app.clock.now.timeIntervalSince(newest.trainedAt) >= Double(settings.triageRetrainHours) * 3600 else { return false }
        return changed > 0
    }

    /// Complaints of the jurisdiction changed after `instant`, read through `complaints_updated` (the few rows changed
    /// since). SQLite, which keeps no statistics here, is told so: it would take the jurisdiction's equality for
    /// selective and read its whole history (0.7-1.2 s instead of 28 ms at 1,000,000 complaints).
    static func changedSince(_ instant: Date, jurisdiction: String, on db: any Database) async throws -> Int {
        guard let sql = db as? any SQLDatabase else { return 0 }
        let table: any SQLExpression = sql.dialect.name == "sqlite"
            ? SQLRaw("complaints INDEXED BY complaints_updated") : SQLIdentifier(Complaint.schema)
        return try await sql.select().column(SQLAlias(SQLFunction("COUNT", args: SQLLiteral.all), as: SQLIdentifier("n"))).from(table)
            .where("jurisdiction_code", .equal, SQLBind(jurisdiction)).where("updated_at", .greaterThan, SQLBind(instant))
            .first(decodingColumn: "n", as: Int.self) ?? 0
    }
}
