// A small DEFLATE (RFC 1951) compressor with its zlib (RFC 1950) wrapper, CRC-32 and
// Adler-32: enough for PNG images and PDF content streams without a zlib dependency.
//
// One block with the fixed Huffman codes and greedy LZ77 matching over hash chains. QR images
// are runs of identical bytes and rows repeated `scale` times, which LZ77 turns into long
// back-references, so dynamic Huffman tables would gain little here.

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

    /// Raw DEFLATE stream of `input`.
    static func deflate(_ input: [UInt8]) -> [UInt8] {
        var out = LSBBitWriter(capacity: input.count / 8 + 64)
        out.write(1, bits: 1)  // BFINAL
        out.write(1, bits: 2)  // BTYPE = 01, fixed Huffman
        let count = input.count
        var head = [Int32](repeating: -1, count: 1 << hashBits)
        var previous = [Int32](repeating: -1, count: windowSize)
        input.withUnsafeBufferPointer { data in
            fixedCodes.withUnsafeBufferPointer { codes in
                func literal(_ symbol: Int) {
                    let packed = codes[symbol]
                    out.write(Int(packed >> 4), bits: Int(packed & 15))
                }
                func hash(_ i: Int) -> Int {
                    let value = Int(data[i]) << 16 | Int(data[i + 1]) << 8 | Int(data[i + 2])
                    return ((value &* 0x9E37_79B1) >> 13) & ((1 << hashBits) - 1)
                }
                func insert(_ i: Int) {
                    guard i + minMatch <= count else { return }
                    let h = hash(i)
                    previous[i & (windowSize - 1)] = head[h]
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
                            if data[candidate + bestLength] == data[i + bestLength] || bestLength == 0 {
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
                            let next = Int(previous[candidate & (windowSize - 1)])
                            if next >= candidate { break }  // stale entry from an older window
                            candidate = next
                            chain -= 1
                        }
                    }
                    if bestLength >= minMatch {
                        let symbol = Int(lengthSymbol[bestLength])
                        literal(257 + symbol)
                        if lengthExtra[symbol] > 0 {
                            out.write(bestLength - lengthBase[symbol], bits: lengthExtra[symbol])
                        }
                        let distanceCode = distanceSymbol(bestDistance)
                        out.write(reverse(distanceCode, bits: 5), bits: 5)
                        if distanceExtra[distanceCode] > 0 {
                            out.write(bestDistance - distanceBase[distanceCode], bits: distanceExtra[distanceCode])
                        }
                        for k in i..<(i + bestLength) { insert(k) }
                        i += bestLength
                    } else {
                        literal(Int(data[i]))
                        insert(i)
                        i += 1
                    }
                }
                literal(256)  // end of block
            }
        }
        return out.finish()
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
