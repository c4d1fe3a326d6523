import Foundation

/// What the installation knows beside the complaints' text, for triage (issue 16): its units with their names,
/// aliases and the places (kecamatan, kelurahan/desa) they serve, and its categories with their default unit.
/// A unit whose name is "Kecamatan X" serves the kecamatan X, and one named "Kelurahan X" or "Desa X" the
/// kelurahan/desa X, without being told.
public struct TriageKnowledge: Sendable, Equatable {
    public struct Place: Sendable, Equatable, Hashable {
        public enum Level: UInt8, Sendable { case kecamatan = 1, kelurahan = 2 }
        public var name: String
        public var level: Level
        public init(name: String, level: Level) { self.name = name; self.level = level }
    }

    public struct Unit: Sendable, Equatable {
        public var id: String
        public var name: String
        public var aliases: [String]
        public var places: [Place]
        public init(id: String, name: String, aliases: [String] = [], places: [Place] = []) {
            self.id = id; self.name = name; self.aliases = aliases; self.places = places
        }
    }

    public struct Category: Sendable, Equatable {
        public var id: String
        public var name: String
        public var defaultUnit: String?
        public init(id: String, name: String, defaultUnit: String? = nil) { self.id = id; self.name = name; self.defaultUnit = defaultUnit }
    }

    public var units: [Unit]
    public var categories: [Category]
    public init(units: [Unit] = [], categories: [Category] = []) { self.units = units; self.categories = categories }

    /// The places a unit serves: those it was given and the one its name says.
    public static func placesServed(by unit: Unit) -> [Place] {
        var places = unit.places
        let words = TriageText.words(unit.name)
        if words.count >= 2, let level: Place.Level = ["kecamatan": .kecamatan, "kelurahan": .kelurahan, "desa": .kelurahan][words[0]] {
            let rest = words.dropFirst().prefix { !Self.jurisdictionWords.contains($0) }
            if !rest.isEmpty { places.append(Place(name: rest.joined(separator: " "), level: level)) }
        }
        return places
    }

    /// The phrases that name a unit: its name, its name without the jurisdiction's ("Dinas Kesehatan Kab. Bandung" →
    /// "dinas kesehatan"), and its aliases.
    public static func namesOf(_ unit: Unit) -> [String] {
        var names = [unit.name] + unit.aliases
        let words = TriageText.words(unit.name)
        if let cut = words.firstIndex(where: { jurisdictionWords.contains($0) }), cut >= 2 {
            names.append(words[..<cut].joined(separator: " "))
        }
        return names
    }

    static let jurisdictionWords: Set<String> = ["kabupaten", "kota", "provinsi", "prov", "pemerintah"]
}

/// Finds the phrases of the installation's knowledge (unit names and aliases, place names, category names) in the
/// words of a text. Phrases are matched whole-word on `TriageText.words`, the longest at each position first.
struct PhraseMatcher: Sendable {
    struct Entry: Sendable {
        var words: [String]
        var value: Int32
    }
    private var byFirstWord: [String: [Entry]] = [:]

    init(_ phrases: [(phrase: String, value: Int32)]) {
        for (phrase, value) in phrases {
            let words = TriageText.words(phrase).filter { !$0.isEmpty }
            guard let first = words.first else { continue }
            byFirstWord[first, default: []].append(Entry(words: words, value: value))
        }
        for key in byFirstWord.keys { byFirstWord[key]!.sort { ($0.words.count, $1.value) > ($1.words.count, $0.value) } }
    }

    var isEmpty: Bool { byFirstWord.isEmpty }

    /// Every value whose phrase occurs in `words`, with the phrase as written in the knowledge, once each.
    func matches(in words: [String]) -> [Int32] {
        var found: [Int32] = []
        var i = 0
        while i < words.count {
            var advance = 1
            if let entries = byFirstWord[words[i]] {
                var longest = 0
                for entry in entries where entry.words.count >= longest {
                    let n = entry.words.count
                    guard i + n <= words.count else { continue }
                    var same = true
                    for k in 1..<max(n, 1) where words[i + k] != entry.words[k] { same = false; break }
                    if same {
                        if !found.contains(entry.value) { found.append(entry.value) }
                        longest = n
                    }
                }
                advance = max(1, longest)
            }
            i += advance
        }
        return found
    }
}
