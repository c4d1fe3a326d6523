/// A PNG decoder (ISO/IEC 15948) for thumbnails: every colour type and bit depth (1–16), Adam7 interlacing, palette and
/// tRNS transparency. Transparent pixels are laid on white, since a thumbnail is shown on the page's white ground.
/// 16-bit samples keep their high byte.
///
/// AduanCore has no dependencies, so the zlib stream is inflated by the caller's `inflate`, which is handed the exact
/// number of bytes the image needs and must never produce more; the size is checked against `ImageLimits` before.
enum PNGDecoder {
    typealias Inflate = ([UInt8], Int) throws -> [UInt8]

    static func decode(_ data: [UInt8], inflate: Inflate) throws(ImageDecodeError) -> Raster {
        guard data.count >= 8, data.starts(with: PNG.signature) else { throw .malformed("no PNG signature") }
        var pos = 8
        var header: (width: Int, height: Int, depth: Int, colourType: Int, interlaced: Bool)?
        var palette: [UInt8] = []
        var transparency: [UInt8] = []
        var compressed: [UInt8] = []
        walk: while true {
            guard pos + 12 <= data.count else { throw .truncated }
            let length = MediaBytes.uint32BE(data, pos)
            let type = String(decoding: data[(pos + 4)..<(pos + 8)], as: UTF8.self)
            guard length <= data.count - pos - 12 else { throw .truncated }
            let body = (pos + 8)..<(pos + 8 + length)
            switch type {
            case "IHDR":
                guard length == 13, header == nil else { throw .malformed("the PNG header is invalid") }
                let p = body.lowerBound
                let width = MediaBytes.uint32BE(data, p), height = MediaBytes.uint32BE(data, p + 4)
                let depth = Int(data[p + 8]), colourType = Int(data[p + 9])
                guard data[p + 10] == 0, data[p + 11] == 0, data[p + 12] <= 1 else { throw .malformed("the PNG header is invalid") }
                let allowed: [Int: [Int]] = [0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16]]
                guard allowed[colourType]?.contains(depth) == true else { throw .malformed("the PNG colour type and bit depth do not match") }
                try ImageLimits.check(width: width, height: height)
                header = (width, height, depth, colourType, data[p + 12] == 1)
            case "PLTE":
                guard length % 3 == 0, length <= 768 else { throw .malformed("the PNG palette is invalid") }
                palette = Array(data[body])
            case "tRNS":
                transparency = Array(data[body])
            case "IDAT":
                guard header != nil else { throw .malformed("PNG image data before its header") }
                compressed.append(contentsOf: data[body])
            case "IEND":
                break walk
            default:
                break
            }
            pos = body.upperBound + 4
        }
        guard let h = header else { throw .malformed("the PNG has no header") }
        guard h.colourType != 3 || !palette.isEmpty else { throw .malformed("the PNG has no palette") }
        let channels = [0: 1, 2: 3, 3: 1, 4: 2, 6: 4][h.colourType] ?? 1
        let bitsPerPixel = channels * h.depth
        let passes: [(x0: Int, y0: Int, dx: Int, dy: Int)] = h.interlaced
            ? [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
            : [(0, 0, 1, 1)]
        var expected = 0
        for pass in passes {
            let w = (h.width - pass.x0 + pass.dx - 1) / pass.dx, rows = (h.height - pass.y0 + pass.dy - 1) / pass.dy
            if w > 0 && rows > 0 { expected += rows * (1 + (w * bitsPerPixel + 7) / 8) }
        }
        // A PNG cannot be read at reduced scale, so its whole picture must fit: bounded by pixels and inflated bytes.
        guard h.width * h.height <= ImageLimits.maxPNGPixels, expected <= ImageLimits.maxPNGBytes else {
            throw .tooLarge(width: h.width, height: h.height)
        }
        let raw: [UInt8]
        do { raw = try inflate(compressed, expected) } catch { throw .malformed("the PNG image data does not inflate") }
        guard raw.count == expected else { throw .truncated }

        var pixels = [UInt8](repeating: 255, count: h.width * h.height * 3)
        let bytesPerPixel = max(1, bitsPerPixel / 8)
        var offset = 0
        for pass in passes {
            let w = (h.width - pass.x0 + pass.dx - 1) / pass.dx, rows = (h.height - pass.y0 + pass.dy - 1) / pass.dy
            guard w > 0 && rows > 0 else { continue }
            let stride = (w * bitsPerPixel + 7) / 8
            var previous = [UInt8](repeating: 0, count: stride)
            var line = [UInt8](repeating: 0, count: stride)
            for row in 0..<rows {
                let filter = raw[offset]
                for i in 0..<stride { line[i] = raw[offset + 1 + i] }
                offset += 1 + stride
                try unfilter(&line, previous: previous, filter: filter, bytesPerPixel: bytesPerPixel)
                let y = pass.y0 + row * pass.dy
                for column in 0..<w {
                    let x = pass.x0 + column * pass.dx
                    let rgb = colour(line, column, h.colourType, h.depth, channels, palette, transparency)
                    let o = (y * h.width + x) * 3
                    pixels[o] = rgb.0; pixels[o + 1] = rgb.1; pixels[o + 2] = rgb.2
                }
                swap(&line, &previous)
            }
        }
        return Raster(width: h.width, height: h.height, pixels: pixels)
    }

