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
