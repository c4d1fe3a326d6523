// A small DEFLATE (RFC 1951) compressor with its zlib (RFC 1950) wrapper, CRC-32 and
// Adler-32: enough for PNG images and PDF content streams without a zlib dependency.
//
// Greedy LZ77 matching over hash chains, then one block coded with either the fixed Huffman
// codes or length-limited Huffman codes built from the block's own statistics, whichever is
// shorter. QR images are runs of identical bytes and rows repeated `scale` times: LZ77 turns
// the repeats into long back-references, and the dynamic codes make the few distinct byte
// values cheap.

enum Deflate {
    private static let windowSize = 32_768
    private static let minMatch = 3
    private static let maxMatch = 258
    private static let hashBits = 15
    private static let maxChain = 48

    /// Base lengths of length symbols 257...285 and their extra bit counts.
    private static let lengthBase: [Int] = [
        3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115,
        131, 163, 195, 227, 258,
    ]
    private static let lengthExtra: [Int] = [
        0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
    ]
    /// Base distances of distance symbols 0...29 and their extra bit counts.
    private static let distanceBase: [Int] = [
        1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
        2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
    ]
    private static let distanceExtra: [Int] = [
        0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12,
        13, 13,
    ]

    /// Length symbol index (0...28) for each match length 3...258, at index length.
    private static let lengthSymbol: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 259)
        for symbol in 0..<29 {
            let upper = symbol == 28 ? 258 : lengthBase[symbol + 1] - 1
            for length in lengthBase[symbol]...upper { table[length] = UInt8(symbol) }
        }
        table[258] = 28
        return table
    }()

    /// Fixed literal/length code of a symbol 0...287, bit-reversed for LSB-first output,
    /// packed as code << 4 | length.
    private static let fixedCodes: [UInt32] = (0..<288).map { symbol in
        let (code, length): (Int, Int)
        switch symbol {
        case 0...143: (code, length) = (0x30 + symbol, 8)
        case 144...255: (code, length) = (0x190 + symbol - 144, 9)
        case 256...279: (code, length) = (symbol - 256, 7)
        default: (code, length) = (0xC0 + symbol - 280, 8)
        }
        return UInt32(reverse(code, bits: length)) << 4 | UInt32(length)
    }

    private static func reverse(_ value: Int, bits: Int) -> Int {
        var result = 0
        for i in 0..<bits where value & (1 << i) != 0 { result |= 1 << (bits - 1 - i) }
        return result
    }

    private static func distanceSymbol(_ distance: Int) -> Int {
        // Smallest symbol whose base exceeds the distance, minus one.
        var low = 0, high = 29
        while low < high {
            let mid = (low + high + 1) / 2
            if distanceBase[mid] <= distance { low = mid } else { high = mid - 1 }
        }
        return low
    }

    /// LZ77 output: a literal byte (distance 0) or a back-reference.
    struct Token {
        var lengthOrLiteral: UInt16
        var distance: UInt16
    }

    /// Greedy LZ77 over hash chains of 3-byte prefixes, window 32 KiB.
    static func tokens(_ input: [UInt8]) -> [Token] {
        let count = input.count
        var tokens: [Token] = []
        tokens.reserveCapacity(count / 4 + 16)
        // Tables sized to the input (small images are the common case), at most 32 KiB each.
        var bits = 8
        while bits < hashBits && 1 << bits < count { bits += 1 }
        let hashMask = (1 << bits) - 1
        let windowMask = (1 << max(bits, 8)) - 1  // a power of two >= min(count, windowSize)
        var head = [Int32](repeating: -1, count: hashMask + 1)
        var previous = [Int32](repeating: -1, count: windowMask + 1)
        input.withUnsafeBufferPointer { data in
            head.withUnsafeMutableBufferPointer { head in
                previous.withUnsafeMutableBufferPointer { previous in
                    func hash(_ i: Int) -> Int {
                        let value = Int(data[i]) << 16 | Int(data[i + 1]) << 8 | Int(data[i + 2])
                        return ((value &* 0x9E37_79B1) >> 13) & hashMask
                    }
                    func insert(_ i: Int) {
                        guard i + minMatch <= count else { return }
                        let h = hash(i)
                        previous[i & windowMask] = head[h]
                        head[h] = Int32(i)
                    }
                    var i = 0
                    while i < count {
                        var bestLength = 0
                        var bestDistance = 0
                        if i + minMatch <= count {
                            var candidate = Int(head[hash(i)])
                            var chain = maxChain
                            let limit = min(maxMatch, count - i)
                            while candidate >= 0, i - candidate <= windowSize, chain > 0 {
                                if bestLength == 0 || data[candidate + bestLength] == data[i + bestLength] {
                                    var length = 0
                                    while length < limit && data[candidate + length] == data[i + length] {
                                        length += 1
                                    }
                                    if length > bestLength {
                                        bestLength = length
                                        bestDistance = i - candidate
                                        if length == limit { break }
                                    }
                                }
                                let next = Int(previous[candidate & windowMask])
                                if next >= candidate { break }  // stale entry from an older window
                                candidate = next
                                chain -= 1
                            }
                        }
                        if bestLength >= minMatch {
                            tokens.append(Token(lengthOrLiteral: UInt16(bestLength), distance: UInt16(bestDistance)))
                            for k in i..<(i + bestLength) { insert(k) }
                            i += bestLength
                        } else {
                            tokens.append(Token(lengthOrLiteral: UInt16(data[i]), distance: 0))
                            insert(i)
                            i += 1
                        }
                    }
                }
            }
        }
        return tokens
    }

    /// Raw DEFLATE stream of `input`: one block, with the fixed Huffman codes or with codes
    /// built for this data (dynamic), whichever is shorter. Never a stored block.
    static func deflate(_ input: [UInt8]) -> [UInt8] {
        let tokens = tokens(input)
        // Symbol frequencies.
        var literalCounts = [Int](repeating: 0, count: 286)
        var distanceCounts = [Int](repeating: 0, count: 30)
        for token in tokens {
            if token.distance == 0 {
                literalCounts[Int(token.lengthOrLiteral)] += 1
            } else {
                literalCounts[257 + Int(lengthSymbol[Int(token.lengthOrLiteral)])] += 1
                distanceCounts[distanceSymbol(Int(token.distance))] += 1
            }
        }
        literalCounts[256] = 1

        let fixedLiteralLengths = (0..<288).map { Int(fixedCodes[$0] & 15) }
        let fixedDistanceLengths = [Int](repeating: 5, count: 30)
        let fixedCost = 3 + dataCost(literalCounts, distanceCounts, fixedLiteralLengths, fixedDistanceLengths)

        var literalLengths = Huffman.lengths(literalCounts, limit: 15, minimumSymbols: 2)
        var distanceLengths = Huffman.lengths(distanceCounts, limit: 15, minimumSymbols: 2)
        var literalCount = 286
        while literalCount > 257 && literalLengths[literalCount - 1] == 0 { literalCount -= 1 }
        var distanceCount = 30
        while distanceCount > 1 && distanceLengths[distanceCount - 1] == 0 { distanceCount -= 1 }
        literalLengths.removeLast(286 - literalCount)
        distanceLengths.removeLast(30 - distanceCount)
        let header = DynamicHeader(literalLengths: literalLengths, distanceLengths: distanceLengths)
        let dynamicCost = 3 + header.bitCount
            + dataCost(literalCounts, distanceCounts, literalLengths, distanceLengths)

        var out = LSBBitWriter(capacity: min(fixedCost, dynamicCost) / 8 + 16)
        out.write(1, bits: 1)  // BFINAL
        if dynamicCost < fixedCost {
            out.write(2, bits: 2)  // BTYPE = 10, dynamic Huffman
            header.write(to: &out)
            writeTokens(tokens, literal: Huffman.codes(literalLengths), distance: Huffman.codes(distanceLengths), to: &out)
        } else {
            out.write(1, bits: 2)  // BTYPE = 01, fixed Huffman
            writeTokens(tokens, literal: fixedCodes, distance: Huffman.codes(fixedDistanceLengths), to: &out)
        }
        return out.finish()
    }

    /// Bits of the compressed data (symbols and extra bits) under the given code lengths.
    private static func dataCost(_ literalCounts: [Int], _ distanceCounts: [Int], _ literalLengths: [Int], _ distanceLengths: [Int]) -> Int {
        var bits = 0
        for (symbol, count) in literalCounts.enumerated() where count > 0 {
            bits += count * (literalLengths[symbol] + (symbol > 256 ? lengthExtra[symbol - 257] : 0))
        }
        for (symbol, count) in distanceCounts.enumerated() where count > 0 {
            bits += count * (distanceLengths[symbol] + distanceExtra[symbol])
        }
        return bits
    }

    /// Codes are packed as reversed code << 4 | length (see `Huffman.codes`).
    private static func writeTokens(_ tokens: [Token], literal: [UInt32], distance: [UInt32], to out: inout LSBBitWriter) {
        func emit(_ packed: UInt32) { out.write(Int(packed >> 4), bits: Int(packed & 15)) }
        for token in tokens {
            if token.distance == 0 {
                emit(literal[Int(token.lengthOrLiteral)])
                continue
            }
            let length = Int(token.lengthOrLiteral)
            let symbol = Int(lengthSymbol[length])
            emit(literal[257 + symbol])
            if lengthExtra[symbol] > 0 { out.write(length - lengthBase[symbol], bits: lengthExtra[symbol]) }
            let distanceValue = Int(token.distance)
            let distanceCode = distanceSymbol(distanceValue)
            emit(distance[distanceCode])
            if distanceExtra[distanceCode] > 0 {
                out.write(distanceValue - distanceBase[distanceCode], bits: distanceExtra[distanceCode])
            }
        }
        emit(literal[256])  // end of block
    }

    /// The code length tables of a dynamic block, run-length coded (RFC 1951 3.2.7).
    struct DynamicHeader {
        static let order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
        let literalCount: Int, distanceCount: Int
        /// (symbol 0...18, extra bits value) pairs.
        let runs: [(symbol: Int, extra: Int)]
        let codeLengthLengths: [Int]
        let codeLengthCount: Int

        init(literalLengths: [Int], distanceLengths: [Int]) {
            literalCount = literalLengths.count
            distanceCount = distanceLengths.count
            let all = literalLengths + distanceLengths
            var runs: [(symbol: Int, extra: Int)] = []
            var i = 0
            while i < all.count {
                let value = all[i]
                var run = 1
                while i + run < all.count && all[i + run] == value { run += 1 }
                var remaining = run
                if value == 0 {
                    while remaining >= 11 { let n = min(remaining, 138); runs.append((18, n - 11)); remaining -= n }
                    if remaining >= 3 { runs.append((17, remaining - 3)); remaining = 0 }
                } else {
                    runs.append((value, 0))
                    remaining -= 1
                    while remaining >= 3 { let n = min(remaining, 6); runs.append((16, n - 3)); remaining -= n }
                }
                for _ in 0..<remaining { runs.append((value, 0)) }
                i += run
            }
            self.runs = runs
            var counts = [Int](repeating: 0, count: 19)
            for run in runs { counts[run.symbol] += 1 }
            codeLengthLengths = Huffman.lengths(counts, limit: 7, minimumSymbols: 2)
            var used = 19
            while used > 4 && codeLengthLengths[Self.order[used - 1]] == 0 { used -= 1 }
            codeLengthCount = used
        }

        private static let extraBits = [16: 2, 17: 3, 18: 7]

        var bitCount: Int {
            var bits = 5 + 5 + 4 + 3 * codeLengthCount
            for run in runs { bits += codeLengthLengths[run.symbol] + (Self.extraBits[run.symbol] ?? 0) }
            return bits
        }

        func write(to out: inout LSBBitWriter) {
            out.write(literalCount - 257, bits: 5)
            out.write(distanceCount - 1, bits: 5)
            out.write(codeLengthCount - 4, bits: 4)
            for k in 0..<codeLengthCount { out.write(codeLengthLengths[Self.order[k]], bits: 3) }
            let codes = Huffman.codes(codeLengthLengths)
            for run in runs {
                let packed = codes[run.symbol]
                out.write(Int(packed >> 4), bits: Int(packed & 15))
                if let extra = Self.extraBits[run.symbol] { out.write(run.extra, bits: extra) }
            }
        }
    }

    /// zlib stream: header (deflate, 32 KiB window), DEFLATE data, Adler-32 of the input.
    static func zlib(_ input: [UInt8]) -> [UInt8] {
        var result: [UInt8] = [0x78, 0x01]  // CMF, FLG: (0x78 << 8 | 0x01) % 31 == 0
        result += deflate(input)
        let checksum = adler32(input)
        result += [UInt8(checksum >> 24), UInt8(checksum >> 16 & 0xFF), UInt8(checksum >> 8 & 0xFF), UInt8(checksum & 0xFF)]
        return result
    }

    static func adler32(_ data: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        var index = 0
        while index < data.count {
            // 5552 bytes is the longest stretch before b can overflow 32 bits.
            let end = min(index + 5552, data.count)
            while index < end {
                a &+= UInt32(data[index])
                b &+= a
                index += 1
            }
            a %= 65521
            b %= 65521
        }
        return b << 16 | a
    }

    private static let crcTable: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func crc32<S: Sequence>(_ bytes: S, initial: UInt32 = 0) -> UInt32 where S.Element == UInt8 {
        var c = ~initial
        for byte in bytes { c = crcTable[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8) }
        return ~c
    }
}

