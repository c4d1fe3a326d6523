import Foundation

/// Trains a `TriageModel` from past reports and the installation's knowledge. One pass over the reports in date order:
/// the counts of the older part are learned first, the newest part (a fifth, at most 10,000 reports) is scored by that
/// model to fit the layer that weighs the naive Bayes score against the knowledge signals, then its counts are added.
/// The result depends only on the input: the reports are ordered by (submittedAt, id) whatever order they come in.
public enum TriageTrainer {
    /// Reports the logistic layer is fitted on at most, and the fewest it is fitted on (below, fixed weights are used).
    static let holdoutLimit = 10_000
    static let holdoutMinimum = 30

    /// Threads a training uses by default: the machine's cores, at most 4.
    public static var defaultThreads: Int { max(1, min(4, ProcessInfo.processInfo.activeProcessorCount)) }

    /// Reports made into features at a time per thread in the counting passes (bounded memory).
    static let chunkPerThread = 1_024

    /// `threads` only changes how fast it goes: the reports are made into features on `threads` threads, and their
    /// counts are added on `threads` threads too, each thread to its own share of the buckets, report after report in
    /// date order: every sum gets its terms in the same order, so the model is the same bytes whatever the number of
    /// threads. The
    /// collection is read from several threads at once when `threads` > 1 (arrays and other value collections are safe).
    public static func train<C: Collection>(_ examples: C, knowledge: TriageKnowledge = .init(),
                                            configuration: TriageConfiguration = .standard,
                                            trainedAt: Date, threads: Int = defaultThreads) -> TriageModel where C.Element == TriageExample {
        let threads = max(1, threads)
        // Order and labels, without keeping the texts (the collection may generate them lazily).
        let positions = Array(examples.indices)
        let partsDone = partMap(positions.count, threads: threads) { _, range in
            var keys: [(date: Date, id: String, index: C.Index)] = []
            keys.reserveCapacity(range.count)
            var units = Set<String>(), categories = Set<String>()
            for i in range {
                let e = examples[positions[i]]
                keys.append((e.submittedAt, e.id, positions[i]))
                if let u = e.unit { units.insert(u) }
                if let c = e.category { categories.insert(c) }
            }
            return (keys: keys, units: units, categories: categories)
        }
        let keys = partsDone.flatMap(\.keys).sorted { ($0.date, $0.id) < ($1.date, $1.id) }
        let unitLabels = partsDone.reduce(into: Set(knowledge.units.map(\.id))) { $0.formUnion($1.units) }
        let categoryLabels = partsDone.reduce(into: Set(knowledge.categories.map(\.id))) { $0.formUnion($1.categories) }
        let units = unitLabels.sorted(), categories = categoryLabels.sorted()
        let unitIndex = Dictionary(uniqueKeysWithValues: units.enumerated().map { ($1, $0) })
        let categoryIndex = Dictionary(uniqueKeysWithValues: categories.enumerated().map { ($1, $0) })

        let phrases = knowledgePhrases(knowledge, unitIndex: unitIndex, categoryIndex: categoryIndex)
        let matcher = PhraseMatcher(phrases.map { ($0.text, $0.value) })
        var categoryDefaultUnit = [Int32](repeating: -1, count: categories.count)
        for category in knowledge.categories {
            if let c = categoryIndex[category.id], let unit = category.defaultUnit, let u = unitIndex[unit] { categoryDefaultUnit[c] = Int32(u) }
        }

        // One featurizer (and word cache) per thread.
        let featurizers = (0..<threads).map { _ in TriageFeaturizer(configuration: configuration, matcher: matcher) }
        let buckets = 1 << configuration.bucketBits
        let separate = configuration.weighting != .binary
        var unitCounts = Counts(classes: units.count, buckets: buckets, separateDocumentCounts: separate)
        var categoryCounts = Counts(classes: categories.count, buckets: buckets, separateDocumentCounts: separate)
        let holdout = keys.count >= holdoutMinimum * 2 ? min(keys.count / 5, holdoutLimit) : 0
        let older = keys.count - holdout

        /// Adds the counts of the reports keys[range], in order; features are made `threads` at a time.
        func count(_ range: Range<Int>) {
            var start = range.lowerBound
            while start < range.upperBound {
                let end = min(range.upperBound, start + chunkPerThread * threads)
                let docs = orderedMap(end - start, threads: threads) { p, i in
                    let e = examples[keys[start + i].index]
                    return (doc: featurizers[p].document(title: e.title, body: e.body, sorted: false),
                            unit: e.unit.flatMap { unitIndex[$0] }, category: e.category.flatMap { categoryIndex[$0] })
                }
                unitCounts.add(docs.map { ($0.doc, $0.unit) }, threads: threads)
                categoryCounts.add(docs.map { ($0.doc, $0.category) }, threads: threads)
                start = end
            }
        }
        count(0..<older)

        var unitTheta = defaultUnitWeights, categoryTheta = defaultCategoryWeights
        if holdout > 0 {
            let partialUnits = unitCounts.head(classes: units, alpha: configuration.alpha, stacking: unitTheta)
            let partialCategories = categoryCounts.head(classes: categories, alpha: configuration.alpha, stacking: categoryTheta)
            // The holdout is scored by heads that do not change meanwhile: their logarithms are computed once.
            let unitTable = partialUnits.logTable(), categoryTable = partialCategories.logTable()
            let scored = orderedMap(holdout, threads: threads) { p, i -> (category: ([[Double]], Int)?, unit: ([[Double]], Int)?) in
                let e = examples[keys[older + i].index]
                let doc = featurizers[p].document(title: e.title, body: e.body)
                let categorySignals = TriageModel.signals(doc, head: partialCategories, table: categoryTable, phrases: phrases,
                                                          isUnitHead: false, categoryTop: nil, categoryDefaultUnit: categoryDefaultUnit)
                var row: (category: ([[Double]], Int)?, unit: ([[Double]], Int)?) = (nil, nil)
                if let c = e.category.flatMap({ categoryIndex[$0] }) { row.category = (categorySignals, c) }
                if let u = e.unit.flatMap({ unitIndex[$0] }) {
                    let p = TriageModel.softmax(categorySignals, categoryTheta)
                    let top = partialCategories.isReady ? p.indices.max { p[$0] < p[$1] } : nil
                    row.unit = (TriageModel.signals(doc, head: partialUnits, table: unitTable, phrases: phrases, isUnitHead: true,
                                                    categoryTop: top, categoryDefaultUnit: categoryDefaultUnit), u)
                }
                return row
            }
            let unitRows = scored.compactMap(\.unit), categoryRows = scored.compactMap(\.category)
            if unitRows.count >= holdoutMinimum && partialUnits.isReady { unitTheta = fit(unitRows, start: unitTheta) }
            if categoryRows.count >= holdoutMinimum && partialCategories.isReady { categoryTheta = fit(categoryRows, start: categoryTheta) }
            count(older..<keys.count)
        }
        if !configuration.knowledge {
            // Without knowledge the signals are zero; keep their weights zero so the model says what was learned.
            for i in 2..<unitTheta.count { unitTheta[i] = 0 }
            categoryTheta[2] = 0
        }
        return TriageModel(
            configuration: configuration, trainedAt: trainedAt, examples: keys.count,
            unitExamples: unitCounts.examples, categoryExamples: categoryCounts.examples, newestExample: keys.last?.date,
            phrases: phrases, categoryDefaultUnit: categoryDefaultUnit,
            unitHead: unitCounts.head(classes: units, alpha: configuration.alpha, stacking: unitTheta),
            categoryHead: categoryCounts.head(classes: categories, alpha: configuration.alpha, stacking: categoryTheta))
    }

