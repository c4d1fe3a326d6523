import Foundation

/// One past report as triage learns from it: its text and where the coordinator sent it (the last disposition's unit,
/// or the unit an import recorded) and under which category. Reports without a unit teach only the category model,
/// and the other way round.
public struct TriageExample: Sendable, Equatable {
    public var id: String
    public var submittedAt: Date
    public var title: String
    public var body: String
    public var unit: String?
    public var category: String?
    public init(id: String, submittedAt: Date, title: String, body: String, unit: String?, category: String?) {
        self.id = id; self.submittedAt = submittedAt; self.title = title; self.body = body; self.unit = unit; self.category = category
    }
}

/// Why a unit or category is suggested, in data; the shell words it (docs/triage.md gives the wording).
public enum TriageReason: Sendable, Equatable {
    /// `count` past reports of this unit or category contain the strongest of `terms` (the words of the new report
    /// that speak most for it, strongest first): "mirip 14 laporan yang ditangani Dinas PUPR (berlubang, jalan rusak)".
    case similarReports(count: Int, terms: [String])
    /// The report names the unit or category: its name or an alias, as the installation spells it.
    case mentionsName(String)
    /// The report names a kecamatan or kelurahan/desa the unit serves.
    case mentionsPlace(String, TriageKnowledge.Place.Level)
    /// The unit is the default unit of the category the model suggests first (the category's id).
    case defaultOfCategory(String)
}

/// A ranked choice: a unit id or a category id, its probability among the candidates and the reasons.
public struct TriageChoice: Sendable, Equatable {
    public var id: String
    /// Probability (0…1) among the candidates, from the calibrated model.
    public var score: Double
    public var reasons: [TriageReason]
}

/// The suggestions for one head (units or categories).
public struct TriageRanking: Sendable, Equatable {
    public enum Status: Sendable, Equatable {
        case ready
        /// Too little history to learn from: the caller falls back to today's rules (QR code, reporter's choice,
        /// the category's default unit). `examples` labelled reports, `classesWithEnough` units/categories with at
        /// least `TriageModel.minimumPerClass` of them.
        case insufficientHistory(examples: Int, classesWithEnough: Int)
    }
    public var status: Status
    /// Best first, at most the limit asked for; empty when the history is insufficient.
    public var choices: [TriageChoice]
    /// Whether the first choice is clearly ahead (its probability ≥ the calibrated threshold): only then may a form
    /// preselect it.
    public var clearlyAhead: Bool
}

public struct TriageSuggestion: Sendable, Equatable {
    public var units: TriageRanking
    public var categories: TriageRanking
}

/// The learned triage model (issue 16): complement naive Bayes over hashed word, word-pair and character n-gram
/// features of the report, combined with what the installation knows (unit names, the places units serve, the
/// categories' default units) by a small multinomial logistic layer fitted on the most recent part of the history.
/// Deterministic, compact, serialisable (`encoded()` / `init(encoded:)`). docs/triage.md says why this method.
public struct TriageModel: Sendable {
    /// Fewer labelled reports than this, or fewer than two classes with `minimumPerClass` reports, is too little history.
    public static let minimumExamples = 100
    public static let minimumPerClass = 5

    public let configuration: TriageConfiguration
    public let trainedAt: Date
    /// Reports given to training, and how many of them had a unit / a category.
    public let examples: Int
    public let unitExamples: Int
    public let categoryExamples: Int
    /// The latest `submittedAt` among the reports learned from (nil when none): evaluation checks it is before the split.
    public let newestExample: Date?

    let phrases: [KnowledgePhrase]
    /// Category index → unit index of its default unit, or -1.
    let categoryDefaultUnit: [Int32]
    let unitHead: NaiveBayesHead
    let categoryHead: NaiveBayesHead
    let matcher: PhraseMatcher

    /// The units and categories the model can suggest.
    public var units: [String] { unitHead.classes }
    public var categories: [String] { categoryHead.classes }

