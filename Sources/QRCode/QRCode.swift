/// A QR code symbol (ISO/IEC 18004:2015, Model 2): the module matrix and the choices that
/// produced it.
///
/// ```swift
/// let code = try QRCode(encoding: "https://aduan.example.go.id/q/AB12CD34")
/// let svg = code.svg()
/// ```
public struct QRCode: Sendable {
    /// 1 ... 40.
    public let version: Int
    public let errorCorrection: ErrorCorrection
    /// Data mask pattern 0 ... 7.
    public let mask: Int
    /// Modules per side, 4 * version + 17.
    public let size: Int
    /// The encoded payload bytes (text is ISO-8859-1 when every character fits, else UTF-8).
    public let data: [UInt8]
    /// How `data` was split into modes.
    public let segments: [Segment]
    /// Row-major modules, 1 = dark.
    let modules: [UInt8]

    /// Whether the module in column `x`, row `y` is dark. Out-of-range coordinates (the quiet
    /// zone) are light.
    public func isDark(x: Int, y: Int) -> Bool {
        guard x >= 0, y >= 0, x < size, y < size else { return false }
        return modules[y * size + x] != 0
    }

    /// Encodes text. Like segno and most scanners expect, text whose characters all fit in
    /// ISO-8859-1 is encoded in it (the standard's default byte interpretation); any other
    /// text as UTF-8, without an ECI header.
    ///
    /// - Parameters:
    ///   - errorCorrection: the level to use (raised when `boostErrorCorrection` allows).
    ///   - version: force a version; by default the smallest that holds the data.
    ///   - mask: force a mask pattern; by default the one with the lowest penalty.
    ///   - mode: force one segment in this mode; by default the optimal mix of modes.
    ///   - boostErrorCorrection: raise the level as far as the chosen version still holds
    ///     the data (segno's `boost_error`).
    public init(
        encoding text: String,
        errorCorrection: ErrorCorrection = .medium,
        version: Int? = nil,
        mask: Int? = nil,
        mode: Mode? = nil,
        boostErrorCorrection: Bool = false
    ) throws(QRCodeError) {
        try self.init(
            encoding: QRCode.bytes(of: text), errorCorrection: errorCorrection, version: version,
            mask: mask, mode: mode, boostErrorCorrection: boostErrorCorrection)
    }

    /// Encodes raw bytes. See `init(encoding:errorCorrection:version:mask:mode:boostErrorCorrection:)`.
    public init(
        encoding bytes: [UInt8],
        errorCorrection: ErrorCorrection = .medium,
        version: Int? = nil,
        mask: Int? = nil,
        mode: Mode? = nil,
        boostErrorCorrection: Bool = false
    ) throws(QRCodeError) {
        if let version, !(1...40).contains(version) { throw .invalidVersion(version) }
        if let mask, !(0...7).contains(mask) { throw .invalidMask(mask) }
        if let mode, mode != .byte {
            if let offset = bytes.firstIndex(where: { !mode.canEncode($0) }) {
                throw .invalidMode(mode, offset: offset)
            }
        }

        func segmentation(_ lengthClass: Int) -> (segments: [Segment], bits: Int) {
            if let mode { return Segmenter.single(bytes, mode: mode, lengthClass: lengthClass) }
            return Segmenter.optimal(bytes, lengthClass: lengthClass)
        }

        // Smallest version that holds the data; the segmentation depends only on the
        // character count widths, so it is computed at most once per length class.
        var chosen: (version: Int, segments: [Segment], bits: Int)?
        if let version {
            let lengthClass = Tables.lengthClass(version: version)
            let plan = segmentation(lengthClass)
            let capacity = Tables.dataCapacityBits(version: version, level: errorCorrection)
            guard plan.bits <= capacity, Segmenter.countsFit(plan.segments, lengthClass: lengthClass) else {
                throw .dataTooLong(
                    neededBits: plan.bits, capacityBits: capacity, version: version,
                    errorCorrection: errorCorrection)
            }
            chosen = (version, plan.segments, plan.bits)
        } else {
            var lastBits = 0
            search: for lengthClass in 0..<3 {
                let plan = segmentation(lengthClass)
                lastBits = plan.bits
                guard Segmenter.countsFit(plan.segments, lengthClass: lengthClass) else { continue }
                for candidate in Tables.lengthClassVersions[lengthClass]
                where plan.bits <= Tables.dataCapacityBits(version: candidate, level: errorCorrection) {
                    chosen = (candidate, plan.segments, plan.bits)
                    break search
                }
            }
            guard chosen != nil else {
                throw .dataTooLong(
                    neededBits: lastBits,
                    capacityBits: Tables.dataCapacityBits(version: 40, level: errorCorrection),
                    version: 40, errorCorrection: errorCorrection)
            }
        }
        let (version, segments, bits) = chosen!

        var level = errorCorrection
        if boostErrorCorrection {
            for candidate in ErrorCorrection.allCases.dropFirst(level.index + 1) {
                guard bits <= Tables.dataCapacityBits(version: version, level: candidate) else { break }
                level = candidate
            }
        }

        let codewords = Encoder.dataCodewords(
            bytes, segments: segments, version: version, level: level)
        let message = Encoder.interleave(codewords, version: version, level: level)
        let (modules, chosenMask) = MatrixBuilder.build(
            version: version, level: level, message: message, mask: mask)

        self.version = version
        self.errorCorrection = level
        self.mask = chosenMask
        self.size = version * 4 + 17
        self.data = bytes
        self.segments = segments
        self.modules = modules
    }

