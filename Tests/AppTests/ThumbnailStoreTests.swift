import AduanCore
import Foundation
import Testing

@testable import App

/// The thumbnail cache beside the attachments (issue 19): made once, read back, nothing for what does not decode.
struct ThumbnailStoreTests {
    static func temporaryStore() throws -> ThumbnailStore {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("aduan-thumbs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        return ThumbnailStore(attachments: AttachmentStore(root: root))
    }

    /// A 320 × 200 RGB PNG made with the product's own writer: a horizontal red ramp over a blue-green vertical one.
    static func pngPhoto() throws -> [UInt8] {
        var pixels: [UInt8] = []
        for y in 0..<200 { for x in 0..<320 { pixels += [UInt8(x * 255 / 319), UInt8(y * 255 / 199), 128] } }
        return try ThumbnailStore.encodePNG(Raster(width: 320, height: 200, pixels: pixels))
    }

    @Test func aPNGAttachmentGetsAThumbnailOnceAndItIsKept() throws {
        // Given a PNG attachment in the store
        let thumbnails = try Self.temporaryStore()
        let key = try thumbnails.attachments.save(try Self.pngPhoto(), ext: "png")
        // When its thumbnail is asked for
        let thumb = try #require(thumbnails.thumbnail(for: key, type: .png))
        // Then it is 240 × 150 (longest side 240, aspect kept), a PNG whose header says so, written beside the file
        #expect(thumb.width == 240 && thumb.height == 150)
        let header = try #require(ThumbnailStore.pngSize(thumb.png))
        #expect(header.width == 240 && header.height == 150)
        #expect(FileManager.default.fileExists(atPath: thumbnails.pngURL(for: key).path))
        // and it reads back through the product's PNG decoder with the ramp intact (box filter of a linear ramp)
        let decoded = try Thumbnail.make(from: thumb.png, type: .png, longestSide: 1000, inflate: { try Zlib.inflate($0, exactly: $1) })
        #expect(decoded.width == 240 && decoded.height == 150)
        #expect(decoded.pixels[0] < 4 && decoded.pixels[(239) * 3] > 251 && decoded.pixels[2] == 128)
        // A second request reads the kept file: the attachment itself may be gone and the thumbnail still comes.
        try FileManager.default.removeItem(at: thumbnails.attachments.url(for: key))
        #expect(thumbnails.thumbnail(for: key, type: .png)?.png == thumb.png)
    }

    @Test func aFileThatDoesNotDecodeIsRememberedAsHavingNone() throws {
        let thumbnails = try Self.temporaryStore()
        var broken = try Self.pngPhoto()
        broken.removeLast(40)  // IDAT cut short: the zlib stream does not end
        let key = try thumbnails.attachments.save(broken, ext: "png")
        #expect(thumbnails.thumbnail(for: key, type: .png) == nil)
        #expect(FileManager.default.fileExists(atPath: thumbnails.noneURL(for: key).path))
        let webp = try thumbnails.attachments.save(Array("RIFF\0\0\0\0WEBPVP8 ".utf8), ext: "webp")
        #expect(thumbnails.thumbnail(for: webp, type: .webp) == nil)
    }

    @Test func deletingAnAttachmentDeletesItsThumbnail() throws {
        let thumbnails = try Self.temporaryStore()
        let key = try thumbnails.attachments.save(try Self.pngPhoto(), ext: "png")
        _ = thumbnails.thumbnail(for: key, type: .png)
        thumbnails.attachments.delete(key)
        #expect(!FileManager.default.fileExists(atPath: thumbnails.pngURL(for: key).path))
    }

    @Test func zlibInflateNeverReturnsMoreThanAsked() throws {
        let data = [UInt8](repeating: 7, count: 10_000)
        let packed = try Zlib.compress(data)
        #expect(try Zlib.inflate(packed, exactly: 10_000) == data)
        #expect(try Zlib.inflate(packed, exactly: 100).count == 100)
        #expect(throws: (any Error).self) { try Zlib.inflate(packed, exactly: 20_000) }
        #expect(throws: (any Error).self) { try Zlib.inflate(Array(packed.prefix(5)), exactly: 10_000) }
    }
}
