import AduanCore
import Foundation

// Evaluation and benchmark harness of the triage model (issue 16). Not part of the product.
//
//   triagebench evaluate FILE.tsv [--org ORG.json] [--split YYYY-MM-DD] [--ablations] [--predictions OUT.tsv]
//       FILE.tsv: id, date (YYYY-MM-DDTHH:MM:SS, wall clock), title, body, unit, category (header line first);
//       rows without a unit are not unit examples. ORG.json: {"units": [{"name", "aliases", "places"}],
//       "categories": [{"name", "default"}]}; a unit's first place is its kecamatan, the others kelurahan/desa.
//   triagebench learning-curve FILE.tsv [--org ORG.json] [--split …]
//   triagebench train-synthetic N        trains on N generated complaints, prints seconds and model size
//   triagebench tokenise-synthetic N     only generates and tokenises them (the ceiling of training)
//   triagebench suggest-synthetic N Q    trains on N, then times Q suggestions (p50, p99 in ms)

let arguments = Array(CommandLine.arguments.dropFirst())

func option(_ name: String) -> String? {
    guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { return nil }
    return arguments[i + 1]
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(2)
}

let utc: TimeZone = TimeZone(identifier: "UTC")!

func parseDate(_ text: String) -> Date? {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = utc
    let parts = text.split(whereSeparator: { "-T:".contains($0) }).compactMap { Int($0) }
    guard parts.count >= 3 else { return nil }
    return calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2],
                                              hour: parts.count > 3 ? parts[3] : 0, minute: parts.count > 4 ? parts[4] : 0,
                                              second: parts.count > 5 ? parts[5] : 0))
}

func loadExamples(_ path: String) -> [TriageExample] {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { fail("cannot read \(path)") }
    var result: [TriageExample] = []
    for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() where n > 0 {
        let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        guard f.count >= 6, let date = parseDate(f[1]) else { fail("\(path):\(n + 1): expected 6 tab-separated fields") }
        // Reports without a disposition are not examples (unless --all-rows: then they teach categories only).
        if f[4].isEmpty && !arguments.contains("--all-rows") { continue }
        result.append(TriageExample(id: f[0], submittedAt: date, title: f[2], body: f[3],
                                    unit: f[4].isEmpty ? nil : f[4], category: f[5].isEmpty ? nil : f[5]))
    }
    return result
}

func loadKnowledge(_ path: String?) -> TriageKnowledge {
    guard let path else { return TriageKnowledge() }
    guard let data = FileManager.default.contents(atPath: path),
          let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { fail("cannot read \(path)") }
    let units = (json["units"] as? [[String: Any]] ?? []).map { u -> TriageKnowledge.Unit in
        let name = u["name"] as? String ?? ""
        let places = (u["places"] as? [String] ?? []).enumerated().map {
            TriageKnowledge.Place(name: $1, level: $0 == 0 ? .kecamatan : .kelurahan)
        }
        return TriageKnowledge.Unit(id: name, name: name, aliases: u["aliases"] as? [String] ?? [], places: places)
    }
    let categories = (json["categories"] as? [[String: Any]] ?? []).map {
        TriageKnowledge.Category(id: $0["name"] as? String ?? "", name: $0["name"] as? String ?? "", defaultUnit: $0["default"] as? String)
    }
    return TriageKnowledge(units: units, categories: categories)
}

func f3(_ x: Double) -> String { String(format: "%.3f", x) }

func describe(_ label: String, _ h: TriageEvaluation.HeadReport) -> String {
    "\(label): train \(h.trainExamples) test \(h.testExamples) (unseen in training \(h.unseenInTraining)) top1 \(f3(h.top1)) top3 \(f3(h.top3)) macroF1 \(f3(h.macroF1)) majority \(f3(h.majority)) clearly-ahead \(h.clearlyAhead) right \(h.clearlyAheadCorrect)"
}