/// Bit writer for DEFLATE: bits go into each byte from the least significant end.
struct LSBBitWriter {
    private(set) var bytes: [UInt8]
    private var buffer: UInt64 = 0
    private var filled = 0

    init(capacity: Int) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    mutating func write(_ value: Int, bits: Int) {
        buffer |= UInt64(value) << UInt64(filled)
        filled += bits
        while filled >= 8 {
            bytes.append(UInt8(truncatingIfNeeded: buffer))
            buffer >>= 8
            filled -= 8
        }
    }

    mutating func finish() -> [UInt8] {
        if filled > 0 { bytes.append(UInt8(truncatingIfNeeded: buffer)) }
        buffer = 0
        filled = 0
        return bytes
    }
}

/// Length-limited canonical Huffman codes.
enum Huffman {
    /// Code lengths for symbol frequencies, none longer than `limit`; symbols with frequency
    /// zero get length zero. At least `minimumSymbols` symbols get a code (some decoders
    /// reject a tree with a single code), padding with unused ones.
    static func lengths(_ frequencies: [Int], limit: Int, minimumSymbols: Int) -> [Int] {
        var weights = frequencies
        var used = weights.indices.filter { weights[$0] > 0 }
        var pad = 0
        while used.count < minimumSymbols && pad < weights.count {
            if weights[pad] == 0 { weights[pad] = 1; used.append(pad) }
            pad += 1
        }
        var lengths = [Int](repeating: 0, count: weights.count)
        if used.count == 1 {
            lengths[used[0]] = 1
            return lengths
        }
        while true {
            // Two-queue Huffman construction over leaves sorted by weight.
            let leaves = used.sorted { (weights[$0], $0) < (weights[$1], $1) }
            var nodeWeight = leaves.map { weights[$0] }
            var parent = [Int](repeating: -1, count: leaves.count * 2)
            var leafIndex = 0
            var internalIndex = leaves.count
            func takeSmallest() -> Int {
                if leafIndex < leaves.count
                    && (internalIndex >= nodeWeight.count || nodeWeight[leafIndex] <= nodeWeight[internalIndex])
                {
                    leafIndex += 1
                    return leafIndex - 1
                }
                internalIndex += 1
                return internalIndex - 1
            }
            for _ in 0..<(leaves.count - 1) {
                let a = takeSmallest(), b = takeSmallest()
                nodeWeight.append(nodeWeight[a] + nodeWeight[b])
                parent[a] = nodeWeight.count - 1
                parent[b] = nodeWeight.count - 1
            }
            // Depth of each node, root last.
            var depth = [Int](repeating: 0, count: nodeWeight.count)
            for node in stride(from: nodeWeight.count - 2, through: 0, by: -1) {
                depth[node] = depth[parent[node]] + 1
            }
            var longest = 0
            for (k, symbol) in leaves.enumerated() {
                lengths[symbol] = depth[k]
                longest = max(longest, depth[k])
            }
            if longest <= limit { return lengths }
            // Too deep: flatten the distribution and build again.
            for symbol in used { weights[symbol] = max(1, weights[symbol] / 2) }
        }
    }

    /// Canonical codes for code lengths (RFC 1951 3.2.2), bit-reversed for LSB-first
    /// output and packed as code << 4 | length.
    static func codes(_ lengths: [Int]) -> [UInt32] {
        var lengthCounts = [Int](repeating: 0, count: 16)
        for length in lengths where length > 0 { lengthCounts[length] += 1 }
        var next = [Int](repeating: 0, count: 16)
        var code = 0
        for bits in 1..<16 {
            code = (code + lengthCounts[bits - 1]) << 1
            next[bits] = code
        }
        return lengths.map { length in
            guard length > 0 else { return 0 }
            let value = next[length]
            next[length] += 1
            var reversed = 0
            for i in 0..<length where value & (1 << i) != 0 { reversed |= 1 << (length - 1 - i) }
            return UInt32(reversed) << 4 | UInt32(length)
        }
    }
}
