import Foundation

/// The text pipeline of triage for Indonesian complaint text (issue 16): fold case and accents, turn web addresses,
/// e-mail addresses, phone numbers and NIK into markers, drop other numbers and punctuation, expand the usual chat
/// abbreviations ("yg", "jln"), drop stop words and complaint boilerplate ("mohon", "pak", "terima kasih"), and
/// reduce words to a stem with a light affix stripper. What each step is worth was measured (docs/triage.md).
public struct TriageText: Sendable, Equatable {
    public struct Options: Sendable, Equatable, Hashable {
        /// Reduce words to a stem (`IndonesianStemmer`).
        public var stem: Bool
        /// Drop stop words and complaint boilerplate.
        public var dropStopWords: Bool
        public init(stem: Bool = true, dropStopWords: Bool = true) { self.stem = stem; self.dropStopWords = dropStopWords }
    }

    /// One word of a text as the model sees it: `term` is what features are made of, `surface` the word as it was
    /// written (folded), for reasons shown to people.
    public struct Token: Sendable, Equatable, CustomStringConvertible {
        public var term: String
        public var surface: String
        public init(term: String, surface: String) { self.term = term; self.surface = surface }
        public var description: String { term }
    }

    /// Markers that stand for what a text contained but whose value says nothing about the handling unit.
    public enum Marker {
        public static let url = "‹url›", email = "‹email›", phone = "‹telp›", nik = "‹nik›"
        public static let all: Set<String> = [url, email, phone, nik]
    }

    public var options: Options
    public init(options: Options = .init()) { self.options = options }