    static func unfilter(_ line: inout [UInt8], previous: [UInt8], filter: UInt8, bytesPerPixel: Int) throws(ImageDecodeError) {
        let n = line.count
        switch filter {
        case 0: break
        case 1: for i in bytesPerPixel..<max(bytesPerPixel, n) { line[i] &+= line[i - bytesPerPixel] }
        case 2: for i in 0..<n { line[i] &+= previous[i] }
        case 3:
            for i in 0..<n {
                let left = i >= bytesPerPixel ? Int(line[i - bytesPerPixel]) : 0
                line[i] &+= UInt8((left + Int(previous[i])) / 2)
            }
        case 4:
            for i in 0..<n {
                let a = i >= bytesPerPixel ? Int(line[i - bytesPerPixel]) : 0
                let b = Int(previous[i])
                let c = i >= bytesPerPixel ? Int(previous[i - bytesPerPixel]) : 0
                let p = a + b - c
                let pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
                line[i] &+= UInt8(pa <= pb && pa <= pc ? a : pb <= pc ? b : c)
            }
        default: throw .malformed("a PNG row has an unknown filter \(filter)")
        }
    }

    /// The pixel at `column` of an unfiltered row, as 8-bit RGB laid on white.
    static func colour(_ line: [UInt8], _ column: Int, _ colourType: Int, _ depth: Int, _ channels: Int,
                       _ palette: [UInt8], _ transparency: [UInt8]) -> (UInt8, UInt8, UInt8) {
        /// Sample `index` of the pixel, scaled to 0…255, plus its raw value (for tRNS colour keys).
        func sample(_ index: Int) -> (value: Int, raw: Int) {
            switch depth {
            case 16:
                let p = (column * channels + index) * 2
                let raw = Int(line[p]) << 8 | Int(line[p + 1])
                return (raw >> 8, raw)
            case 8:
                let raw = Int(line[column * channels + index])
                return (raw, raw)
            default:  // 1, 2, 4: one channel
                let bitOffset = column * depth
                let raw = Int(line[bitOffset / 8] >> UInt8(8 - depth - bitOffset % 8)) & ((1 << depth) - 1)
                return (raw * 255 / ((1 << depth) - 1), raw)
            }
        }
        var r = 0, g = 0, b = 0, alpha = 255
        switch colourType {
        case 0:
            let s = sample(0)
            (r, g, b) = (s.value, s.value, s.value)
            if transparency.count >= 2, s.raw == MediaBytes.uint16BE(transparency, 0) { alpha = 0 }
        case 2:
            let sr = sample(0), sg = sample(1), sb = sample(2)
            (r, g, b) = (sr.value, sg.value, sb.value)
            if transparency.count >= 6, sr.raw == MediaBytes.uint16BE(transparency, 0),
               sg.raw == MediaBytes.uint16BE(transparency, 2), sb.raw == MediaBytes.uint16BE(transparency, 4) { alpha = 0 }
        case 3:
            let index = sample(0).raw
            // An index past the palette is an error in the file; it shows as black rather than failing the image.
            if index * 3 + 2 < palette.count { (r, g, b) = (Int(palette[index * 3]), Int(palette[index * 3 + 1]), Int(palette[index * 3 + 2])) }
            if index < transparency.count { alpha = Int(transparency[index]) }
        case 4:
            let s = sample(0)
            (r, g, b) = (s.value, s.value, s.value)
            alpha = sample(1).value
        default:
            (r, g, b) = (sample(0).value, sample(1).value, sample(2).value)
            alpha = sample(3).value
        }
        if alpha < 255 {
            r = (r * alpha + 255 * (255 - alpha) + 127) / 255
            g = (g * alpha + 255 * (255 - alpha) + 127) / 255
            b = (b * alpha + 255 * (255 - alpha) + 127) / 255
        }
        return (UInt8(r), UInt8(g), UInt8(b))
    }
}
