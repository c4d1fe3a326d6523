/// Error correction level: the share of codewords that can be restored
/// (about 7 %, 15 %, 25 % and 30 %).
public enum ErrorCorrection: Sendable, CaseIterable, Hashable {
    case low, medium, quartile, high

    /// Position in `allCases` and in the symbol tables.
    var index: Int {
        switch self {
        case .low: 0
        case .medium: 1
        case .quartile: 2
        case .high: 3
        }
    }

    /// The two bits this level contributes to the format information.
    var formatBits: Int {
        switch self {
        case .low: 1
        case .medium: 0
        case .quartile: 3
        case .high: 2
        }
    }

    /// The customary one-letter name: L, M, Q or H.
    public var letter: String {
        switch self {
        case .low: "L"
        case .medium: "M"
        case .quartile: "Q"
        case .high: "H"
        }
    }

    /// Parses "L", "M", "Q" or "H" (any case).
    public init?(letter: String) {
        switch letter.uppercased() {
        case "L": self = .low
        case "M": self = .medium
        case "Q": self = .quartile
        case "H": self = .high
        default: return nil
        }
    }
}

/// Data encoding mode of a segment.
public enum Mode: String, Sendable, CaseIterable, Hashable {
    /// Digits 0-9, three per 10 bits.
    case numeric
    /// Digits, upper-case A-Z and ` $%*+-./:`, two per 11 bits.
    case alphanumeric
    /// Any byte, 8 bits each (text is ISO-8859-1 when it fits, UTF-8 otherwise).
    case byte

    /// The 4-bit mode indicator.
    var indicator: Int {
        switch self {
        case .numeric: 1
        case .alphanumeric: 2
        case .byte: 4
        }
    }

    /// Width of the character count indicator for a length class (see `Tables.lengthClass`).
    func countBits(lengthClass: Int) -> Int {
        switch self {
        case .numeric: 10 + 2 * lengthClass
        case .alphanumeric: 9 + 2 * lengthClass
        case .byte: lengthClass == 0 ? 8 : 16
        }
    }

    /// Bits needed for `count` characters of data (without mode indicator and count).
    func dataBits(count: Int) -> Int {
        switch self {
        case .numeric: 10 * (count / 3) + (count % 3 == 0 ? 0 : 3 * (count % 3) + 1)
        case .alphanumeric: 11 * (count / 2) + 6 * (count % 2)
        case .byte: 8 * count
        }
    }

    /// Whether `byte` can be encoded in this mode.
    func canEncode(_ byte: UInt8) -> Bool {
        switch self {
        case .numeric: byte >= 0x30 && byte <= 0x39
        case .alphanumeric: Tables.alphanumericValue[Int(byte)] >= 0
        case .byte: true
        }
    }
}

/// A run of the payload encoded in one mode.
public struct Segment: Sendable, Hashable {
    public let mode: Mode
    /// Byte offsets into `QRCode.data`.
    public let range: Range<Int>

    public init(mode: Mode, range: Range<Int>) {
        self.mode = mode
        self.range = range
    }

    /// Bits this segment takes in a symbol of the given length class, header included.
    func bitLength(lengthClass: Int) -> Int {
        4 + mode.countBits(lengthClass: lengthClass) + mode.dataBits(count: range.count)
    }
}

/// Why a QR code could not be made. Each case names the bad input, and `message` says it
/// in a sentence fit for a log line or an API error.
public enum QRCodeError: Error, Equatable, Sendable {
    /// The payload needs `neededBits` but the symbol (the given version, or version 40 when
    /// none was given) holds only `capacityBits` at that error correction level.
    case dataTooLong(neededBits: Int, capacityBits: Int, version: Int, errorCorrection: ErrorCorrection)
    /// Versions are 1 through 40.
    case invalidVersion(Int)
    /// Mask patterns are 0 through 7.
    case invalidMask(Int)
    /// The forced mode cannot represent the byte at `offset`.
    case invalidMode(Mode, offset: Int)

    public var message: String {
        switch self {
        case let .dataTooLong(needed, capacity, version, level):
            "The data needs \(needed) bits but a version \(version) QR code at error correction "
                + "level \(level.letter) holds at most \(capacity) bits (\(capacity / 8) bytes)."
        case let .invalidVersion(version):
            "QR code version \(version) does not exist; versions are 1 through 40."
        case let .invalidMask(mask):
            "Mask pattern \(mask) does not exist; masks are 0 through 7."
        case let .invalidMode(mode, offset):
            "The data cannot be encoded in \(mode.rawValue) mode: the byte at offset \(offset) "
                + "is not allowed in that mode."
        }
    }
}
