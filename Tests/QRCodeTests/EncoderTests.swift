import Testing

@testable import QRCode

@Suite("Encoding")
struct EncoderTests {
    @Test("ISO/IEC 18004 worked example: \"01234567\" at 1-M gives the standard's codewords")
    func isoNumericExample() {
        // Given the example payload in numeric mode, version 1, level M
        let segments = [Segment(mode: .numeric, range: 0..<8)]
        let data = Array("01234567".utf8)
        // When the data codewords and their error correction are computed
        let codewords = Encoder.dataCodewords(data, segments: segments, version: 1, level: .medium)
        let ecc = ReedSolomon.remainder(of: codewords, degree: 10)
        // Then they are the ones printed in the standard
        #expect(codewords == [0x10, 0x20, 0x0C, 0x56, 0x61, 0x80, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11])
        #expect(ecc == [0xA5, 0x24, 0xD4, 0xC1, 0xED, 0x36, 0xC7, 0x87, 0x2C, 0x55])
    }

    @Test("\"HELLO WORLD\" at 1-Q and 1-M: alphanumeric codewords and Reed-Solomon blocks")
    func helloWorld() {
        let data = Array("HELLO WORLD".utf8)
        let segments = [Segment(mode: .alphanumeric, range: 0..<11)]
        let quartile = Encoder.dataCodewords(data, segments: segments, version: 1, level: .quartile)
        #expect(quartile == [0x20, 0x5B, 0x0B, 0x78, 0xD1, 0x72, 0xDC, 0x4D, 0x43, 0x40, 0xEC, 0x11, 0xEC])
        #expect(ReedSolomon.remainder(of: quartile, degree: 13)
            == [0xA8, 0x48, 0x16, 0x52, 0xD9, 0x36, 0x9C, 0x00, 0x2E, 0x0F, 0xB4, 0x7A, 0x10])
        let medium = Encoder.dataCodewords(data, segments: segments, version: 1, level: .medium)
        #expect(ReedSolomon.remainder(of: medium, degree: 10)
            == [0xC4, 0x23, 0x27, 0x77, 0xEB, 0xD7, 0xE7, 0xE2, 0x5D, 0x17])
    }

    @Test("Reed-Solomon remainder makes the codeword polynomial vanish at every generator root")
    func reedSolomonRoots() {
        let data: [UInt8] = (0..<40).map { UInt8(($0 * 37 + 11) & 0xFF) }
        for degree in [7, 10, 18, 30] {
            let codeword = data + ReedSolomon.remainder(of: data, degree: degree)
            for rootIndex in 0..<degree {
                let root = GaloisField.exp[rootIndex]
                var value: UInt8 = 0
                for coefficient in codeword { value = GaloisField.multiply(value, root) ^ coefficient }
                #expect(value == 0, "degree \(degree), root alpha^\(rootIndex)")
            }
        }
    }

    @Test("Capacities at versions 1, 10 and 40 follow ISO/IEC 18004 Table 7", arguments: [
        (1, ErrorCorrection.low, [41, 25, 17]), (1, .medium, [34, 20, 14]), (1, .quartile, [27, 16, 11]),
        (1, .high, [17, 10, 7]), (10, .low, [652, 395, 271]), (10, .medium, [513, 311, 213]),
        (10, .quartile, [364, 221, 151]), (10, .high, [288, 174, 119]), (40, .low, [7089, 4296, 2953]),
        (40, .medium, [5596, 3391, 2331]), (40, .quartile, [3993, 2420, 1663]), (40, .high, [3057, 1852, 1273]),
    ])
    func capacities(version: Int, level: ErrorCorrection, limits: [Int]) throws {
        for (mode, limit) in zip([Mode.numeric, .alphanumeric, .byte], limits) {
            let fill: UInt8 = mode == .byte ? UInt8(ascii: "a") : UInt8(ascii: "7")
            // The limit fits ...
            let code = try QRCode(
                encoding: [UInt8](repeating: fill, count: limit), errorCorrection: level, version: version, mode: mode)
            #expect(code.size == version * 4 + 17)
            // ... and one more character does not.
            #expect(throws: QRCodeError.self) {
                try QRCode(encoding: [UInt8](repeating: fill, count: limit + 1), errorCorrection: level,
                           version: version, mode: mode)
            }
        }
    }

    @Test("Codeword totals: 26 at version 1, 3706 at version 40, data + ECC adding up at every level")
    func codewordTotals() {
        #expect(Tables.totalCodewords(version: 1) == 26)
        #expect(Tables.totalCodewords(version: 40) == 3706)
        for version in 1...40 {
            for level in ErrorCorrection.allCases {
                let blocks = Tables.blockCount[level.index][version]
                let ecc = Tables.eccCodewordsPerBlock[level.index][version]
                #expect(Tables.dataCodewords(version: version, level: level) + blocks * ecc
                    == Tables.totalCodewords(version: version))
                #expect(Tables.totalCodewords(version: version) / blocks - ecc >= 1)
            }
        }
    }

    @Test("Alignment pattern centres match the standard's Annex E samples")
    func alignmentPositions() {
        #expect(Tables.alignmentPositions(version: 1) == [])
        #expect(Tables.alignmentPositions(version: 2) == [6, 18])
        #expect(Tables.alignmentPositions(version: 7) == [6, 22, 38])
        #expect(Tables.alignmentPositions(version: 32) == [6, 34, 60, 86, 112, 138])
        #expect(Tables.alignmentPositions(version: 40) == [6, 30, 58, 86, 114, 142, 170])
    }

    @Test("Format and version information words from the standard's annexes")
    func formatAndVersionBits() {
        #expect(MatrixBuilder.formatBits(level: .medium, mask: 0) == 0x5412)
        #expect(MatrixBuilder.formatBits(level: .low, mask: 0) == 0x77C4)
        #expect(MatrixBuilder.formatBits(level: .quartile, mask: 0) == 0x355F)
        #expect(MatrixBuilder.formatBits(level: .high, mask: 0) == 0x1689)
        #expect(MatrixBuilder.versionBits(version: 7) == 0x07C94)
        #expect(MatrixBuilder.versionBits(version: 40) == 0x28C69)
    }

    @Test("Function patterns: finders, timing, dark module in place")
    func functionPatterns() throws {
        let code = try QRCode(encoding: "https://aduan.kalselprov.go.id/q/AB12CD34", errorCorrection: .high)
        let n = code.size
        for (ox, oy) in [(0, 0), (n - 7, 0), (0, n - 7)] {
            for d in 0..<7 {
                #expect(code.isDark(x: ox + d, y: oy) && code.isDark(x: ox, y: oy + d))
                #expect(code.isDark(x: ox + 6, y: oy + d) && code.isDark(x: ox + d, y: oy + 6))
            }
            #expect(!code.isDark(x: ox + 1, y: oy + 1) && code.isDark(x: ox + 3, y: oy + 3))
        }
        for i in 8..<(n - 8) {
            #expect(code.isDark(x: i, y: 6) == (i % 2 == 0))
            #expect(code.isDark(x: 6, y: i) == (i % 2 == 0))
        }
        #expect(code.isDark(x: 8, y: n - 8))
        #expect(!code.isDark(x: -1, y: 0) && !code.isDark(x: n, y: n))
    }
}

