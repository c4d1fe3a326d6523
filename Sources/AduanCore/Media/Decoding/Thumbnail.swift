/// The small picture shown for an image attachment on the officer's and the reporter's pages (issue 19): decoded from
/// the stored (already stripped) file, turned upright by the EXIF Orientation the sanitizer kept, and box-filtered down
/// so that its longest side is at most `longestSide`. Never enlarged.
public enum Thumbnail {
    public static let longestSide = 240

    /// Throws `ImageDecodeError` for anything it cannot or will not decode (WebP and PDF included): the caller then
    /// shows the plain file link. `inflate` is zlib's: given compressed bytes and the exact output size, it returns at
    /// most that many bytes.
    public static func make(from bytes: [UInt8], type: MediaType, longestSide: Int = Thumbnail.longestSide,
                            inflate: ([UInt8], Int) throws -> [UInt8]) throws(ImageDecodeError) -> Raster {
        switch type {
        case .jpeg:
            let decoded = try JPEGDecoder.decode(bytes, wantedLongSide: longestSide)
            return oriented(downscaled(decoded.raster, longestSide: longestSide), decoded.orientation)
        case .png:
            return downscaled(try PNGDecoder.decode(bytes, inflate: inflate), longestSide: longestSide)
        case .webp:
            throw .unsupported("WebP")
        case .pdf:
            throw .unsupported("PDF")
        }
    }

    /// The size the thumbnail of a `width` × `height` picture gets.
    public static func size(width: Int, height: Int, longestSide: Int) -> (width: Int, height: Int) {
        let long = max(width, height)
        guard long > longestSide, longestSide > 0 else { return (width, height) }
        return (max(1, (width * longestSide + long / 2) / long), max(1, (height * longestSide + long / 2) / long))
    }

    /// Box filter by exact area: each output pixel is the mean of the input area it covers, partly covered input
    /// pixels weighted by their share; done along rows, then along columns.
    public static func downscaled(_ image: Raster, longestSide: Int) -> Raster {
        let (w, h) = size(width: image.width, height: image.height, longestSide: longestSide)
        guard w != image.width || h != image.height else { return image }
        let across = weights(from: image.width, to: w), down = weights(from: image.height, to: h)
        var rows = [Float](repeating: 0, count: w * image.height * 3)
        for y in 0..<image.height {
            let line = y * image.width * 3
            for x in 0..<w {
                var sum: (Float, Float, Float) = (0, 0, 0)
                for (sx, weight) in across[x] {
                    let i = line + sx * 3
                    sum.0 += weight * Float(image.pixels[i]); sum.1 += weight * Float(image.pixels[i + 1]); sum.2 += weight * Float(image.pixels[i + 2])
                }
                let o = (y * w + x) * 3
                rows[o] = sum.0; rows[o + 1] = sum.1; rows[o + 2] = sum.2
            }
        }
        var pixels = [UInt8](repeating: 0, count: w * h * 3)
        for y in 0..<h {
            for x in 0..<w {
                var sum: (Float, Float, Float) = (0, 0, 0)
                for (sy, weight) in down[y] {
                    let i = (sy * w + x) * 3
                    sum.0 += weight * rows[i]; sum.1 += weight * rows[i + 1]; sum.2 += weight * rows[i + 2]
                }
                let o = (y * w + x) * 3
                pixels[o] = clampByte(sum.0); pixels[o + 1] = clampByte(sum.1); pixels[o + 2] = clampByte(sum.2)
            }
        }
        return Raster(width: w, height: h, pixels: pixels)
    }

    /// For each of `to` output cells, the input cells it overlaps and their shares (summing to 1).
    static func weights(from: Int, to: Int) -> [[(Int, Float)]] {
        let scale = Double(from) / Double(to)
        return (0..<to).map { o in
            let start = Double(o) * scale, end = Double(o + 1) * scale
            var cells: [(Int, Float)] = []
            var i = Int(start)
            while Double(i) < end, i < from {
                let overlap = min(end, Double(i + 1)) - max(start, Double(i))
                if overlap > 0 { cells.append((i, Float(overlap / scale))) }
                i += 1
            }
            return cells
        }
    }

    /// The picture as it is meant to be seen, for EXIF Orientation 1–8 (TIFF 6.0 tag 274).
    public static func oriented(_ image: Raster, _ orientation: Int) -> Raster {
        guard (2...8).contains(orientation) else { return image }
        let (w, h) = (image.width, image.height)
        let swaps = orientation >= 5
        let outWidth = swaps ? h : w, outHeight = swaps ? w : h
        var pixels = [UInt8](repeating: 0, count: image.pixels.count)
        for y in 0..<outHeight {
            for x in 0..<outWidth {
                let (sx, sy): (Int, Int)
                switch orientation {
                case 2: (sx, sy) = (w - 1 - x, y)
                case 3: (sx, sy) = (w - 1 - x, h - 1 - y)
                case 4: (sx, sy) = (x, h - 1 - y)
                case 5: (sx, sy) = (y, x)
                case 6: (sx, sy) = (y, h - 1 - x)
                case 7: (sx, sy) = (w - 1 - y, h - 1 - x)
                default: (sx, sy) = (w - 1 - y, x)
                }
                let s = (sy * w + sx) * 3, o = (y * outWidth + x) * 3
                pixels[o] = image.pixels[s]; pixels[o + 1] = image.pixels[s + 1]; pixels[o + 2] = image.pixels[s + 2]
            }
        }
        return Raster(width: outWidth, height: outHeight, pixels: pixels)
    }
}
