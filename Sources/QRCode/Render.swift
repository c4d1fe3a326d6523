// SVG and PNG renderings of a symbol.

/// An axis-aligned block of dark modules, in module coordinates (quiet zone excluded).
struct ModuleRect: Equatable {
    var x: Int, y: Int, width: Int, height: Int
}

extension QRCode {
    /// The dark modules as few rectangles: horizontal runs of each row, with a run that
    /// repeats exactly in the next row grown downwards instead of starting a new rectangle.
    func darkRectangles() -> [ModuleRect] {
        var rects: [ModuleRect] = []
        // Runs of the previous row: (x, width, index of the rectangle they belong to).
        var above: [(x: Int, width: Int, rect: Int)] = []
        var current: [(x: Int, width: Int, rect: Int)] = []
        modules.withUnsafeBufferPointer { m in
            for y in 0..<size {
                current.removeAll(keepingCapacity: true)
                var match = 0
                var x = 0
                let row = y * size
                while x < size {
                    guard m[row + x] != 0 else { x += 1; continue }
                    let start = x
                    while x < size && m[row + x] != 0 { x += 1 }
                    let width = x - start
                    while match < above.count && above[match].x < start { match += 1 }
                    if match < above.count && above[match].x == start && above[match].width == width {
                        let index = above[match].rect
                        rects[index].height += 1
                        current.append((start, width, index))
                    } else {
                        rects.append(ModuleRect(x: start, y: y, width: width, height: 1))
                        current.append((start, width, rects.count - 1))
                    }
                }
                swap(&above, &current)
            }
        }
        return rects
    }

    /// SVG document: one light background rectangle and one path of dark rectangles, all on
    /// integer module coordinates (scaled by `moduleSize` through width/height), with
    /// `shape-rendering="crispEdges"` so no anti-aliasing seams appear between modules.
    ///
    /// Colours are written as given (XML-escaped); pass "none" as `lightColor` for a
    /// transparent background.
    public func svg(moduleSize: Int = 8, quietZone: Int = 4, darkColor: String = "#000000", lightColor: String = "#ffffff") -> String {
        let moduleSize = max(1, moduleSize)
        let quietZone = max(0, quietZone)
        let side = size + 2 * quietZone
        let pixels = side * moduleSize
        var svg = """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="\(pixels)" height="\(pixels)" \
            viewBox="0 0 \(side) \(side)" shape-rendering="crispEdges">

            """
        if lightColor != "none" {
            svg += "<rect width=\"\(side)\" height=\"\(side)\" fill=\"\(xmlEscaped(lightColor))\"/>\n"
        }
        svg += "<path fill=\"\(xmlEscaped(darkColor))\" d=\""
        for rect in darkRectangles() {
            svg += "M\(rect.x + quietZone) \(rect.y + quietZone)h\(rect.width)v\(rect.height)h-\(rect.width)z"
        }
        svg += "\"/>\n</svg>\n"
        return svg
    }

    /// PNG image, 1-bit grayscale, `scale` pixels per module and a `quietZone` of light
    /// modules around the symbol. The pixel data is zlib-compressed (LZ77 + Huffman).
    ///
    /// `scale` is clamped to 1...64 and `quietZone` to 0...16, which bounds the image (at
    /// most 13,376 pixels a side) whatever a caller passes.
    public func png(scale: Int = 8, quietZone: Int = 4) -> [UInt8] {
        let scale = min(max(1, scale), 64)
        let quietZone = min(max(0, quietZone), 16)
        let width = (size + 2 * quietZone) * scale
        let rowBytes = (width + 7) / 8
        let stride = rowBytes + 1  // filter type byte, then the packed pixels
        var raw = [UInt8](repeating: 0, count: stride * width)
        raw.withUnsafeMutableBufferPointer { raw in
            // Light scanline (all bits 1; padding bits past the width are 1 too).
            var light = [UInt8](repeating: 0xFF, count: stride)
            light[0] = 0
            for row in 0..<width {
                let moduleY = row / scale - quietZone
                let base = row * stride
                if row % scale != 0 {
                    // Same module row as the scanline above: copy it.
                    for i in 0..<stride { raw[base + i] = raw[base - stride + i] }
                    continue
                }
                for i in 0..<stride { raw[base + i] = light[i] }
                guard moduleY >= 0 && moduleY < size else { continue }
                let line = base + 1
                for moduleX in 0..<size where modules[moduleY * size + moduleX] != 0 {
                    let start = (moduleX + quietZone) * scale
                    for px in start..<(start + scale) {
                        raw[line + px >> 3] &= ~(0x80 >> UInt8(px & 7))
                    }
                }
            }
        }
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var header: [UInt8] = []
        header.appendBigEndian(UInt32(width))
        header.appendBigEndian(UInt32(width))
        header += [1, 0, 0, 0, 0]  // bit depth 1, grayscale, deflate, adaptive filters, no interlace
        png.appendChunk("IHDR", header)
        png.appendChunk("IDAT", Deflate.zlib(raw))
        png.appendChunk("IEND", [])
        return png
    }
}

func xmlEscaped(_ text: String) -> String {
    var result = ""
    result.reserveCapacity(text.utf8.count)
    for character in text {
        switch character {
        case "&": result += "&amp;"
        case "<": result += "&lt;"
        case ">": result += "&gt;"
        case "\"": result += "&quot;"
        case "'": result += "&apos;"
        default: result.append(character)
        }
    }
    return result
}

extension [UInt8] {
    mutating func appendBigEndian(_ value: UInt32) {
        append(UInt8(value >> 24))
        append(UInt8(value >> 16 & 0xFF))
        append(UInt8(value >> 8 & 0xFF))
        append(UInt8(value & 0xFF))
    }

    /// A PNG chunk: length, type, data, CRC-32 of type and data.
    mutating func appendChunk(_ type: String, _ data: [UInt8]) {
        appendBigEndian(UInt32(data.count))
        let typeBytes = Array(type.utf8)
        append(contentsOf: typeBytes)
        append(contentsOf: data)
        appendBigEndian(Deflate.crc32(data, initial: Deflate.crc32(typeBytes)))
    }
}
