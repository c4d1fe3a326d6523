import Foundation

/// The conditions on a complaint that pages ask about, named once (SPEC §3, §4).
extension ComplaintRecord {
    /// New and never dispositioned: the coordinator's first verification (after a return it is a redisposition).
    public var awaitsFirstVerification: Bool { state == .baru && dispositionCount == 0 }

    /// Handed back to the coordinator by a unit (`return`): new again, but dispositioned before.
    public var isReturned: Bool { state == .baru && dispositionCount > 0 }

    /// Anonymity the reporter chose: a coordinator may set `anonim`, never clear it when the reporter set it.
    public var anonymityLocked: Bool { anonymousByReporter }

    /// Confidentiality nobody may clear: the reporter asked for it, or the report is whistleblowing (always `rahasia`).
    public var confidentialityLocked: Bool { confidentialByReporter || type == .wbs }
}

extension Lifecycle {
    /// The system's command for a complaint whose reporter's window (`reporterDue`) has passed, by state, in the
    /// order the worker sweeps them (SPEC §4: `auto_close` ditanggapi→selesai, `auto_archive` perlu_info→diarsipkan,
    /// each after 10 HK). No other state has one.
    public static let whenReporterWindowEnds: [(state: ComplaintState, command: ComplaintCommand)] = [
        (.ditanggapi, .autoClose), (.perlu_info, .autoArchive),
    ]

    public static func automaticCommand(whenReporterWindowEndsIn state: ComplaintState) -> ComplaintCommand? {
        whenReporterWindowEnds.first { $0.state == state }?.command
    }
}
