/// A complaint's public tracking ID: 8 random Crockford base32 symbols plus one check symbol.
///
/// The check symbol is Luhn mod 32 over the data symbols, so it is itself a base32 symbol
/// and the ID stays URL-safe. It catches every single mistyped symbol and every swap of two
/// neighbouring symbols except "0Z" ↔ "Z0" (the mod-32 twin of Luhn's "09" ↔ "90").
///
/// The 8 data symbols carry 40 random bits, which keeps IDs short enough to read over the
/// phone but makes a clash possible (about 1 in 220 over 100,000 IDs): the store must keep
/// tracking IDs unique and draw again on a clash.
public struct TrackingID: Hashable, Sendable, Codable, CustomStringConvertible, LosslessStringConvertible {
    /// The canonical form: 9 uppercase symbols, e.g. "7KQ2MX9PJ".
    public let rawValue: String

    /// The Crockford base32 alphabet; a symbol's value is its index.
    public static let alphabet: [Character] = Array(alphabetText)
    /// The number of random symbols before the check symbol.
    public static let dataLength = 8
    /// The length of the canonical form.
    public static let length = dataLength + 1

    private static let alphabetText = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    private static let symbols: [UInt8] = Array(alphabetText.utf8)
    /// Symbol value by input byte, -1 for bytes that are not accepted.
    private static let valueByByte: [Int8] = {
        var table = [Int8](repeating: -1, count: 256)
        for (value, symbol) in symbols.enumerated() {
            table[Int(symbol)] = Int8(value)
            table[Int(symbol | 0x20)] = Int8(value)   // lowercase; digits already have bit 5 set
        }
        // Crockford's look-alikes: O is read as 0, I and L as 1. U stays unassigned.
        for (alias, value) in [("O", 0), ("I", 1), ("L", 1)] {
            let byte = alias.utf8.first!
            table[Int(byte)] = Int8(value)
            table[Int(byte | 0x20)] = Int8(value)
        }
        return table
    }()

    /// Parses an ID typed or read by a person; nil unless it has 9 symbols and a correct check symbol.
    ///
    /// Case is ignored, as are '-' and ' '; O reads as 0 and I or L as 1 (Crockford's rule for
    /// symbols that look alike). Any other character, U included, is rejected.
    public init?(_ text: String) {
        var values: [Int] = []
        values.reserveCapacity(Self.length)
        for byte in text.utf8 {
            if byte == UInt8(ascii: "-") || byte == UInt8(ascii: " ") { continue }
            // Stop early so a pasted essay costs no more than an ID.
            guard values.count < Self.length, let value = Self.value(of: byte) else { return nil }
            values.append(value)
        }
        guard values.count == Self.length,
              Self.checkValue(for: values[0..<Self.dataLength]) == values[Self.dataLength]
        else { return nil }
        self.rawValue = Self.string(from: values)
    }

    /// A fresh ID whose data symbols come from `generator` (reproducible with a seeded generator).
    public static func random<G: RandomNumberGenerator>(using generator: inout G) -> TrackingID {
        // One 64-bit draw holds the 40 bits needed: 5 bits per symbol.
        var bits = generator.next()
        var values: [Int] = []
        values.reserveCapacity(length)
        for _ in 0..<dataLength {
            values.append(Int(bits & 0b11111))
            bits >>= 5
        }
        values.append(checkValue(for: values[...]))
        return TrackingID(canonical: string(from: values))
    }

    /// A fresh ID from the system's secure random source.
    public static func random() -> TrackingID {
        var generator = SystemRandomNumberGenerator()
        return random(using: &generator)
    }

    /// The ID grouped for reading aloud or printing, e.g. "7KQ2-MX9PJ".
    public var formatted: String {
        "\(rawValue.prefix(4))-\(rawValue.dropFirst(4))"
    }

    /// The canonical form.
    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        // Any form a person could type is accepted; it is stored canonical.
        guard let id = TrackingID(text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "\"\(text)\" is not a valid tracking ID")
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    private init(canonical: String) {
        rawValue = canonical
    }
}

// MARK: - Symbols and check

extension TrackingID {
    /// The Luhn mod 32 check value for `data`, the symbol values in reading order.
    ///
    /// From the right, every second data value is "doubled" (2v, with the two base-32 digits
    /// of the result added); the check makes the full weighted sum ≡ 0 (mod 32). Doubling is
    /// a permutation of 0..<32, hence every single substitution changes the sum.
    static func checkValue(for data: ArraySlice<Int>) -> Int {
        var sum = 0
        var doubles = true   // the rightmost data symbol sits next to the check symbol, which is not doubled
        for value in data.reversed() {
            sum += doubles ? doubled(value) : value
            doubles.toggle()
        }
        return (32 - sum % 32) % 32
    }

    static func doubled(_ value: Int) -> Int {
        let twice = 2 * value
        return twice / 32 + twice % 32
    }

    private static func value(of byte: UInt8) -> Int? {
        let value = valueByByte[Int(byte)]
        return value < 0 ? nil : Int(value)
    }

    private static func string(from values: [Int]) -> String {
        String(decoding: values.map { symbols[$0] }, as: UTF8.self)
    }
}
