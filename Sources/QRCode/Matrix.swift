// Module placement, masking and mask evaluation (ISO/IEC 18004 6.3, 7.7-7.10).

enum MatrixBuilder {
    /// Builds the final matrix (row-major, 1 = dark) and returns it with the mask used.
    static func build(
        version: Int, level: ErrorCorrection, message: [UInt8], mask forcedMask: Int?
    ) -> ([UInt8], Int) {
        let size = version * 4 + 17
        let count = size * size
        // modules: function patterns drawn, data placed unmasked. isData: 1 where a data
        // module is, 0 on function patterns and reserved areas (format, version, dark module).
        var modules = [UInt8](repeating: 0, count: count)
        var isData = [UInt8](repeating: 1, count: count)

        modules.withUnsafeMutableBufferPointer { m in
            isData.withUnsafeMutableBufferPointer { f in
                drawFunctionPatterns(version: version, size: size, modules: m, isData: f)
                placeCodewords(message, size: size, modules: m, isData: f)
            }
        }

        var mask = forcedMask ?? 0
        if let forcedMask {
            applyMask(forcedMask, size: size, modules: &modules, isData: isData)
        } else {
            // The reserved areas stay light while masks are scored, as segno does; the format
            // and version information are drawn only afterwards.
            let lines = BitLines(modules: modules, isData: isData, size: size)
            var best = Int.max
            for candidate in 0..<8 {
                let score = lines.penalty(mask: candidate)
                if score < best {
                    best = score
                    mask = candidate
                }
            }
            applyMask(mask, size: size, modules: &modules, isData: isData)
        }
        modules.withUnsafeMutableBufferPointer { m in
            drawFormatInformation(level: level, mask: mask, size: size, modules: m)
            if version >= 7 { drawVersionInformation(version: version, size: size, modules: m) }
        }
        return (modules, mask)
    }

    // MARK: Function patterns

    static func drawFunctionPatterns(
        version: Int, size: Int,
        modules m: UnsafeMutableBufferPointer<UInt8>, isData f: UnsafeMutableBufferPointer<UInt8>
    ) {
        func set(_ x: Int, _ y: Int, _ dark: Bool) {
            m[y * size + x] = dark ? 1 : 0
            f[y * size + x] = 0
        }
        // Finder patterns with their separators.
        for (cx, cy) in [(3, 3), (size - 4, 3), (3, size - 4)] {
            for dy in -4...4 {
                for dx in -4...4 {
                    let x = cx + dx, y = cy + dy
                    guard x >= 0, x < size, y >= 0, y < size else { continue }
                    let distance = max(abs(dx), abs(dy))
                    set(x, y, distance != 2 && distance != 4)
                }
            }
        }
        // Alignment patterns, except where they would overlap a finder.
        let positions = Tables.alignmentPositions(version: version)
        let last = positions.count - 1
        for (i, cy) in positions.enumerated() {
            for (j, cx) in positions.enumerated() {
                if (i == 0 && j == 0) || (i == 0 && j == last) || (i == last && j == 0) { continue }
                for dy in -2...2 {
                    for dx in -2...2 {
                        set(cx + dx, cy + dy, max(abs(dx), abs(dy)) != 1)
                    }
                }
            }
        }
        // Reserved (light for now): both copies of the format information and the dark module.
        for i in 0...8 {
            set(8, i, false)
            set(i, 8, false)
        }
        for i in 0..<8 {
            set(size - 1 - i, 8, false)
            set(8, size - 1 - i, false)
        }
        // Version information blocks (versions 7 and up).
        if version >= 7 {
            for i in 0..<6 {
                for j in (size - 11)..<(size - 8) {
                    set(i, j, false)
                    set(j, i, false)
                }
            }
        }
        // Timing patterns, between the separators (drawn last: they cross the format areas'
        // reservation at row/column 6 and agree with the alignment patterns they meet).
        for i in 8..<(size - 8) {
            set(6, i, i % 2 == 0)
            set(i, 6, i % 2 == 0)
        }
    }

    // MARK: Data placement

    /// Places the message bits in the two-module-wide zig-zag columns, right to left,
    /// skipping function modules. Remainder bits stay zero.
    static func placeCodewords(
        _ message: [UInt8], size: Int,
        modules m: UnsafeMutableBufferPointer<UInt8>, isData f: UnsafeMutableBufferPointer<UInt8>
    ) {
        let totalBits = message.count * 8
        var bit = 0
        message.withUnsafeBufferPointer { message in
            var right = size - 1
            var upward = true
            while right >= 1 {
                if right == 6 { right = 5 }  // skip the vertical timing pattern column
                for step in 0..<size {
                    let y = upward ? size - 1 - step : step
                    for dx in 0...1 {
                        let index = y * size + right - dx
                        if f[index] != 0 {
                            if bit < totalBits {
                                m[index] = (message[bit >> 3] >> (7 - UInt8(bit & 7))) & 1
                                bit += 1
                            }
                        }
                    }
                }
                upward.toggle()
                right -= 2
            }
        }
    }

