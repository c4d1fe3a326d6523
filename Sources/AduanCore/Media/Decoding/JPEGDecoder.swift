import Foundation

/// A JPEG decoder sized for thumbnails (ITU-T T.81): baseline and extended sequential (SOF0, SOF1) and progressive
/// (SOF2) Huffman coding, 8-bit samples, one component (grey) or three (YCbCr, or RGB by Adobe's flag), any sampling
/// factors from 1 to 4, restart intervals. Arithmetic coding, lossless, hierarchical, 12-bit and CMYK are refused.
///
/// It reads untrusted uploads: every index into the input or a table is checked, entropy-coded data that runs out
/// reads as zero bits (the way libjpeg shows a cut-off photo), and the frame size is checked against
/// `ImageLimits.maxPixels` before anything is allocated. When the picture is at least eight times the wanted size it
/// is decoded from the DC coefficients alone (1/8 scale: each 8 × 8 block becomes its mean), which skips the inverse
/// DCT and, in progressive files, every AC scan.
enum JPEGDecoder {
    struct Decoded {
        var raster: Raster
        /// The EXIF Orientation (1–8) the sanitizer kept, 1 when absent.
        var orientation: Int
    }

    static func decode(_ data: [UInt8], wantedLongSide: Int) throws(ImageDecodeError) -> Decoded {
        var state = State(data: data)
        try state.run(wantedLongSide: wantedLongSide)
        return try state.output()
    }

    /// The natural (row-major) index of the k-th coefficient in zig-zag order.
    static let zigzag: [Int] = [
        0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
        35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
    ]

    /// `idctTable[x * 8 + u]` = C(u)/2 · cos((2x+1)uπ/16), the 1-D inverse DCT basis.
    static let idctTable: [Float] = (0..<64).map { i in
        let x = Float(i / 8), u = Float(i % 8)
        let c: Float = u == 0 ? 1 / Float(2).squareRoot() : 1
        return c / 2 * Float(cos(Double((2 * x + 1) * u) * Double.pi / 16))
    }

    struct Huffman {
        var maxCode = [Int](repeating: -1, count: 17)
        var valueOffset = [Int](repeating: 0, count: 17)
        var symbols: [UInt8] = []
        /// For codes of up to 9 bits: `length << 8 | symbol` indexed by the next 9 bits; 0 when longer.
        var fast = [UInt16](repeating: 0, count: 512)

        init(counts: [Int], symbols: [UInt8]) throws(ImageDecodeError) {
            self.symbols = symbols
            var code = 0
            var k = 0
            for length in 1...16 {
                let n = counts[length - 1]
                valueOffset[length] = k - code
                for _ in 0..<n {
                    if length <= 9 {
                        let first = code << (9 - length)
                        for fill in first..<(first + (1 << (9 - length))) where fill < 512 {
                            fast[fill] = UInt16(length << 8) | UInt16(symbols[k])
                        }
                    }
                    code += 1
                    k += 1
                }
                if n > 0 { maxCode[length] = code - 1 }
                guard code <= 1 << length else { throw .malformed("a JPEG Huffman table has too many codes") }
                code <<= 1
            }
        }
    }

    struct BitReader {
        let data: [UInt8]
        var pos: Int
        var buffer: UInt64 = 0
        var count = 0
        var atMarker = false

        init(data: [UInt8], pos: Int) {
            self.data = data
            self.pos = pos
        }

        mutating func fill() {
            while count <= 56 {
                var byte: UInt8 = 0
                if !atMarker, pos < data.count {
                    let b = data[pos]
                    if b == 0xFF {
                        if pos + 1 < data.count, data[pos + 1] == 0x00 {
                            byte = 0xFF
                            pos += 2
                        } else {
                            atMarker = true
                        }
                    } else {
                        byte = b
                        pos += 1
                    }
                }
                buffer |= UInt64(byte) << UInt64(56 - count)
                count += 8
            }
        }

        mutating func bits(_ n: Int) -> Int {
            guard n > 0 else { return 0 }
            if count < n { fill() }
            let value = Int(buffer >> UInt64(64 - n))
            buffer <<= UInt64(n)
            count -= n
            return value
        }

