import Foundation
import Vapor

/// The one rule for a redirect target that comes from input (`next` of the language switch and of the officers'
/// sign-in, the page an officer asked for before signing in). Issue 17: a CR/LF in `next` became a second header
/// (`Set-Cookie`), and a tab got past the open-redirect check. A target is accepted only when it is a path on this
/// site and nothing else:
/// - printable ASCII without spaces (so no CR, LF, tab, NUL, DEL, no Unicode look-alikes): anything else was not
///   percent-encoded and is refused, not repaired;
/// - it starts with one `/` (not `//` or `/\`), holds no `\`, and parses as a URL without scheme, host, user or port;
/// - once percent-decoded, its path, query and fragment still hold no control character and no `\`, the path does
///   not start with `//` and has no `.` or `..` segment (so `/%2e%2e//evil` or `/%0d%0a` fail too);
/// - under `prefix` when one is given (the officers' sign-in sends only into `/petugas`).
enum RedirectTarget {
    static let maxLength = 2_000

    /// `raw` when it is a safe local target, else nil.
    static func local(_ raw: String?, under prefix: String? = nil) -> String? {
        guard let raw, !raw.isEmpty, raw.utf8.count <= maxLength,
              raw.unicodeScalars.allSatisfy({ (0x21...0x7e).contains($0.value) }),
              raw.hasPrefix("/"), !raw.hasPrefix("//"), !raw.contains("\\"), hasOnlyValidEscapes(raw),
              let url = URLComponents(string: raw),
              url.scheme == nil, url.host == nil, url.user == nil, url.password == nil, url.port == nil,
              url.percentEncodedPath.hasPrefix("/") else { return nil }
        let decoded = [url.path, url.query ?? "", url.fragment ?? ""]
        guard decoded.allSatisfy({ part in !part.contains("\\") && !part.unicodeScalars.contains(where: isControl) }),
              !url.path.hasPrefix("//"),
              !url.path.split(separator: "/", omittingEmptySubsequences: false).contains(where: { $0 == "." || $0 == ".." }) else { return nil }
        if let prefix, !(url.path == prefix || url.path.hasPrefix(prefix + "/")) { return nil }
        return raw
    }

    /// Every `%` starts an escape of two hex digits (`/%zz` and a trailing `%` are refused, whatever a URL parser
    /// makes of them).
    static func hasOnlyValidEscapes(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "%") {
                guard i + 2 < bytes.count, bytes[(i + 1)...(i + 2)].allSatisfy({ (48...57).contains($0) || (65...70).contains($0) || (97...102).contains($0) }) else { return false }
                i += 3
            } else {
                i += 1
            }
        }
        return true
    }

    /// C0 and C1 controls and DEL.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7f...0x9f).contains(scalar.value)
    }

    /// A local target as the value of a `next=` query parameter: every character but letters and digits encoded.
    static func queryValue(_ target: String) -> String {
        target.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
    }
}

/// Headers are never built from raw input; should one ever carry a control character (a CR/LF split), the response
/// is refused instead of sent (`RedirectTarget` is the rule; this is the net under it). Vapor's HTTP/1 pipeline does
/// not validate outbound headers itself.
struct ResponseHeaderGuard: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        guard let bad = response.headers.first(where: { header in
            (header.name + header.value).unicodeScalars.contains { $0.value < 0x20 && $0 != "\t" || $0.value == 0x7f }
                || header.name.unicodeScalars.contains { $0 == "\t" || $0 == " " || $0 == ":" }
        }) else { return response }
        request.logger.error("refused a response whose header carried a control character", metadata: ["header": "\(bad.name)"])
        let refused = Response(status: .badRequest)
        refused.headers.contentType = .plainText
        refused.body = .init(string: "bad request\n")
        return refused
    }
}
