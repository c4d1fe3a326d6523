import Foundation

/// The data folder of the embedded default holds the SQLite file (reporter identities sealed, but complaint texts in
/// clear), the generated secret key and the attachments: readable by the server's own user only. Folders are 0700 and
/// files 0600, whatever the umask; those an earlier version made wider are narrowed at start.
enum DataFolder {
    static let folderMode: Int16 = 0o700
    static let fileMode: Int16 = 0o600

    /// Creates `folder` (and its parents) private, or narrows it when it exists.
    static func prepare(_ folder: URL) throws {
        let fm = FileManager.default
        try fm.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: folderMode])
        try narrow(folder.path, to: folderMode)
    }

    /// Makes `file` exist as an empty private file (SQLite gives its -wal and -shm files the database file's mode),
    /// or narrows it when it exists.
    static func privateFile(_ file: URL) throws {
        let fm = FileManager.default
        if !fm.fileExists(atPath: file.path) {
            let fd = open(file.path, O_WRONLY | O_CREAT | O_EXCL, mode_t(fileMode))
            if fd >= 0 { close(fd) }
        }
        try narrow(file.path, to: fileMode)
    }

    /// The installation's files as this version makes them: the folder, the database with its -wal and -shm, the
    /// secret key and the attachment folder (whose files are written 0600 one by one).
    static func secure(_ folder: URL) throws {
        try prepare(folder)
        let fm = FileManager.default
        for name in ["aduan.sqlite", "aduan.sqlite-wal", "aduan.sqlite-shm", "secret.key"] {
            let path = folder.appendingPathComponent(name).path
            if fm.fileExists(atPath: path) { try narrow(path, to: fileMode) }
        }
        let attachments = folder.appendingPathComponent("attachments")
        if fm.fileExists(atPath: attachments.path) {
            try narrow(attachments.path, to: folderMode)
            for sub in (try? fm.contentsOfDirectory(atPath: attachments.path)) ?? [] {
                try narrow(attachments.appendingPathComponent(sub).path, to: folderMode)
            }
        }
    }

    /// Keeps only the rights `mode` allows (0644 & 0600 = 0600): narrows, never widens.
    static func narrow(_ path: String, to mode: Int16) throws {
        let fm = FileManager.default
        guard let current = (try fm.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.int16Value else { return }
        let narrowed = current & mode
        if narrowed != current { try fm.setAttributes([.posixPermissions: NSNumber(value: narrowed)], ofItemAtPath: path) }
    }
}
