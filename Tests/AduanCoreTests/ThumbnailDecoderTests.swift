import Foundation
import Testing

@testable import AduanCore

/// The image decoders behind attachment thumbnails (issue 19), against Pillow's decode of the same tiny files.
///
/// The fixtures (ThumbnailFixtures.swift) were made with Pillow: smooth colour ramps of 27 × 19 px saved as baseline
/// 4:2:0, progressive 4:2:2, 4:4:4 with a restart marker after every MCU, progressive grey and 4:2:0 with EXIF
/// Orientation 6; a 64 × 48 progressive JPEG whose expected pixels are Pillow's decode box-reduced to 8 × 6 (the
/// decoder's DC-only path); PNGs as RGBA with an alpha ramp, 4-bit palette with tRNS, and 16-bit RGB Adam7 (that one
/// written by a hand-made PNG writer, since Pillow writes neither Adam7 nor 16-bit RGB; Pillow decodes it). The PNGs
/// use stored (uncompressed) deflate blocks, so the tiny inflater below can read them without zlib.
struct ThumbnailDecoderTests {
    static func bytes(_ base64: String) -> [UInt8] { [UInt8](Data(base64Encoded: base64) ?? Data()) }

    /// Inflates zlib streams made only of stored blocks (RFC 1951 §3.2.4), which is all the fixtures hold.
    static func storedInflate(_ data: [UInt8], _ size: Int) throws -> [UInt8] {
        struct Unsupported: Error {}
        var out: [UInt8] = []
        var pos = 2
        while pos + 5 <= data.count {
            let final = data[pos] & 1, type = (data[pos] >> 1) & 3
            guard type == 0 else { throw Unsupported() }
            let length = Int(data[pos + 1]) | Int(data[pos + 2]) << 8
            guard pos + 5 + length <= data.count else { throw Unsupported() }
            out += data[(pos + 5)..<(pos + 5 + length)]
            pos += 5 + length
            if final == 1 { break }
        }
        guard out.count >= size else { throw Unsupported() }
        return Array(out.prefix(size))
    }

    static func decode(_ fixture: ThumbnailFixtures.Fixture, longestSide: Int) throws -> Raster {
        let file = bytes(fixture.file)
        let type: MediaType = file.starts(with: [0x89, 0x50]) ? .png : .jpeg
        return try Thumbnail.make(from: file, type: type, longestSide: longestSide, inflate: storedInflate)
    }

