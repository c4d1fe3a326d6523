import Foundation

/// Evaluation by a split in time (issue 16): train on the reports submitted strictly before `split`, test on those
/// submitted on or after it. The test reports reach the model only as questions: nothing of them (words, counts,
/// classes, weights) is in the model (`TriageModel.newestExample` < split, and the trained model is byte-identical
/// to one trained on the earlier reports alone — a test checks it).
public enum TriageEvaluation {
    public struct Prediction: Sendable, Equatable {
        public var id: String
        public var truth: String
        /// The model's choices, best first (at most five), and the first one's probability.
        public var ranked: [String]
        public var topScore: Double
        public var clearlyAhead: Bool
    }

    public struct HeadReport: Sendable, Equatable {
        public var trainExamples: Int
        public var testExamples: Int
        /// Test reports whose true unit/category never occurs before the split (no model can get them from history).
        public var unseenInTraining: Int
        public var top1: Double
        public var top3: Double
        /// Mean F1 over the classes that are true or predicted first on some test report (scikit-learn's default).
        public var macroF1: Double
        /// Share of test reports in the most frequent class of training (the majority baseline).
        public var majority: Double
        /// Most frequent (truth, predicted first) pairs with truth ≠ prediction, most frequent first.
        public var confusions: [(truth: String, predicted: String, count: Int)]
        /// Among reports where the model said the first choice is clearly ahead: how many, and how often right.
        public var clearlyAhead: Int
        public var clearlyAheadCorrect: Int
        public var status: TriageRanking.Status
        public var predictions: [Prediction]

        public static func == (a: HeadReport, b: HeadReport) -> Bool {
            a.top1 == b.top1 && a.top3 == b.top3 && a.macroF1 == b.macroF1 && a.predictions == b.predictions
        }
    }

    public struct Report: Sendable {
        public var split: Date
        public var model: TriageModel
        public var units: HeadReport
        public var categories: HeadReport
    }

    public static func run(_ examples: [TriageExample], knowledge: TriageKnowledge = .init(), split: Date,
                           configuration: TriageConfiguration = .standard) -> Report {
        let training = examples.filter { $0.submittedAt < split }
        let test = examples.filter { $0.submittedAt >= split }.sorted { ($0.submittedAt, $0.id) < ($1.submittedAt, $1.id) }
        let model = TriageTrainer.train(training, knowledge: knowledge, configuration: configuration, trainedAt: split)
        let suggestions = test.map { model.suggest(title: $0.title, body: $0.body) }
        let units = headReport(training.compactMap(\.unit), test.indices.compactMap { i in
            test[i].unit.map { (test[i].id, $0, suggestions[i].units) } })
        let categories = headReport(training.compactMap(\.category), test.indices.compactMap { i in
            test[i].category.map { (test[i].id, $0, suggestions[i].categories) } })
        return Report(split: split, model: model, units: units, categories: categories)
    }

    static func headReport(_ trainingLabels: [String], _ cases: [(id: String, truth: String, ranking: TriageRanking)]) -> HeadReport {
        var frequency: [String: Int] = [:]
        for l in trainingLabels { frequency[l, default: 0] += 1 }
        let majorityClass = frequency.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key
        let predictions = cases.map { c in
            Prediction(id: c.id, truth: c.truth, ranked: c.ranking.choices.map(\.id), topScore: c.ranking.choices.first?.score ?? 0,
                       clearlyAhead: c.ranking.clearlyAhead)
        }
        let n = Double(max(predictions.count, 1))
        let top1 = Double(predictions.filter { $0.ranked.first == $0.truth }.count) / n
        let top3 = Double(predictions.filter { $0.ranked.prefix(3).contains($0.truth) }.count) / n
        let majority = Double(predictions.filter { $0.truth == majorityClass }.count) / n
        let pairs = predictions.map { ($0.truth, $0.ranked.first ?? "") }
        var confusion: [String: Int] = [:]
        for (truth, predicted) in pairs where truth != predicted { confusion["\(truth)\u{1}\(predicted)", default: 0] += 1 }
        let confusions = confusion.map { key, count -> (truth: String, predicted: String, count: Int) in
            let parts = key.split(separator: "\u{1}", omittingEmptySubsequences: false)
            return (String(parts[0]), String(parts[1]), count)
        }.sorted { ($0.count, $1.truth, $1.predicted) > ($1.count, $0.truth, $0.predicted) }
        let ahead = predictions.filter(\.clearlyAhead)
        return HeadReport(
            trainExamples: trainingLabels.count, testExamples: predictions.count,
            unseenInTraining: predictions.filter { frequency[$0.truth] == nil }.count,
            top1: top1, top3: top3, macroF1: macroF1(pairs), majority: majority,
            confusions: Array(confusions.prefix(10)), clearlyAhead: ahead.count,
            clearlyAheadCorrect: ahead.filter { $0.ranked.first == $0.truth }.count,
            status: cases.first?.ranking.status ?? .insufficientHistory(examples: trainingLabels.count, classesWithEnough: 0),
            predictions: predictions)
    }

    /// Unweighted mean of the per-class F1 over every class that is a truth or a first prediction.
    public static func macroF1(_ pairs: [(truth: String, predicted: String)]) -> Double {
        var truePositive: [String: Int] = [:], predicted: [String: Int] = [:], actual: [String: Int] = [:]
        for (t, p) in pairs {
            actual[t, default: 0] += 1
            predicted[p, default: 0] += 1
            if t == p { truePositive[t, default: 0] += 1 }
        }
        let classes = Set(actual.keys).union(predicted.keys.filter { !$0.isEmpty })
        guard !classes.isEmpty else { return 0 }
        let sum = classes.reduce(0.0) { total, c in
            let tp = Double(truePositive[c] ?? 0), p = Double(predicted[c] ?? 0), a = Double(actual[c] ?? 0)
            return total + (p + a > 0 ? 2 * tp / (p + a) : 0)
        }
        return sum / Double(classes.count)
    }
}
