import AduanCore
import Fluent
import Foundation

extension Complaint {
    /// The reporter's identity as a reader may see it (`Visibility.identity`): nil when the policy shows none or the
    /// reporter left none, without the NIK for `.contact`. Throws when the sealed identity cannot be opened.
    func reporterIdentity(as shown: Visibility.Identity, secrets: Secrets) throws -> ReporterIdentity? {
        guard shown != .none, let sealed = reporterSealed else { return nil }
        var identity = try JSONDecoder().decode(ReporterIdentity.self, from: secrets.open(sealed))
        if shown == .contact { identity.nik = nil }
        return identity
    }
}

extension QueryBuilder where Model == Complaint {
    /// The complaints listed on the public side (`Visibility.isListed`, as a query): never confidential, never
    /// whistleblowing, never spam, and by default only once verified (`Visibility.Publication`). The portal's list and
    /// Open311 start here.
    func listedPublicly(_ publication: Visibility.Publication) -> Self {
        filter(\.$confidential == false)
            .filter(\.$type != ComplaintType.wbs.rawValue)
            .group(.or) { $0.filter(\.$archiveReason == nil).filter(\.$archiveReason != ArchiveReason.spam.rawValue) }
        if publication == .afterVerification { filter(\.$dispositionCount > 0) }
        return self
    }
}