func evaluate() {
    guard arguments.count >= 2 else { fail("usage: triagebench evaluate FILE.tsv [--org ORG.json] [--split YYYY-MM-DD]") }
    let examples = loadExamples(arguments[1])
    let knowledge = loadKnowledge(option("--org"))
    guard let split = parseDate(option("--split") ?? "2023-01-01") else { fail("bad --split") }
    let start = Date()
    let report = TriageEvaluation.run(examples, knowledge: knowledge, split: split)
    let seconds = Date().timeIntervalSince(start)
    print("split \(option("--split") ?? "2023-01-01"): \(examples.count) reports, model \(report.model.encoded().count) bytes, \(String(format: "%.2f", seconds)) s")
    print(describe("units", report.units))
    print(describe("categories", report.categories))
    print("unit weights (nb, prior, name, kecamatan, kelurahan, category default):",
          report.model.unitWeights.map { String(format: "%.2f", $0) }.joined(separator: " "))
    print("category weights (nb, prior, name):", report.model.categoryWeights.map { String(format: "%.2f", $0) }.joined(separator: " "))
    print("most confused units (truth → predicted):")
    for c in report.units.confusions.prefix(6) { print("  \(c.count)× \(c.truth) → \(c.predicted)") }
    print("clear lead at thresholds (units): ", terminator: "")
    for t in [0.3, 0.4, 0.5, 0.6, 0.7, 0.8] {
        let ahead = report.units.predictions.filter { $0.topScore >= t }
        let right = ahead.filter { $0.ranked.first == $0.truth }.count
        print("p≥\(t): \(ahead.count) (\(f3(Double(ahead.count) / Double(max(report.units.testExamples, 1))))) right \(f3(Double(right) / Double(max(ahead.count, 1))))", terminator: "; ")
    }
    print()
    if let out = option("--predictions") {
        var lines = ["head\tid\ttruth\tr1\tr2\tr3\tr4\tr5\ttop_score"]
        for (head, h) in [("unit", report.units), ("category", report.categories)] {
            for p in h.predictions {
                let ranked = (p.ranked + Array(repeating: "", count: 5)).prefix(5)
                lines.append(([head, p.id, p.truth] + ranked + [String(p.topScore)]).joined(separator: "\t"))
            }
        }
        try? lines.joined(separator: "\n").write(toFile: out, atomically: true, encoding: .utf8)
    }
    if let sample = report.units.predictions.first(where: { $0.ranked.first == $0.truth }),
       let example = examples.first(where: { $0.id == sample.id }) {
        let s = report.model.suggest(title: example.title, body: example.body)
        print("example \(sample.id) \"\(example.title)\":")
        for c in s.units.choices.prefix(3) { print("  \(f3(c.score)) \(c.id): \(c.reasons)") }
        print("  clearly ahead: \(s.units.clearlyAhead)")
    }
    if arguments.contains("--ablations") {
        print("\nablations (units top1/top3/macroF1 | categories top1/top3/macroF1):")
        var variants: [(String, TriageConfiguration, Bool)] = [("standard", .standard, true)]
        func variant(_ name: String, useKnowledge: Bool = true, _ change: (inout TriageConfiguration) -> Void) {
            var c = TriageConfiguration.standard; change(&c); variants.append((name, c, useKnowledge))
        }
        variant("no stemmer") { $0.stem = false }
        variant("no stop words") { $0.dropStopWords = false }
        variant("no word pairs") { $0.wordBigrams = false }
        variant("no char n-grams") { $0.charGramLength = 0 }
        variant("char 3-grams") { $0.charGramLength = 3 }
        variant("char 5-grams") { $0.charGramLength = 5 }
        variant("counts, not binary") { $0.weighting = .count }
        variant("1 + log count") { $0.weighting = .logCount }
        variant("counts, no stemmer") { $0.weighting = .count; $0.stem = false }
        variant("counts, 2^16 buckets") { $0.weighting = .count; $0.bucketBits = 16 }
        variant("counts, no word pairs") { $0.weighting = .count; $0.wordBigrams = false }
        variant("counts, no char n-grams") { $0.weighting = .count; $0.charGramLength = 0 }
        variant("counts, no knowledge") { $0.weighting = .count; $0.knowledge = false }
        variant("no knowledge (names, places, defaults)") { $0.knowledge = false }
        variant("2^16 buckets") { $0.bucketBits = 16 }
        variant("2^20 buckets") { $0.bucketBits = 20 }
        variant("alpha 1.0") { $0.alpha = 1.0 }
        variant("alpha 0.1") { $0.alpha = 0.1 }
        variant("places only (no names/aliases)", useKnowledge: false) { _ in }
        let splits = (option("--ablation-splits") ?? "2022-07-01,2023-01-01,2023-07-01").split(separator: ",").compactMap { parseDate(String($0)) }
        print("(mean over the splits \(option("--ablation-splits") ?? "2022-07-01,2023-01-01,2023-07-01"), then the 2023-01-01 split alone)")
        for (name, c, useKnowledge) in variants {
            var k = knowledge
            if !useKnowledge { k.units = k.units.map { TriageKnowledge.Unit(id: $0.id, name: "", aliases: [], places: $0.places) } }
            var sums = [Double](repeating: 0, count: 6)
            var main: [Double] = []
            for s in splits {
                let r = TriageEvaluation.run(examples, knowledge: k, split: s, configuration: c)
                let v = [r.units.top1, r.units.top3, r.units.macroF1, r.categories.top1, r.categories.top3, r.categories.macroF1]
                for i in 0..<6 { sums[i] += v[i] / Double(splits.count) }
                if s == split { main = v }
            }
            print(name.padding(toLength: 40, withPad: " ", startingAt: 0), sums[0..<3].map(f3).joined(separator: " "), "|",
                  sums[3..<6].map(f3).joined(separator: " "), "   [", main.map(f3).joined(separator: " "), "]")
        }
    }
}