    // MARK: Masks

    /// The eight mask conditions repeat every 12 rows and columns (lcm of 2, 3, 4 and 6), so a
    /// 12 x 12 tile per mask replaces the arithmetic. tiles[mask * 144 + (row % 12) * 12 + col % 12].
    static let tiles: [UInt8] = {
        var tiles = [UInt8](repeating: 0, count: 8 * 144)
        for mask in 0..<8 {
            for i in 0..<12 {
                for j in 0..<12 {
                    let condition: Bool
                    switch mask {
                    case 0: condition = (i + j) % 2 == 0
                    case 1: condition = i % 2 == 0
                    case 2: condition = j % 3 == 0
                    case 3: condition = (i + j) % 3 == 0
                    case 4: condition = (i / 2 + j / 3) % 2 == 0
                    case 5: condition = (i * j) % 2 + (i * j) % 3 == 0
                    case 6: condition = ((i * j) % 2 + (i * j) % 3) % 2 == 0
                    default: condition = ((i + j) % 2 + (i * j) % 3) % 2 == 0
                    }
                    tiles[mask * 144 + i * 12 + j] = condition ? 1 : 0
                }
            }
        }
        return tiles
    }()

    /// Writes `source` with mask `mask` applied to its data modules into `output`.
    static func masked(
        _ mask: Int, size: Int, source: UnsafeBufferPointer<UInt8>, isData: UnsafeBufferPointer<UInt8>,
        into output: UnsafeMutableBufferPointer<UInt8>
    ) {
        tiles.withUnsafeBufferPointer { tiles in
            let tile = tiles.baseAddress! + mask * 144
            var index = 0
            var tileRow = 0
            for _ in 0..<size {
                let row = tile + tileRow * 12
                var column = 0
                for _ in 0..<size {
                    output[index] = source[index] ^ (row[column] & isData[index])
                    index += 1
                    column += 1
                    if column == 12 { column = 0 }
                }
                tileRow += 1
                if tileRow == 12 { tileRow = 0 }
            }
        }
    }

    static func applyMask(_ mask: Int, size: Int, modules: inout [UInt8], isData: [UInt8]) {
        let source = modules
        source.withUnsafeBufferPointer { s in
            isData.withUnsafeBufferPointer { f in
                modules.withUnsafeMutableBufferPointer { m in
                    masked(mask, size: size, source: s, isData: f, into: m)
                }
            }
        }
    }

    // MARK: Format and version information

    /// 15-bit format information: level and mask, BCH(15,5) protected, XOR 0x5412.
    static func formatBits(level: ErrorCorrection, mask: Int) -> Int {
        let data = level.formatBits << 3 | mask
        var remainder = data
        for _ in 0..<10 { remainder = (remainder << 1) ^ ((remainder >> 9) * 0x537) }
        return (data << 10 | remainder) ^ 0x5412
    }

    /// 18-bit version information: version, Golay(18,6) protected.
    static func versionBits(version: Int) -> Int {
        var remainder = version
        for _ in 0..<12 { remainder = (remainder << 1) ^ ((remainder >> 11) * 0x1F25) }
        return version << 12 | remainder
    }

    static func drawFormatInformation(
        level: ErrorCorrection, mask: Int, size: Int, modules m: UnsafeMutableBufferPointer<UInt8>
    ) {
        let bits = formatBits(level: level, mask: mask)
        func bit(_ i: Int) -> UInt8 { UInt8((bits >> i) & 1) }
        // First copy, around the top-left finder.
        for i in 0...5 { m[i * size + 8] = bit(i) }
        m[7 * size + 8] = bit(6)
        m[8 * size + 8] = bit(7)
        m[8 * size + 7] = bit(8)
        for i in 9..<15 { m[8 * size + 14 - i] = bit(i) }
        // Second copy, split between the top-right and bottom-left finders.
        for i in 0..<8 { m[8 * size + size - 1 - i] = bit(i) }
        for i in 8..<15 { m[(size - 15 + i) * size + 8] = bit(i) }
        m[(size - 8) * size + 8] = 1  // the dark module
    }

    static func drawVersionInformation(version: Int, size: Int, modules m: UnsafeMutableBufferPointer<UInt8>) {
        let bits = versionBits(version: version)
        for i in 0..<18 {
            let value = UInt8((bits >> i) & 1)
            let a = size - 11 + i % 3
            let b = i / 3
            m[b * size + a] = value  // top right
            m[a * size + b] = value  // bottom left
        }
    }
}