    static func meanAbsoluteError(_ a: [UInt8], _ b: [UInt8]) -> Double {
        guard a.count == b.count, !a.isEmpty else { return .infinity }
        return Double(zip(a, b).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }) / Double(a.count)
    }

    @Test(arguments: ThumbnailFixtures.all.map(\.name))
    func decodesLikePillow(name: String) throws {
        // Given a fixture and Pillow's pixels for it
        let fixture = try #require(ThumbnailFixtures.all.first { $0.name == name })
        let expected = Self.bytes(fixture.pillowRGB)
        // When it is decoded at the size Pillow's reference has (the 64 × 48 one at 1/8, from its DC coefficients)
        let image = try Self.decode(fixture, longestSide: max(fixture.width, fixture.height))
        // Then the size is the same and the pixels differ by little. PNG is lossless: exact. A JPEG differs by
        // rounding and by how chroma is upsampled (both interpolate, not identically). At 1/8 scale a 4:2:0 file
        // keeps one chroma value per 16 × 16 block, where libjpeg's scaled decode keeps four: a little more.
        #expect(image.width == fixture.width && image.height == fixture.height)
        let error = Self.meanAbsoluteError(image.pixels, expected)
        let bound = name.hasPrefix("png") ? 0.0 : name == "dcOnly64x48" ? 4.0 : 3.0
        #expect(error <= bound, "\(name): mean absolute error \(error) against Pillow")
    }

    @Test func orientationSixIsTurnedUpright() throws {
        let fixture = try #require(ThumbnailFixtures.all.first { $0.name == "orientation6" })
        let image = try Self.decode(fixture, longestSide: 240)
        // The file is 27 × 19 landscape; Orientation 6 makes it 19 × 27 portrait.
        #expect(image.width == 19 && image.height == 27)
    }

    @Test func thumbnailsAreNeverEnlargedAndKeepTheAspect() {
        #expect(Thumbnail.size(width: 100, height: 50, longestSide: 240) == (100, 50))
        #expect(Thumbnail.size(width: 4000, height: 3000, longestSide: 240) == (240, 180))
        #expect(Thumbnail.size(width: 3000, height: 4000, longestSide: 240) == (180, 240))
        #expect(Thumbnail.size(width: 20000, height: 10, longestSide: 240) == (240, 1))
    }

    @Test func boxDownscaleAveragesWholeAreas() {
        // A 4 × 2 picture of black and white columns becomes 2 × 1 mid-grey.
        let pixels: [UInt8] = (0..<8).flatMap { i in [UInt8](repeating: i % 2 == 0 ? 0 : 255, count: 3) }
        let small = Thumbnail.downscaled(Raster(width: 4, height: 2, pixels: pixels), longestSide: 2)
        #expect(small.width == 2 && small.height == 1)
        #expect(small.pixels.allSatisfy { $0 == 128 })
    }

    @Test func headersClaimingHugePicturesAreRefusedBeforeAllocating() throws {
        // A JPEG whose frame header says 65535 × 65535 (4.3 gigapixels), and a PNG header of 30000 × 30000.
        var jpeg = Self.bytes(try #require(ThumbnailFixtures.all.first { $0.name == "baseline420" }).file)
        let sof = try #require((0..<(jpeg.count - 1)).first { jpeg[$0] == 0xFF && jpeg[$0 + 1] == 0xC0 })
        jpeg.replaceSubrange((sof + 5)..<(sof + 9), with: [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(throws: ImageDecodeError.tooLarge(width: 65535, height: 65535)) {
            try Thumbnail.make(from: jpeg, type: .jpeg, inflate: Self.storedInflate)
        }
        var png = Self.bytes(try #require(ThumbnailFixtures.all.first { $0.name == "pngRGBA" }).file)
        png.replaceSubrange(16..<24, with: [0, 0, 0x75, 0x30, 0, 0, 0x75, 0x30])
        #expect(throws: ImageDecodeError.tooLarge(width: 30000, height: 30000)) {
            try Thumbnail.make(from: png, type: .png, inflate: Self.storedInflate)
        }
    }

    @Test func aProgressiveFileWithHundredsOfScansIsStopped() throws {
        // The progressive fixture with 200 extra DC refinement scans (one byte of data each) before its EOI.
        var jpeg = Self.bytes(try #require(ThumbnailFixtures.all.first { $0.name == "progressive422" }).file)
        #expect(jpeg.suffix(2) == [0xFF, 0xD9])
        let refinement: [UInt8] = [0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x00, 0x10, 0x00]
        jpeg.insert(contentsOf: Array([[UInt8]](repeating: refinement, count: 200).joined()), at: jpeg.count - 2)
        #expect(throws: ImageDecodeError.tooMuchWork) {
            try Thumbnail.make(from: jpeg, type: .jpeg, longestSide: 64, inflate: Self.storedInflate)
        }
    }

    @Test func webPAndPDFGetNoThumbnail() {
        #expect(throws: ImageDecodeError.unsupported("WebP")) {
            try Thumbnail.make(from: Array("RIFF\0\0\0\0WEBPVP8 ".utf8), type: .webp, inflate: Self.storedInflate)
        }
        #expect(throws: ImageDecodeError.unsupported("PDF")) {
            try Thumbnail.make(from: Array("%PDF-1.4".utf8), type: .pdf, inflate: Self.storedInflate)
        }
    }

    /// Untrusted input: 6,000 mutated and truncated copies of the fixtures must each give a picture or a thrown
    /// error. A trap (index out of range, overflow, force unwrap) would end the test process.
    @Test func mutatedAndTruncatedFilesNeverTrap() {
        var seed: UInt64 = 0x19_2026
        func next() -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(seed >> 33)
        }
        var decoded = 0, refused = 0
        for fixture in ThumbnailFixtures.all {
            let original = Self.bytes(fixture.file)
            let type: MediaType = original.starts(with: [0x89, 0x50]) ? .png : .jpeg
            for round in 0..<(6_000 / ThumbnailFixtures.all.count + 1) {
                var file = original
                switch round % 4 {
                case 0: file = Array(file.prefix(next() % file.count))
                case 1: for _ in 0...(next() % 8) { file[next() % file.count] = UInt8(next() & 0xFF) }
                case 2: for _ in 0...(next() % 4) { file[next() % file.count] ^= UInt8(1 << (next() % 8)) }
                default:
                    // A run of bytes repeated or cut out of the middle: lengths and offsets stop matching.
                    let at = next() % file.count, length = next() % 64
                    if next() % 2 == 0 { file.insert(contentsOf: file[at..<min(file.count, at + length)], at: at) } else {
                        file.removeSubrange(at..<min(file.count, at + length))
                    }
                }
                // Mutated PNGs keep their CRCs wrong; the decoder does not check CRCs (the sanitizer did), so it reads on.
                if let image = try? Thumbnail.make(from: file, type: type, longestSide: 16, inflate: Self.storedInflate) {
                    #expect(image.pixels.count == image.width * image.height * 3)
                    #expect(max(image.width, image.height) <= 27)
                    decoded += 1
                } else {
                    refused += 1
                }
            }
        }
        #expect(decoded + refused >= 6_000)
        // Both outcomes happen: the mutations neither all break the files nor all miss them.
        #expect(decoded > 100 && refused > 100, "decoded \(decoded), refused \(refused)")
    }
}
