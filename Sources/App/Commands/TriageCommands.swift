import AduanCore
import Foundation
import Vapor

/// `aduan triage train` and `aduan triage evaluate` (SPEC §12, issue 16).
struct TriageGroup: AsyncCommandGroup {
    var help: String { "Train the triage model from this installation's history, or measure it by a split in time." }
    var commands: [String: any AnyAsyncCommand] { ["train": TriageTrainCommand(), "evaluate": TriageEvaluateCommand()] }
}

struct TriageTrainCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "jurisdiction", help: "jurisdiction code (default: every jurisdiction with complaints)") var jurisdiction: String?
    }
    var help: String { "Train and store the triage model of a jurisdiction (every instance then uses it)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await Bootstrap.migrate(app)
        let codes = try await TriageCommands.jurisdictions(signature.jurisdiction, app: app)
        for code in codes {
            let trained = try await TriageService.train(jurisdiction: code, by: "cli", app: app)
            let m = trained.model
            context.console.print("jurisdiction \(code): model version \(trained.version) trained on \(m.examples) reports "
                                  + "(\(m.unitExamples) with a unit, \(m.categoryExamples) with a category), "
                                  + "units \(m.units.count), categories \(m.categories.count), \(m.encoded().count) bytes")
            if let f = trained.figures { TriageCommands.print(f, console: context.console) } else {
                context.console.print("  too little history for a test by date (at least \(TriageModel.minimumExamples + 20) reports with a unit)")
            }
        }
    }
}

struct TriageEvaluateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "jurisdiction", help: "jurisdiction code (default: the installation's first)") var jurisdiction: String?
        @Option(name: "split", help: "YYYY-MM-DD: train on reports before it, test on those from it (default: the newest fifth)") var split: String?
    }
    var help: String { "Train on the reports before a date and test on those after: top-1, top-3, macro-F1, confusions. Stores nothing." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await Bootstrap.migrate(app)
        let reference = try await app.reference.get(on: app.db)
        let code = signature.jurisdiction ?? reference.defaultJurisdiction
        guard reference.tree.jurisdictions[code] != nil else { throw CommandRefused(description: "unknown jurisdiction \(code)") }
        let split: Date
        if let text = signature.split {
            guard let day = LocalDate(text) else { throw CommandRefused(description: "--split must be a date YYYY-MM-DD, got '\(text)'") }
            split = reference.calendar(for: code).startOfDay(day)
        } else {
            let history = try await TriageService.examples(jurisdiction: code, on: app.db)
            guard let chosen = TriageService.defaultSplit(history) else {
                throw CommandRefused(description: "too little history in \(code) to split (\(history.count) reports); give --split")
            }
            split = chosen
        }
        let report = try await TriageService.evaluate(jurisdiction: code, split: split, app: app)
        context.console.print("jurisdiction \(code)")
        TriageCommands.print(TriageService.Figures(report), console: context.console)
    }
}

enum TriageCommands {
    static func jurisdictions(_ given: String?, app: Application) async throws -> [String] {
        let reference = try await app.reference.get(on: app.db)
        if let given {
            guard reference.tree.jurisdictions[given] != nil else { throw CommandRefused(description: "unknown jurisdiction \(given)") }
            return [given]
        }
        var codes: [String] = []
        for code in reference.tree.jurisdictions.keys.sorted()
        where try await TriageService.labelledCount(jurisdiction: code, on: app.db) > 0 { codes.append(code) }
        return codes
    }

    static func print(_ f: TriageService.Figures, console: any Console) {
        let day = ISO8601DateFormatter().string(from: f.split)
        console.print("  split \(day): trained on the reports before it, tested on those from it")
        for (name, h) in [("units", f.units), ("categories", f.categories)] {
            guard h.test > 0 else { console.print("  \(name): no report with one on or after the split (train \(h.train))"); continue }
            console.print(String(format: "  %@: train %d, test %d (%d of a class unseen before the split); top-1 %.3f, top-3 %.3f, macro-F1 %.3f, majority %.3f; clearly ahead %d (%d right)",
                                 name, h.train, h.test, h.unseen_in_training, h.top1, h.top3, h.macro_f1, h.majority, h.clearly_ahead, h.clearly_ahead_correct))
            for c in h.confusions { console.print("    \(c.count)× \(c.truth) → predicted \(c.predicted)") }
        }
    }
}