        mutating func bit() -> Int { bits(1) }

        mutating func decode(_ table: Huffman) throws(ImageDecodeError) -> Int {
            if count < 16 { fill() }
            let entry = table.fast[Int(buffer >> 55)]
            if entry != 0 {
                let length = Int(entry >> 8)
                buffer <<= UInt64(length)
                count -= length
                return Int(entry & 0xFF)
            }
            for length in 10...16 {
                let code = Int(buffer >> UInt64(64 - length))
                if code <= table.maxCode[length] {
                    buffer <<= UInt64(length)
                    count -= length
                    let index = code + table.valueOffset[length]
                    guard index >= 0, index < table.symbols.count else { throw .malformed("a JPEG Huffman code is invalid") }
                    return Int(table.symbols[index])
                }
            }
            throw .malformed("a JPEG Huffman code is invalid")
        }

        /// A magnitude category's value bits, sign-extended (T.81 F.2.2.1 EXTEND).
        mutating func receiveExtend(_ s: Int) -> Int {
            guard s > 0 else { return 0 }
            let v = bits(s)
            return v < 1 << (s - 1) ? v - (1 << s) + 1 : v
        }

        /// Past the RSTn that ends a restart interval; at any other marker it stays put.
        mutating func restart() {
            buffer = 0
            count = 0
            atMarker = false
            var p = pos
            while p + 1 < data.count {
                if data[p] == 0xFF {
                    let m = data[p + 1]
                    if (0xD0...0xD7).contains(m) { pos = p + 2; return }
                    if m != 0x00 && m != 0xFF { pos = p; return }
                }
                p += 1
            }
            pos = data.count
        }

        /// The position of the marker that ends the scan (or the end of the data).
        func nextMarker() -> Int {
            var p = pos
            while p + 1 < data.count {
                if data[p] == 0xFF {
                    let m = data[p + 1]
                    if m != 0x00 && m != 0xFF && !(0xD0...0xD7).contains(m) { return p }
                }
                p += 1
            }
            return data.count
        }
    }

    struct Component {
        var id: Int
        var h: Int
        var v: Int
        var quantTable: Int
        var blocksPerLine = 0
        var blocksPerColumn = 0
        var coefficients: [Int16] = []
        var quant: [Int]? = nil
        var dcPrediction = 0
    }

    struct State {
        let data: [UInt8]
        var pos = 0
        var quantTables = [[Int]?](repeating: nil, count: 4)
        var dcTables = [Huffman?](repeating: nil, count: 4)
        var acTables = [Huffman?](repeating: nil, count: 4)
        var components: [Component] = []
        var width = 0
        var height = 0
        var progressive = false
        var dcOnly = false
        var hMax = 1
        var vMax = 1
        var mcusPerLine = 0
        var mcusPerColumn = 0
        var restartInterval = 0
        var orientation = 1
        var adobeTransform: Int? = nil
        var scans = 0
        var eobRun = 0

        init(data: [UInt8]) { self.data = data }

        var perBlock: Int { dcOnly ? 1 : 64 }