@Suite("Choices and errors")
struct ChoiceTests {
    @Test("Mixed content is split where switching modes saves bits")
    func segmentation() throws {
        let url = try QRCode(encoding: "https://aduan.kalselprov.go.id/q/AB12CD34")
        #expect(url.segments.map(\.mode) == [.byte, .alphanumeric])
        #expect(url.segments.last?.range == 32..<41)  // "/AB12CD34"
        let mixed = try QRCode(encoding: "a1234567890b")
        #expect(mixed.segments.map(\.mode) == [.byte, .numeric, .byte])
        let digits = try QRCode(encoding: "0812345678901")
        #expect(digits.segments == [Segment(mode: .numeric, range: 0..<13)])
        // Segmentation is exact: never worse than any single mode.
        for text in ["A1B2C3D4E5", "HTTPS://ADUAN.ID/Q/0123456789", "Rp 1.500.000,- di Jl. A. Yani"] {
            let data = QRCode.bytes(of: text)
            let best = Segmenter.optimal(data, lengthClass: 0).bits
            for mode in Mode.allCases where data.allSatisfy(mode.canEncode) {
                #expect(best <= Segmenter.single(data, mode: mode, lengthClass: 0).bits)
            }
        }
    }

    @Test("The smallest version is chosen, and boosting raises the level within it")
    func automaticVersionAndBoost() throws {
        let code = try QRCode(encoding: "HELLO WORLD", errorCorrection: .low)
        #expect(code.version == 1 && code.errorCorrection == .low)
        let boosted = try QRCode(encoding: "HELLO WORLD", errorCorrection: .low, boostErrorCorrection: true)
        #expect(boosted.version == 1 && boosted.errorCorrection == .quartile)
    }

    @Test("Text is ISO-8859-1 when it fits, UTF-8 otherwise")
    func textEncoding() {
        #expect(QRCode.bytes(of: "café") == [0x63, 0x61, 0x66, 0xE9])
        #expect(QRCode.bytes(of: "terima kasih ✓") == Array("terima kasih ✓".utf8))
    }

    @Test("Bad input is refused with a clear error")
    func errors() {
        #expect(throws: QRCodeError.invalidVersion(0)) { try QRCode(encoding: "x", version: 0) }
        #expect(throws: QRCodeError.invalidVersion(41)) { try QRCode(encoding: "x", version: 41) }
        #expect(throws: QRCodeError.invalidMask(8)) { try QRCode(encoding: "x", mask: 8) }
        #expect(throws: QRCodeError.invalidMode(.numeric, offset: 2)) { try QRCode(encoding: "12a", mode: .numeric) }
        #expect(throws: QRCodeError.invalidMode(.alphanumeric, offset: 0)) {
            try QRCode(encoding: "hello", mode: .alphanumeric)
        }
        do {
            _ = try QRCode(encoding: String(repeating: "x", count: 3000), errorCorrection: .high)
            Issue.record("3000 bytes cannot fit at level H")
        } catch {
            guard case let .dataTooLong(needed, capacity, version, level) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(needed == 4 + 16 + 3000 * 8 && capacity == 1276 * 8 && version == 40 && level == .high)
            #expect(error.message.contains("version 40") && error.message.contains("level H"))
        }
        #expect(QRCodeError.invalidMask(9).message == "Mask pattern 9 does not exist; masks are 0 through 7.")
    }

    @Test("A forced mask is used; every mask gives a different symbol of the same data")
    func forcedMasks() throws {
        var symbols = Set<[UInt8]>()
        for mask in 0..<8 {
            let code = try QRCode(encoding: "HELLO WORLD", version: 2, mask: mask)
            #expect(code.mask == mask && code.version == 2)
            symbols.insert(code.modules)
        }
        #expect(symbols.count == 8)
    }
}