func learningCurve() {
    let examples = loadExamples(arguments[1])
    let knowledge = loadKnowledge(option("--org"))
    guard let split = parseDate(option("--split") ?? "2023-01-01") else { fail("bad --split") }
    let training = examples.filter { $0.submittedAt < split }.sorted { $0.submittedAt < $1.submittedAt }
    let test = examples.filter { $0.submittedAt >= split }
    for n in [25, 50, 100, 200, 400, training.count] where n <= training.count {
        // The latest n reports before the split: what an installation with that much history would have.
        let subset = Array(training.suffix(n))
        var c = TriageConfiguration.standard
        c.clearLeadProbability = 0.6
        let r = TriageEvaluation.run(subset + test, knowledge: knowledge, split: split, configuration: c)
        let model = TriageTrainer.train(subset, knowledge: knowledge, trainedAt: split)
        let status = model.suggest(title: "jalan rusak", body: "").units.status
        print("history \(n): unit top1 \(f3(r.units.top1)) top3 \(f3(r.units.top3)) | category top1 \(f3(r.categories.top1)) top3 \(f3(r.categories.top3)) | units \(status)")
        _ = knowledge
    }
}

// MARK: Synthetic complaints in the shape of real ones

/// A deterministic generator (xorshift) of complaint-like text: 40 units, each with its topic words, a shared filler
/// vocabulary, a long tail of rare words (as real vocabularies grow), places, numbers and phone numbers.
struct Synthetic {
    var state: UInt64
    let topics: [[String]]
    let filler: [String]
    let tail: [String]
    let places: [String]
    let units: [String]
    let categories: [String]

