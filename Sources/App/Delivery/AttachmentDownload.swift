import Vapor

/// Attachments served to whoever a controller let see them (the API, the reporter's tracking page, the case page).
enum AttachmentDownload {
    /// An attachment as a download (never rendered inline, never sniffed).
    static func response(_ attachment: Attachment, app: Application) throws -> Response {
        let store = AttachmentStore(root: app.settings.dataDirectory.appendingPathComponent("attachments"))
        let response = Response(status: .ok, body: .init(data: try store.read(attachment.storageKey)))
        let parts = attachment.contentType.split(separator: "/").map(String.init)
        response.headers.contentType = HTTPMediaType(type: parts.first ?? "application", subType: parts.last ?? "octet-stream")
        let safeName = attachment.filename.filter { $0.isLetter || $0.isNumber || ".-_ ".contains($0) }
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(safeName)\"")
        response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        return response
    }
}