        mutating func run(wantedLongSide: Int) throws(ImageDecodeError) {
            guard data.count >= 4, data[0] == 0xFF, data[1] == 0xD8 else { throw .malformed("no JPEG start-of-image marker") }
            pos = 2
            while true {
                guard pos < data.count else {
                    if scans > 0 { return }  // cut off after a scan: show what arrived
                    throw .truncated
                }
                guard data[pos] == 0xFF else { throw .malformed("a JPEG marker was expected at byte \(pos)") }
                while pos < data.count, data[pos] == 0xFF { pos += 1 }
                guard pos < data.count else { throw .truncated }
                let marker = data[pos]
                pos += 1
                switch marker {
                case 0xD9:
                    guard scans > 0 else { throw .malformed("the JPEG has no image data") }
                    return
                case 0x01, 0xD0...0xD7:
                    continue
                default:
                    break
                }
                guard pos + 2 <= data.count else { throw .truncated }
                let length = Int(data[pos]) << 8 | Int(data[pos + 1])
                guard length >= 2, pos + length <= data.count else { throw .truncated }
                let start = pos + 2
                let end = pos + length
                switch marker {
                case 0xDB: try readQuantTables(start, end)
                case 0xC4: try readHuffmanTables(start, end)
                case 0xC0, 0xC1, 0xC2: try readFrame(start, end, progressive: marker == 0xC2, wantedLongSide: wantedLongSide)
                case 0xC3, 0xC5...0xC7, 0xC9...0xCB, 0xCD...0xCF:
                    throw .unsupported("JPEG coding process FF\(String(marker, radix: 16, uppercase: true))")
                case 0xDD:
                    guard end - start >= 2 else { throw .malformed("the JPEG restart interval is short") }
                    restartInterval = Int(data[start]) << 8 | Int(data[start + 1])
                case 0xE1:
                    let payload = Array(data[start..<end])
                    if orientation == 1, let value = EXIF.orientation(inAPP1Payload: payload) { orientation = value }
                case 0xEE:
                    if end - start >= 12, data[start..<(start + 5)].elementsEqual("Adobe".utf8) { adobeTransform = Int(data[start + 11]) }
                case 0xDA:
                    pos = try readScan(start, end)
                    continue
                default:
                    break
                }
                pos = end
            }
        }

        mutating func readQuantTables(_ start: Int, _ end: Int) throws(ImageDecodeError) {
            var p = start
            while p < end {
                let precision = Int(data[p] >> 4), index = Int(data[p] & 15)
                guard index < 4, precision <= 1 else { throw .malformed("a JPEG quantisation table is invalid") }
                let size = precision == 0 ? 64 : 128
                guard p + 1 + size <= end else { throw .truncated }
                var table = [Int](repeating: 0, count: 64)
                for k in 0..<64 {
                    table[JPEGDecoder.zigzag[k]] = precision == 0 ? Int(data[p + 1 + k]) : Int(data[p + 1 + 2 * k]) << 8 | Int(data[p + 2 + 2 * k])
                }
                quantTables[index] = table
                p += 1 + size
            }
        }

        mutating func readHuffmanTables(_ start: Int, _ end: Int) throws(ImageDecodeError) {
            var p = start
            while p < end {
                guard p + 17 <= end else { throw .truncated }
                let tableClass = Int(data[p] >> 4), index = Int(data[p] & 15)
                guard tableClass <= 1, index < 4 else { throw .malformed("a JPEG Huffman table is invalid") }
                let counts = (0..<16).map { Int(data[p + 1 + $0]) }
                let total = counts.reduce(0, +)
                guard total <= 256, p + 17 + total <= end else { throw .malformed("a JPEG Huffman table is invalid") }
                let table = try Huffman(counts: counts, symbols: Array(data[(p + 17)..<(p + 17 + total)]))
                if tableClass == 0 { dcTables[index] = table } else { acTables[index] = table }
                p += 17 + total
            }
        }

