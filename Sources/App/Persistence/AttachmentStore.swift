import AduanCore
import Foundation

/// Attachment bytes on the local disk (a shared volume when several instances run). Files are fsynced before the
/// database row that points at them commits, so an acknowledged attachment is never lost.
struct AttachmentStore: Sendable {
    let root: URL

    func save(_ bytes: [UInt8], ext: String) throws -> String {
        let key = "\(UUID().uuidString.lowercased()).\(ext)"
        let folder = root.appendingPathComponent(String(key.prefix(2)), isDirectory: true)
        try DataFolder.prepare(folder)
        let path = folder.appendingPathComponent(key).path
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw CocoaError(.fileWriteUnknown) }
        defer { close(fd) }
        var written = 0
        try bytes.withUnsafeBytes { buffer in
            while written < buffer.count {
                let n = write(fd, buffer.baseAddress! + written, buffer.count - written)
                guard n > 0 else { throw CocoaError(.fileWriteUnknown) }
                written += n
            }
        }
        guard fsync(fd) == 0 else { throw CocoaError(.fileWriteUnknown) }
        return key
    }

    func url(for key: String) -> URL {
        root.appendingPathComponent(String(key.prefix(2)), isDirectory: true).appendingPathComponent(key)
    }

    func read(_ key: String) throws -> Data { try Data(contentsOf: url(for: key)) }

    /// The file and the thumbnail made from it, if any.
    func delete(_ key: String) {
        try? FileManager.default.removeItem(at: url(for: key))
        ThumbnailStore(attachments: self).delete(key)
    }
}

/// An uploaded file after its type was decided from the content and its metadata stripped.
struct SanitizedFile: Sendable {
    var filename: String
    var type: MediaType
    var bytes: [UInt8]
}