    init(configuration: TriageConfiguration, trainedAt: Date, examples: Int, unitExamples: Int, categoryExamples: Int,
         newestExample: Date?, phrases: [KnowledgePhrase], categoryDefaultUnit: [Int32], unitHead: NaiveBayesHead,
         categoryHead: NaiveBayesHead) {
        self.configuration = configuration; self.trainedAt = trainedAt; self.examples = examples
        self.unitExamples = unitExamples; self.categoryExamples = categoryExamples; self.newestExample = newestExample
        self.phrases = phrases; self.categoryDefaultUnit = categoryDefaultUnit
        self.unitHead = unitHead; self.categoryHead = categoryHead
        self.matcher = PhraseMatcher(phrases.map { ($0.text, $0.value) })
    }

    /// Whether a word (as a report would write it) was seen in training; for tests of the date split.
    public func knowsWord(_ word: String) -> Bool {
        let featurizer = TriageFeaturizer(configuration: configuration, matcher: PhraseMatcher([]))
        let doc = featurizer.document(title: word, body: "", keepTerms: true)
        return doc.terms.keys.contains { unitHead.total(of: $0) > 0 || categoryHead.total(of: $0) > 0 }
    }

    /// The best units and categories for a new report, at most `limit` of each, best first. `allowedUnits` restricts
    /// the units to those the caller may dispose to (a kabupaten's coordinator: its own units); nil allows all.
    public func suggest(title: String, body: String, allowedUnits: Set<String>? = nil, limit: Int = 5) -> TriageSuggestion {
        let featurizer = TriageFeaturizer(configuration: configuration, matcher: matcher)
        let doc = featurizer.document(title: title, body: body, keepTerms: true)
        let categoryScores = scores(doc, head: categoryHead, categoryTop: nil)
        let topCategory = categoryScores.probabilities.indices.max { categoryScores.probabilities[$0] < categoryScores.probabilities[$1] }
        let unitScores = scores(doc, head: unitHead, categoryTop: categoryHead.isReady ? topCategory : nil)
        let categories = ranking(doc, head: categoryHead, scored: categoryScores, allowed: nil, limit: limit, topCategory: nil)
        let units = ranking(doc, head: unitHead, scored: unitScores, allowed: allowedUnits, limit: limit,
                            topCategory: categoryHead.isReady ? topCategory : nil)
        return TriageSuggestion(units: units, categories: categories)
    }

    // MARK: Scoring

    struct Scored {
        var probabilities: [Double]
        var signals: [[Double]]
    }

    /// The signals of every class for a document, and the probabilities the fitted layer gives them.
    func scores(_ doc: TriageDocument, head: NaiveBayesHead, categoryTop: Int?) -> Scored {
        let signals = Self.signals(doc, head: head, phrases: phrases, isUnitHead: head === unitHead,
                                   categoryTop: categoryTop, categoryDefaultUnit: categoryDefaultUnit)
        return Scored(probabilities: Self.softmax(signals, head.stacking), signals: signals)
    }

    static func softmax(_ signals: [[Double]], _ theta: [Double]) -> [Double] {
        var logits = signals.map { row in zip(row, theta).reduce(0) { $0 + $1.0 * $1.1 } }
        let top = logits.max() ?? 0
        var sum = 0.0
        for i in logits.indices { logits[i] = exp(logits[i] - top); sum += logits[i] }
        return logits.map { $0 / max(sum, .leastNormalMagnitude) }
    }

