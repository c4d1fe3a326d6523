import Vapor

/// The static files of `Resources/Public` (stylesheet, script, favicon), in front of Vapor's `FileMiddleware`, which
/// only ever sees a path that can name one of them (issue 19, fix 9). Every other path goes on to the routes, so a
/// path of 5,000 characters, one with `..` or with bytes that decode to nothing is the routes' 404, never the file
/// system's "File name too long" as a 500, a 403 for `..` or a 400 for a broken escape.
struct PublicFiles: AsyncMiddleware {
    let files: FileMiddleware

    init(publicDirectory: String) {
        files = FileMiddleware(publicDirectory: publicDirectory)
    }

    /// Longest path a public file has; anything longer is not one.
    static let maxPathLength = 64

    /// Whether `path` (as sent, still percent-encoded) can name a public file: one of the folders' plain names or the
    /// favicon, nothing encoded, no dot segments.
    static func mayName(_ path: String) -> Bool {
        guard path.utf8.count <= maxPathLength else { return false }
        if path == "/favicon.ico" { return true }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].isEmpty, ["css", "js"].contains(parts[1]) else { return false }
        let name = parts[2]
        return !name.isEmpty && !name.hasPrefix(".") && name.utf8.allSatisfy { byte in
            (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x2E || byte == 0x2D || byte == 0x5F
        }
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard request.method == .GET || request.method == .HEAD, Self.mayName(request.url.path) else {
            return try await next.respond(to: request)
        }
        do {
            return try await files.respond(to: request, chainingTo: next)
        } catch let error as any AbortError {
            throw error
        } catch {
            // The file system refused the name: for the visitor it is simply not there.
            throw Abort(.notFound)
        }
    }
}