    /// The text's words after folding, markers and abbreviations, before stop words and stemming: what place and
    /// unit names are matched against.
    public static func words(_ text: String) -> [String] {
        // Most complaint text is ASCII: read its bytes directly (the same rules as below, without Strings per letter).
        var text = text
        if let ascii = text.withUTF8({ bytes in bytes.allSatisfy { $0 < 0x80 } ? asciiWords(bytes) : nil }) {
            return mergeNumbers(ascii)
        }
        let folded: String
        if text.utf8.allSatisfy({ $0 < 0x80 }) { folded = text.lowercased() }
        else { folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).lowercased() }
        var result: [String] = []
        result.reserveCapacity(folded.utf8.count / 5)
        var chunk: [Unicode.Scalar] = []
        var special = false
        func endChunk() {
            defer { chunk.removeAll(keepingCapacity: true); special = false }
            guard !chunk.isEmpty else { return }
            if special {
                var view = String.UnicodeScalarView(); view.append(contentsOf: chunk)
                let text = String(view)
                if !text.contains("/"), let at = text.firstIndex(of: "@"), text.first != "@", text[at...].contains(".") {
                    result.append(Marker.email); return
                }
                if text.contains("://") || text.hasPrefix("www.") || text.contains(".com") || text.contains(".go.id")
                    || text.contains(".co.id") || text.contains(".id/") {
                    result.append(Marker.url); return
                }
            }
            appendPieces(of: chunk, to: &result)
        }
        for scalar in folded.unicodeScalars {
            if scalar.isASCII ? (scalar == " " || scalar == "\n" || scalar == "\t" || scalar == "\r") : scalar.properties.isWhitespace {
                endChunk(); continue
            }
            if scalar == "." || scalar == ":" || scalar == "@" || scalar == "/" { special = true }
            chunk.append(scalar)
        }
        endChunk()
        return mergeNumbers(result)
    }

    /// `words` for ASCII text, over its bytes: whitespace is space, tab, CR and LF; letters are a-z once folded.
    private static func asciiWords(_ bytes: UnsafeBufferPointer<UInt8>) -> [String] {
        var splitter = AsciiSplitter(expectedWords: bytes.count / 5)
        for b in bytes {
            if b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D { splitter.endChunk(); continue }
            splitter.chunk.append(b &- 0x41 < 26 ? b | 0x20 : b)   // lower case
        }
        splitter.endChunk()
        return splitter.result
    }

    /// The state of `asciiWords` as a value with mutating methods, not local functions capturing local variables: those
    /// variables would live in boxes checked for exclusive access at run time on every use (a tenth of training's CPU).
    private struct AsciiSplitter {
        var result: [String] = []
        /// The chunk being read: lower-cased bytes up to the next white space.
        var chunk: [UInt8] = []
        var digits: [UInt8] = []
        var letterStart = -1

        init(expectedWords: Int) {
            result.reserveCapacity(expectedWords)
            digits.reserveCapacity(32)
            chunk.reserveCapacity(64)
        }

        mutating func endChunk() {
            defer { chunk.removeAll(keepingCapacity: true) }
            guard !chunk.isEmpty else { return }
            if chunk.contains(where: { $0 == 0x2E || $0 == 0x3A || $0 == 0x40 || $0 == 0x2F }) {   // . : @ /
                if !chunk.contains(0x2F), let at = chunk.firstIndex(of: 0x40), at > 0, chunk[at...].contains(0x2E) {
                    result.append(Marker.email); return
                }
                if has("://") || chunk.starts(with: "www.".utf8) || has(".com") || has(".go.id") || has(".co.id") || has(".id/") {
                    result.append(Marker.url); return
                }
            }
            // The pieces, as `appendPieces`: letters run together, digits join across one -, . or + between them.
            letterStart = -1
            var previousWasDigitSeparator = false
            for i in chunk.indices {
                let b = chunk[i]
                if b &- 0x61 < 26 {
                    if !digits.isEmpty { flush(i) }
                    if letterStart < 0 { letterStart = i }
                    previousWasDigitSeparator = false
                } else if b &- 0x30 < 10 {
                    if letterStart >= 0 { flush(i) }
                    digits.append(b)
                    previousWasDigitSeparator = false
                } else if !digits.isEmpty, (b == 0x2D || b == 0x2E || b == 0x2B) && !previousWasDigitSeparator {
                    previousWasDigitSeparator = true
                } else if b == 0x2B && letterStart < 0 && digits.isEmpty {
                    previousWasDigitSeparator = true
                } else {
                    flush(i)
                    previousWasDigitSeparator = false
                }
            }
            flush(chunk.count)
        }

        /// Ends the letters (from `letterStart` to `end`) and the digits read so far, each as a word.
        mutating func flush(_ end: Int) {
            if letterStart >= 0 {
                let word = String(decoding: chunk[letterStart..<end], as: UTF8.self)
                result.append(end - letterStart <= longestAbbreviation ? abbreviations[word] ?? word : word)
                letterStart = -1
            }
            if !digits.isEmpty { result.append(String(decoding: digits, as: UTF8.self)); digits.removeAll(keepingCapacity: true) }
        }

        func has(_ needle: StaticString) -> Bool {
            let n = UnsafeBufferPointer(start: needle.utf8Start, count: needle.utf8CodeUnitCount)
            guard chunk.count >= n.count else { return false }
            return (0...(chunk.count - n.count)).contains { i in n.indices.allSatisfy { chunk[i + $0] == n[$0] } }
        }
    }

    /// The tokens features are made of.
    public func tokens(_ text: String) -> [Token] {
        TriageText.words(text).compactMap { token(for: $0) }
    }

    /// The token one word of `words` becomes, or nil when it is dropped (a stop word, a bare number, one letter).
    public func token(for word: String) -> Token? {
        if word.utf8.first.map({ $0 >= 0x30 && $0 <= 0x39 }) == true { return nil }   // a number, neither phone nor NIK
        if TriageText.Marker.all.contains(word) { return Token(term: word, surface: word) }
        if options.dropStopWords && TriageText.stopWords.contains(word) { return nil }
        guard word.unicodeScalars.count >= 2 else { return nil }
        let term = options.stem ? IndonesianStemmer.stem(word) : word
        if options.dropStopWords && term != word && TriageText.stopWords.contains(term) { return nil }
        return Token(term: term, surface: word)
    }

    /// Letters and digits of one whitespace-free chunk, split at everything else ("jl.raya-banjaran" → jl, raya,
    /// banjaran); runs of digits stay whole and are joined across the separators of phone numbers later.
    private static func appendPieces(of chunk: [Unicode.Scalar], to result: inout [String]) {
        var letters = String.UnicodeScalarView()
        var digits = ""
        func flush() {
            if !letters.isEmpty { let word = String(letters); result.append(abbreviations[word] ?? word); letters = .init() }
            if !digits.isEmpty { result.append(digits); digits = "" }
        }
        var previousWasDigitSeparator = false
        for scalar in chunk {
            if scalar.isASCII ? (scalar >= "a" && scalar <= "z") : scalar.properties.isAlphabetic {
                if !digits.isEmpty { flush() }
                letters.append(scalar)
                previousWasDigitSeparator = false
            } else if scalar >= "0" && scalar <= "9" {
                if !letters.isEmpty { flush() }
                digits.unicodeScalars.append(scalar)
                previousWasDigitSeparator = false
            } else if !digits.isEmpty, (scalar == "-" || scalar == "." || scalar == "+") && !previousWasDigitSeparator {
                previousWasDigitSeparator = true   // 0812-3456-7890 stays one number
            } else if scalar == "+" && letters.isEmpty && digits.isEmpty {
                previousWasDigitSeparator = true   // +62…
            } else {
                flush()
                previousWasDigitSeparator = false
            }
        }
        flush()
    }

    /// Joins neighbouring digit runs ("0812 3456 7890") and classifies them: a 16-digit number is a NIK, 10 to 14
    /// digits starting 08 or 62 a phone number; any other number stays as digits (and is dropped by `tokens`).
    private static func mergeNumbers(_ words: [String]) -> [String] {
        var result: [String] = []
        result.reserveCapacity(words.count)
        var pending = ""
        func flush() {
            guard !pending.isEmpty else { return }
            if pending.utf8.count == 16 { result.append(Marker.nik) }
            else if (10...14).contains(pending.utf8.count) && (pending.hasPrefix("08") || pending.hasPrefix("62")) { result.append(Marker.phone) }
            else { result.append(pending) }
            pending = ""
        }
        for word in words {
            if let first = word.utf8.first, first &- 0x30 < 10 {   // a run of ASCII digits (one byte each)
                // Keep joining while the joined run could still become a phone number or a NIK.
                if !pending.isEmpty && pending.utf8.count < 6 && !(pending.hasPrefix("08") || pending.hasPrefix("62")) { flush() }
                pending += word
                if pending.utf8.count >= 16 { flush() }
            } else {
                flush()
                result.append(word)
            }
        }
        flush()
        return result
    }

    /// Chat abbreviations and short forms mapped to the word they stand for (then stop-worded or stemmed like it).
    static let abbreviations: [String: String] = [
        "yg": "yang", "dgn": "dengan", "dg": "dengan", "utk": "untuk", "tdk": "tidak", "gak": "tidak", "ga": "tidak",
        "nggak": "tidak", "enggak": "tidak", "engga": "tidak", "gk": "tidak", "tak": "tidak", "sdh": "sudah", "udah": "sudah",
        "blm": "belum", "krn": "karena", "karna": "karena", "jln": "jalan", "jl": "jalan", "kab": "kabupaten",
        "kec": "kecamatan", "kel": "kelurahan", "ds": "desa", "kp": "kampung", "kmp": "kampung", "bpk": "bapak",
        "sy": "saya", "sya": "saya", "aq": "saya", "aku": "saya", "tp": "tapi", "tapi": "tetapi", "jg": "juga",
        "org": "orang", "dr": "dari", "dlm": "dalam", "thn": "tahun", "bln": "bulan", "hr": "hari", "skrg": "sekarang",
        "sekarang": "sekarang", "trs": "terus", "pd": "pada", "spt": "seperti", "bs": "bisa", "tsb": "tersebut",
        "kpd": "kepada", "sampe": "sampai", "gimana": "bagaimana", "gmn": "bagaimana", "knp": "kenapa", "kalo": "kalau",
        "klo": "kalau", "sm": "sama", "dpt": "dapat", "lg": "lagi", "pemkab": "pemerintah", "pemda": "pemerintah",
        "puskesmas": "puskesmas", "bansos": "bansos", "ktp": "ktp", "kk": "kk", "pju": "pju",
    ]

    static let longestAbbreviation = abbreviations.keys.map(\.utf8.count).max() ?? 0

    /// Indonesian function words and the boilerplate of complaints (greetings, politeness, "lapor").
    static let stopWords = Set<String>([
        // function words
        "yang", "dan", "di", "ke", "dari", "ini", "itu", "dengan", "untuk", "pada", "ada", "adalah", "sudah", "telah",
        "belum", "akan", "juga", "karena", "oleh", "atau", "saya", "kami", "kita", "mereka", "dia", "ia", "anda",
        "kamu", "para", "agar", "supaya", "bisa", "dapat", "sejak", "saat", "sangat", "lagi", "masih", "hanya", "namun",
        "tetapi", "bahwa", "jika", "kalau", "maka", "pun", "lah", "kah", "nya", "sebagai", "seperti", "dalam",
        "tersebut", "kepada", "tentang", "terhadap", "hingga", "sampai", "setelah", "sebelum", "ketika", "apa",
        "siapa", "mana", "bagaimana", "kenapa", "mengapa", "kapan", "dimana", "kemana", "berapa", "tidak", "bukan",
        "jangan", "mau", "ingin", "harus", "perlu", "sering", "selalu", "pernah", "sedang", "baru", "lebih", "kurang",
        "paling", "sekali", "banyak", "semua", "setiap", "tiap", "beberapa", "lain", "lainnya", "sama", "secara",
        "antara", "yaitu", "yakni", "serta", "dll", "dsb", "dst", "tsb", "nah", "ya", "iya", "tolong", "mohon", "harap",
        "sudi", "kiranya", "terima", "kasih", "makasih", "trims", "thanks", "terimakasih", "pak", "bapak", "bu",
        "ibu", "bpk", "min", "admin", "kak", "mas", "mbak", "gan", "sdr", "saudara", "yth", "hormat", "dengan",
        "assalamualaikum", "assalamu", "alaikum", "wassalamualaikum", "wr", "wb", "warahmatullahi", "wabarakatuh",
        "salam", "selamat", "pagi", "siang", "sore", "malam", "lapor", "laporan", "melaporkan", "dilaporkan",
        "pelapor", "aduan", "mengadu", "pengaduan", "keluhan", "mengeluh", "mengeluhkan", "sp4n", "lapor!", "terus",
        "kemudian", "lalu", "sehingga", "padahal", "walaupun", "meskipun", "bila", "apabila", "oleh", "hal", "tersebut",
        "demikian", "begitu", "sini", "situ", "sana", "tadi", "nanti", "kemarin", "besok", "hari", "ini", "itu",
        "sekitar", "kira", "hampir", "cukup", "agak", "saja", "aja", "dong", "deh", "sih", "kok", "kan", "toh", "loh",
        "pula", "punya", "milik", "the", "and", "for", "of", "to", "in", "is", "are", "was",
    ])
}

