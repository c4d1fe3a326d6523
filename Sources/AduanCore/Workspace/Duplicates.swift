import Foundation

/// Likely duplicates of a complaint, for the coordinator's merge decision (SPEC §4). Aduan only suggests; the
/// coordinator merges. Signals: similar words in title and chronology, the same unit or category, the same
/// reporter, and closeness in time.
public enum Duplicates {
    /// What the finder needs of a complaint.
    public struct Item: Sendable, Equatable {
        public var trackingID: String
        public var title: String
        public var body: String
        public var jurisdiction: String
        public var unit: String?
        public var category: String?
        public var submittedAt: Date
        /// The keyed hash of the reporter's e-mail or phone, when known.
        public var reporterKey: String?

        public init(trackingID: String, title: String, body: String, jurisdiction: String, unit: String?, category: String?,
                    submittedAt: Date, reporterKey: String?) {
            self.trackingID = trackingID; self.title = title; self.body = body; self.jurisdiction = jurisdiction
            self.unit = unit; self.category = category; self.submittedAt = submittedAt; self.reporterKey = reporterKey
        }
    }

    public enum Signal: String, Sendable, Codable {
        case similarText = "similar_text", sameUnit = "same_unit", sameCategory = "same_category"
        case sameReporter = "same_reporter", closeInTime = "close_in_time"
    }

    public struct Candidate: Sendable, Equatable {
        public var trackingID: String
        /// 0…1.
        public var score: Double
        /// Share of distinct words the two texts have in common (Jaccard), 0…1.
        public var textSimilarity: Double
        public var signals: [Signal]
    }

    /// Complaints this far apart are not suggested on time alone.
    public static let window: TimeInterval = 30 * 86_400

    /// The best candidates for `subject` among `others`, strongest first; at most `limit`, none under `threshold`.
    public static func rank(_ subject: Item, among others: [Item], limit: Int = 5, threshold: Double = 0.35) -> [Candidate] {
        let words = Words(subject.title + " " + subject.body)
        let titleWords = Words(subject.title)
        return others.compactMap { other -> Candidate? in
            guard other.trackingID != subject.trackingID, other.jurisdiction == subject.jurisdiction else { return nil }
            let text = max(words.similarity(to: Words(other.title + " " + other.body)), titleWords.similarity(to: Words(other.title)))
            let apart = abs(other.submittedAt.timeIntervalSince(subject.submittedAt))
            let closeness = max(0, 1 - apart / window)
            var signals: [Signal] = []
            if text >= 0.3 { signals.append(.similarText) }
            let sameUnit = subject.unit != nil && subject.unit == other.unit
            let sameCategory = subject.category != nil && subject.category == other.category
            let sameReporter = subject.reporterKey != nil && subject.reporterKey == other.reporterKey
            if sameUnit { signals.append(.sameUnit) }
            if sameCategory { signals.append(.sameCategory) }
            if sameReporter { signals.append(.sameReporter) }
            if closeness >= 0.75 { signals.append(.closeInTime) }
            let context = (sameUnit ? 0.5 : 0) + (sameCategory ? 0.5 : 0)
            let score = min(1, 0.6 * text + 0.15 * context + 0.1 * closeness + (sameReporter ? 0.3 : 0))
            guard score >= threshold else { return nil }
            return Candidate(trackingID: other.trackingID, score: score, textSimilarity: text, signals: signals)
        }
        .sorted { ($0.score, $1.trackingID) > ($1.score, $0.trackingID) }
        .prefix(limit).map { $0 }
    }

    /// The distinct content words of a text: lower-cased, accents folded, short and very common words dropped,
    /// the Indonesian suffix "-nya" removed ("jalannya" → "jalan").
    struct Words {
        let set: Set<String>

        init(_ text: String) {
            let folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
            var set = Set<String>()
            for raw in folded.split(whereSeparator: { !$0.isLetter && !$0.isNumber }) {
                var word = String(raw)
                if word.count > 5 && word.hasSuffix("nya") { word.removeLast(3) }
                guard word.count >= 3, !Words.stopwords.contains(word) else { continue }
                set.insert(word)
            }
            self.set = set
        }

        func similarity(to other: Words) -> Double {
            let union = set.union(other.set).count
            return union == 0 ? 0 : Double(set.intersection(other.set).count) / Double(union)
        }

        static let stopwords: Set<String> = [
            "yang", "dan", "di", "ke", "dari", "ini", "itu", "dengan", "untuk", "pada", "ada", "tidak", "sudah", "belum",
            "akan", "juga", "karena", "oleh", "atau", "saya", "kami", "kita", "mereka", "dia", "para", "agar", "bisa",
            "dapat", "telah", "sejak", "saat", "sangat", "lagi", "masih", "hanya", "namun", "tetapi", "bahwa", "mohon",
            "tolong", "terima", "kasih", "pak", "bapak", "ibu", "the", "and", "for", "with", "this", "that", "are", "was",
            "not", "has", "have", "from",
        ]
    }
}
