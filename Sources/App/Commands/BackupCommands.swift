import Fluent
import Foundation
import SQLKit
import Vapor

/// `aduan backup --to DIR`: an online, consistent copy of the database plus attachments and the secret key.
struct BackupCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "to", help: "folder to write the backup into (created; must be empty)") var to: String?
    }
    var help: String { "Online backup: database (SQLite VACUUM INTO, or pg_dump), attachments and secret key." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let to = signature.to else { throw AppError.badRequest("--to DIR is required") }
        let target = try await Backup.write(context.application, to: URL(fileURLWithPath: to))
        context.console.print("backup written to \(target.path) (keep it safe: it holds the secret key and reporter data)")
    }
}

/// `aduan restore --from DIR`: puts a backup back. Stop every Aduan instance first.
struct RestoreCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "from", help: "a folder written by `aduan backup`") var from: String?
        @Flag(name: "yes", help: "replace the current data without asking") var yes: Bool
    }
    var help: String { "Restore a backup made by `aduan backup` (stop the server first)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let from = signature.from else { throw AppError.badRequest("--from DIR is required") }
        // ConsoleKit takes `--yes`/`-y` itself (it answers every confirmation), so the flag arrives as that override.
        guard signature.yes || context.console.confirmOverride == true else {
            throw AppError.badRequest("restore replaces the current data; run again with --yes")
        }
        let source = try await Backup.restore(context.application, from: URL(fileURLWithPath: from))
        context.console.print("restored from \(source.path); run `aduan audit verify` to check the event log")
    }
}

/// Online backup and restore of one installation: database, attachments and the secret key.
enum Backup {
    @discardableResult
    static func write(_ app: Application, to folder: URL) async throws -> URL {
        let target = folder.standardizedFileURL
        let fm = FileManager.default
        if fm.fileExists(atPath: target.path), !((try? fm.contentsOfDirectory(atPath: target.path)) ?? []).isEmpty {
            throw AppError.conflict("\(target.path) is not empty")
        }
        // The copy holds what the data folder holds (the secret key, reporter data): as private as the original.
        try DataFolder.prepare(target)
        if app.usesSQLite {
            guard let sql = app.writeDB as? any SQLDatabase else { return target }
            try await sql.raw("VACUUM INTO \(bind: target.appendingPathComponent("aduan.sqlite").path)").run()
        } else {
            try Shell.run("pg_dump", ["--format=custom", "--file", target.appendingPathComponent("aduan.pgdump").path, app.settings.databaseURL!])
        }
        let data = app.settings.dataDirectory
        let attachments = data.appendingPathComponent("attachments")
        if fm.fileExists(atPath: attachments.path) {
            try fm.copyItem(at: attachments, to: target.appendingPathComponent("attachments"))
        }
        let key = data.appendingPathComponent("secret.key")
        if fm.fileExists(atPath: key.path) { try fm.copyItem(at: key, to: target.appendingPathComponent("secret.key")) }
        try DataFolder.secure(target)
        let dump = target.appendingPathComponent("aduan.pgdump").path
        if fm.fileExists(atPath: dump) { try DataFolder.narrow(dump, to: DataFolder.fileMode) }
        return target
    }

    /// Replaces the installation's data with a backup. Every Aduan instance must be stopped.
    @discardableResult
    static func restore(_ app: Application, from folder: URL) async throws -> URL {
        let source = folder.standardizedFileURL
        let fm = FileManager.default
        let data = app.settings.dataDirectory
        try DataFolder.prepare(data)
        if app.usesSQLite {
            let backup = source.appendingPathComponent("aduan.sqlite")
            guard fm.fileExists(atPath: backup.path) else { throw AppError.notFound("\(backup.path) not found") }
            await app.databases.shutdownAsync()
            let live = data.appendingPathComponent("aduan.sqlite")
            for suffix in ["", "-wal", "-shm"] { try? fm.removeItem(atPath: live.path + suffix) }
            try fm.copyItem(at: backup, to: live)
        } else {
            try Shell.run("pg_restore", ["--clean", "--if-exists", "--no-owner", "--dbname", app.settings.databaseURL!,
                                         source.appendingPathComponent("aduan.pgdump").path])
        }
        let attachments = data.appendingPathComponent("attachments")
        if fm.fileExists(atPath: source.appendingPathComponent("attachments").path) {
            try? fm.removeItem(at: attachments)
            try fm.copyItem(at: source.appendingPathComponent("attachments"), to: attachments)
        }
        if fm.fileExists(atPath: source.appendingPathComponent("secret.key").path) {
            try? fm.removeItem(at: data.appendingPathComponent("secret.key"))
            try fm.copyItem(at: source.appendingPathComponent("secret.key"), to: data.appendingPathComponent("secret.key"))
        }
        try DataFolder.secure(data)
        return source
    }
}

enum Shell {
    struct Failed: Error, CustomStringConvertible { var description: String }

    static func run(_ tool: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw Failed(description: "\(tool) exited with status \(process.terminationStatus)") }
    }
}
