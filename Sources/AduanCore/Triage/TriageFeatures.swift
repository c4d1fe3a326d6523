import Foundation

/// The choices of the triage model that were measured (docs/triage.md); `standard` is what the product uses, the
/// others exist for the ablations of `triagebench evaluate`.
public struct TriageConfiguration: Sendable, Equatable, Hashable {
    /// Reduce words to a stem.
    public var stem: Bool = true
    /// Drop stop words and complaint boilerplate.
    public var dropStopWords: Bool = true
    /// Pairs of neighbouring words as features, beside single words.
    public var wordBigrams: Bool = true
    /// Length of the character n-grams taken inside each word (with its boundaries); 0 for none.
    public var charGramLength: Int = 4
    /// How a feature counts in one report: once, as often as it occurs, or 1 + log of that.
    public enum Weighting: UInt8, Sendable { case binary = 0, count = 1, logCount = 2 }
    public var weighting: Weighting = .count
    /// Use the installation's knowledge (unit names and aliases, places served, category defaults) as features.
    public var knowledge: Bool = true
    /// Features are hashed into 2^bucketBits buckets (bounded memory whatever the vocabulary).
    public var bucketBits: Int = 17
    /// Additive smoothing of the complement naive Bayes counts.
    public var alpha: Double = 0.3
    /// The top choice is "clearly ahead" when its probability is at least this (calibrated: docs/triage.md).
    public var clearLeadProbability: Double = 0.8

    public init() {}
    public static let standard = TriageConfiguration()
}

/// FNV-1a over bytes with a final mix: stable across runs, machines and Swift versions (Swift's `Hasher` is seeded
/// per process, so it cannot be stored in a model).
enum StableHash {
    static func of(_ text: String, kind: UInt8) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(kind)
        for byte in text.utf8 { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return mix(h)
    }

    static func of(scalars: ArraySlice<UInt32>, kind: UInt8) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(kind)
        for s in scalars { h = (h ^ UInt64(s)) &* 0x0000_0100_0000_01b3 }
        return mix(h)
    }

    static func pair(_ a: UInt64, _ b: UInt64) -> UInt64 { mix(a &* 0x9e37_79b9_7f4a_7c15 ^ b ^ 0x5bd1_e995) }

    /// The finaliser of splitmix64.
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

/// One report as features: hashed buckets with weights, the word features' readable terms (for reasons), and what
/// of the installation's knowledge it mentions.
struct TriageDocument {
    var buckets: [UInt32] = []
    var weights: [Float] = []
    /// For word features only, when asked: bucket → the words as written.
    var terms: [UInt32: String] = [:]
    /// Indexes into the model's knowledge phrases that the text mentions.
    var mentions: [Int32] = []
}

/// Turns text into features. Keeps a cache from each written word to its token and hashes, which makes training on a
/// million reports cheap (Indonesian complaint vocabularies repeat); the cache is bounded.
final class TriageFeaturizer {
    let configuration: TriageConfiguration
    let text: TriageText
    let matcher: PhraseMatcher
    let mask: UInt32

    private struct Word {
        var keep: Bool
        var term: String
        var surface: String
        var termHash: UInt64
        var grams: [UInt32]
    }
    private var cache: [String: Word] = [:]
    private static let cacheLimit = 300_000

    init(configuration: TriageConfiguration, matcher: PhraseMatcher) {
        self.configuration = configuration
        self.text = TriageText(options: .init(stem: configuration.stem, dropStopWords: configuration.dropStopWords))
        self.matcher = matcher
        self.mask = UInt32((1 << configuration.bucketBits) - 1)
    }

    private static let dropped = Word(keep: false, term: "", surface: "", termHash: 0, grams: [])

    /// `cache` is the featurizer's cache, moved out for the document being made (one exclusive access per document
    /// instead of one per word).
    private func word(_ raw: String, cache: inout [String: Word]) -> Word {
        // Numbers (neither phone nor NIK) are always dropped: decided without filling the cache with them.
        if let first = raw.utf8.first, first &- 0x30 < 10 { return Self.dropped }
        if let hit = cache[raw] { return hit }
        var entry = Word(keep: false, term: "", surface: raw, termHash: 0, grams: [])
        if let token = text.token(for: raw) {
            entry.keep = true
            entry.term = token.term
            entry.termHash = StableHash.of(token.term, kind: 0x77)
            let n = configuration.charGramLength
            if n > 0, !TriageText.Marker.all.contains(raw) {
                let scalars = [UInt32(0x20)] + raw.unicodeScalars.map(\.value) + [UInt32(0x20)]
                if scalars.count <= n {
                    entry.grams = [UInt32(truncatingIfNeeded: StableHash.of(scalars: scalars[...], kind: 0x63)) & mask]
                } else {
                    entry.grams = (0...(scalars.count - n)).map {
                        UInt32(truncatingIfNeeded: StableHash.of(scalars: scalars[$0..<($0 + n)], kind: 0x63)) & mask
                    }
                }
            }
        }
        if cache.count < Self.cacheLimit { cache[raw] = entry }
        return entry
    }

    func bucket(_ hash: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: hash) & mask }

    /// Per bucket, how often it occurs in the document being made (all zero between documents); for `sorted: false`.
    private var tally: [UInt32] = []

    /// The document's features. `sorted: false` (for the training's counting, where the order of a document's buckets
    /// does not change any sum) lists the buckets in the order they first occur and skips the sort.
    func document(title: String, body: String, keepTerms: Bool = false, sorted: Bool = true) -> TriageDocument {
        let words = TriageText.words(title + "\n" + body)
        var doc = TriageDocument()
        var raw: [UInt32] = []
        raw.reserveCapacity(words.count * 8)
        var previous: Word? = nil
        var cache = self.cache
        self.cache = [:]
        defer { self.cache = cache }
        for w in words {
            let entry = word(w, cache: &cache)
            guard entry.keep else { continue }
            let unigram = bucket(entry.termHash)
            raw.append(unigram)
            if keepTerms, doc.terms[unigram] == nil { doc.terms[unigram] = entry.surface }
            if configuration.wordBigrams, let p = previous {
                let b = bucket(StableHash.pair(p.termHash, entry.termHash))
                raw.append(b)
                if keepTerms, doc.terms[b] == nil { doc.terms[b] = p.surface + " " + entry.surface }
            }
            raw.append(contentsOf: entry.grams)
            previous = entry
        }
        let weighting = configuration.weighting
        func weight(_ n: Int) -> Float {
            switch weighting {
            case .binary: return 1
            case .count: return Float(n)
            case .logCount: return 1 + log(Float(n))
            }
        }
        if sorted {
            raw.sort()
            var i = 0
            while i < raw.count {
                var j = i + 1
                while j < raw.count && raw[j] == raw[i] { j += 1 }
                doc.buckets.append(raw[i])
                doc.weights.append(weight(j - i))
                i = j
            }
        } else {
            if tally.isEmpty { tally = [UInt32](repeating: 0, count: Int(mask) + 1) }
            doc.buckets.reserveCapacity(raw.count)
            tally.withUnsafeMutableBufferPointer { t in
                for b in raw {
                    if t[Int(b)] == 0 { doc.buckets.append(b) }
                    t[Int(b)] += 1
                }
                doc.weights.reserveCapacity(doc.buckets.count)
                for b in doc.buckets { doc.weights.append(weight(Int(t[Int(b)]))); t[Int(b)] = 0 }
            }
        }
        if configuration.knowledge && !matcher.isEmpty { doc.mentions = matcher.matches(in: words) }
        return doc
    }
}