/// A light Indonesian stemmer without a dictionary: strips particles (-lah, -kah, -pun), the possessive -nya, one
/// suffix (-kan, -an, -i, chosen by the prefix: verbs in di-/meN-/ter- take -kan or -i, nouns in peN-/per-/pe- take
/// -an, the ke-…-an confix), then one inflectional prefix (meN-, peN-, di-, ter-) with the sound changes of meN-/peN-
/// (menulis → tulis, menyapu → sapu, memukul → pukul) and one derivational prefix (ber-, per-, pe-). Without a
/// dictionary a few stems are not real words ("meminta" → "pinta"); what matters for triage is that the forms of one
/// word meet ("perbaikan", "diperbaiki", "memperbaiki" → "baik"). Stems shorter than four letters are refused, which
/// keeps roots like "jalan", "dinas" and "bulan" whole, and a prefix is kept when what follows cannot start a word
/// ("dinsos", "dishub").
public enum IndonesianStemmer {
    static let minimumStem = 4

    public static func stem(_ word: String) -> String {
        guard word.count > minimumStem, word.allSatisfy(\.isLetter) else { return word }
        var w = Array(word)
        for particle in ["lah", "kah", "pun"] where w.count - particle.count > minimumStem && w.hasSuffix(particle) {
            w.removeLast(particle.count); break
        }
        if w.count - 3 >= minimumStem, w.hasSuffix("nya") { w.removeLast(3) }
        // The ke-…-an confix: kecamatan → camat, kesehatan → sehat, kerusakan → rusak.
        if w.hasPrefix("ke"), w.hasSuffix("an"), w.count - 4 >= minimumStem {
            return String(w[2..<(w.count - 2)])
        }
        let suffixes: [String]
        if w.hasPrefix("di") || w.hasPrefix("me") || w.hasPrefix("ter") { suffixes = ["kan", "i"] }
        else if w.hasPrefix("ber") { suffixes = ["kan", "an"] }
        else { suffixes = ["an"] }
        for suffix in suffixes where w.count - suffix.count >= minimumStem && w.hasSuffix(suffix) {
            let base = Array(w[..<(w.count - suffix.count)])
            let stripped = stripPrefixes(base)
            // A suffix counts only where the stem that remains is long enough ("terjadi" is ter- + jadi, not -i).
            if stripped.count >= minimumStem, stripped != base || !hasPrefixShape(base) { return String(stripped) }
            break
        }
        return String(stripPrefixes(w))
    }