    /// Per class: [standardised naive Bayes score, log prior, names it, (units:) a kecamatan it serves, a
    /// kelurahan/desa it serves, default unit of the first category].
    /// `table`: the head's logarithms computed beforehand (`NaiveBayesHead.logTable()`), for scoring many reports.
    static func signals(_ doc: TriageDocument, head: NaiveBayesHead, table: NaiveBayesHead.LogTable? = nil, phrases: [KnowledgePhrase],
                        isUnitHead: Bool, categoryTop: Int?, categoryDefaultUnit: [Int32]) -> [[Double]] {
        let jll = head.jointLogLikelihood(doc, table: table)
        let n = Double(jll.count)
        let mean = jll.reduce(0, +) / max(n, 1)
        let variance = jll.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / max(n, 1)
        let sd = variance > 1e-18 ? variance.squareRoot() : 1
        let total = Double(head.classExamples.reduce(0, +))
        var rows = [[Double]]()
        rows.reserveCapacity(jll.count)
        for c in jll.indices {
            let prior = log((Double(head.classExamples[c]) + 1) / (total + n))
            rows.append(isUnitHead ? [(jll[c] - mean) / sd, prior, 0, 0, 0, 0] : [(jll[c] - mean) / sd, prior, 0])
        }
        for m in doc.mentions {
            let phrase = phrases[Int(m)]
            let isUnitPhrase = phrase.kind != .categoryName
            guard isUnitPhrase == isUnitHead, Int(phrase.target) < rows.count else { continue }
            let column: Int
            switch phrase.kind {
            case .unitName, .categoryName: column = 2
            case .kecamatan: column = 3
            case .kelurahan: column = 4
            }
            rows[Int(phrase.target)][column] = 1
        }
        if isUnitHead, let top = categoryTop, top < categoryDefaultUnit.count, categoryDefaultUnit[top] >= 0 {
            let unit = Int(categoryDefaultUnit[top])
            if unit < rows.count { rows[unit][5] = 1 }
        }
        return rows
    }

    private func ranking(_ doc: TriageDocument, head: NaiveBayesHead, scored: Scored, allowed: Set<String>?, limit: Int,
                         topCategory: Int?) -> TriageRanking {
        guard head.isReady else {
            return TriageRanking(status: .insufficientHistory(examples: head.labelled, classesWithEnough: head.classesWithEnough),
                                 choices: [], clearlyAhead: false)
        }
        var candidates = Array(head.classes.indices)
        if let allowed { candidates = candidates.filter { allowed.contains(head.classes[$0]) } }
        let mass = candidates.reduce(0) { $0 + scored.probabilities[$1] }
        candidates.sort { (scored.probabilities[$0], head.classes[$1]) > (scored.probabilities[$1], head.classes[$0]) }
        let isUnitHead = head === unitHead
        let choices = candidates.prefix(max(0, limit)).map { c -> TriageChoice in
            var reasons: [TriageReason] = []
            if let similar = head.similarReports(doc, classIndex: c) { reasons.append(similar) }
            for m in doc.mentions {
                let phrase = phrases[Int(m)]
                guard Int(phrase.target) == c, (phrase.kind != .categoryName) == isUnitHead else { continue }
                switch phrase.kind {
                case .unitName, .categoryName: reasons.append(.mentionsName(phrase.display))
                case .kecamatan: reasons.append(.mentionsPlace(phrase.display, .kecamatan))
                case .kelurahan: reasons.append(.mentionsPlace(phrase.display, .kelurahan))
                }
            }
            if isUnitHead, let top = topCategory, top < categoryDefaultUnit.count, Int(categoryDefaultUnit[top]) == c {
                reasons.append(.defaultOfCategory(categoryHead.classes[top]))
            }
            return TriageChoice(id: head.classes[c], score: mass > 0 ? scored.probabilities[c] / mass : 0, reasons: reasons)
        }
        let clearly = (choices.first?.score ?? 0) >= configuration.clearLeadProbability
        return TriageRanking(status: .ready, choices: Array(choices), clearlyAhead: clearly)
    }
}

/// A phrase of the installation's knowledge the model looks for in reports.
struct KnowledgePhrase: Sendable, Equatable {
    enum Kind: UInt8, Sendable { case unitName = 1, kecamatan = 2, kelurahan = 3, categoryName = 4 }
    var text: String
    var display: String
    var kind: Kind
    /// Class index in the unit head (unit kinds) or the category head.
    var target: Int32
    var value: Int32
}