        mutating func readFrame(_ start: Int, _ end: Int, progressive: Bool, wantedLongSide: Int) throws(ImageDecodeError) {
            guard components.isEmpty else { throw .malformed("the JPEG has a second frame header") }
            guard end - start >= 6 else { throw .truncated }
            guard data[start] == 8 else { throw .unsupported("\(data[start])-bit JPEG samples") }
            height = Int(data[start + 1]) << 8 | Int(data[start + 2])
            width = Int(data[start + 3]) << 8 | Int(data[start + 4])
            let count = Int(data[start + 5])
            guard height > 0 else { throw .unsupported("a JPEG whose height is given later (DNL)") }
            try ImageLimits.check(width: width, height: height)
            guard count == 1 || count == 3 else { throw .unsupported("JPEG with \(count) components") }
            guard end - start >= 6 + 3 * count else { throw .truncated }
            for i in 0..<count {
                let p = start + 6 + 3 * i
                let h = Int(data[p + 1] >> 4), v = Int(data[p + 1] & 15), tq = Int(data[p + 2])
                guard (1...4).contains(h), (1...4).contains(v), tq < 4 else { throw .malformed("a JPEG component is invalid") }
                components.append(Component(id: Int(data[p]), h: h, v: v, quantTable: tq))
            }
            self.progressive = progressive
            hMax = components.map(\.h).max() ?? 1
            vMax = components.map(\.v).max() ?? 1
            // A single-component frame is never interleaved: its blocks follow the picture, whatever H and V say.
            if count == 1 { components[0].h = 1; components[0].v = 1; hMax = 1; vMax = 1 }
            dcOnly = max(width, height) >= 8 * max(1, wantedLongSide)
            mcusPerLine = (width + 8 * hMax - 1) / (8 * hMax)
            mcusPerColumn = (height + 8 * vMax - 1) / (8 * vMax)
            for i in components.indices {
                components[i].blocksPerLine = mcusPerLine * components[i].h
                components[i].blocksPerColumn = mcusPerColumn * components[i].v
                components[i].coefficients = [Int16](repeating: 0, count: components[i].blocksPerLine * components[i].blocksPerColumn * perBlock)
            }
        }

        /// Decodes one scan and returns where the next marker starts.
        mutating func readScan(_ start: Int, _ end: Int) throws(ImageDecodeError) -> Int {
            guard !components.isEmpty else { throw .malformed("the JPEG has image data before its frame header") }
            scans += 1
            guard scans <= ImageLimits.maxScans else { throw .tooMuchWork }
            guard end - start >= 1 else { throw .truncated }
            let count = Int(data[start])
            guard (1...4).contains(count), end - start >= 1 + 2 * count + 3 else { throw .malformed("a JPEG scan header is invalid") }
            var members: [(component: Int, dc: Int, ac: Int)] = []
            for i in 0..<count {
                let id = Int(data[start + 1 + 2 * i]), tables = Int(data[start + 2 + 2 * i])
                guard let index = components.firstIndex(where: { $0.id == id }) else { throw .malformed("a JPEG scan names an unknown component") }
                guard !members.contains(where: { $0.component == index }) else { throw .malformed("a JPEG scan names a component twice") }
                members.append((index, tables >> 4, tables & 15))
            }
            let p = start + 1 + 2 * count
            let ss = Int(data[p]), se = Int(data[p + 1]), ah = Int(data[p + 2] >> 4), al = Int(data[p + 2] & 15)
            if progressive {
                guard ss <= se, se <= 63, al <= 13, ah <= 13 else { throw .malformed("a JPEG progressive scan is invalid") }
                guard (ss == 0) == (se == 0) else { throw .malformed("a JPEG progressive scan mixes DC and AC") }
                guard ss == 0 || count == 1 else { throw .malformed("a JPEG AC scan has several components") }
            }
            let isDC = !progressive || ss == 0
            let needsAC = !progressive || ss > 0
            for member in members {
                guard member.dc < 4, member.ac < 4 else { throw .malformed("a JPEG scan names a missing table") }
                if isDC && !(progressive && ah > 0) { guard dcTables[member.dc] != nil else { throw .malformed("a JPEG scan names a missing table") } }
                if needsAC { guard acTables[member.ac] != nil else { throw .malformed("a JPEG scan names a missing table") } }
                if components[member.component].quant == nil {
                    guard let table = quantTables[components[member.component].quantTable] else { throw .malformed("a JPEG component has no quantisation table") }
                    components[member.component].quant = table
                }
            }
            var reader = BitReader(data: data, pos: end)
            // At 1/8 scale the AC coefficients of a progressive file are never needed: skip the scan unread.
            if progressive && ss > 0 && dcOnly { return reader.nextMarker() }

            for i in components.indices { components[i].dcPrediction = 0 }
            eobRun = 0
            var unitsDone = 0
            func restartIfDue() {
                if restartInterval > 0, unitsDone > 0, unitsDone % restartInterval == 0 {
                    reader.restart()
                    for i in components.indices { components[i].dcPrediction = 0 }
                    eobRun = 0
                }
            }
            if count == 1 {
                // Plain numbers, not a copy of the component: a copy would share its coefficient array and turn every
                // write below into a copy of the whole array.
                let index = members[0].component
                let (h, v, blocksPerLine) = (components[index].h, components[index].v, components[index].blocksPerLine)
                let columns = ((width * h + hMax - 1) / hMax + 7) / 8
                let rows = ((height * v + vMax - 1) / vMax + 7) / 8
                for row in 0..<rows {
                    for column in 0..<columns {
                        restartIfDue()
                        try decodeBlock(&reader, index, (row * blocksPerLine + column) * perBlock, members[0].dc, members[0].ac, ss, se, ah, al)
                        unitsDone += 1
                    }
                }
            } else {
                for mcuRow in 0..<mcusPerColumn {
                    for mcuColumn in 0..<mcusPerLine {
                        restartIfDue()
                        for member in members {
                            let (ch, cv, blocksPerLine) = (components[member.component].h, components[member.component].v,
                                                           components[member.component].blocksPerLine)
                            for v in 0..<cv {
                                for h in 0..<ch {
                                    let block = (mcuRow * cv + v) * blocksPerLine + mcuColumn * ch + h
                                    try decodeBlock(&reader, member.component, block * perBlock, member.dc, member.ac, ss, se, ah, al)
                                }
                            }
                        }
                        unitsDone += 1
                    }
                }
            }
            return reader.nextMarker()
        }

