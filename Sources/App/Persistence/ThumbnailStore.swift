import AduanCore
import Foundation

/// Thumbnails of image attachments (issue 19), made on first request and kept next to the attachment in the
/// `AttachmentStore`, so every instance sharing the volume finds them. Submitting is untouched: the decode cost is paid
/// by the first page that shows the attachment, once.
///
/// `<key>.thumb.png` is the thumbnail; an empty `<key>.thumb.none` records that the file gave none (WebP, PDF, a
/// picture the decoder refuses), so a bad file is not decoded again on every view. Both are written to a temporary name,
/// fsynced and renamed, so two instances making the same thumbnail at once both leave a whole file.
struct ThumbnailStore: Sendable {
    let attachments: AttachmentStore

    struct Thumb: Sendable {
        var width: Int
        var height: Int
        var png: [UInt8]
    }

    func pngURL(for key: String) -> URL { attachments.url(for: key + ".thumb.png") }
    func noneURL(for key: String) -> URL { attachments.url(for: key + ".thumb.none") }

    /// The thumbnail of the attachment stored under `key`, made now if it was never made; nil when it has none.
    /// Blocking (file I/O and decoding): call it off the event loop.
    func thumbnail(for key: String, type: MediaType) -> Thumb? {
        if let cached = try? [UInt8](Data(contentsOf: pngURL(for: key))), let size = Self.pngSize(cached) {
            return Thumb(width: size.width, height: size.height, png: cached)
        }
        if FileManager.default.fileExists(atPath: noneURL(for: key).path) { return nil }
        guard type == .jpeg || type == .png, let bytes = try? attachments.read(key) else {
            try? write([], to: noneURL(for: key))
            return nil
        }
        guard let raster = try? Thumbnail.make(from: [UInt8](bytes), type: type, inflate: Zlib.inflate),
              let png = try? Self.encodePNG(raster) else {
            try? write([], to: noneURL(for: key))
            return nil
        }
        try? write(png, to: pngURL(for: key))
        return Thumb(width: raster.width, height: raster.height, png: png)
    }

    func delete(_ key: String) {
        try? FileManager.default.removeItem(at: pngURL(for: key))
        try? FileManager.default.removeItem(at: noneURL(for: key))
    }

    private func write(_ bytes: [UInt8], to url: URL) throws {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(UUID().uuidString.lowercased()).tmp")
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw CocoaError(.fileWriteUnknown) }
        var written = 0
        let ok = bytes.withUnsafeBytes { buffer -> Bool in
            while written < buffer.count {
                guard let base = buffer.baseAddress else { return false }
                let n = Foundation.write(fd, base + written, buffer.count - written)
                guard n > 0 else { return false }
                written += n
            }
            return fsync(fd) == 0
        }
        close(fd)
        guard ok, rename(temporary.path, url.path) == 0 else {
            unlink(temporary.path)
            throw CocoaError(.fileWriteUnknown)
        }
    }

    /// Width and height from a PNG's IHDR, or nil when the bytes are not a whole PNG header.
    static func pngSize(_ png: [UInt8]) -> (width: Int, height: Int)? {
        guard png.count >= 33, png.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]),
              png[12..<16].elementsEqual("IHDR".utf8) else { return nil }
        let be = { (i: Int) in Int(png[i]) << 24 | Int(png[i + 1]) << 16 | Int(png[i + 2]) << 8 | Int(png[i + 3]) }
        let (w, h) = (be(16), be(20))
        return w > 0 && h > 0 ? (w, h) : nil
    }

    /// The thumbnail as a PNG (`Raster.png`), deflated by the system zlib.
    static func encodePNG(_ image: Raster) throws -> [UInt8] {
        try image.png(deflate: Zlib.compress)
    }
}
