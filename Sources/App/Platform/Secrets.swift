import Crypto
import Foundation
import Vapor

/// Keys derived from ADUAN_SECRET_KEY (or a key generated into the data folder on first run).
/// Separate subkeys so that one use can never be turned into another.
struct Secrets: Sendable {
    let sealing: SymmetricKey
    let lookup: SymmetricKey
    let chain: SymmetricKey
    let reporterSecret: SymmetricKey
    /// Seals officers' TOTP secrets (issue 17: never stored in clear).
    let totpSealing: SymmetricKey
    /// Signs links and cookies the server hands out: e-mail verification links, the reporter's view cookie.
    let links: SymmetricKey

    init(master: String) {
        let ikm = SymmetricKey(data: Data(master.utf8))
        func derive(_ label: String) -> SymmetricKey {
            HKDF<SHA256>.deriveKey(inputKeyMaterial: ikm, salt: Data("aduan".utf8), info: Data(label.utf8), outputByteCount: 32)
        }
        sealing = derive("reporter-identity-aes-gcm")
        lookup = derive("lookup-hmac")
        chain = derive("event-chain-hmac")
        reporterSecret = derive("reporter-secret-hmac")
        totpSealing = derive("officer-totp-aes-gcm")
        links = derive("signed-link-hmac")
    }

    /// Loads the configured key, or the one in the data folder, creating it (mode 0600) on first run.
    static func load(settings: Settings, logger: Logger) throws -> Secrets {
        if let key = settings.secretKey { return Secrets(master: key) }
        let file = settings.dataDirectory.appendingPathComponent("secret.key")
        if let existing = try? String(contentsOf: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines), existing.count >= 32 {
            return Secrets(master: existing)
        }
        try DataFolder.prepare(settings.dataDirectory)
        let generated = Secrets.randomToken(bytes: 32)
        FileManager.default.createFile(atPath: file.path, contents: Data((generated + "\n").utf8), attributes: [.posixPermissions: 0o600])
        logger.notice("generated a new secret key", metadata: ["file": "\(file.path)"])
        if settings.databaseURL != nil {
            logger.warning("ADUAN_SECRET_KEY is not set: every instance sharing this database must use the key in \(file.path)")
        }
        return Secrets(master: generated)
    }

    func seal(_ plaintext: Data) throws -> String { try Self.seal(plaintext, with: sealing) }

    func open(_ sealed: String) throws -> Data { try Self.open(sealed, with: sealing) }

    /// AES-GCM, stored as the base64 of nonce + ciphertext + tag.
    static func seal(_ plaintext: Data, with key: SymmetricKey) throws -> String {
        try AES.GCM.seal(plaintext, using: key).combined!.base64EncodedString()
    }

    static func open(_ sealed: String, with key: SymmetricKey) throws -> Data {
        guard let data = Data(base64Encoded: sealed) else { throw AppError.badRequest("corrupt sealed value") }
        return try AES.GCM.open(AES.GCM.SealedBox(combined: data), using: key)
    }

    /// An officer's TOTP secret, sealed for the `users.totp_sealed` column.
    func sealTOTP(_ base32: String) throws -> String { try Self.seal(Data(base32.utf8), with: totpSealing) }

    func openTOTP(_ sealed: String) -> String? {
        (try? Self.open(sealed, with: totpSealing)).flatMap { String(data: $0, encoding: .utf8) }
    }

    /// HMAC of `text` under the link key, hex: what the server signs into links and cookies it hands out.
    func linkSignature(_ text: String) -> String {
        hex(HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: links))
    }

    /// Keyed hash for looking up a reporter by e-mail or phone without storing them in clear.
    func lookupHash(_ value: String) -> String {
        hex(HMAC<SHA256>.authenticationCode(for: Data(value.lowercased().trimmingCharacters(in: .whitespaces).utf8), using: lookup))
    }

    func chainHash(_ bytes: [UInt8]) -> String { hex(HMAC<SHA256>.authenticationCode(for: bytes, using: chain)) }

    func reporterSecretHash(_ secret: String) -> String {
        hex(HMAC<SHA256>.authenticationCode(for: Data(secret.utf8), using: reporterSecret))
    }

    static func sha256(_ text: String) -> String { hex(SHA256.hash(data: Data(text.utf8))) }

    /// Compares two strings in time that depends only on their length (for keys in links).
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
    static func sha256(bytes: [UInt8]) -> String { hex(SHA256.hash(data: bytes)) }

    /// URL-safe random token.
    static func randomToken(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        let raw = (0..<bytes).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Data(raw).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// A six-digit PIN.
    static func randomPIN() -> String { String(format: "%06d", Int.random(in: 0...999_999)) }
}

func hex<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
    let digits = Array("0123456789abcdef".utf8)
    var out = [UInt8](); out.reserveCapacity(64)
    for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 0x0f)]) }
    return String(decoding: out, as: UTF8.self)
}

func hex<M: MessageAuthenticationCode>(_ mac: M) -> String { mac.withUnsafeBytes { hex($0) } }
func hex(_ digest: SHA256.Digest) -> String { hex(Array(digest)) }

extension Application {
    private struct SecretsKey: StorageKey { typealias Value = Secrets }
    var secrets: Secrets {
        get { guard let s = storage[SecretsKey.self] else { fatalError("secrets not configured") }; return s }
        set { storage[SecretsKey.self] = newValue }
    }
    private struct SettingsKey: StorageKey { typealias Value = Settings }
    var settings: Settings {
        get { guard let s = storage[SettingsKey.self] else { fatalError("settings not configured") }; return s }
        set { storage[SettingsKey.self] = newValue }
    }
}
