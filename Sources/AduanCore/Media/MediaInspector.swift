import Foundation

/// The attachment types the specification accepts (SPEC §3 "Attachments").
public enum MediaType: String, Sendable, CaseIterable, Codable {
    case jpeg = "image/jpeg"
    case png = "image/png"
    case webp = "image/webp"
    case pdf = "application/pdf"

    /// The extension used when the file is stored or downloaded; never taken from the upload's name.
    public var fileExtension: String {
        switch self {
        case .jpeg: "jpg"
        case .png: "png"
        case .webp: "webp"
        case .pdf: "pdf"
        }
    }
}

public enum MediaError: Error, Equatable, Sendable {
    case empty
    /// Not one of the four accepted types, judged by content.
    case unsupportedType
    /// The content claims to be an accepted type but its structure is broken; the string says where.
    case malformed(String)

    /// A sentence fit for the API's `{error: {code, message}}` body.
    public var message: String {
        switch self {
        case .empty:
            "The file is empty."
        case .unsupportedType:
            "The file is not a JPEG, PNG or WebP image or a PDF document."
        case .malformed(let detail):
            "The file is damaged or incomplete: \(detail)."
        }
    }
}

public enum MediaInspector {
    /// The type decided from the first bytes, or nil.
    public static func detect(_ bytes: some Collection<UInt8>) -> MediaType? {
        let head = Array(bytes.prefix(12))
        if head.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if head.starts(with: PNG.signature) { return .png }
        if head.count == 12, head.starts(with: Array("RIFF".utf8)), head[8..<12].elementsEqual("WEBP".utf8) {
            return .webp
        }
        // Strict: the header must open the file. Readers tolerate leading junk, but a
        // file with something before "%PDF-" is exactly the polyglot we do not want to store.
        if head.starts(with: Array("%PDF-".utf8)) { return .pdf }
        return nil
    }

    /// Detects the type, validates the container structure and removes metadata that can reveal a location or identity.
    public static func sanitize(_ data: [UInt8]) throws(MediaError) -> (type: MediaType, bytes: [UInt8]) {
        guard !data.isEmpty else { throw .empty }
        guard let type = detect(data) else { throw .unsupportedType }
        switch type {
        case .jpeg: return (type, try JPEG.sanitize(data))
        case .png: return (type, try PNG.sanitize(data))
        case .webp: return (type, try WebP.sanitize(data))
        case .pdf:
            // PDF is kept byte for byte. Its Info dictionary / XMP name an author and software but
            // carry no capture location the way a phone photo's EXIF does, and rewriting PDF
            // safely is a project of its own. Officers reach attachments only through the
            // authorised route, so the reporter's document stays as the reporter sent it.
            return (type, data)
        }
    }
}

/// Bounds are the caller's job: every read below is preceded by a length check at the call site.
enum MediaBytes {
    static func uint16BE(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) << 8 | Int(b[i + 1]) }
    static func uint16LE(_ b: [UInt8], _ i: Int) -> Int { Int(b[i + 1]) << 8 | Int(b[i]) }
    static func uint32BE(_ b: [UInt8], _ i: Int) -> Int {
        Int(b[i]) << 24 | Int(b[i + 1]) << 16 | Int(b[i + 2]) << 8 | Int(b[i + 3])
    }
    static func uint32LE(_ b: [UInt8], _ i: Int) -> Int {
        Int(b[i + 3]) << 24 | Int(b[i + 2]) << 16 | Int(b[i + 1]) << 8 | Int(b[i])
    }
    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }
    static func littleEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 24 & 0xFF)]
    }
    /// Printable form of a four-character code for error messages, without echoing raw bytes.
    static func fourCC(_ b: [UInt8], _ i: Int) -> String {
        String(b[i..<i + 4].map { (0x20...0x7E).contains($0) ? Character(UnicodeScalar($0)) : "?" })
    }
}
