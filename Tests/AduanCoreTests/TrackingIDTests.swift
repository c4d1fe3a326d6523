import Foundation
import Testing
@testable import AduanCore

/// A small seeded generator (SplitMix64) so that "random" tests are reproducible.
private struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

private let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")

private func seededIDs(_ count: Int, seed: UInt64) -> [TrackingID] {
    var generator = SeededGenerator(seed: seed)
    return (0..<count).map { _ in TrackingID.random(using: &generator) }
}

/// The one symbol that completes `data` (8 symbols) into a valid ID, found by trying them all,
/// so the tests do not lean on the implementation's own check function.
private func completing(_ data: [Character]) -> TrackingID? {
    let valid = alphabet.compactMap { TrackingID(String(data + [$0])) }
    return valid.count == 1 ? valid[0] : nil
}

private func swapped(_ text: String, at index: Int) -> String {
    var symbols = Array(text)
    symbols.swapAt(index, index + 1)
    return String(symbols)
}

@Suite("TrackingID")
struct TrackingIDTests {
    // MARK: Shape

    @Test("a random ID is 9 uppercase Crockford symbols and parses back to itself")
    func randomIDsRoundTrip() {
        // Given many random IDs
        for id in seededIDs(10_000, seed: 1) {
            // Then each is canonical and every printed form parses back to it
            #expect(id.rawValue.count == 9)
            #expect(id.rawValue.allSatisfy(alphabet.contains))
            #expect(TrackingID(id.rawValue) == id)
            #expect(TrackingID(id.description) == id)
            #expect(TrackingID(id.formatted) == id)
            #expect(TrackingID(id.rawValue.lowercased()) == id)
            #expect(TrackingID(id.formatted)?.rawValue == id.rawValue)
        }
    }

    @Test("the check symbol is Luhn mod 32: a hand-computed example")
    func knownCheckSymbol() {
        // Given data 7KQ2MX9P, values 7 19 23 2 20 29 9 22. From the right, P, X, 2 and K are doubled
        // (22→44→1+12=13, 29→58→1+26=27, 2→4, 19→38→1+6=7): 13+9+27+20+4+23+7+7 = 110 ≡ 14 (mod 32),
        // so the check value is 32-14 = 18, the symbol J
        // When the ID is parsed
        let id = TrackingID("7KQ2MX9PJ")
        // Then it is valid and any other check symbol is not
        #expect(id?.rawValue == "7KQ2MX9PJ")
        #expect(TrackingID("7KQ2MX9PA") == nil)
        #expect(completing(Array("7KQ2MX9P")) == id)
        // And all zeros check to zero, all ones to M (4 doubled 1s = 8, plus 4 = 12; 32-12 = 20)
        #expect(TrackingID("000000000") != nil)
        #expect(TrackingID("11111111M") != nil)
    }

    @Test("the formatted form splits 4 + 5 for reading aloud")
    func formatted() {
        let id = TrackingID("7KQ2MX9PJ")!
        #expect(id.formatted == "7KQ2-MX9PJ")
        #expect(id.description == "7KQ2MX9PJ")
        #expect("\(id)" == "7KQ2MX9PJ")
    }

    // MARK: Lenient reading

    @Test("case, hyphens and spaces do not matter", arguments: [
        "7kq2mx9pj", "7KQ2-MX9PJ", "7kq2-mx9pj", "7KQ2 MX9PJ", " 7KQ2MX9PJ ", "7-K-Q-2-M-X-9-P-J",
        "7kQ2 - Mx9pJ", "--7KQ2MX9PJ--",
    ])
    func lenientForms(text: String) {
        // Given an ID as a person might type it / When parsed / Then it is the canonical ID
        #expect(TrackingID(text)?.rawValue == "7KQ2MX9PJ")
    }

    @Test("O reads as 0 and I or L as 1, in either case")
    func lookAlikes() {
        #expect(TrackingID("OOOOOOOOO")?.rawValue == "000000000")
        #expect(TrackingID("ooo-ooo-ooo")?.rawValue == "000000000")
        #expect(TrackingID("IiLl1IiLM")?.rawValue == "11111111M")
        #expect(TrackingID("iiii-llllm")?.rawValue == "11111111M")
    }

    // MARK: Rejection