    init(seed: UInt64 = 42) {
        state = seed
        var s = seed
        func next() -> UInt64 { s ^= s << 13; s ^= s >> 7; s ^= s << 17; return s }
        let syllables = ["ba", "ca", "da", "ga", "ja", "ka", "la", "ma", "na", "pa", "ra", "sa", "ta", "wa", "ya", "be", "ce", "de",
                         "ge", "ke", "le", "me", "ne", "pe", "re", "se", "te", "bi", "ci", "di", "gi", "ki", "li", "mi", "ni", "pi",
                         "ri", "si", "ti", "bo", "co", "do", "go", "ko", "lo", "mo", "no", "po", "ro", "so", "to", "bu", "cu", "du",
                         "gu", "ku", "lu", "mu", "nu", "pu", "ru", "su", "tu", "ng", "an", "ang", "ung", "ing", "ah", "uh"]
        func word(_ n: Int) -> String { (0..<n).map { _ in syllables[Int(next() % UInt64(syllables.count))] }.joined() }
        topics = (0..<40).map { _ in (0..<30).map { _ in word(2 + Int(next() % 2)) } }
        filler = ["jalan", "rusak", "warga", "mohon", "segera", "diperbaiki", "sudah", "lama", "tidak", "ada", "tindak", "lanjut",
                  "kami", "sangat", "terganggu", "karena", "setiap", "hari", "melewati", "daerah", "tersebut", "bapak", "ibu",
                  "terima", "kasih", "pelayanan", "kantor", "petugas", "bantuan", "masyarakat", "kampung", "desa", "kecamatan",
                  "rt", "rw", "dekat", "sekolah", "pasar", "masjid", "lapor", "kondisi", "semakin", "parah", "berbahaya"]
            + (0..<400).map { _ in word(2 + Int(next() % 3)) }
        tail = (0..<60_000).map { _ in word(3 + Int(next() % 3)) }
        places = (0..<280).map { _ in word(3).capitalized }
        units = (0..<40).map { "32.04/unit-\($0)" }
        categories = (0..<30).map { "kategori-\($0)" }
    }

    mutating func next() -> UInt64 { state ^= state << 13; state ^= state >> 7; state ^= state << 17; return state }
    mutating func pick<T>(_ array: [T]) -> T { array[Int(next() % UInt64(array.count))] }

    mutating func complaint(_ i: Int) -> TriageExample {
        // Zipf-like unit frequencies: unit k with weight 1/(k+1).
        let r = Double(next() % 1_000_000) / 1_000_000 * 4.28
        var acc = 0.0, unit = 39
        for k in 0..<40 { acc += 1 / Double(k + 1); if acc >= r { unit = k; break } }
        let topic = topics[unit]
        // The words are appended to one string as they are drawn (the same draws, so the same texts as joining arrays
        // of words, without an array and a join per text).
        var title = ""
        title.reserveCapacity(64)
        for n in 0..<(4 + Int(next() % 5)) {
            let word = next() % 2 == 0 ? pick(topic) : pick(filler)
            if n > 0 { title += " "; title += word } else { title += word.prefix(1).uppercased(); title += word.dropFirst() }
        }
        var body = ""
        body.reserveCapacity(800)
        for n in 0..<(40 + Int(next() % 80)) {
            if n > 0 { body += " " }
            switch next() % 20 {
            case 0..<6: body += pick(topic)
            case 6..<15: body += pick(filler)
            case 15..<18: body += tail[Int(min(next() % 60_000, next() % 60_000))]
            case 18: body += pick(places)
            default:
                if next() % 3 == 0 { body += "0812"; body += String(next() % 100_000_000) } else { body += String(next() % 500) }
            }
        }
        body += "."
        let date = Date(timeIntervalSince1970: 1_600_000_000 + Double(i) * 60)
        return TriageExample(id: "S\(i)", submittedAt: date, title: title, body: body, unit: units[unit], category: categories[unit % 30])
    }
}

/// N generated complaints as a collection that makes each on demand (the corpus is never held in memory).
struct SyntheticCorpus: RandomAccessCollection {
    let count: Int
    let generator: Synthetic
    var startIndex: Int { 0 }
    var endIndex: Int { count }
    subscript(i: Int) -> TriageExample {
        var g = generator
        g.state = UInt64(i) &* 0x9e37_79b9_7f4a_7c15 | 1
        return g.complaint(i)
    }
}

