/// An 8-bit RGB picture in memory: what the decoders produce and the thumbnail is cut from.
public struct Raster: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// Row-major R, G, B triples: `width * height * 3` bytes.
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        self.width = width
        self.height = height
        self.pixels = pixels
    }
}

extension Raster {
    /// The picture as an 8-bit RGB PNG, each row filtered with Sub (suits photographs, costs nothing to choose).
    /// `deflate` makes the zlib stream of the filtered rows; the chunks' CRC-32 is `CRC32`, as the inspector checks.
    public func png(deflate: ([UInt8]) throws -> [UInt8]) rethrows -> [UInt8] {
        let stride = width * 3
        var raw = [UInt8]()
        raw.reserveCapacity((stride + 1) * height)
        for y in 0..<height {
            raw.append(1)
            let row = y * stride
            for i in 0..<stride {
                raw.append(i >= 3 ? pixels[row + i] &- pixels[row + i - 3] : pixels[row + i])
            }
        }
        func bigEndian(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        func chunk(_ type: String, _ body: [UInt8]) -> [UInt8] {
            let typed = Array(type.utf8) + body
            return bigEndian(UInt32(body.count)) + typed + bigEndian(CRC32.checksum(typed))
        }
        let header = bigEndian(UInt32(width)) + bigEndian(UInt32(height)) + [8, 2, 0, 0, 0]
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", header)
            + chunk("IDAT", try deflate(raw)) + chunk("IEND", [])
    }
}

/// Why an image gave no picture. Decoders run on untrusted uploads: every failure is one of these, never a trap.
public enum ImageDecodeError: Error, Equatable, Sendable {
    /// The data ended where more was required.
    case truncated
    /// The structure is broken; the string says where.
    case malformed(String)
    /// Valid, but a kind this decoder leaves alone (arithmetic coding, 12-bit JPEG, CMYK, WebP …).
    case unsupported(String)
    /// More pixels than `ImageLimits.maxPixels`, refused before any pixel memory is allocated.
    case tooLarge(width: Int, height: Int)
    /// The work bound was reached (e.g. a progressive JPEG with hundreds of scans).
    case tooMuchWork
}

/// The bounds every decoder checks before it allocates or loops.
public enum ImageLimits {
    /// 50 megapixels: an 8K photo fits, a header claiming 65535 × 65535 does not.
    public static let maxPixels = 50_000_000
    /// A PNG is decoded whole: 20 megapixels (60 MB of RGB) and 80 MB of inflated rows at most.
    public static let maxPNGPixels = 20_000_000
    public static let maxPNGBytes = 80_000_000
    /// Progressive JPEGs from cameras and libjpeg use about ten scans; a few hundred is an attack.
    public static let maxScans = 150

    static func check(width: Int, height: Int) throws(ImageDecodeError) {
        guard width > 0, height > 0 else { throw .malformed("the image has no pixels") }
        guard width <= 65_535, height <= 65_535, width * height <= maxPixels else {
            throw .tooLarge(width: width, height: height)
        }
    }
}
