import Foundation
import Testing
@testable import AduanCore

// The text pipeline reads ASCII text as bytes (issue 16: training on a million reports). These tests hold it to the
// plain implementation it replaced, which works on Unicode scalars and Strings and is kept here as the reference: the
// same words and tokens for every text, generated ones with the awkward cases (separators, numbers, addresses,
// capitals, control characters) and Unicode edge cases (which take the scalar path, still compared).

/// The pipeline as it was before the byte path, one scalar at a time.
enum ReferenceWords {
    static func words(_ text: String) -> [String] {
        let folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).lowercased()
        var result: [String] = []
        var chunk: [Unicode.Scalar] = []
        var special = false
        func endChunk() {
            defer { chunk.removeAll(); special = false }
            guard !chunk.isEmpty else { return }
            var view = String.UnicodeScalarView(); view.append(contentsOf: chunk)
            let text = String(view)
            if special {
                if !text.contains("/"), let at = text.firstIndex(of: "@"), text.first != "@", text[at...].contains(".") {
                    result.append(TriageText.Marker.email); return
                }
                if text.contains("://") || text.hasPrefix("www.") || text.contains(".com") || text.contains(".go.id")
                    || text.contains(".co.id") || text.contains(".id/") {
                    result.append(TriageText.Marker.url); return
                }
            }
            var letters = "", digits = ""
            func flush() {
                if !letters.isEmpty { result.append(TriageText.abbreviations[letters] ?? letters); letters = "" }
                if !digits.isEmpty { result.append(digits); digits = "" }
            }
            var previousWasDigitSeparator = false
            for scalar in chunk {
                if scalar.properties.isAlphabetic {
                    if !digits.isEmpty { flush() }
                    letters.unicodeScalars.append(scalar); previousWasDigitSeparator = false
                } else if ("0"..."9").contains(scalar) {
                    if !letters.isEmpty { flush() }
                    digits.unicodeScalars.append(scalar); previousWasDigitSeparator = false
                } else if !digits.isEmpty, "-.+".unicodeScalars.contains(scalar) && !previousWasDigitSeparator {
                    previousWasDigitSeparator = true
                } else if scalar == "+" && letters.isEmpty && digits.isEmpty {
                    previousWasDigitSeparator = true
                } else {
                    flush(); previousWasDigitSeparator = false
                }
            }
            flush()
        }
        for scalar in folded.unicodeScalars {
            if scalar.properties.isWhitespace && (!scalar.isASCII || " \n\t\r".unicodeScalars.contains(scalar)) { endChunk(); continue }
            if ".:@/".unicodeScalars.contains(scalar) { special = true }
            chunk.append(scalar)
        }
        endChunk()
        // Digit runs joined while they could still become a phone number (08…, 62…) or a NIK (16 digits).
        var merged: [String] = [], pending = ""
        func flush() {
            guard !pending.isEmpty else { return }
            if pending.count == 16 { merged.append(TriageText.Marker.nik) }
            else if (10...14).contains(pending.count) && (pending.hasPrefix("08") || pending.hasPrefix("62")) { merged.append(TriageText.Marker.phone) }
            else { merged.append(pending) }
            pending = ""
        }
        for word in result {
            if let first = word.unicodeScalars.first, ("0"..."9").contains(first) {
                if !pending.isEmpty && pending.count < 6 && !(pending.hasPrefix("08") || pending.hasPrefix("62")) { flush() }
                pending += word
                if pending.count >= 16 { flush() }
            } else { flush(); merged.append(word) }
        }
        flush()
        return merged
    }
}

@Suite struct TriageTextReferenceTests {
    /// Deterministic texts built from pieces that exercise every branch of the splitter.
    static func generatedTexts(count: Int, seed: UInt64) -> [String] {
        var state = seed
        func next() -> UInt64 { state ^= state << 13; state ^= state >> 7; state ^= state << 17; return state }
        let pieces = ["Jalan", "RUSAK", "jl.raya-banjaran", "yg", "Jln", "kec", "Kab.", "dinsos", "pelayanan", "diperbaiki",
                      "0812-3456-7890", "+62", "812", "3456", "7890", "3204123456789012", "08", "62", "2023", "03/05", "1.000.000",
                      "12-", "-3", "+", "++62", "a", "x1y2", "rt03", "https://lapor.go.id/x", "www.bandungkab.go.id", "warga@example.com",
                      "@admin", "a@b", "kantor.desa", "bandungkab.go.id", "web.co.id/a", "x://y", "a:b", "a/b", "!!", "(RT", "05)",
                      "\"jalan\"", "dll.", "Terima", "kasih", "MOHON", "pak", "lapor!", "tdk", "gak", "ktp", "kk", "\u{0B}", "\u{0C}",
                      "\u{7F}", "\u{1B}x", "_", "~", "#", "%", "&", "*", "dan/atau", "5.", ".5", "0812.3456.7890", "0812--3456"]
        let spaces = [" ", "  ", "\n", "\t", "\r\n", ""]
        return (0..<count).map { _ in
            var text = ""
            for _ in 0..<(1 + Int(next() % 30)) {
                text += pieces[Int(next() % UInt64(pieces.count))]
                text += spaces[Int(next() % UInt64(spaces.count))]
            }
            return text
        }
    }

    static let unicodeTexts = [
        "Jalan RUSAK di Désa Sukamaju", "CAFÉ café cafe\u{301}", "jalan\u{00A0}rusak\u{2003}parah", "ｊａｌａｎ ｒｕｓａｋ",
        "İstanbul ıi", "straße STRASSE", "jalan 😡 rusak 👍🏽", "رقم ٣٤٥ jalan", "東京 jalan", "e\u{0301}\u{0301}",
        "0812\u{2011}3456\u{2011}7890", "tlp：0812 3456 7890", "«lapor» ‹url›", "\u{FEFF}jalan", "jalan\u{200B}rusak",
        "Ⅻ ① ²³ jalan", "ǅ ǆ Ǆ", "‹telp› ‹nik›", "", " ", "\n\n", "a", "Ā", "naïve résumé", "kecamatan\u{2028}baleendah",
    ]

    @Test func sameWordsAsTheReferenceOnGeneratedTexts() {
        var checked = 0
        for text in Self.generatedTexts(count: 20_000, seed: 0x5eed) {
            #expect(TriageText.words(text) == ReferenceWords.words(text), "\(text.debugDescription)")
            checked += 1
        }
        #expect(checked == 20_000)
    }

    @Test func sameWordsAsTheReferenceOnUnicodeEdgeCases() {
        for text in Self.unicodeTexts + Self.generatedTexts(count: 2_000, seed: 7).map({ "É " + $0 + " ñ" }) {
            #expect(TriageText.words(text) == ReferenceWords.words(text), "\(text.debugDescription)")
        }
        // What the byte path must agree on, written out: capitals fold, separators split, digit runs join.
        #expect(TriageText.words("JL.Raya-Banjaran 0812-3456-7890 x1y2") == ["jalan", "raya", "banjaran", "‹telp›", "x", "1", "y", "2"])
    }

    @Test func sameTokensAndFeaturesAsTheReference() {
        let text = TriageText()
        for sample in Self.generatedTexts(count: 3_000, seed: 99) {
            let reference = ReferenceWords.words(sample).compactMap { text.token(for: $0) }
            #expect(text.tokens(sample) == reference)
        }
    }
}