    private static let vowels: Set<Character> = ["a", "e", "i", "o", "u"]

    /// Whether the word starts like a prefixed word, so that a suffix removed without removing the prefix is suspect.
    private static func hasPrefixShape(_ w: [Character]) -> Bool {
        w.hasPrefix("di") || w.hasPrefix("me") || w.hasPrefix("ter") || w.hasPrefix("ber") || w.hasPrefix("pe")
    }

    private static func stripPrefixes(_ word: [Character]) -> [Character] {
        var w = word
        if let stripped = stripFirstOrderPrefix(w) { w = stripped }
        if let stripped = stripSecondOrderPrefix(w) { w = stripped }
        return w
    }

    /// Whether a remainder can start an Indonesian word: a vowel, a consonant before a vowel, or ny/ng/kh/sy.
    private static func startsLikeAWord(_ r: ArraySlice<Character>) -> Bool {
        guard let first = r.first else { return false }
        if vowels.contains(first) { return true }
        let second = r.dropFirst().first
        if let second, vowels.contains(second) { return true }
        return r.hasPrefix("ny") || r.hasPrefix("ng") || r.hasPrefix("kh") || r.hasPrefix("sy")
    }

    /// meng-, meny-, men-, mem-, me-, peng-, peny-, pen-, pem-, di-, ter-, with the sound change back to the root.
    private static func stripFirstOrderPrefix(_ w: [Character]) -> [Character]? {
        func ok(_ r: [Character]) -> [Character]? { r.count >= minimumStem ? r : nil }
        func ok(_ r: ArraySlice<Character>) -> [Character]? { r.count >= minimumStem && startsLikeAWord(r) ? Array(r) : nil }
        for head in ["me", "pe"] where w.hasPrefix(head) {
            let after = w[2...]
            if after.hasPrefix("ng") { return ok(after.dropFirst(2)) }                      // mengurus → urus
            if after.hasPrefix("ny"), after.count > 2, vowels.contains(after[after.startIndex + 2]) {
                return ok(["s"] + after.dropFirst(2))                                        // menyapu → sapu
            }
            if after.first == "n", after.count > 1 {
                let next = after[after.startIndex + 1]
                if vowels.contains(next) { return ok(["t"] + after.dropFirst()) }          // menulis → tulis
                if "cdjz".contains(next) { return ok(after.dropFirst()) }                  // mencari → cari
                return nil
            }
            if after.first == "m", after.count > 1 {
                let next = after[after.startIndex + 1]
                if vowels.contains(next) { return ok(["p"] + after.dropFirst()) }          // memukul → pukul
                if "bfvp".contains(next) { return ok(after.dropFirst()) }                  // membuat → buat
                return nil
            }
            if head == "me", let first = after.first, "lrwy".contains(first) { return ok(after) }   // melapor → lapor
            return nil
        }
        if w.hasPrefix("di") { return ok(w[2...]) }
        if w.hasPrefix("ter") { return ok(w[3...]) }
        return nil
    }

