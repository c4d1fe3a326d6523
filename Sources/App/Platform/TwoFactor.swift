import AduanCore
import Foundation
import SQLKit
import Vapor

/// Officers' second factor (issue 5): TOTP enrolment, recovery codes, and the check at sign-in.
enum TwoFactor {
    static let issuer = "Aduan"
    static let recoveryCodeCount = 10

    /// A new random TOTP secret (160 bits, base32 as authenticator apps expect).
    static func newSecret() -> String { base32Encode([UInt8].random(count: 20)) }

    /// The `otpauth://` URI an authenticator app reads from the enrolment QR code.
    /// The label is `Aduan <host>:<username>`: one colon, between issuer and account, as the apps expect.
    static func uri(secret: String, username: String, site: String) -> String {
        let host = URL(string: site)?.host ?? site
        let issuerName = "\(issuer) \(host)".replacingOccurrences(of: ":", with: "")
        func encode(_ s: String) -> String { s.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "-._~").union(.alphanumerics)) ?? s }
        return "otpauth://totp/\(encode(issuerName)):\(encode(username))?secret=\(secret)&issuer=\(encode(issuerName))&algorithm=SHA1&digits=6&period=30"
    }

    /// Ten one-time recovery codes like `7KQ2M-X9PJA` (50 random bits each) and the hashes to store.
    static func newRecoveryCodes() -> (codes: [String], stored: String) {
        let alphabet = TrackingID.alphabet
        let codes = (0..<recoveryCodeCount).map { _ -> String in
            let symbols = (0..<10).map { _ in alphabet[Int.random(in: 0..<alphabet.count)] }
            return String(symbols[0..<5]) + "-" + String(symbols[5..<10])
        }
        return (codes, codes.map { Secrets.sha256(normalise($0)) }.joined(separator: "|"))
    }

    static func normalise(_ code: String) -> String {
        code.uppercased().filter { $0.isLetter || $0.isNumber }
    }

    /// Whether `code` is a fresh TOTP code or an unused recovery code of `user`, and uses it up in the same database
    /// statement that checks it is unused: of several requests carrying one code at once, exactly one gets in (a TOTP
    /// step is accepted once, later steps only after it; a recovery code once). An account without two-factor accepts.
    /// Call it behind `SecretLimiter`: it is a guessable secret.
    static func consume(_ code: String, for user: User, app: Application) async throws -> Bool {
        guard let sealed = user.totpSealed else { return true }
        guard let secret = app.secrets.openTOTP(sealed), let id = user.id else { return false }
        let trimmed = code.trimmingCharacters(in: .whitespaces)
        let sql = app.writeDB as! any SQLDatabase
        if let step = TOTP.matchingStep(trimmed, secret: secret, at: app.clock.now) {
            return try await !sql.raw("""
                UPDATE users SET totp_last_step = \(bind: step) WHERE id = \(bind: id) AND (totp_last_step IS NULL OR totp_last_step < \(bind: step))
                RETURNING id
                """).all().isEmpty
        }
        guard trimmed.count >= 10 else { return false }
        let hash = Secrets.sha256(normalise(trimmed))
        // Compare-and-set on the list: a parallel use of another code makes this one read the list again.
        for _ in 0..<8 {
            guard let row = try await sql.raw("SELECT recovery_codes FROM users WHERE id = \(bind: id)").first(),
                  let stored = try row.decodeNil(column: "recovery_codes") ? nil : row.decode(column: "recovery_codes", as: String.self) else { return false }
            var remaining = stored.split(separator: "|").map(String.init)
            guard let index = remaining.firstIndex(of: hash) else { return false }
            remaining.remove(at: index)
            let swapped = try await sql.raw("""
                UPDATE users SET recovery_codes = \(bind: remaining.joined(separator: "|")) WHERE id = \(bind: id) AND recovery_codes = \(bind: stored)
                RETURNING id
                """).all()
            if !swapped.isEmpty { return true }
        }
        return false
    }

    static func remainingRecoveryCodes(_ user: User) -> Int {
        (user.recoveryCodes ?? "").split(separator: "|").count
    }

    /// Whether the sysadmin requires a second factor for any role the officer holds.
    static func required(for officer: Officer, reference: ReferenceData) -> Bool {
        officer.assignments.contains { reference.totpRequiredRoles.contains($0.role) }
    }

    static func base32Encode(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var out = "", buffer = 0, bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | Int(byte); bits += 8
            while bits >= 5 { bits -= 5; out.append(alphabet[(buffer >> bits) & 31]) }
        }
        if bits > 0 { out.append(alphabet[(buffer << (5 - bits)) & 31]) }
        return out
    }
}

extension [UInt8] {
    static func random(count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }
}