/// One row or column of up to 192 modules as bits: bit x (word x / 64, bit x % 64) is
/// module x, 1 = dark. Bits past the line's end are always zero.
struct Line: Equatable {
    var w0: UInt64 = 0, w1: UInt64 = 0, w2: UInt64 = 0

    @inline(__always) static func & (a: Line, b: Line) -> Line { Line(w0: a.w0 & b.w0, w1: a.w1 & b.w1, w2: a.w2 & b.w2) }
    @inline(__always) static func | (a: Line, b: Line) -> Line { Line(w0: a.w0 | b.w0, w1: a.w1 | b.w1, w2: a.w2 | b.w2) }
    @inline(__always) static func ^ (a: Line, b: Line) -> Line { Line(w0: a.w0 ^ b.w0, w1: a.w1 ^ b.w1, w2: a.w2 ^ b.w2) }
    @inline(__always) static prefix func ~ (a: Line) -> Line { Line(w0: ~a.w0, w1: ~a.w1, w2: ~a.w2) }

    /// Bit x of the result is bit x + k of self (0 < k < 64).
    @inline(__always) func next(_ k: UInt64) -> Line {
        Line(w0: w0 >> k | w1 << (64 - k), w1: w1 >> k | w2 << (64 - k), w2: w2 >> k)
    }

    /// Bit x of the result is bit x - k of self, zero for x < k (0 < k < 64).
    @inline(__always) func previous(_ k: UInt64) -> Line {
        Line(w0: w0 << k, w1: w1 << k | w0 >> (64 - k), w2: w2 << k | w1 >> (64 - k))
    }

    /// Line `index` of a flat three-words-per-line buffer.
    @inline(__always) init(_ words: UnsafeBufferPointer<UInt64>, _ index: Int) {
        w0 = words[index * 3]
        w1 = words[index * 3 + 1]
        w2 = words[index * 3 + 2]
    }

    init(w0: UInt64 = 0, w1: UInt64 = 0, w2: UInt64 = 0) {
        self.w0 = w0
        self.w1 = w1
        self.w2 = w2
    }

    @inline(__always) var popCount: Int { w0.nonzeroBitCount + w1.nonzeroBitCount + w2.nonzeroBitCount }
    @inline(__always) var isZero: Bool { (w0 | w1 | w2) == 0 }

    /// Bits 0..<count set.
    static func first(_ count: Int) -> Line {
        func word(_ bits: Int) -> UInt64 { bits <= 0 ? 0 : (bits >= 64 ? ~0 : (1 << UInt64(bits)) - 1) }
        return Line(w0: word(count), w1: word(count - 64), w2: word(count - 128))
    }

    @inline(__always) mutating func set(_ x: Int) {
        let bit = UInt64(1) << UInt64(x & 63)
        switch x >> 6 {
        case 0: w0 |= bit
        case 1: w1 |= bit
        default: w2 |= bit
        }
    }
}

/// The unmasked symbol as bit lines, rows and columns, ready to score each mask with word
/// operations instead of module-by-module scans. Three words per line, flat.
struct BitLines {
    let size: Int
    var rows: [UInt64], rowData: [UInt64], columns: [UInt64], columnData: [UInt64]