    // MARK: Threads

    /// Splits 0..<count into up to `threads` contiguous ranges and returns `body(part, range)` of each, in order;
    /// the parts run concurrently when there are several. A part may use state of its own index (a featurizer);
    /// nothing else may be shared mutably.
    static func partMap<R>(_ count: Int, threads: Int, _ body: (Int, Range<Int>) -> R) -> [R] {
        let parts = max(1, min(threads, count))
        if parts == 1 { return [body(0, 0..<count)] }
        let slots = UnsafeMutableBufferPointer<R>.allocate(capacity: parts)
        defer { slots.deinitialize().deallocate() }
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let body = body, slots = slots
            DispatchQueue.concurrentPerform(iterations: parts) { p in
                (slots.baseAddress! + p).initialize(to: body(p, (count * p / parts)..<(count * (p + 1) / parts)))
            }
        }
        return Array(slots)
    }

    /// `(0..<count).map { body(part, $0) }`, computed on up to `threads` threads; the results are in index order.
    static func orderedMap<R>(_ count: Int, threads: Int, _ body: (Int, Int) -> R) -> [R] {
        partMap(count, threads: threads) { p, range in range.map { body(p, $0) } }.flatMap { $0 }
    }

    /// Starting (and small-history) weights: the naive Bayes score, no prior, knowledge signals a little.
    static let defaultUnitWeights: [Double] = [1, 0, 1, 1, 0.5, 0.5]
    static let defaultCategoryWeights: [Double] = [1, 0, 1]

    static func knowledgePhrases(_ knowledge: TriageKnowledge, unitIndex: [String: Int], categoryIndex: [String: Int]) -> [KnowledgePhrase] {
        var phrases: [KnowledgePhrase] = []
        var seen = Set<String>()
        func add(_ text: String, _ display: String, _ kind: KnowledgePhrase.Kind, _ target: Int) {
            let words = TriageText.words(text)
            guard !words.isEmpty, seen.insert("\(kind.rawValue) \(target) \(words.joined(separator: " "))").inserted else { return }
            phrases.append(KnowledgePhrase(text: text, display: display, kind: kind, target: Int32(target), value: Int32(phrases.count)))
        }
        for unit in knowledge.units {
            guard let u = unitIndex[unit.id] else { continue }
            for name in TriageKnowledge.namesOf(unit) { add(name, name, .unitName, u) }
            for place in TriageKnowledge.placesServed(by: unit) {
                add(place.name, place.name, place.level == .kecamatan ? .kecamatan : .kelurahan, u)
            }
        }
        for category in knowledge.categories {
            guard let c = categoryIndex[category.id] else { continue }
            add(category.name, category.name, .categoryName, c)
        }
        return phrases
    }

    /// Fits the logistic layer's weights by Newton's method on the rows (signals of every class, true class), with a
    /// ridge towards the starting weights.
    static func fit(_ rows: [([[Double]], Int)], start: [Double], ridge: Double = 1) -> [Double] {
        let p = start.count
        var theta = start
        func loss(_ t: [Double]) -> Double {
            var total = 0.0
            for (signals, y) in rows {
                let logits = signals.map { row in zip(row, t).reduce(0) { $0 + $1.0 * $1.1 } }
                let top = logits.max() ?? 0
                total += top + log(logits.reduce(0) { $0 + exp($1 - top) }) - logits[y]
            }
            return total + ridge / 2 * zip(t, start).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        }
        var current = loss(theta)
        for _ in 0..<25 {
            var gradient = (0..<p).map { ridge * (theta[$0] - start[$0]) }
            var hessian = (0..<p).map { i in (0..<p).map { $0 == i ? ridge : 0.0 } }
            for (signals, y) in rows {
                let probabilities = TriageModel.softmax(signals, theta)
                var mean = [Double](repeating: 0, count: p)
                for (c, row) in signals.enumerated() where probabilities[c] > 1e-12 {
                    for i in 0..<p { mean[i] += probabilities[c] * row[i] }
                }
                for i in 0..<p { gradient[i] += mean[i] - signals[y][i] }
                for (c, row) in signals.enumerated() where probabilities[c] > 1e-12 {
                    for i in 0..<p {
                        let di = row[i] - mean[i]
                        guard di != 0 else { continue }
                        for j in 0..<p { hessian[i][j] += probabilities[c] * di * (row[j] - mean[j]) }
                    }
                }
            }
            guard let step = solve(hessian, gradient) else { break }
            var scale = 1.0
            var improved = false
            while scale > 1e-4 {
                let candidate = (0..<p).map { theta[$0] - scale * step[$0] }
                let value = loss(candidate)
                if value < current - 1e-9 { theta = candidate; current = value; improved = true; break }
                scale /= 2
            }
            if !improved { break }
        }
        return theta
    }

    /// Gaussian elimination with partial pivoting; nil when singular.
    static func solve(_ a: [[Double]], _ b: [Double]) -> [Double]? {
        let n = b.count
        var m = a, v = b
        for col in 0..<n {
            guard let pivot = (col..<n).max(by: { abs(m[$0][col]) < abs(m[$1][col]) }), abs(m[pivot][col]) > 1e-12 else { return nil }
            m.swapAt(col, pivot); v.swapAt(col, pivot)
            for row in (col + 1)..<n {
                let f = m[row][col] / m[col][col]
                guard f != 0 else { continue }
                for k in col..<n { m[row][k] -= f * m[col][k] }
                v[row] -= f * v[col]
            }
        }
        var x = [Double](repeating: 0, count: n)
        for row in stride(from: n - 1, through: 0, by: -1) {
            var s = v[row]
            for k in (row + 1)..<n { s -= m[row][k] * x[k] }
            x[row] = s / m[row][row]
        }
        return x
    }

    /// Dense class × bucket counts while training (bounded: classes × 2^bucketBits floats).
    struct Counts {
        let classes: Int
        let buckets: Int
        var counts: [Float]
        /// Reports per class and bucket, kept apart from `counts` only when features count more than once.
        var docs: [Float]
        var classExamples: [Int32]
        var examples = 0

        init(classes: Int, buckets: Int, separateDocumentCounts: Bool) {
            self.classes = classes; self.buckets = buckets
            counts = [Float](repeating: 0, count: classes * buckets)
            docs = separateDocumentCounts ? [Float](repeating: 0, count: classes * buckets) : []
            classExamples = [Int32](repeating: 0, count: classes)
        }

        /// Adds each report's features to its class (none: not counted), in the order given. The buckets are shared out
        /// among `threads` threads, each adding to its own share only, so each cell's terms are added in the same order
        /// whatever the number of threads. (One thread spent most of its time waiting on memory here.)
        mutating func add(_ reports: [(doc: TriageDocument, class: Int?)], threads: Int) {
            for case let (_, c?) in reports {
                examples += 1
                classExamples[c] += 1
            }
            let buckets = self.buckets, countDocuments = !docs.isEmpty
            counts.withUnsafeMutableBufferPointer { counts in
                docs.withUnsafeMutableBufferPointer { docs in
                    nonisolated(unsafe) let counts = counts, docs = docs
                    _ = TriageTrainer.partMap(buckets, threads: threads) { _, share in
                        let low = UInt32(share.lowerBound), high = UInt32(share.upperBound)
                        for case let (doc, c?) in reports {
                            let base = c * buckets
                            for (k, b) in doc.buckets.enumerated() where b >= low && b < high {
                                counts[base + Int(b)] += doc.weights[k]
                                if countDocuments { docs[base + Int(b)] += 1 }
                            }
                        }
                    }
                }
            }
        }

        func head(classes names: [String], alpha: Double, stacking: [Double]) -> NaiveBayesHead {
            var start = [UInt32](repeating: 0, count: buckets + 1)
            var postingClass: [UInt16] = [], postingCount: [Float] = [], postingDocs: [Float] = []
            counts.withUnsafeBufferPointer { p in
                for b in 0..<buckets {
                    for c in 0..<classes where p[c * buckets + b] > 0 {
                        postingClass.append(UInt16(c)); postingCount.append(p[c * buckets + b])
                        if !docs.isEmpty { postingDocs.append(docs[c * buckets + b]) }
                    }
                    start[b + 1] = UInt32(postingClass.count)
                }
            }
            return NaiveBayesHead(classes: names, classExamples: classExamples, alpha: alpha, stacking: stacking,
                                  bucketCount: buckets, postingStart: start, postingClass: postingClass, postingCount: postingCount,
                                  postingDocs: docs.isEmpty ? postingCount : postingDocs)
        }
    }
}