func peakRSSMegabytes() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
          let kb = Double(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
    return kb / 1024
}

func trainSynthetic(_ n: Int) -> TriageModel {
    let corpus = SyntheticCorpus(count: n, generator: Synthetic())
    let start = Date()
    let model = TriageTrainer.train(corpus, trainedAt: Date(timeIntervalSince1970: 0))
    let seconds = Date().timeIntervalSince(start)
    // FNV-1a of the stored model: the same input must give the same bytes, whatever the pipeline's implementation.
    var digest: UInt64 = 0xcbf2_9ce4_8422_2325
    let encoded = model.encoded()
    for byte in encoded { digest = (digest ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
    print("train \(n): \(String(format: "%.2f", seconds)) s, model \(encoded.count) bytes (digest \(String(digest, radix: 16))), peak RSS \(String(format: "%.1f", peakRSSMegabytes())) MB")
    return model
}

switch arguments.first {
case "evaluate": evaluate()
case "learning-curve": learningCurve()
case "train-synthetic":
    _ = trainSynthetic(Int(arguments.dropFirst().first ?? "") ?? 100_000)
case "tokenise-synthetic":
    let n = Int(arguments.dropFirst().first ?? "") ?? 100_000
    let corpus = SyntheticCorpus(count: n, generator: Synthetic())
    let start = Date()
    var words = 0
    for e in corpus { words += TriageText.words(e.title + "\n" + e.body).count }
    print("tokenise \(n): \(String(format: "%.2f", Date().timeIntervalSince(start))) s, \(words) words, peak RSS \(String(format: "%.1f", peakRSSMegabytes())) MB")
case "digest-synthetic":
    // A checksum of the first N generated texts (FNV-1a over id, title, body, unit, category), to compare generators.
    let n = Int(arguments.dropFirst().first ?? "") ?? 10_000
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for e in SyntheticCorpus(count: n, generator: Synthetic()) {
        for byte in (e.id + "\t" + e.title + "\t" + e.body + "\t" + (e.unit ?? "") + "\t" + (e.category ?? "") + "\n").utf8 {
            h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
    }
    print("digest \(n): \(String(h, radix: 16))")
case "suggest-synthetic":
    let n = Int(arguments.dropFirst().first ?? "") ?? 100_000
    let q = Int(arguments.dropFirst(2).first ?? "") ?? 2_000
    let model = trainSynthetic(n)
    let corpus = SyntheticCorpus(count: n + q, generator: Synthetic())
    var times: [Double] = []
    var tokeniseTimes: [Double] = []
    for i in n..<(n + q) {
        let e = corpus[i]
        let t0 = DispatchTime.now().uptimeNanoseconds
        _ = model.suggest(title: e.title, body: e.body)
        let t1 = DispatchTime.now().uptimeNanoseconds
        _ = TriageText.words(e.title + "\n" + e.body)
        let t2 = DispatchTime.now().uptimeNanoseconds
        times.append(Double(t1 - t0) / 1e6); tokeniseTimes.append(Double(t2 - t1) / 1e6)
    }
    times.sort(); tokeniseTimes.sort()
    func pct(_ a: [Double], _ p: Double) -> Double { a[min(a.count - 1, Int(Double(a.count) * p))] }
    print("suggest over a model of \(n): \(q) queries, p50 \(String(format: "%.3f", pct(times, 0.5))) ms, p99 \(String(format: "%.3f", pct(times, 0.99))) ms; tokenise only p50 \(String(format: "%.3f", pct(tokeniseTimes, 0.5))) ms, p99 \(String(format: "%.3f", pct(tokeniseTimes, 0.99))) ms; peak RSS \(String(format: "%.1f", peakRSSMegabytes())) MB")
default:
    fail("usage: triagebench evaluate|learning-curve|train-synthetic|tokenise-synthetic|suggest-synthetic …")
}