    init(modules: [UInt8], isData: [UInt8], size: Int) {
        self.size = size
        var rows = [UInt64](repeating: 0, count: size * 3)
        var rowData = rows, columns = rows, columnData = rows
        modules.withUnsafeBufferPointer { m in
            isData.withUnsafeBufferPointer { f in
                rows.withUnsafeMutableBufferPointer { r in
                    rowData.withUnsafeMutableBufferPointer { rd in
                        columns.withUnsafeMutableBufferPointer { c in
                            columnData.withUnsafeMutableBufferPointer { cd in
                                for y in 0..<size {
                                    let base = y * size
                                    let yWord = y >> 6
                                    let yBit = UInt64(y & 63)
                                    for x in 0..<size {
                                        let dark = UInt64(m[base + x])
                                        let data = UInt64(f[base + x])
                                        let rowWord = y * 3 + x >> 6
                                        let xBit = UInt64(x & 63)
                                        r[rowWord] |= dark << xBit
                                        rd[rowWord] |= data << xBit
                                        c[x * 3 + yWord] |= dark << yBit
                                        cd[x * 3 + yWord] |= data << yBit
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        self.rows = rows
        self.rowData = rowData
        self.columns = columns
        self.columnData = columnData
    }

    /// Mask patterns as lines: rowPatterns[(mask * 12 + row % 12)] has bit x set where the
    /// mask flips module (x, row); columnPatterns[(mask * 12 + column % 12)] bit y likewise.
    static let rowPatterns: [Line] = patterns(alongRows: true)
    static let columnPatterns: [Line] = patterns(alongRows: false)

    private static func patterns(alongRows: Bool) -> [Line] {
        var result: [Line] = []
        for mask in 0..<8 {
            for fixed in 0..<12 {
                var line = Line()
                for position in 0..<192 {
                    let (i, j) = alongRows ? (fixed, position % 12) : (position % 12, fixed)
                    if MatrixBuilder.tiles[mask * 144 + i * 12 + j] != 0 { line.set(position) }
                }
                result.append(line)
            }
        }
        return result
    }

    /// Penalty of the symbol with `mask` applied (see `Penalty`).
    func penalty(mask: Int) -> Int {
        let n = size
        let valid = Line.first(n - 1)  // positions with a right-hand neighbour
        var total = 0
        var dark = 0
        rows.withUnsafeBufferPointer { rows in
            rowData.withUnsafeBufferPointer { rowData in
                Self.rowPatterns.withUnsafeBufferPointer { patterns in
                    let patterns = patterns.baseAddress! + mask * 12
                    var above = Line()
                    var aboveEqual = Line()
                    var patternRow = 0
                    for y in 0..<n {
                        let line = Line(rows, y) ^ (patterns[patternRow] & Line(rowData, y))
                        patternRow = patternRow == 11 ? 0 : patternRow + 1
                        dark += line.popCount
                        let equal = ~(line ^ line.next(1)) & valid
                        total += Penalty.runsAndFinders(line, equal: equal, size: n)
                        if y > 0 {
                            // N2: 2 x 2 blocks between this row and the one above.
                            total += 3 * (equal & aboveEqual & ~(line ^ above) & valid).popCount
                        }
                        above = line
                        aboveEqual = equal
                    }
                }
            }
        }
        columns.withUnsafeBufferPointer { columns in
            columnData.withUnsafeBufferPointer { columnData in
                Self.columnPatterns.withUnsafeBufferPointer { patterns in
                    let patterns = patterns.baseAddress! + mask * 12
                    var patternColumn = 0
                    for x in 0..<n {
                        let line = Line(columns, x) ^ (patterns[patternColumn] & Line(columnData, x))
                        patternColumn = patternColumn == 11 ? 0 : patternColumn + 1
                        let equal = ~(line ^ line.next(1)) & valid
                        total += Penalty.runsAndFinders(line, equal: equal, size: n)
                    }
                }
            }
        }
        // Dark share, with the same floating-point steps as segno so boundaries agree.
        let percent = Double(dark) / Double(n * n)
        total += 10 * Int(abs(percent * 100 - 50) / 5)
        return total
    }
}

/// Mask penalty (ISO/IEC 18004 7.8.3.1), computed exactly as segno does so that the
/// automatic mask choice agrees with it:
/// - N1: each run of 5 + i same-coloured modules in a row or column scores 3 + i;
/// - N2: each 2 x 2 block of one colour scores 3;
/// - N3: each 1:1:3:1:1 finder-like pattern with 4 light modules before or after it (the
///   outside of the symbol counting as light) scores 40; after a hit the search resumes 7
///   modules on, after a miss 4 modules on;
/// - N4: 10 points per full 5 % the dark share deviates from 50 %.
enum Penalty {
    /// N1 and N3 of one line; `equal` has bit x set where modules x and x + 1 match.
    @inline(__always)
    static func runsAndFinders(_ line: Line, equal: Line, size: Int) -> Int {
        // A run of L >= 5 modules holds L - 4 windows of four equal neighbour pairs and one
        // window start: (L - 4) + 2 = L - 2 points, the N1 score.
        let windows = equal & equal.next(1) & equal.next(2) & equal.next(3)
        let starts = windows & ~windows.previous(1)
        var score = windows.popCount + 2 * starts.popCount

        // N3 candidates: dark light dark dark dark light dark starting at x.
        let light = ~line
        let pattern = line & light.next(1) & line.next(2) & line.next(3) & line.next(4)
            & light.next(5) & line.next(6)
        if pattern.isZero { return score }
        let lightBefore = ~(line.previous(1) | line.previous(2) | line.previous(3) | line.previous(4))
        let lightAfter = ~(line.next(7) | line.next(8) | line.next(9) | line.next(10))
        let accepted = lightBefore | lightAfter
        // Walk the (rare) candidates in order, resuming where segno's search resumes.
        var resume = 0
        for wordIndex in 0..<3 {
            var bits = wordIndex == 0 ? pattern.w0 : (wordIndex == 1 ? pattern.w1 : pattern.w2)
            while bits != 0 {
                let x = wordIndex * 64 + bits.trailingZeroBitCount
                bits &= bits - 1
                if x < resume || x > size - 7 { continue }
                let acceptedWord = wordIndex == 0 ? accepted.w0 : (wordIndex == 1 ? accepted.w1 : accepted.w2)
                if acceptedWord & (1 << UInt64(x & 63)) != 0 {
                    score += 40
                    resume = x + 7
                } else {
                    resume = x + 4
                }
            }
        }
        return score
    }
}