    @Test("wrong lengths are rejected", arguments: [
        "", "-", "   ", "---------", "7KQ2MX9P", "7KQ2MX9PJ0", "7KQ2", "7KQ2MX9PJ7KQ2MX9PJ", "0", "00000000", "0000000000",
    ])
    func wrongLengths(text: String) {
        #expect(TrackingID(text) == nil)
    }

    @Test("symbols outside the alphabet are rejected", arguments: [
        "7KQ2MX9PU", "7KQ2MX9Pu", "UKQ2MX9PJ", "7KQ2MX9P*", "7KQ2_MX9PJ", "7KQ2.MX9PJ", "7KQ2\tMX9PJ",
        "7KQ2MX9PJ\n", "7KQ2/MX9PJ", "７KQ2MX9PJ", "7KQ2MX9PÉ", "7KQ2MX9P🙂", "7KQ2MX9P~", "7KQ2MX9P$", "7KQ2MX9P=",
    ])
    func foreignSymbols(text: String) {
        #expect(TrackingID(text) == nil)
    }

    @Test("a very long input is rejected")
    func longInput() {
        #expect(TrackingID(String(repeating: "0", count: 1_000_000)) == nil)
        #expect(TrackingID(String(repeating: "-", count: 1_000)) == nil)
    }

    @Test("exactly one check symbol completes any 8 data symbols")
    func oneCheckSymbolPerData() {
        for id in seededIDs(500, seed: 2) {
            let data = Array(id.rawValue.prefix(8))
            #expect(completing(data) == id)
        }
    }

    @Test("every single-symbol substitution is rejected")
    func singleSubstitutions() {
        // Given some valid IDs, including the all-zero and all-Z extremes
        var ids = seededIDs(200, seed: 3)
        ids.append(TrackingID("000000000")!)
        ids.append(completing(Array("ZZZZZZZZ"))!)
        for id in ids {
            let symbols = Array(id.rawValue)
            for position in 0..<symbols.count {
                for replacement in alphabet where replacement != symbols[position] {
                    // When one symbol is mistyped
                    var typo = symbols
                    typo[position] = replacement
                    // Then the typo is not accepted
                    #expect(TrackingID(String(typo)) == nil, "\(id) with \(replacement) at \(position)")
                }
            }
        }
    }

    // Luhn mod N weights neighbouring symbols 1 and "2" (doubling, then adding the two base-N
    // digits). Swapping neighbours a, b changes the sum by (d(a) − a) − (d(b) − b) where
    // d(v) − v is v for v < 16 and v + 1 for v ≥ 16 (mod 32). That differs for every pair of
    // distinct values except 0 and 31, both giving 0: so swapping "0" and "Z" is the one swap
    // Luhn mod 32 cannot see, as swapping 0 and 9 is for the decimal Luhn check.

    @Test("every swap of two different neighbours is rejected, except 0 ↔ Z")
    func adjacentTranspositionsOfRandomIDs() {
        for id in seededIDs(2_000, seed: 4) {
            let text = id.rawValue
            let symbols = Array(text)
            for position in 0..<(symbols.count - 1) where symbols[position] != symbols[position + 1] {
                // When two neighbours are swapped
                let swap = swapped(text, at: position)
                // Then it is rejected unless the pair is 0 and Z
                let undetectable = Set([symbols[position], symbols[position + 1]]) == ["0", "Z"]
                #expect((TrackingID(swap) != nil) == undetectable, "\(text) swapped at \(position)")
            }
        }
    }

    @Test("exhaustive: every ordered pair of different symbols, at every neighbour position")
    func adjacentTranspositionsExhaustive() {
        var generator = SeededGenerator(seed: 5)
        var undetected: Set<String> = []
        // Given, for each pair (a, b) and each data position, an ID holding "ab" there
        for a in alphabet {
            for b in alphabet where a != b {
                for position in 0..<7 {
                    var data = (0..<8).map { _ in alphabet[Int(generator.next() % 32)] }
                    data[position] = a
                    data[position + 1] = b
                    let id = completing(data)!
                    // When a and b are swapped
                    if TrackingID(swapped(id.rawValue, at: position)) != nil {
                        undetected.insert(String([a, b]))
                    }
                }
            }
        }
        // And, for the last data symbol next to the check symbol, every value with many prefixes
        for _ in 0..<200 {
            for last in alphabet {
                let prefix = (0..<7).map { _ in alphabet[Int(generator.next() % 32)] }
                let id = completing(prefix + [last])!
                let check = id.rawValue.last!
                if check != last, TrackingID(swapped(id.rawValue, at: 7)) != nil {
                    undetected.insert(String([last, check]))
                }
            }
        }
        // Then the only swaps that pass are 0Z and Z0
        #expect(undetected == ["0Z", "Z0"])
    }

