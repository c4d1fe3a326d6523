// Symbol tables of ISO/IEC 18004:2015 (Model 2, versions 1-40), written out from the standard's
// Table 9 (error correction characteristics). Everything else (codeword counts, alignment
// positions, capacities) is derived from the version number by formula.

enum Tables {
    /// Error correction codewords per block, indexed `[level.index][version]` (index 0 unused).
    static let eccCodewordsPerBlock: [[Int]] = [
        // Low
        [-1, 7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28,
         28, 28, 30, 30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
        // Medium
        [-1, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26,
         26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28],
        // Quartile
        [-1, 13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30,
         28, 30, 30, 30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
        // High
        [-1, 17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28,
         30, 24, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
    ]

    /// Number of error correction blocks, indexed `[level.index][version]` (index 0 unused).
    static let blockCount: [[Int]] = [
        [-1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8,
         8, 9, 9, 10, 12, 12, 12, 13, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25],
        [-1, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16,
         17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49],
        [-1, 1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20,
         23, 23, 25, 27, 29, 34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68],
        [-1, 1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25,
         25, 34, 30, 32, 35, 37, 40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81],
    ]

    /// Modules available for codewords (data + error correction + remainder bits):
    /// the whole symbol minus finder patterns with separators, timing patterns, alignment
    /// patterns, format and version information and the dark module.
    static func rawDataModules(version: Int) -> Int {
        var result = (16 * version + 128) * version + 64
        if version >= 2 {
            let alignCount = version / 7 + 2
            result -= (25 * alignCount - 10) * alignCount - 55
            if version >= 7 { result -= 36 }
        }
        return result
    }

    static func totalCodewords(version: Int) -> Int { rawDataModules(version: version) / 8 }

    static func dataCodewords(version: Int, level: ErrorCorrection) -> Int {
        totalCodewords(version: version)
            - eccCodewordsPerBlock[level.index][version] * blockCount[level.index][version]
    }

    /// Data capacity in bits: the limit a segment sequence (with headers) must fit into.
    static func dataCapacityBits(version: Int, level: ErrorCorrection) -> Int {
        dataCodewords(version: version, level: level) * 8
    }

    /// Centre coordinates of alignment patterns along one axis (empty for version 1).
    static func alignmentPositions(version: Int) -> [Int] {
        if version == 1 { return [] }
        let count = version / 7 + 2
        let size = version * 4 + 17
        // Spacing is even and as uniform as possible; version 32 is the one irregular case.
        let step = version == 32 ? 26 : (version * 4 + count * 2 + 1) / (count * 2 - 2) * 2
        var result = [Int](repeating: 6, count: count)
        var position = size - 7
        for i in stride(from: count - 1, through: 1, by: -1) {
            result[i] = position
            position -= step
        }
        return result
    }

    /// 0 for versions 1-9, 1 for 10-26, 2 for 27-40: the character count indicator width class.
    static func lengthClass(version: Int) -> Int {
        version <= 9 ? 0 : (version <= 26 ? 1 : 2)
    }

    /// Versions spanned by each length class.
    static let lengthClassVersions: [ClosedRange<Int>] = [1...9, 10...26, 27...40]

    /// 45-character alphanumeric set: value of each byte, or -1 when the byte is not in the set.
    static let alphanumericValue: [Int8] = {
        var table = [Int8](repeating: -1, count: 256)
        let chars = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:".utf8)
        for (value, byte) in chars.enumerated() { table[Int(byte)] = Int8(value) }
        return table
    }()
}