    /// ISO-8859-1 when every scalar is below 256, UTF-8 otherwise (segno's default, less its
    /// Shift_JIS attempt, which would only garble text for Indonesian users).
    static func bytes(of text: String) -> [UInt8] {
        var latin1: [UInt8] = []
        latin1.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            guard scalar.value < 256 else { return Array(text.utf8) }
            latin1.append(UInt8(scalar.value))
        }
        return latin1
    }
}

/// Data codewords and error correction.
enum Encoder {
    /// The data codeword sequence: segments, terminator, padding and pad codewords.
    static func dataCodewords(
        _ data: [UInt8], segments: [Segment], version: Int, level: ErrorCorrection
    ) -> [UInt8] {
        let capacityBytes = Tables.dataCodewords(version: version, level: level)
        let capacityBits = capacityBytes * 8
        let lengthClass = Tables.lengthClass(version: version)
        var writer = BitWriter(byteCount: capacityBytes)
        let alphaTable = Tables.alphanumericValue
        for segment in segments {
            writer.append(segment.mode.indicator, bits: 4)
            writer.append(segment.range.count, bits: segment.mode.countBits(lengthClass: lengthClass))
            var i = segment.range.lowerBound
            let end = segment.range.upperBound
            switch segment.mode {
            case .numeric:
                while i + 3 <= end {
                    let value = Int(data[i] - 0x30) * 100 + Int(data[i + 1] - 0x30) * 10 + Int(data[i + 2] - 0x30)
                    writer.append(value, bits: 10)
                    i += 3
                }
                if end - i == 2 {
                    writer.append(Int(data[i] - 0x30) * 10 + Int(data[i + 1] - 0x30), bits: 7)
                } else if end - i == 1 {
                    writer.append(Int(data[i] - 0x30), bits: 4)
                }
            case .alphanumeric:
                while i + 2 <= end {
                    writer.append(Int(alphaTable[Int(data[i])]) * 45 + Int(alphaTable[Int(data[i + 1])]), bits: 11)
                    i += 2
                }
                if i < end { writer.append(Int(alphaTable[Int(data[i])]), bits: 6) }
            case .byte:
                while i < end {
                    writer.append(Int(data[i]), bits: 8)
                    i += 1
                }
            }
        }
        // Terminator: up to four zero bits.
        writer.skip(min(4, capacityBits - writer.bitCount))
        // Zero bits to the next codeword boundary. Like segno, a stream that already ends on
        // a boundary gets a whole zero codeword here (when there is room): decoders stop at
        // the terminator, and this keeps the symbols bit-identical to segno's.
        writer.skip(8 - writer.bitCount % 8)
        // Pad codewords 0xEC, 0x11 alternately up to the capacity.
        var index = writer.bitCount / 8
        var pad: UInt8 = 0xEC
        while index < capacityBytes {
            writer.bytes[index] = pad
            pad ^= 0xEC ^ 0x11
            index += 1
        }
        writer.bytes.removeLast(writer.bytes.count - capacityBytes)
        return writer.bytes
    }

    /// Splits the data codewords into blocks, adds each block's error correction and
    /// interleaves both (ISO/IEC 18004 7.5, 7.6).
    static func interleave(_ data: [UInt8], version: Int, level: ErrorCorrection) -> [UInt8] {
        let blockCount = Tables.blockCount[level.index][version]
        let eccLength = Tables.eccCodewordsPerBlock[level.index][version]
        let total = Tables.totalCodewords(version: version)
        let longBlocks = total % blockCount
        let shortBlocks = blockCount - longBlocks
        let shortDataLength = total / blockCount - eccLength

        var ecc = [UInt8](repeating: 0, count: blockCount * eccLength)
        var result = [UInt8](repeating: 0, count: total)
        data.withUnsafeBufferPointer { data in
            ecc.withUnsafeMutableBufferPointer { ecc in
                result.withUnsafeMutableBufferPointer { result in
                    var start = 0
                    for block in 0..<blockCount {
                        let length = shortDataLength + (block < shortBlocks ? 0 : 1)
                        let slice = UnsafeBufferPointer(rebasing: data[start..<(start + length)])
                        let out = UnsafeMutableBufferPointer(
                            rebasing: ecc[(block * eccLength)..<((block + 1) * eccLength)])
                        ReedSolomon.remainder(data: slice, degree: eccLength, output: out)
                        // Data codeword i of this block goes to column i of the interleave.
                        for i in 0..<length {
                            // Short blocks fill columns 0..<shortDataLength; the extra last
                            // codeword of long blocks comes after all short blocks' columns.
                            let position = i < shortDataLength
                                ? i * blockCount + block
                                : shortDataLength * blockCount + (block - shortBlocks)
                            result[position] = slice[i]
                        }
                        start += length
                    }
                    let eccBase = data.count
                    for block in 0..<blockCount {
                        for i in 0..<eccLength {
                            result[eccBase + i * blockCount + block] = ecc[block * eccLength + i]
                        }
                    }
                }
            }
        }
        return result
    }
}

/// Big-endian bit writer into a zeroed, fixed-size codeword buffer.
struct BitWriter {
    var bytes: [UInt8]
    private(set) var bitCount = 0

    init(byteCount: Int) {
        // One spare codeword so that the whole-zero-codeword padding never needs a bounds check.
        bytes = [UInt8](repeating: 0, count: byteCount + 1)
    }

    mutating func append(_ value: Int, bits: Int) {
        var remaining = bits
        while remaining > 0 {
            let index = bitCount >> 3
            let free = 8 - (bitCount & 7)
            let take = min(free, remaining)
            let chunk = (value >> (remaining - take)) & ((1 << take) - 1)
            if index < bytes.count { bytes[index] |= UInt8(chunk << (free - take)) }
            bitCount += take
            remaining -= take
        }
    }

    /// Appends zero bits (the buffer starts zeroed).
    mutating func skip(_ bits: Int) { bitCount += max(0, bits) }
}