    @Test("the 0 ↔ Z blind spot, stated concretely")
    func zeroZBlindSpot() {
        // Given an ID whose data starts with 0Z
        let id = completing(Array("0Z234567"))!
        // When the first two symbols are swapped / Then the result is also a valid, different ID
        let swappedID = TrackingID(swapped(id.rawValue, at: 0))
        #expect(swappedID != nil)
        #expect(swappedID != id)
        #expect(swappedID?.rawValue.hasPrefix("Z0") == true)
    }

    // MARK: Equality and Codable

    @Test("IDs written differently are the same ID")
    func equality() {
        let ids: Set<TrackingID> = [TrackingID("7KQ2MX9PJ")!, TrackingID("7kq2-mx9pj")!, TrackingID("7KQ2 MX9PJ")!]
        #expect(ids.count == 1)
    }

    @Test("an ID is encoded as its canonical string and decoding validates it")
    func codable() throws {
        // Given an ID inside a JSON response
        struct Response: Codable, Equatable { var trackingId: TrackingID }
        let response = Response(trackingId: TrackingID("7KQ2MX9PJ")!)
        // When encoded / Then it is the plain canonical string
        let json = try JSONEncoder().encode(response)
        #expect(String(decoding: json, as: UTF8.self) == #"{"trackingId":"7KQ2MX9PJ"}"#)
        #expect(try JSONDecoder().decode(Response.self, from: json) == response)
        // And a typed form decodes to the canonical ID
        let typed = try JSONDecoder().decode(Response.self, from: Data(#"{"trackingId":"7kq2-mx9pj"}"#.utf8))
        #expect(typed == response)
        // And a bad check symbol or a foreign symbol is refused
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(Response.self, from: Data(#"{"trackingId":"7KQ2MX9PA"}"#.utf8))
        }
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(Response.self, from: Data(#"{"trackingId":"7KQ2MX9PU"}"#.utf8))
        }
    }

    // MARK: Randomness

    @Test("100,000 seeded random IDs are all different")
    func seededIDsAreDistinct() {
        // Given 100,000 draws from a fixed seed (40 random bits each)
        let ids = seededIDs(100_000, seed: 6)
        // Then no two are equal
        #expect(Set(ids).count == 100_000)
    }

    @Test("100,000 system-random IDs are all but certainly different")
    func systemIDsAreDistinct() {
        // Given 100,000 draws from the system generator
        let ids = (0..<100_000).map { _ in TrackingID.random() }
        // Then clashes are as rare as 40 bits promise: one clash has a 0.45 % chance, three about
        // 1 in 60 million, so allowing two keeps the test honest without making it flaky.
        // (Stores must still enforce uniqueness, see TrackingID's documentation.)
        #expect(ids.count - Set(ids).count <= 2)
    }

    @Test("every symbol appears in every data position, so all 40 random bits are used")
    func symbolsAreSpread() {
        let ids = seededIDs(20_000, seed: 7)
        for position in 0..<8 {
            let seen = Set(ids.map { Array($0.rawValue)[position] })
            #expect(seen.count == 32, "position \(position)")
        }
    }

    @Test("the same seed gives the same IDs")
    func seededIsReproducible() {
        // Given two generators with the same seed and one with another
        let first = seededIDs(1_000, seed: 42)
        let again = seededIDs(1_000, seed: 42)
        let other = seededIDs(1_000, seed: 43)
        // Then the same seed reproduces the sequence and another seed does not
        #expect(first == again)
        #expect(first != other)
        // And the mapping from random bits to symbols stays stable across releases
        #expect(first.prefix(3).map(\.rawValue) == Self.pinnedSeed42)
    }

    // The first three IDs for seed 42; a change here means seeded fixtures elsewhere change too.
    static let pinnedSeed42 = ["NMVPYQR4D", "38WD6SE64", "JT7ZG9WA1"]
}
