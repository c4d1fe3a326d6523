import Foundation
import Testing

@testable import AduanCore

// Every image here is built byte by byte in code, so each test shows exactly what goes in.

// MARK: - Fixtures

enum MediaFixtures {
    enum ByteOrder: String, CaseIterable, Sendable {
        case bigEndian = "MM"
        case littleEndian = "II"
    }

    static func u16(_ value: Int, _ order: ByteOrder) -> [UInt8] {
        let bytes = [UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
        return order == .bigEndian ? bytes : bytes.reversed()
    }

    static func u32(_ value: Int, _ order: ByteOrder) -> [UInt8] {
        let bytes = [UInt8(value >> 24 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
        return order == .bigEndian ? bytes : bytes.reversed()
    }

    static func ascii(_ text: String) -> [UInt8] { Array(text.utf8) }

    // Banjarmasin, roughly: 3°19'44.27" S, 114°35'26.88" E, as EXIF degree/minute/second rationals.
    static let latitude = [(3, 1), (19, 1), (4427, 100)]
    static let longitude = [(114, 1), (35, 1), (2688, 100)]

    /// The byte pattern of the latitude seconds rational, which must not survive sanitizing.
    static func latitudeSeconds(_ order: ByteOrder) -> [UInt8] { u32(4427, order) + u32(100, order) }
    static func longitudeSeconds(_ order: ByteOrder) -> [UInt8] { u32(2688, order) + u32(100, order) }

    /// The IFD0 entry that points at the GPS IFD: tag 0x8825, LONG, count 1.
    static func gpsPointerEntryPrefix(_ order: ByteOrder) -> [UInt8] {
        u16(0x8825, order) + u16(4, order) + u32(1, order)
    }

    /// A TIFF structure as phones write it: IFD0 with an optional Orientation and a GPS IFD pointer;
    /// the GPS IFD holds version, latitude and longitude with their references.
    static func tiffWithGPS(order: ByteOrder, orientation: Int?) -> [UInt8] {
        func entry(_ tag: Int, _ type: Int, _ count: Int, _ value: [UInt8]) -> [UInt8] {
            u16(tag, order) + u16(type, order) + u32(count, order) + value
        }
        let ifd0Count = orientation == nil ? 1 : 2
        let gpsOffset = 8 + 2 + 12 * ifd0Count + 4
        let gpsCount = 5
        let dataOffset = gpsOffset + 2 + 12 * gpsCount + 4

        var tiff = ascii(order.rawValue) + u16(42, order) + u32(8, order)
        tiff += u16(ifd0Count, order)
        if let orientation { tiff += entry(0x0112, 3, 1, u16(orientation, order) + [0, 0]) }
        tiff += entry(0x8825, 4, 1, u32(gpsOffset, order))
        tiff += u32(0, order)
        tiff += u16(gpsCount, order)
        tiff += entry(0x0000, 1, 4, [2, 3, 0, 0])
        tiff += entry(0x0001, 2, 2, ascii("S") + [0, 0, 0])
        tiff += entry(0x0002, 5, 3, u32(dataOffset, order))
        tiff += entry(0x0003, 2, 2, ascii("E") + [0, 0, 0])
        tiff += entry(0x0004, 5, 3, u32(dataOffset + 24, order))
        tiff += u32(0, order)
        for (numerator, denominator) in latitude + longitude {
            tiff += u32(numerator, order) + u32(denominator, order)
        }
        return tiff
    }

    // MARK: JPEG — a decodable 48×8 grey baseline image: flat tables, every block DC 0 then EOB.

    static func segment(_ marker: UInt8, _ payload: [UInt8]) -> [UInt8] {
        [0xFF, marker] + u16(payload.count + 2, .bigEndian) + payload
    }

    static let soi: [UInt8] = [0xFF, 0xD8]
    static let eoi: [UInt8] = [0xFF, 0xD9]
    static let app0 = segment(0xE0, ascii("JFIF\0") + [1, 1, 0, 0, 1, 0, 1, 0, 0])
    static let dqt = segment(0xDB, [0x00] + Array(repeating: 1, count: 64))
    static let sof0 = segment(0xC0, [8, 0, 8, 0, 48, 1, 1, 0x11, 0])
    static let dhtDC = segment(0xC4, [0x00, 1] + Array(repeating: 0, count: 15) + [0x00])
    static let dhtAC = segment(0xC4, [0x10, 1] + Array(repeating: 0, count: 15) + [0x00])
    static let sos = segment(0xDA, [1, 1, 0x00, 0, 63, 0])
    /// Six blocks × ("0" DC category 0, "0" EOB) = twelve zero bits, padded with ones.
    static let scan: [UInt8] = [0x00, 0x0F]
    static let frameAndTables = dqt + sof0 + dhtDC + dhtAC
    static let imageTail = frameAndTables + sos + scan + eoi

    static func exifAPP1(_ tiff: [UInt8]) -> [UInt8] { segment(0xE1, ascii("Exif\0\0") + tiff) }
    static let comment = segment(0xFE, ascii("Budi Santoso, Jl. Lambung Mangkurat 1"))
    static let xmpAPP1 = segment(
        0xE1,
        ascii("http://ns.adobe.com/xap/1.0/\0")
            + ascii(#"<x:xmpmeta><rdf:Description exif:GPSLatitude="3,19.7378S"/></x:xmpmeta>"#)
    )

    /// SOI, APP0, APP1 EXIF (Orientation + GPS), COM, tables, scan, EOI.
    static func phonePhoto(order: ByteOrder, orientation: Int?) -> [UInt8] {
        soi + app0 + exifAPP1(tiffWithGPS(order: order, orientation: orientation)) + comment + imageTail
    }

    // MARK: PNG — a decodable 1×1 grey image.

    static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = ascii(type) + data
        return u32(data.count, .bigEndian) + body + u32(Int(CRC32.checksum(body)), .bigEndian)
    }

    /// zlib with one stored (uncompressed) deflate block: enough for a real, readable zTXt/IDAT.
    static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var a = 1
        var b = 0
        for byte in data {
            a = (a + Int(byte)) % 65521
            b = (b + a) % 65521
        }
        let n = data.count
        return [0x78, 0x01, 0x01, UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8(~n >> 8 & 0xFF)]
            + data + u32(b << 16 | a, .bigEndian)
    }

    static let ihdr = chunk("IHDR", u32(1, .bigEndian) + u32(1, .bigEndian) + [8, 0, 0, 0, 0])
    static let phys = chunk("pHYs", u32(2835, .bigEndian) + u32(2835, .bigEndian) + [1])
    static let idat = chunk("IDAT", zlibStored([0x00, 0x80]))
    static let iend = chunk("IEND", [])
    static let plainPNG = pngSignature + ihdr + phys + idat + iend

    static let pngMetadataChunks: [[UInt8]] = [
        chunk("eXIf", tiffWithGPS(order: .bigEndian, orientation: 6)),
        chunk("tEXt", ascii("Comment\0GPS -3.329 114.591")),
        chunk("zTXt", ascii("Raw profile type exif\0") + [0] + zlibStored(ascii("GPSLatitude -3.329"))),
        chunk("iTXt", ascii("XML:com.adobe.xmp\0\0\0\0\0") + ascii("<x:xmpmeta>GPS -3.329 114.591</x:xmpmeta>")),
        chunk("tIME", [0x07, 0xE9, 3, 14, 9, 30, 0]),
    ]
    static let pngWithMetadata = pngSignature + ihdr + pngMetadataChunks[0] + pngMetadataChunks[1] + phys
        + pngMetadataChunks[2] + idat + pngMetadataChunks[3] + pngMetadataChunks[4] + iend

    // MARK: WebP — a decodable 1×1 lossless image.

    static func riffChunk(_ fourCC: String, _ payload: [UInt8]) -> [UInt8] {
        ascii(fourCC) + u32(payload.count, .littleEndian) + payload + (payload.count % 2 == 1 ? [0] : [])
    }

    static func riff(_ chunks: [UInt8]) -> [UInt8] {
        ascii("RIFF") + u32(4 + chunks.count, .littleEndian) + ascii("WEBP") + chunks
    }

    /// A lossless 1×1 bitstream (17 bytes, so its chunk needs a pad byte).
    static let vp8lBitstream: [UInt8] = [
        0x2F, 0x00, 0x00, 0x00, 0x00, 0x07, 0x50, 0x8F, 0x22, 0x17, 0xA5, 0xFF, 0x81, 0x88, 0xE8, 0x7F, 0x00,
    ]
    static let vp8l = riffChunk("VP8L", vp8lBitstream)
    static func vp8x(flags: UInt8) -> [UInt8] { riffChunk("VP8X", [flags, 0, 0, 0, 0, 0, 0, 0, 0, 0]) }
    static let alphaFlag: UInt8 = 0x10
    static let exifFlag: UInt8 = 0x08
    static let xmpFlag: UInt8 = 0x04
    /// Odd length on purpose, to exercise chunk padding.
    static let xmpPacket = ascii(#"<x:xmpmeta><rdf:Description exif:GPSLongitude="114,35.448E"/></x:xmpmeta>"#)

    static let plainWebP = riff(vp8l)
    static let webpWithMetadata = riff(
        vp8x(flags: alphaFlag | exifFlag | xmpFlag) + vp8l
            + riffChunk("EXIF", tiffWithGPS(order: .littleEndian, orientation: 6))
            + riffChunk("XMP ", xmpPacket)
    )

    // MARK: PDF

    static let pdf: [UInt8] = ascii("%PDF-1.7\n") + [0x25, 0xE2, 0xE3, 0xCF, 0xD3, 0x0A] + ascii(
        """
        1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
        2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj
        3 0 obj << /Author (Budi Santoso) >> endobj
        trailer << /Root 1 0 R /Info 3 0 R >>
        %%EOF

        """
    )
}

/// A named input, so parameterised test results say which file failed.
struct MediaSample: Sendable, CustomTestStringConvertible {
    let name: String
    let bytes: [UInt8]
    var testDescription: String { name }
}

// MARK: - Independent readers used to check the output

private extension Array where Element == UInt8 {
    func containsBytes(_ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= count else { return false }
        return (0...(count - needle.count)).contains { self[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}

private func failure(_ bytes: [UInt8]) -> MediaError? {
    do {
        _ = try MediaInspector.sanitize(bytes)
        return nil
    } catch {
        return error
    }
}

private func isMalformed(_ error: MediaError?) -> Bool {
    if case .malformed = error { true } else { false }
}

private func sanitized(_ bytes: [UInt8]) throws -> [UInt8] {
    try MediaInspector.sanitize(bytes).bytes
}

/// The segments before the first SOS, each with its marker and payload; nil when they do not chain.
private func jpegHeaderSegments(_ jpeg: [UInt8]) -> [(marker: UInt8, payload: [UInt8])]? {
    guard jpeg.starts(with: MediaFixtures.soi) else { return nil }
    var result: [(marker: UInt8, payload: [UInt8])] = []
    var pos = 2
    while pos + 4 <= jpeg.count, jpeg[pos] == 0xFF {
        let marker = jpeg[pos + 1]
        let length = Int(jpeg[pos + 2]) << 8 | Int(jpeg[pos + 3])
        guard length >= 2, pos + 2 + length <= jpeg.count else { return nil }
        result.append((marker, Array(jpeg[(pos + 4)..<(pos + 2 + length)])))
        if marker == 0xDA { return result }
        pos += 2 + length
    }
    return nil
}

/// IFD0 of a TIFF as (tag, type, count, raw 4-byte value field), plus the byte order.
private func tiffIFD0(_ tiff: [UInt8]) -> (order: MediaFixtures.ByteOrder, entries: [(tag: Int, type: Int, count: Int, value: [UInt8])], next: Int)? {
    guard tiff.count >= 8 else { return nil }
    let order: MediaFixtures.ByteOrder
    switch (tiff[0], tiff[1]) {
    case (0x4D, 0x4D): order = .bigEndian
    case (0x49, 0x49): order = .littleEndian
    default: return nil
    }
    func read(_ at: Int, _ size: Int) -> Int {
        let bytes = tiff[at..<(at + size)]
        return (order == .bigEndian ? Array(bytes) : bytes.reversed()).reduce(0) { $0 << 8 | Int($1) }
    }
    guard read(2, 2) == 42 else { return nil }
    let ifd = read(4, 4)
    guard ifd + 2 <= tiff.count else { return nil }
    let count = read(ifd, 2)
    guard ifd + 2 + count * 12 + 4 <= tiff.count else { return nil }
    let entries = (0..<count).map { index in
        let at = ifd + 2 + index * 12
        return (tag: read(at, 2), type: read(at + 2, 2), count: read(at + 4, 4), value: Array(tiff[(at + 8)..<(at + 12)]))
    }
    return (order, entries, read(ifd + 2 + count * 12, 4))
}

/// Chunk types of a PNG after checking signature, lengths, every CRC, IHDR first and IEND last.
private func validPNGChunkTypes(_ png: [UInt8]) -> [String]? {
    guard png.starts(with: MediaFixtures.pngSignature) else { return nil }
    var types: [String] = []
    var pos = 8
    while pos + 12 <= png.count {
        let length = png[pos..<(pos + 4)].reduce(0) { $0 << 8 | Int($1) }
        let end = pos + 12 + length
        guard end <= png.count else { return nil }
        let stored = png[(end - 4)..<end].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        guard CRC32.checksum(png[(pos + 4)..<(end - 4)]) == stored else { return nil }
        types.append(String(decoding: png[(pos + 4)..<(pos + 8)], as: UTF8.self))
        pos = end
    }
    guard pos == png.count, types.first == "IHDR", types.last == "IEND" else { return nil }
    return types
}

/// WebP chunks as (fourCC, payload) after checking the RIFF size and every chunk's padding.
private func validWebPChunks(_ webp: [UInt8]) -> [(name: String, payload: [UInt8])]? {
    guard webp.count >= 12, webp.starts(with: MediaFixtures.ascii("RIFF")),
        webp[8..<12].elementsEqual(MediaFixtures.ascii("WEBP"))
    else { return nil }
    let riffSize = webp[4..<8].reversed().reduce(0) { $0 << 8 | Int($1) }
    guard riffSize + 8 == webp.count else { return nil }
    var chunks: [(name: String, payload: [UInt8])] = []
    var pos = 12
    while pos + 8 <= webp.count {
        let size = webp[(pos + 4)..<(pos + 8)].reversed().reduce(0) { $0 << 8 | Int($1) }
        let end = pos + 8 + size + size % 2
        guard end <= webp.count else { return nil }
        chunks.append((String(decoding: webp[pos..<(pos + 4)], as: UTF8.self), Array(webp[(pos + 8)..<(pos + 8 + size)])))
        pos = end
    }
    return pos == webp.count ? chunks : nil
}

// MARK: - Tests

@Suite("Media inspection and metadata stripping")
struct MediaInspectorTests {
    typealias F = MediaFixtures

    // MARK: Types

    @Test("each type has its MIME type and storage extension")
    func typeNames() {
        // Given the four accepted types, when asked for names, then MIME and extension match the spec.
        #expect(MediaType.allCases.map(\.rawValue) == ["image/jpeg", "image/png", "image/webp", "application/pdf"])
        #expect(MediaType.allCases.map(\.fileExtension) == ["jpg", "png", "webp", "pdf"])
    }

    @Test("a media type round-trips through JSON as its MIME type")
    func typeCodable() throws {
        // Given a type, when encoded and decoded, then it is the MIME string and comes back equal.
        let json = try JSONEncoder().encode([MediaType.webp])
        #expect(String(decoding: json, as: UTF8.self) == #"["image\/webp"]"#)
        #expect(try JSONDecoder().decode([MediaType].self, from: json) == [.webp])
    }

    @Test("every error has a readable sentence for the API", arguments: [
        MediaError.empty, .unsupportedType, .malformed("the PNG chunk IDAT fails its CRC check"),
    ])
    func errorMessages(error: MediaError) {
        // Given an error, when rendered, then it is a full sentence.
        #expect(error.message.first?.isUppercase == true)
        #expect(error.message.hasSuffix("."))
    }

    // MARK: Detection

    @Test("the type is decided from the content", arguments: [
        (MediaSample(name: "JPEG", bytes: F.phonePhoto(order: .bigEndian, orientation: 6)), MediaType.jpeg),
        (MediaSample(name: "PNG", bytes: F.plainPNG), .png),
        (MediaSample(name: "WebP", bytes: F.plainWebP), .webp),
        (MediaSample(name: "PDF", bytes: F.pdf), .pdf),
    ])
    func detectsFromContent(sample: MediaSample, expected: MediaType) throws {
        // Given the bytes of a supported file (uploads carry no trusted name),
        // when detected and sanitized, then the content decides the type.
        #expect(MediaInspector.detect(sample.bytes) == expected)
        #expect(try MediaInspector.sanitize(sample.bytes).type == expected)
    }

    @Test("detection accepts any byte collection and looks only at the head")
    func detectsFromOtherCollections() {
        // Given the same JPEG as Data, as a slice, and with only its first bytes,
        // when detected, then each says JPEG.
        let jpeg = F.phonePhoto(order: .bigEndian, orientation: 6)
        #expect(MediaInspector.detect(Data(jpeg)) == .jpeg)
        #expect(MediaInspector.detect(jpeg[0..<3]) == .jpeg)
        #expect(MediaInspector.detect(F.pdf.prefix(5)) == .pdf)
        // Then a head cut shorter than its signature is not enough.
        #expect(MediaInspector.detect(F.plainWebP.prefix(11)) == nil)
        #expect(MediaInspector.detect(F.pdf.prefix(4)) == nil)
    }

    @Test("content that is not one of the four types is rejected", arguments: [
        MediaSample(name: "GIF89a", bytes: F.ascii("GIF89a") + [1, 0, 1, 0, 0x80, 0, 0]),
        MediaSample(name: "GIF87a", bytes: F.ascii("GIF87a") + [1, 0, 1, 0]),
        MediaSample(name: "HTML", bytes: F.ascii("<html><script>alert(1)</script></html>")),
        MediaSample(name: "HTML with leading space", bytes: F.ascii("  <!DOCTYPE html>")),
        MediaSample(name: "SVG", bytes: F.ascii(#"<svg xmlns="http://www.w3.org/2000/svg"/>"#)),
        MediaSample(name: "ZIP", bytes: [0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00]),
        MediaSample(name: "Windows executable renamed .jpg", bytes: F.ascii("MZ") + [0x90, 0x00, 0x03, 0x00, 0x00, 0x00]),
        MediaSample(name: "ELF executable", bytes: [0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x01, 0x00]),
        MediaSample(name: "plain text", bytes: F.ascii("Jalan rusak di depan pasar, mohon diperbaiki.\n")),
        MediaSample(name: "BMP", bytes: F.ascii("BM") + [0x3A, 0, 0, 0, 0, 0, 0, 0]),
        MediaSample(name: "TIFF", bytes: F.tiffWithGPS(order: .littleEndian, orientation: 1)),
        MediaSample(name: "HEIC", bytes: [0, 0, 0, 0x18] + F.ascii("ftypheic") + [0, 0, 0, 0] + F.ascii("mif1heic")),
        MediaSample(name: "RIFF AVI", bytes: F.ascii("RIFF") + [4, 0, 0, 0] + F.ascii("AVI ")),
        MediaSample(name: "PDF header without its dash", bytes: F.ascii("%PDF1.7\n")),
        MediaSample(name: "PDF after leading junk", bytes: F.ascii("\n") + F.pdf),
        MediaSample(name: "JPEG start without a marker", bytes: [0xFF, 0xD8, 0x00, 0x10]),
        MediaSample(name: "PNG with a broken signature", bytes: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x0A, 0x1A] + F.ihdr),
    ])
    func rejectsOtherContent(sample: MediaSample) {
        // Given content of another kind, when detected and sanitized, then it is unsupported.
        #expect(MediaInspector.detect(sample.bytes) == nil)
        #expect(failure(sample.bytes) == .unsupportedType)
    }

    @Test("random bytes are rejected", arguments: 1...32)
    func rejectsRandomBytes(seed: Int) {
        // Given bytes from a seeded generator (deterministic, so a failure can be replayed),
        var state = UInt64(seed) &* 0x9E37_79B9_7F4A_7C15
        let bytes = (0..<256).map { _ -> UInt8 in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(state >> 56)
        }
        // when sanitized, then they are not a supported type.
        #expect(failure(bytes) == .unsupportedType)
    }

    @Test("an empty upload is reported as empty")
    func rejectsEmpty() {
        // Given no bytes, when detected and sanitized, then there is no type and the error is .empty.
        #expect(MediaInspector.detect([UInt8]()) == nil)
        #expect(failure([]) == .empty)
    }

    // MARK: JPEG

    @Test("a phone photo loses its EXIF GPS but keeps its rotation", arguments: F.ByteOrder.allCases)
    func jpegStripsGPSKeepsOrientation(order: F.ByteOrder) throws {
        // Given a photo whose EXIF has Orientation 6 and a GPS IFD with latitude and longitude,
        let photo = F.phonePhoto(order: order, orientation: 6)
        #expect(photo.containsBytes(F.gpsPointerEntryPrefix(order)))
        #expect(photo.containsBytes(F.latitudeSeconds(order)))

        // when sanitized,
        let output = try sanitized(photo)

        // then no GPS pointer, coordinate or comment remains, in either byte order,
        for anyOrder in F.ByteOrder.allCases {
            #expect(!output.containsBytes(F.gpsPointerEntryPrefix(anyOrder)))
            #expect(!output.containsBytes(F.latitudeSeconds(anyOrder)))
            #expect(!output.containsBytes(F.longitudeSeconds(anyOrder)))
        }
        #expect(!output.containsBytes(F.ascii("Budi")))

        // and the segments are SOI, APP0, one minimal EXIF APP1, then the image untouched.
        let segments = try #require(jpegHeaderSegments(output))
        #expect(segments.map(\.marker) == [0xE0, 0xE1, 0xDB, 0xC0, 0xC4, 0xC4, 0xDA])
        let exif = segments[1].payload
        #expect(exif.starts(with: F.ascii("Exif\0\0")))
        let ifd0 = try #require(tiffIFD0(Array(exif.dropFirst(6))))
        #expect(ifd0.entries.count == 1)
        #expect(ifd0.entries.first?.tag == 0x0112)
        #expect(ifd0.entries.first?.type == 3)
        #expect(ifd0.entries.first?.count == 1)
        #expect(ifd0.entries.first?.value.prefix(2).elementsEqual(F.u16(6, ifd0.order)) == true)
        #expect(ifd0.next == 0)
        let minimalEXIF = F.segment(0xE1, exif)
        #expect(output == F.soi + F.app0 + minimalEXIF + F.imageTail)
    }

    @Test("every rotation a phone can record survives", arguments: 2...8)
    func jpegKeepsEachOrientation(orientation: Int) throws {
        // Given a photo with a non-default orientation, when sanitized,
        let output = try sanitized(F.phonePhoto(order: .littleEndian, orientation: orientation))
        // then its minimal EXIF carries that orientation.
        let exif = try #require(jpegHeaderSegments(output)?.first { $0.marker == 0xE1 }?.payload)
        #expect(EXIF.orientation(inAPP1Payload: exif) == orientation)
        let ifd0 = try #require(tiffIFD0(Array(exif.dropFirst(6))))
        #expect(ifd0.entries.map(\.tag) == [0x0112])
    }

    @Test("an upright photo gets no EXIF at all", arguments: [
        ("Orientation 1", 1 as Int?), ("no Orientation tag", nil),
    ])
    func jpegUprightHasNoEXIF(label: String, orientation: Int?) throws {
        // Given a photo with GPS and an upright or absent orientation, when sanitized,
        let output = try sanitized(F.phonePhoto(order: .bigEndian, orientation: orientation))
        // then no APP1 and no "Exif" bytes remain, and everything else is kept verbatim.
        #expect(!output.containsBytes(F.ascii("Exif")))
        #expect(output == F.soi + F.app0 + F.imageTail)
    }

    @Test("the rotation goes right after SOI when there is no JFIF segment")
    func jpegOrientationWithoutAPP0() throws {
        // Given an EXIF-only photo (no APP0), as many cameras write,
        let photo = F.soi + F.exifAPP1(F.tiffWithGPS(order: .bigEndian, orientation: 8)) + F.imageTail
        // when sanitized,
        let output = try sanitized(photo)
        // then the minimal EXIF directly follows SOI.
        #expect(output.count == F.soi.count + 36 + F.imageTail.count)
        #expect(output[2..<4].elementsEqual([0xFF, 0xE1]))
        #expect(Array(output.suffix(F.imageTail.count)) == F.imageTail)
    }

    @Test("APP segments are kept only for JFIF, ICC profile and Adobe")
    func jpegSegmentAllowlist() throws {
        // Given a JPEG with every kind of metadata segment next to the ones rendering needs,
        let icc = F.segment(0xE2, F.ascii("ICC_PROFILE\0") + [1, 1] + Array(repeating: 0x42, count: 20))
        let multiPicture = F.segment(0xE2, F.ascii("MPF\0") + F.tiffWithGPS(order: .bigEndian, orientation: nil))
        let adobe = F.segment(0xEE, F.ascii("Adobe") + [0, 100, 0, 0, 0, 0, 1])
        let photoshopIPTC = F.segment(0xED, F.ascii("Photoshop 3.0\0") + F.ascii("8BIM") + F.ascii("Kota Banjarmasin"))
        let otherAPPs = [0xE3, 0xE4, 0xE5, 0xEA, 0xEC, 0xEF].map { F.segment(UInt8($0), F.ascii("VENDOR GPS")) }
        let notJFIF = F.segment(0xE0, F.ascii("AVI1") + [0, 0, 0, 0])
        let jpeg = F.soi + F.app0 + F.xmpAPP1 + icc + multiPicture + photoshopIPTC + otherAPPs.joined()
            + F.comment + notJFIF + adobe + F.imageTail

        // when sanitized,
        let output = try sanitized(jpeg)

        // then JFIF, ICC and Adobe stay in order with the image, and everything else is gone.
        #expect(output == F.soi + F.app0 + icc + adobe + F.imageTail)
    }

    @Test("EXIF that cannot be read is dropped without harm", arguments: [
        MediaSample(name: "header only", bytes: F.ascii("Exif\0\0")),
        MediaSample(name: "unknown byte order", bytes: F.ascii("Exif\0\0XX") + [0, 42, 0, 0, 0, 8]),
        MediaSample(name: "wrong TIFF magic", bytes: F.ascii("Exif\0\0MM") + [0, 43, 0, 0, 0, 8, 0, 0]),
        MediaSample(name: "IFD0 beyond the end", bytes: F.ascii("Exif\0\0MM") + [0, 42, 0xFF, 0xFF, 0xFF, 0xF0]),
        MediaSample(name: "IFD0 inside the header", bytes: F.ascii("Exif\0\0II") + [42, 0, 2, 0, 0, 0, 0, 0]),
        MediaSample(
            name: "entry count larger than the data",
            bytes: F.ascii("Exif\0\0MM") + [0, 42, 0, 0, 0, 8, 0xFF, 0xFF, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0]
        ),
        MediaSample(
            name: "Orientation of type ASCII",
            bytes: F.ascii("Exif\0\0MM") + [0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 2, 0, 0, 0, 2, 0x36, 0, 0, 0, 0, 0, 0, 0]
        ),
        MediaSample(
            name: "Orientation 9",
            bytes: F.ascii("Exif\0\0MM") + [0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 9, 0, 0, 0, 0, 0, 0]
        ),
        MediaSample(
            name: "Orientation 0",
            bytes: F.ascii("Exif\0\0II") + [42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        ),
        MediaSample(
            name: "Orientation with count 0",
            bytes: F.ascii("Exif\0\0II") + [42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 0, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0]
        ),
    ])
    func jpegGarbageEXIF(sample: MediaSample) throws {
        // Given a JPEG whose APP1 says "Exif" but holds nonsense,
        let jpeg = F.soi + F.app0 + F.segment(0xE1, sample.bytes) + F.imageTail
        // when sanitized, then the segment is dropped and no EXIF is invented.
        #expect(try sanitized(jpeg) == F.soi + F.app0 + F.imageTail)
    }

    @Test("an Orientation written as LONG by a lax encoder is still honoured")
    func jpegOrientationAsLong() throws {
        // Given an EXIF whose Orientation is type LONG with value 3,
        let tiff = F.ascii("II") + [42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 4, 0, 1, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0]
        let jpeg = F.soi + F.app0 + F.exifAPP1(tiff) + F.imageTail
        // when sanitized, then the output carries a standard SHORT Orientation 3.
        let output = try sanitized(jpeg)
        #expect(output == F.soi + F.app0 + EXIF.minimalOrientationSegment(3) + F.imageTail)
    }

    @Test("only the first EXIF block decides the rotation")
    func jpegFirstEXIFWins() throws {
        // Given two EXIF segments, the first upright and the second rotated,
        let jpeg = F.soi + F.app0 + F.exifAPP1(F.tiffWithGPS(order: .bigEndian, orientation: 1))
            + F.exifAPP1(F.tiffWithGPS(order: .littleEndian, orientation: 6)) + F.imageTail
        // when sanitized, then the first one rules and both are gone.
        #expect(try sanitized(jpeg) == F.soi + F.app0 + F.imageTail)
    }

    @Test("image data is copied verbatim while metadata between scans and after EOI is dropped")
    func jpegScansAndTrailer() throws {
        // Given a two-scan JPEG whose entropy data holds stuffed bytes, a restart marker and fill,
        // with a comment between the scans and a second image with EXIF GPS appended after EOI,
        let firstScan: [UInt8] = [0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56, 0xFF, 0x00]
        let secondScan: [UInt8] = [0x9A, 0xFF, 0xD1, 0xBC]
        let appended = F.phonePhoto(order: .bigEndian, orientation: 6)
        let jpeg = F.soi + F.app0 + F.frameAndTables + F.sos + firstScan
            + F.comment + F.dhtAC + F.xmpAPP1 + F.sos + secondScan + [0xFF, 0xFF] + F.eoi + appended

        // when sanitized,
        let output = try sanitized(jpeg)

        // then both scans and the tables between them are intact and nothing else survives.
        #expect(output == F.soi + F.app0 + F.frameAndTables + F.sos + firstScan
            + F.dhtAC + F.sos + secondScan + [0xFF, 0xFF] + F.eoi)
        #expect(!output.containsBytes(F.latitudeSeconds(.bigEndian)))
    }

    @Test("a photo cut off inside its image data is kept as it is")
    func jpegTruncatedScan() throws {
        // Given an upload that stops in the middle of the scan (no EOI),
        let jpeg = F.soi + F.app0 + F.exifAPP1(F.tiffWithGPS(order: .bigEndian, orientation: nil))
            + F.frameAndTables + F.sos + [0x00]
        // when sanitized, then the metadata is still stripped and the partial scan kept.
        #expect(try sanitized(jpeg) == F.soi + F.app0 + F.frameAndTables + F.sos + [0x00])
    }

    @Test("a JPEG with broken segments is malformed", arguments: [
        MediaSample(name: "only the signature", bytes: [0xFF, 0xD8, 0xFF]),
        MediaSample(name: "segment header cut after one length byte", bytes: F.soi + [0xFF, 0xE0, 0x00]),
        MediaSample(name: "segment longer than the file", bytes: F.soi + [0xFF, 0xE0, 0x00, 0x10] + F.ascii("JFIF\0")),
        MediaSample(name: "segment length below two", bytes: F.soi + [0xFF, 0xE1, 0x00, 0x01] + F.imageTail),
        MediaSample(
            name: "EXIF segment longer than the file",
            bytes: F.soi + F.app0 + Array(F.exifAPP1(F.tiffWithGPS(order: .bigEndian, orientation: 6)).dropLast(3))
        ),
        MediaSample(name: "ends before any image data", bytes: F.soi + F.app0 + F.frameAndTables),
        MediaSample(name: "EOI before any image data", bytes: F.soi + F.app0 + F.frameAndTables + F.eoi),
        MediaSample(name: "garbage where a marker belongs", bytes: F.soi + F.app0 + [0x12, 0x34] + F.imageTail),
        MediaSample(name: "invalid marker FF00", bytes: F.soi + [0xFF, 0x00] + F.imageTail),
        MediaSample(name: "second start-of-image", bytes: F.soi + F.soi + F.imageTail),
        MediaSample(name: "scan without a frame header", bytes: F.soi + F.app0 + F.sos + F.scan + F.eoi),
        MediaSample(name: "SOS header cut short", bytes: F.soi + F.app0 + F.frameAndTables + Array(F.sos.prefix(5))),
    ])
    func jpegMalformed(sample: MediaSample) {
        // Given a JPEG whose marker structure is broken, when sanitized, then it is malformed.
        #expect(isMalformed(failure(sample.bytes)))
    }

    // MARK: PNG

    @Test("a PNG loses its EXIF, text and time chunks and stays valid")
    func pngStripsMetadata() throws {
        // Given a PNG carrying eXIf (with GPS), tEXt, zTXt and iTXt mentioning GPS, and tIME,
        #expect(validPNGChunkTypes(F.pngWithMetadata)
            == ["IHDR", "eXIf", "tEXt", "pHYs", "zTXt", "IDAT", "iTXt", "tIME", "IEND"])

        // when sanitized,
        let output = try sanitized(F.pngWithMetadata)

        // then it re-walks as a valid PNG (every CRC checked) with only the image chunks, byte for byte,
        #expect(validPNGChunkTypes(output) == ["IHDR", "pHYs", "IDAT", "IEND"])
        #expect(output == F.plainPNG)
        // and no coordinate is left.
        #expect(!output.containsBytes(F.ascii("GPS")))
        #expect(!output.containsBytes(F.latitudeSeconds(.bigEndian)))
    }

    @Test("a PNG without metadata is returned byte for byte")
    func pngUntouched() throws {
        // Given a clean PNG, when sanitized, then nothing changes.
        #expect(try sanitized(F.plainPNG) == F.plainPNG)
    }

    @Test("bytes after IEND are dropped")
    func pngTrailer() throws {
        // Given a PNG with a ZIP appended after IEND (a polyglot), when sanitized,
        let polyglot = F.plainPNG + [0x50, 0x4B, 0x03, 0x04] + F.ascii("GPS secret")
        // then only the PNG remains.
        #expect(try sanitized(polyglot) == F.plainPNG)
    }

    @Test("a PNG with a broken chunk structure is malformed", arguments: [
        MediaSample(name: "signature only", bytes: F.pngSignature),
        MediaSample(name: "bad CRC", bytes: F.pngSignature + F.ihdr + Array(F.idat.dropLast()) + [0x00] + F.iend),
        MediaSample(name: "CRC of a dropped chunk is still checked", bytes: {
            var text = F.chunk("tEXt", F.ascii("Comment\0hi"))
            text[text.count - 1] ^= 0xFF
            return F.pngSignature + F.ihdr + text + F.idat + F.iend
        }()),
        MediaSample(name: "chunk length beyond the end", bytes: F.pngSignature + F.ihdr + [0x00, 0x01, 0x00, 0x00] + F.ascii("IDAT") + Array(1...12)),
        MediaSample(name: "chunk length above 2^31-1", bytes: F.pngSignature + F.ihdr + [0x80, 0, 0, 0] + F.ascii("IDAT")
            + [0, 0, 0, 0]),
        MediaSample(name: "first chunk is not IHDR", bytes: F.pngSignature + F.phys + F.ihdr + F.idat + F.iend),
        MediaSample(name: "IHDR of the wrong size", bytes: F.pngSignature + F.chunk("IHDR", [0, 0, 0, 1]) + F.idat + F.iend),
        MediaSample(name: "second IHDR", bytes: F.pngSignature + F.ihdr + F.ihdr + F.idat + F.iend),
        MediaSample(name: "no IEND", bytes: F.pngSignature + F.ihdr + F.idat),
        MediaSample(name: "IEND cut short", bytes: F.pngSignature + F.ihdr + F.idat + Array(F.iend.dropLast())),
        MediaSample(name: "chunk type that is not letters", bytes: F.pngSignature + F.ihdr + F.chunk("ID\0T", [1]) + F.iend),
    ])
    func pngMalformed(sample: MediaSample) {
        // Given a PNG whose chunks do not hold together, when sanitized, then it is malformed.
        #expect(isMalformed(failure(sample.bytes)))
    }

    @Test("CRC-32 matches the published check values")
    func crc32() {
        // Given the standard check input and PNG's IEND chunk, when checksummed, then the known values come out.
        #expect(CRC32.checksum(F.ascii("123456789")) == 0xCBF4_3926)
        #expect(CRC32.checksum([UInt8]()) == 0)
        #expect(CRC32.checksum(F.ascii("IEND")) == 0xAE42_6082)
    }

    // MARK: WebP

    @Test("a WebP loses its EXIF and XMP chunks and their flags")
    func webpStripsMetadata() throws {
        // Given an extended WebP: VP8X (alpha, EXIF and XMP flags), VP8L, EXIF with GPS and XMP,
        let input = try #require(validWebPChunks(F.webpWithMetadata))
        #expect(input.map(\.name) == ["VP8X", "VP8L", "EXIF", "XMP "])

        // when sanitized,
        let output = try sanitized(F.webpWithMetadata)

        // then the container is valid with the right RIFF size and only VP8X and VP8L remain,
        let chunks = try #require(validWebPChunks(output))
        #expect(chunks.map(\.name) == ["VP8X", "VP8L"])
        // the EXIF and XMP flags are cleared while the alpha flag and canvas stay,
        #expect(chunks[0].payload == [F.alphaFlag, 0, 0, 0, 0, 0, 0, 0, 0, 0])
        // the bitstream is untouched,
        #expect(chunks[1].payload == F.vp8lBitstream)
        #expect(output == F.riff(F.vp8x(flags: F.alphaFlag) + F.vp8l))
        // and no coordinate is left.
        #expect(!output.containsBytes(F.latitudeSeconds(.littleEndian)))
        #expect(!output.containsBytes(F.ascii("GPS")))
    }

    @Test("a simple WebP is returned byte for byte")
    func webpUntouched() throws {
        // Given a simple lossless WebP, when sanitized, then nothing changes.
        #expect(try sanitized(F.plainWebP) == F.plainWebP)
    }

    @Test("bytes beyond the RIFF size are dropped")
    func webpTrailer() throws {
        // Given a WebP with data appended after its RIFF container, when sanitized,
        let output = try sanitized(F.plainWebP + F.ascii("<html>GPS</html>"))
        // then only the container remains.
        #expect(output == F.plainWebP)
    }

    @Test("a WebP with a broken chunk structure is malformed", arguments: [
        MediaSample(name: "chunk length beyond the end", bytes: {
            var webp = F.plainWebP
            webp[16] = 0x40  // VP8L size 0x40, far past the 17 real bytes
            return webp
        }()),
        MediaSample(name: "RIFF size beyond the end", bytes: Array(F.plainWebP.dropLast(2))),
        MediaSample(name: "RIFF size too small for a chunk header", bytes: F.ascii("RIFF") + [8, 0, 0, 0] + F.ascii("WEBPVP8L")),
        MediaSample(name: "odd RIFF size", bytes: F.ascii("RIFF") + [0x1D, 0, 0, 0] + F.ascii("WEBP") + Array(F.vp8l.dropLast())),
        MediaSample(name: "odd chunks without pad bytes", bytes: F.riff(Array(F.vp8l.dropLast()) + F.ascii("ABCD") + [1, 0, 0, 0, 7])),
        MediaSample(name: "no chunks at all", bytes: F.riff([])),
        MediaSample(name: "first chunk is not an image", bytes: F.riff(F.riffChunk("EXIF", [1, 2]) + F.vp8l)),
        MediaSample(name: "VP8X too short", bytes: F.riff(F.riffChunk("VP8X", [0x08, 0, 0, 0]) + F.vp8l)),
        MediaSample(name: "header only", bytes: F.ascii("RIFF") + [0, 0, 0, 0] + F.ascii("WEBP")),
    ])
    func webpMalformed(sample: MediaSample) {
        // Given a WebP whose chunks do not fit its container, when sanitized, then it is malformed.
        #expect(isMalformed(failure(sample.bytes)))
    }

    // MARK: PDF

    @Test("a PDF passes untouched")
    func pdfUntouched() throws {
        // Given a PDF with an Info dictionary, when sanitized, then it is the same bytes and typed PDF.
        let result = try MediaInspector.sanitize(F.pdf)
        #expect(result.type == .pdf)
        #expect(result.bytes == F.pdf)
    }

    // MARK: All types

    static let everySample: [MediaSample] = [
        MediaSample(name: "JPEG big-endian EXIF", bytes: F.phonePhoto(order: .bigEndian, orientation: 6)),
        MediaSample(name: "JPEG little-endian EXIF", bytes: F.phonePhoto(order: .littleEndian, orientation: 8)),
        MediaSample(name: "JPEG upright", bytes: F.phonePhoto(order: .bigEndian, orientation: 1)),
        MediaSample(name: "JPEG without APP0", bytes: F.soi + F.exifAPP1(F.tiffWithGPS(order: .bigEndian, orientation: 5))
            + F.app0 + F.imageTail),
        MediaSample(name: "JPEG with fill bytes", bytes: F.soi + [0xFF, 0xFF] + F.app0 + [0xFF] + F.imageTail),
        MediaSample(name: "PNG with metadata", bytes: F.pngWithMetadata),
        MediaSample(name: "WebP with metadata", bytes: F.webpWithMetadata),
        MediaSample(name: "PDF", bytes: F.pdf),
    ]

    @Test("sanitizing twice changes nothing more", arguments: MediaInspectorTests.everySample)
    func idempotent(sample: MediaSample) throws {
        // Given a sanitized file, when sanitized again, then the bytes and type are the same.
        let once = try MediaInspector.sanitize(sample.bytes)
        let twice = try MediaInspector.sanitize(once.bytes)
        #expect(twice.type == once.type)
        #expect(twice.bytes == once.bytes)
    }
}