        mutating func decodeBlock(_ r: inout BitReader, _ c: Int, _ offset: Int, _ dcTable: Int, _ acTable: Int,
                                  _ ss: Int, _ se: Int, _ ah: Int, _ al: Int) throws(ImageDecodeError) {
            if !progressive {
                try decodeSequential(&r, c, offset, dcTable, acTable)
            } else if ss == 0 {
                if ah == 0 {
                    guard let table = dcTables[dcTable] else { throw .malformed("missing table") }
                    let s = try r.decode(table)
                    guard s <= 15 else { throw .malformed("a JPEG DC difference is out of range") }
                    components[c].dcPrediction &+= r.receiveExtend(s)
                    components[c].coefficients[offset] = Int16(clamping: components[c].dcPrediction << al)
                } else if r.bit() == 1 {
                    components[c].coefficients[offset] |= Int16(truncatingIfNeeded: 1 << al)
                }
            } else if ah == 0 {
                try decodeACFirst(&r, c, offset, acTable, ss, se, al)
            } else {
                try decodeACRefine(&r, c, offset, acTable, ss, se, al)
            }
        }

        mutating func decodeSequential(_ r: inout BitReader, _ c: Int, _ offset: Int, _ dcTable: Int, _ acTable: Int) throws(ImageDecodeError) {
            guard let dc = dcTables[dcTable], let ac = acTables[acTable] else { throw .malformed("missing table") }
            let s = try r.decode(dc)
            guard s <= 15 else { throw .malformed("a JPEG DC difference is out of range") }
            components[c].dcPrediction &+= r.receiveExtend(s)
            components[c].coefficients[offset] = Int16(clamping: components[c].dcPrediction)
            var k = 1
            while k < 64 {
                let rs = try r.decode(ac)
                let run = rs >> 4, size = rs & 15
                if size == 0 {
                    if run != 15 { break }
                    k += 16
                    continue
                }
                k += run
                let value = r.receiveExtend(size)
                guard k < 64 else { break }
                if !dcOnly { components[c].coefficients[offset + JPEGDecoder.zigzag[k]] = Int16(clamping: value) }
                k += 1
            }
        }