/// Complement naive Bayes with the weight normalisation of Rennie et al. (2003), over hashed features, stored as
/// sparse counts (only the classes a feature occurred with), plus the fitted weights of the logistic layer.
final class NaiveBayesHead: @unchecked Sendable {
    let classes: [String]
    let classExamples: [Int32]
    let alpha: Double
    /// Fitted weights of the signals (see `TriageModel.signals`).
    let stacking: [Double]
    let bucketCount: Int
    // Postings in bucket order: bucket → (class, count).
    let postingStart: [UInt32]
    let postingClass: [UInt16]
    let postingCount: [Float]
    /// Reports of the class that contain the feature (the same as `postingCount` when features count once).
    let postingDocs: [Float]
    // Derived on load.
    private let bucketTotal: [Float]
    private let logTotal: [Double]
    private let normaliser: [Double]

    var labelled: Int { Int(classExamples.reduce(0, +)) }
    var classesWithEnough: Int { classExamples.filter { $0 >= TriageModel.minimumPerClass }.count }
    var isReady: Bool { labelled >= TriageModel.minimumExamples && classesWithEnough >= 2 }

    init(classes: [String], classExamples: [Int32], alpha: Double, stacking: [Double], bucketCount: Int,
         postingStart: [UInt32], postingClass: [UInt16], postingCount: [Float], postingDocs: [Float]) {
        self.classes = classes; self.classExamples = classExamples; self.alpha = alpha; self.stacking = stacking
        self.bucketCount = bucketCount; self.postingStart = postingStart; self.postingClass = postingClass
        self.postingCount = postingCount; self.postingDocs = postingDocs
        var bucketTotal = [Float](repeating: 0, count: bucketCount)
        var classTotal = [Double](repeating: 0, count: classes.count)
        var vocabulary = 0
        var all = 0.0
        for b in 0..<bucketCount {
            let range = Int(postingStart[b])..<Int(postingStart[b + 1])
            guard !range.isEmpty else { continue }
            vocabulary += 1
            var sum: Float = 0
            for p in range { sum += postingCount[p]; classTotal[Int(postingClass[p])] += Double(postingCount[p]) }
            bucketTotal[b] = sum
            all += Double(sum)
        }
        var logTotal = [Double](repeating: 0, count: classes.count)
        var normaliser = [Double](repeating: 0, count: classes.count)
        var base = 0.0
        for b in 0..<bucketCount where bucketTotal[b] > 0 { base += log(alpha + Double(bucketTotal[b])) }
        for c in classes.indices {
            logTotal[c] = log(alpha * Double(vocabulary) + all - classTotal[c])
            normaliser[c] = base - Double(vocabulary) * logTotal[c]
        }
        for b in 0..<bucketCount {
            let nb = Double(bucketTotal[b])
            for p in Int(postingStart[b])..<Int(postingStart[b + 1]) {
                normaliser[Int(postingClass[p])] += log(alpha + nb - Double(postingCount[p])) - log(alpha + nb)
            }
        }
        for c in classes.indices where normaliser[c] == 0 { normaliser[c] = -1 }
        self.bucketTotal = bucketTotal; self.logTotal = logTotal; self.normaliser = normaliser
    }

    func total(of bucket: UInt32) -> Float { Int(bucket) < bucketCount ? bucketTotal[Int(bucket)] : 0 }

    /// The logarithms `jointLogLikelihood` takes per bucket and per posting, computed once with the same expressions
    /// (so the scores are the same to the bit). As large as the postings in Doubles: for the trainer's holdout, where
    /// one head scores thousands of reports, not for a stored model.
    struct LogTable: Sendable {
        /// Per bucket: log(alpha + the bucket's total).
        let bucketLog: [Double]
        /// Per posting: log(alpha + the bucket's total - the class's count) - bucketLog.
        let postingDelta: [Double]
    }

