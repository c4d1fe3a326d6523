import Crypto
import Foundation

/// An e-mail address with an optional display name, parsed from `Name <local@domain>` or a bare address.
struct MailAddress: Sendable, Equatable, CustomStringConvertible {
    var name: String?
    var address: String

    init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let open = trimmed.lastIndex(of: "<"), trimmed.hasSuffix(">") {
            let name = trimmed[..<open].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            self.init(name: name.isEmpty ? nil : name, address: String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)]))
        } else {
            self.init(name: nil, address: trimmed)
        }
    }

    /// Nil unless `address` is a plain ASCII `local@domain` that cannot smuggle SMTP syntax or headers.
    init?(name: String?, address: String) {
        guard MailAddress.isValid(address) else { return nil }
        self.name = name.map(MIME.singleLine).flatMap { $0.isEmpty ? nil : $0 }
        self.address = address
    }

    static func isValid(_ address: String) -> Bool {
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
              address.utf8.count <= 254 else { return false }
        let forbidden = Set("<>()[]\\,;:\" ".utf8)
        return address.utf8.allSatisfy { $0 > 32 && $0 < 127 && !forbidden.contains($0) }
    }

    /// The address domain, used for Message-IDs.
    var domain: String { String(address.split(separator: "@").last ?? "localhost") }

    /// Header form: `Name <addr>`, the name quoted or RFC 2047-encoded when it needs to be.
    var header: String {
        guard let name else { return address }
        let atext = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: " !#$%&'*+-/=?^_`{|}~."))
        if name.unicodeScalars.allSatisfy({ $0.isASCII && atext.contains($0) }) { return "\(name) <\(address)>" }
        if name.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 32 && $0.value < 127 }) {
            return "\"" + name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\" <\(address)>"
        }
        return MIME.encodedWords(name) + " <\(address)>"
    }

    var description: String { header }
}

/// A message ready to be rendered: RFC 5322 headers around a multipart/alternative text + HTML body.
struct MailMessage: Sendable {
    var from: MailAddress
    var to: [MailAddress]
    var subject: String
    var text: String
    var html: String
    var date: Date
    /// The outbox idempotency key: the Message-ID derives from it, so a redelivery is recognisably the same message.
    var idempotencyKey: String

    /// Deterministic per idempotency key and sender domain.
    var messageID: String {
        let digest = SHA256.hash(data: Data(idempotencyKey.utf8)).map { String(format: "%02x", $0) }.joined()
        return "<\(digest.prefix(32)).aduan@\(from.domain)>"
    }

    /// The boundary starts with `=_`, which quoted-printable output can never contain.
    func rendered(boundary: String = "=_aduan_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()) -> String {
        var lines: [String] = []
        lines.append("From: " + from.header)
        lines.append("To: " + to.map { $0.header }.joined(separator: ",\r\n "))
        lines.append("Subject: " + MIME.headerText(subject, prefixLength: 9))
        lines.append("Date: " + MIME.rfc5322Date(date))
        lines.append("Message-ID: " + messageID)
        lines.append("X-Aduan-Message-Key: " + MIME.singleLine(idempotencyKey).unicodeScalars.filter { $0.isASCII && $0.value > 32 }.map(String.init).joined())
        lines.append("Auto-Submitted: auto-generated")
        lines.append("MIME-Version: 1.0")
        lines.append("Content-Type: multipart/alternative; boundary=\"\(boundary)\"")
        lines.append("")
        lines.append("This is a multi-part message in MIME format.")
        for (type, body) in [("text/plain", text), ("text/html", html)] {
            lines.append("--" + boundary)
            lines.append("Content-Type: \(type); charset=UTF-8")
            lines.append("Content-Transfer-Encoding: quoted-printable")
            lines.append("")
            lines.append(MIME.quotedPrintable(body))
        }
        lines.append("--" + boundary + "--")
        return lines.joined(separator: "\r\n") + "\r\n"
    }
}

/// MIME and RFC 2047 encodings, by hand: no package on this machine does them.
enum MIME {
    /// Collapses line breaks and other control characters, which must never reach a header.
    static func singleLine(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { CharacterSet.controlCharacters.contains($0) ? " " : $0 }))
            .trimmingCharacters(in: .whitespaces)
    }

    /// Header text: plain when it is short printable ASCII, otherwise RFC 2047 encoded-words.
    static func headerText(_ text: String, prefixLength: Int) -> String {
        let clean = singleLine(text)
        if clean.unicodeScalars.allSatisfy({ $0.value >= 32 && $0.value < 127 }), prefixLength + clean.utf8.count <= 76, !clean.contains("=?") {
            return clean
        }
        return encodedWords(clean)
    }

    /// `=?UTF-8?B?…?=` words of at most 39 bytes of text each (64 characters), never splitting a character,
    /// folded one per line so no header line passes 76 characters.
    static func encodedWords(_ text: String) -> String {
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in text {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > 39, !chunk.isEmpty {
                words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty || words.isEmpty { words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=") }
        return words.joined(separator: "\r\n ")
    }

    /// Quoted-printable (RFC 2045 §6.7) with CRLF line ends and soft breaks keeping lines at 76 characters.
    static func quotedPrintable(_ text: String) -> String {
        let normalized = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        var out: [String] = []
        for line in normalized.split(separator: "\n", omittingEmptySubsequences: false) {
            let bytes = Array(line.utf8)
            var current = ""
            for (index, byte) in bytes.enumerated() {
                let last = index == bytes.count - 1
                let literal = (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "=")) || ((byte == 32 || byte == 9) && !last)
                let piece = literal ? String(UnicodeScalar(byte)) : String(format: "=%02X", byte)
                if current.count + piece.count > 75 {
                    out.append(current + "=")
                    current = ""
                }
                current += piece
            }
            out.append(current)
        }
        return out.joined(separator: "\r\n")
    }

    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }

    /// The DATA payload: CRLF line ends, a dot doubled at the start of every line (RFC 5321 §4.5.2), and the
    /// terminating `.` line.
    static func dotStuffed(_ message: String) -> String {
        let normalized = message.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        var lines = normalized.split(separator: "\n", omittingEmptySubsequences: false).map { $0.hasPrefix(".") ? "." + $0 : String($0) }
        if lines.last == "" { lines.removeLast() }
        return lines.map { $0 + "\r\n" }.joined() + ".\r\n"
    }

    static func escapeHTML(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
