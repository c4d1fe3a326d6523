import Foundation

/// Who may see which field of a complaint (SPEC §3: anonymity and confidentiality; §9: whistleblowing; §10, §12:
/// what the API answers). One policy for every page, API answer, export, Open311 record and webhook; `Access`
/// decides whether a reader reaches the complaint at all, this decides what of it they see once there.
public enum Visibility {
    /// The readers of a complaint.
    public enum Reader: Sendable, Equatable, CaseIterable {
        /// The public portal, the public API (`read-public` keys too), Open311.
        case publicVisitor
        /// The reporter, with the complaint's secret or PIN, or signed in to the account it follows.
        case reporter
        /// An officer whose scope reaches the complaint (`Access.canRead`).
        case officer
        /// An integration's `read-scope` or `act` key, inside its bound scope.
        case integration
        /// A CSV or XLSX export (an officer's scope, or the operator's command line).
        case export
        /// A webhook subscriber's copy of a public event.
        case webhook
    }

    /// What of the reporter's identity a reader sees.
    public enum Identity: Sendable, Equatable {
        /// Nothing: not even whether the reporter left a contact.
        case none
        /// Name, e-mail and phone, never the NIK.
        case contact
        /// Everything the reporter gave, the NIK included.
        case full
    }

    /// Which events of the timeline a reader sees, and whether with their internal text and data.
    public enum Timeline: Sendable, Equatable {
        /// The public events only (no internal notes, escalations or bookkeeping).
        case publicEvents
        /// Every event, without internal text and data (integrations follow the timeline as officers do).
        case allEventsWithoutInternal
        /// Every event with its internal text and data.
        case everything
    }

    /// When a complaint reaches the public side (SPEC §9, issue 19). SP4N-LAPOR! publishes after verification, so by
    /// default a report shows only once the coordinator has verified it: spam and accusations against named staff are
    /// seen by nobody but their reporter until someone has looked. An installation may publish at submission instead
    /// (`ADUAN_PUBLISH`, docs/configuration.md). Privacy (`rahasia`, whistleblowing) holds either way.
    public enum Publication: String, Sendable, Equatable, CaseIterable {
        /// Once verified (`terverifikasi`: dispositioned to a handling unit at least once). The default.
        case afterVerification = "verified"
        /// At once, on submission.
        case atSubmission = "submitted"
    }

    /// Whether the coordinator has verified the complaint (SPEC §4: `verify+dispose`, baru→didisposisikan, is
    /// "terverifikasi"; a later `redispose` follows one). Archiving, merging or forwarding a new report is not.
    public static func isVerified(dispositionCount: Int) -> Bool {
        dispositionCount > 0
    }

    /// Whether the complaint's stage allows it on the public side under `publication` (privacy aside).
    public static func isPublished(dispositionCount: Int, publication: Publication) -> Bool {
        publication == .atSubmission || isVerified(dispositionCount: dispositionCount)
    }

    /// Whether a complaint's privacy allows it on the public side at all (listed, shown without a secret, in Open311,
    /// sent to webhooks). A confidential complaint is not, not even its existence; a whistleblowing report never is (it
    /// is confidential from the start, and stays so: `Submission`, `set_privacy`).
    public static func isPublic(confidential: Bool, type: ComplaintType) -> Bool {
        !confidential && type != .wbs
    }

    /// Whether the public sees the complaint now: its privacy allows it and it is published (`Publication`). Every
    /// public reader asks this (the tracking page without the reporter's credential, the API's public reads).
    public static func isPublic(_ record: ComplaintRecord, publication: Publication) -> Bool {
        isPublic(confidential: record.confidential, type: record.type)
            && isPublished(dispositionCount: record.dispositionCount, publication: publication)
    }

    /// Whether a complaint is listed on the public side (the portal's list and search, Open311): public, published,
    /// and not archived as spam — spam is archived precisely to keep it out of sight.
    public static func isListed(confidential: Bool, type: ComplaintType, archiveReason: ArchiveReason?) -> Bool {
        isPublic(confidential: confidential, type: type) && archiveReason != .spam
    }

    public static func isListed(_ record: ComplaintRecord, publication: Publication) -> Bool {
        isListed(confidential: record.confidential, type: record.type, archiveReason: record.archiveReason)
            && isPublished(dispositionCount: record.dispositionCount, publication: publication)
    }

    /// The reporter's identity as `reader` sees it. The reporter sees all they gave; anonymity hides them from
    /// officers too (SPEC §3); integrations and exports never carry the NIK; the public side carries nothing.
    public static func identity(for reader: Reader, anonymous: Bool) -> Identity {
        switch reader {
        case .reporter: return .full
        case .officer: return anonymous ? .none : .full
        case .integration, .export: return anonymous ? .none : .contact
        case .publicVisitor, .webhook: return .none
        }
    }

    /// The timeline `reader` sees: internal texts and data stay with officers.
    public static func timeline(for reader: Reader) -> Timeline {
        switch reader {
        case .officer: return .everything
        case .integration: return .allEventsWithoutInternal
        case .publicVisitor, .reporter, .webhook, .export: return .publicEvents
        }
    }

    /// Whether `reader` sees the attachments (their list and the files): the reporter and officers; integrations in
    /// their scope. The public side never does (photos carry faces and addresses).
    public static func seesAttachments(_ reader: Reader) -> Bool {
        reader == .reporter || reader == .officer || reader == .integration
    }

    /// Whether `reader` is told the actions they may take now (`available_actions`) and the escalation level.
    public static func seesWorkState(_ reader: Reader) -> Bool {
        reader == .officer || reader == .integration
    }
}