    func logTable() -> LogTable {
        var bucketLog = [Double](repeating: 0, count: bucketCount)
        var postingDelta = [Double](repeating: 0, count: postingClass.count)
        for b in 0..<bucketCount {
            let nb = Double(bucketTotal[b])
            guard nb > 0 else { continue }
            let logAll = log(alpha + nb)
            bucketLog[b] = logAll
            for p in Int(postingStart[b])..<Int(postingStart[b + 1]) { postingDelta[p] = log(alpha + nb - Double(postingCount[p])) - logAll }
        }
        return LogTable(bucketLog: bucketLog, postingDelta: postingDelta)
    }

    /// The normalised complement naive Bayes score of every class (higher is better). With `table` (made by this
    /// head's `logTable()`) the logarithms are looked up instead of computed; the result is the same.
    func jointLogLikelihood(_ doc: TriageDocument, table: LogTable? = nil) -> [Double] {
        var base = 0.0, mass = 0.0
        var adjust = [Double](repeating: 0, count: classes.count)
        if let table {
            // The same sums in the same order as below, over raw buffers (this is the trainer's inner loop).
            table.postingDelta.withUnsafeBufferPointer { delta in
            table.bucketLog.withUnsafeBufferPointer { bucketLog in
            postingStart.withUnsafeBufferPointer { start in
            postingClass.withUnsafeBufferPointer { postingClass in
            bucketTotal.withUnsafeBufferPointer { bucketTotal in
            adjust.withUnsafeMutableBufferPointer { adjust in
                for (k, bucket) in doc.buckets.enumerated() {
                    let b = Int(bucket)
                    guard bucketTotal[b] > 0 else { continue }
                    let f = Double(doc.weights[k])
                    base += f * bucketLog[b]
                    mass += f
                    for p in Int(start[b])..<Int(start[b + 1]) { adjust[Int(postingClass[p])] += f * delta[p] }
                }
            } } } } } }
        } else {
            for (k, bucket) in doc.buckets.enumerated() {
                let b = Int(bucket)
                let nb = Double(bucketTotal[b])
                guard nb > 0 else { continue }
                let f = Double(doc.weights[k])
                let logAll = log(alpha + nb)
                base += f * logAll
                mass += f
                for p in Int(postingStart[b])..<Int(postingStart[b + 1]) {
                    adjust[Int(postingClass[p])] += f * (log(alpha + nb - Double(postingCount[p])) - logAll)
                }
            }
        }
        return classes.indices.map { c in (base + adjust[c] - mass * logTotal[c]) / normaliser[c] }
    }

    /// The words of the document that speak most for a class, and how many of its past reports contain the first.
    func similarReports(_ doc: TriageDocument, classIndex c: Int) -> TriageReason? {
        var strengths: [(strength: Double, count: Float, term: String)] = []
        for (bucket, term) in doc.terms {
            let b = Int(bucket)
            let nb = Double(bucketTotal[b])
            guard nb > 0 else { continue }
            for p in Int(postingStart[b])..<Int(postingStart[b + 1]) where Int(postingClass[p]) == c {
                let strength = (log(alpha + nb) - log(alpha + nb - Double(postingCount[p]))) / abs(normaliser[c])
                strengths.append((strength, postingDocs[p], term))
            }
        }
        strengths.sort { ($0.strength, $1.term) > ($1.strength, $0.term) }
        let top = strengths.prefix(3)
        guard let first = top.first, first.count >= 1 else { return nil }
        return .similarReports(count: Int(first.count), terms: top.map(\.term))
    }
}

extension TriageModel {
    /// The fitted weights of the unit signals: naive Bayes score, log prior, names the unit, names a kecamatan it
    /// serves, names a kelurahan/desa it serves, default unit of the first category.
    public var unitWeights: [Double] { unitHead.stacking }
    /// The fitted weights of the category signals: naive Bayes score, log prior, names the category.
    public var categoryWeights: [Double] { categoryHead.stacking }
}
