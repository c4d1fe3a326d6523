import AduanCore
import Vapor

/// Attachments served to whoever a controller let see them (the API, the reporter's tracking page, the case page).
enum AttachmentDownload {
    static func store(_ app: Application) -> AttachmentStore {
        AttachmentStore(root: app.settings.dataDirectory.appendingPathComponent("attachments"))
    }

    /// An attachment as a download (never rendered inline, never sniffed).
    static func response(_ attachment: Attachment, app: Application) throws -> Response {
        let response = Response(status: .ok, body: .init(data: try store(app).read(attachment.storageKey)))
        let parts = attachment.contentType.split(separator: "/").map(String.init)
        response.headers.contentType = HTTPMediaType(type: parts.first ?? "application", subType: parts.last ?? "octet-stream")
        let safeName = attachment.filename.filter { $0.isLetter || $0.isNumber || ".-_ ".contains($0) }
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(safeName)\"")
        response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        return response
    }

    /// The attachment's thumbnail (a PNG this server made, so shown inline), or a 404 when it has none. The controller
    /// calls it after the very checks it makes for `response`: a thumbnail is seen by exactly who may open the file.
    static func thumbnailResponse(_ attachment: Attachment, req: Request) async throws -> Response {
        guard let thumb = try await thumbnail(attachment, app: req.application) else {
            throw AppError.notFound(req.text("not_found_page"))
        }
        let response = Response(status: .ok, body: .init(data: Data(thumb.png)))
        response.headers.contentType = .png
        response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        // Private: a confidential complaint's picture must not sit in a shared cache.
        response.headers.replaceOrAdd(name: .cacheControl, value: "private, max-age=86400")
        return response
    }

    /// Made (or read from the store) on the thread pool, never on the event loop.
    static func thumbnail(_ attachment: Attachment, app: Application) async throws -> ThumbnailStore.Thumb? {
        guard let type = MediaType(rawValue: attachment.contentType), type == .jpeg || type == .png else { return nil }
        let thumbnails = ThumbnailStore(attachments: store(app))
        let key = attachment.storageKey
        return try await app.threadPool.runIfActive { thumbnails.thumbnail(for: key, type: type) }
    }

    /// Width and height of each attachment's thumbnail, for the pages' `<img width height>`; an attachment without
    /// one (WebP, PDF, an image that does not decode) is missing from the result and shows as a file tile.
    static func thumbnailSizes(_ attachments: [Attachment], app: Application) async -> [UUID: ThumbnailSize] {
        var sizes: [UUID: ThumbnailSize] = [:]
        for attachment in attachments {
            guard let id = attachment.id, let thumb = try? await thumbnail(attachment, app: app) else { continue }
            sizes[id] = ThumbnailSize(width: thumb.width, height: thumb.height)
        }
        return sizes
    }
}

struct ThumbnailSize: Sendable, Encodable {
    var width: Int
    var height: Int
}

/// How a page shows one attachment: a thumbnail linking to the file, or a file tile naming its kind.
struct AttachmentLink: Encodable, Sendable {
    var name: String
    var url: String
    var size: String
    /// The thumbnail's own route, its size for `<img width height>`; nil for a file tile.
    var thumbnailURL: String?
    var thumbnailWidth: Int?
    var thumbnailHeight: Int?
    /// "PDF", "WEBP", "JPEG", "PNG": the tile's label when there is no thumbnail.
    var kind: String

    init(_ attachment: Attachment, url: String, thumbnailURL: String, sizes: [UUID: ThumbnailSize]) {
        name = attachment.filename
        self.url = url
        size = ByteSize.text(attachment.size)
        kind = (MediaType(rawValue: attachment.contentType)?.fileExtension ?? "file").uppercased().replacingOccurrences(of: "JPG", with: "JPEG")
        if let id = attachment.id, let thumb = sizes[id] {
            self.thumbnailURL = thumbnailURL
            thumbnailWidth = thumb.width
            thumbnailHeight = thumb.height
        }
    }
}