    /// ber-, per-, pe- (before l, r, w, y), pekerja/bekerja → kerja.
    private static func stripSecondOrderPrefix(_ w: [Character]) -> [Character]? {
        func ok(_ r: ArraySlice<Character>) -> [Character]? { r.count >= minimumStem && startsLikeAWord(r) ? Array(r) : nil }
        if w.hasPrefix("peker") || w.hasPrefix("beker") { return ok(w[2...]) }
        if w.hasPrefix("ber") { return ok(w[3...]) }
        if w.hasPrefix("per") {
            if w.count > 3, vowels.contains(w[3]) { return ok(w[2...]) }   // perumahan → rumah
            return ok(w[3...])                                               // perbaikan → baik
        }
        if w.hasPrefix("pe"), w.count > 2, "lrwy".contains(w[2]) { return ok(w[2...]) }   // pelayanan → layan
        return nil
    }
}

private extension Array where Element == Character {
    func hasPrefix(_ s: String) -> Bool { self[...].hasPrefix(s) }
    func hasSuffix(_ s: String) -> Bool {
        let chars = Array(s)
        guard chars.count <= count else { return false }
        return self[(count - chars.count)...].elementsEqual(chars)
    }
}

private extension ArraySlice where Element == Character {
    func hasPrefix(_ s: String) -> Bool {
        var i = startIndex
        for ch in s { guard i < endIndex, self[i] == ch else { return false }; i += 1 }
        return true
    }
}