        mutating func decodeACFirst(_ r: inout BitReader, _ c: Int, _ offset: Int, _ acTable: Int, _ ss: Int, _ se: Int, _ al: Int) throws(ImageDecodeError) {
            if eobRun > 0 { eobRun -= 1; return }
            guard let ac = acTables[acTable] else { throw .malformed("missing table") }
            var k = ss
            while k <= se {
                let rs = try r.decode(ac)
                let run = rs >> 4, size = rs & 15
                if size == 0 {
                    if run < 15 {
                        eobRun = (1 << run) - 1 + r.bits(run)
                        break
                    }
                    k += 16
                    continue
                }
                k += run
                let value = r.receiveExtend(size)
                guard k <= se else { break }
                components[c].coefficients[offset + JPEGDecoder.zigzag[k]] = Int16(clamping: value * (1 << al))
                k += 1
            }
        }

        /// Successive approximation of AC coefficients (T.81 G.1.2.3): one more bit for the coefficients already
        /// nonzero, new coefficients of ±1 << Al placed after skipping `run` zero ones.
        mutating func decodeACRefine(_ r: inout BitReader, _ c: Int, _ offset: Int, _ acTable: Int, _ ss: Int, _ se: Int, _ al: Int) throws(ImageDecodeError) {
            let p1 = 1 << al, m1 = -(1 << al)
            var k = ss
            func refine(_ index: Int) {
                let current = Int(components[c].coefficients[index])
                if r.bit() == 1, current & p1 == 0 {
                    components[c].coefficients[index] = Int16(clamping: current + (current >= 0 ? p1 : m1))
                }
            }
            if eobRun == 0 {
                guard let ac = acTables[acTable] else { throw .malformed("missing table") }
                while k <= se {
                    let rs = try r.decode(ac)
                    var run = rs >> 4
                    var newValue = 0
                    let size = rs & 15
                    if size != 0 {
                        newValue = r.bit() == 1 ? p1 : m1
                    } else if run != 15 {
                        eobRun = (1 << run) + r.bits(run)
                        break
                    }
                    while k <= se {
                        let index = offset + JPEGDecoder.zigzag[k]
                        if components[c].coefficients[index] != 0 {
                            refine(index)
                        } else {
                            if run == 0 { break }
                            run -= 1
                        }
                        k += 1
                    }
                    if newValue != 0, k <= se {
                        components[c].coefficients[offset + JPEGDecoder.zigzag[k]] = Int16(clamping: newValue)
                    }
                    k += 1
                }
            }
            if eobRun > 0 {
                while k <= se {
                    let index = offset + JPEGDecoder.zigzag[k]
                    if components[c].coefficients[index] != 0 { refine(index) }
                    k += 1
                }
                eobRun -= 1
            }
        }

