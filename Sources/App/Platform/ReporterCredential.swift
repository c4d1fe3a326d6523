import AduanCore
import Foundation
import Vapor

/// The reporter's proof of being the reporter of a complaint (SPEC §3): the long secret of the link (256 random bits),
/// the six-digit PIN, or the view cookie the server set after one of them was given. Issue 17: a PIN in the tracking
/// cookie was checked without any lock-out, so the cookie now never carries the PIN or the secret, only a signature
/// (`viewToken`) that cannot be guessed; and the PIN, wherever it is typed, goes through `SecretLimiter`.
enum ReporterCredential {
    /// The PIN's shape: six digits (spaces between them allowed, as people type them).
    static func pinDigits(_ value: String) -> String? {
        let digits = value.filter { !$0.isWhitespace }
        return digits.count == 6 && digits.unicodeScalars.allSatisfy { ("0"..."9").contains($0) } ? digits : nil
    }

    /// The complaint `trackingID` names when `value` is its secret or PIN; nil when it is not, whether the complaint
    /// exists or not (the caller answers both alike, `wrongSecret`). A PIN is counted by `SecretLimiter` against the
    /// tracking ID asked for, *before* the complaint is looked up, so an unknown number and a confidential complaint
    /// are limited, and answered, the same way (429 when the limit is reached).
    static func verify(_ value: String, trackingID: TrackingID, req: Request) async throws -> Complaint? {
        let secrets = req.application.secrets
        if let pin = pinDigits(value) {
            let buckets = SecretPolicy.reporterPIN.buckets(subject: SecretSubject.complaint(trackingID.rawValue), address: req.clientBucket)
            return try await SecretLimiter.guarded(buckets, app: req.application) { () -> SecretLimiter.Outcome<Complaint?> in
                guard let complaint = try await Complaint.byTrackingID(trackingID.rawValue, on: req.db),
                      Secrets.constantTimeEqual(secrets.reporterSecretHash(pin), complaint.pinHash) else { return .wrong(nil) }
                return .right(complaint)
            }
        }
        // The link secret cannot be guessed (256 bits): compared in constant time, without a counter.
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.count <= 200, let complaint = try await Complaint.byTrackingID(trackingID.rawValue, on: req.db),
              Secrets.constantTimeEqual(secrets.reporterSecretHash(trimmed), complaint.secretHash) else { return nil }
        return complaint
    }

    /// The answer to a wrong secret or PIN: for a confidential complaint exactly the answer to an unknown number
    /// (its existence is not revealed), for a public one a 403.
    static func wrongSecret(_ complaint: Complaint?, notFound: AppError) -> AppError {
        guard let complaint, !complaint.confidential else { return notFound }
        return AppError(status: .forbidden, code: "bad_secret", message: "the reporter secret or PIN is wrong")
    }

    /// The `aduan_t` cookie's value once the reporter proved who they are: a signature over the complaint and its
    /// secret and PIN hashes (so it stops working if they change), never the secret or PIN itself.
    static func viewToken(_ complaint: Complaint, secrets: Secrets) -> String {
        secrets.linkSignature("reporter-view|\(complaint.trackingID)|\(complaint.secretHash)|\(complaint.pinHash)")
    }

    /// Whether a cookie value proves the reporter: the view token, or (cookies set before issue 17) the link secret.
    /// A PIN in the cookie proves nothing: the cookie is no place to guess PINs.
    static func acceptsCookie(_ value: String, _ complaint: Complaint, secrets: Secrets) -> Bool {
        if Secrets.constantTimeEqual(value, viewToken(complaint, secrets: secrets)) { return true }
        guard pinDigits(value) == nil, !value.isEmpty, value.count <= 200 else { return false }
        return Secrets.constantTimeEqual(secrets.reporterSecretHash(value), complaint.secretHash)
    }
}