        /// One plane per component at its own resolution, then colour conversion to RGB at 1 or 1/8 scale.
        func output() throws(ImageDecodeError) -> Decoded {
            guard !components.isEmpty, scans > 0 else { throw .malformed("the JPEG has no image data") }
            let scale = dcOnly ? 8 : 1
            let outWidth = (width + scale - 1) / scale, outHeight = (height + scale - 1) / scale
            var planes: [[UInt8]] = []
            var planeWidths: [Int] = []
            for c in components {
                guard let quant = c.quant else { throw .malformed("a JPEG component has no image data") }
                let planeWidth = c.blocksPerLine * 8 / scale
                var plane = [UInt8](repeating: 0, count: planeWidth * c.blocksPerColumn * 8 / scale)
                if dcOnly {
                    for i in 0..<(c.blocksPerLine * c.blocksPerColumn) {
                        plane[i] = clampByte(Float(Int(c.coefficients[i]) * quant[0]) / 8 + 128)
                    }
                } else {
                    var block = [Float](repeating: 0, count: 64)
                    var temp = [Float](repeating: 0, count: 64)
                    for by in 0..<c.blocksPerColumn {
                        for bx in 0..<c.blocksPerLine {
                            let offset = (by * c.blocksPerLine + bx) * 64
                            for i in 0..<64 { block[i] = Float(Int(c.coefficients[offset + i]) * quant[i]) }
                            JPEGDecoder.inverseDCT(&block, &temp)
                            for y in 0..<8 {
                                let row = (by * 8 + y) * planeWidth + bx * 8
                                for x in 0..<8 { plane[row + x] = clampByte(block[y * 8 + x] + 128) }
                            }
                        }
                    }
                }
                planes.append(plane)
                planeWidths.append(planeWidth)
            }
            var pixels = [UInt8](repeating: 0, count: outWidth * outHeight * 3)
            let isRGB = components.count == 3 && (adobeTransform == 0 || components.map(\.id) == [0x52, 0x47, 0x42])
            // A subsampled component is interpolated bilinearly between its sample centres (as libjpeg's "fancy"
            // upsampling does), within the samples that cover the picture, never the block padding.
            let grids = components.map { c in
                (across: JPEGDecoder.samplePositions(outWidth, c.h, hMax), down: JPEGDecoder.samplePositions(outHeight, c.v, vMax))
            }
            for y in 0..<outHeight {
                for x in 0..<outWidth {
                    var samples = (0, 0, 0)
                    for i in components.indices {
                        let (x0, x1, wx) = grids[i].across[x], (y0, y1, wy) = grids[i].down[y]
                        let plane = planes[i], stride = planeWidths[i]
                        let top = Float(plane[y0 * stride + x0]) * (1 - wx) + Float(plane[y0 * stride + x1]) * wx
                        let bottom = Float(plane[y1 * stride + x0]) * (1 - wx) + Float(plane[y1 * stride + x1]) * wx
                        let value = Int(clampByte(top * (1 - wy) + bottom * wy))
                        if i == 0 { samples.0 = value } else if i == 1 { samples.1 = value } else { samples.2 = value }
                    }
                    let o = (y * outWidth + x) * 3
                    if components.count == 1 {
                        pixels[o] = UInt8(samples.0); pixels[o + 1] = UInt8(samples.0); pixels[o + 2] = UInt8(samples.0)
                    } else if isRGB {
                        pixels[o] = UInt8(samples.0); pixels[o + 1] = UInt8(samples.1); pixels[o + 2] = UInt8(samples.2)
                    } else {
                        let luma = Float(samples.0), cb = Float(samples.1 - 128), cr = Float(samples.2 - 128)
                        pixels[o] = clampByte(luma + 1.402 * cr)
                        pixels[o + 1] = clampByte(luma - 0.344136 * cb - 0.714136 * cr)
                        pixels[o + 2] = clampByte(luma + 1.772 * cb)
                    }
                }
            }
            return Decoded(raster: Raster(width: outWidth, height: outHeight, pixels: pixels), orientation: orientation)
        }
    }

    /// For each of `count` output positions, the two component samples around it and the weight of the second,
    /// for a component sampled `factor` times per `maximum` (T.81 A.1.1: sample centres at (i + ½) · maximum/factor).
    static func samplePositions(_ count: Int, _ factor: Int, _ maximum: Int) -> [(Int, Int, Float)] {
        let available = max(1, (count * factor + maximum - 1) / maximum)
        return (0..<count).map { o in
            guard factor < maximum else { return (o, o, 0) }
            let position = (Float(o) + 0.5) * Float(factor) / Float(maximum) - 0.5
            let below = Int(position.rounded(.down))
            let first = min(max(below, 0), available - 1), second = min(max(below + 1, 0), available - 1)
            let weight = position < 0 ? 0 : position - Float(below)
            return (first, second, weight)
        }
    }

    /// Separable 8 × 8 inverse DCT in place: rows, then columns.
    static func inverseDCT(_ block: inout [Float], _ temp: inout [Float]) {
        for y in 0..<8 {
            for x in 0..<8 {
                var sum: Float = 0
                for u in 0..<8 { sum += idctTable[x * 8 + u] * block[y * 8 + u] }
                temp[y * 8 + x] = sum
            }
        }
        for x in 0..<8 {
            for y in 0..<8 {
                var sum: Float = 0
                for v in 0..<8 { sum += idctTable[y * 8 + v] * temp[v * 8 + x] }
                block[y * 8 + x] = sum
            }
        }
    }
}

@inline(__always) func clampByte(_ value: Float) -> UInt8 {
    guard value.isFinite else { return 0 }
    return value <= 0 ? 0 : value >= 255 ? 255 : UInt8(value.rounded())
}
