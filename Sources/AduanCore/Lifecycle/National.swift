import Foundation

/// SP4N-LAPOR!, the national complaint system (SPEC §6, §10): the forward destination, the outbox kinds of the
/// bridge and how LAPOR's statuses read in Aduan's lifecycle.
public enum National {
    /// The `forward_external` destination that means "send it to SP4N-LAPOR!" (stored form).
    public static let destination = "lapor"
    /// Outbox kind of a forward through the bridge.
    public static let forwardKind = "lapor_forward"
    /// Outbox kind of a follow-up or final answer pushed back to LAPOR for a complaint imported from there.
    public static let answerKind = "lapor_answer"

    /// `lapor`, `LAPOR`, `SP4N-LAPOR!` and `sp4n-lapor` name the national system; any other text is a free
    /// destination (another agency), forwarded by hand.
    public static func isDestination(_ text: String) -> Bool {
        let key = text.lowercased().filter { $0.isLetter || $0.isNumber }
        return key == "lapor" || key == "sp4nlapor"
    }

    /// A LAPOR status label as Aduan reads it.
    public struct Status: Sendable, Equatable {
        /// The state of SPEC §4 that corresponds to it (the table's "LAPOR equivalent").
        public var equivalent: ComplaintState
        /// The state an imported complaint starts in: LAPOR's finished statuses stay finished; every open one
        /// starts at `baru`, because a unit, its deadlines and its stages only exist once this installation's
        /// coordinator dispositions it.
        public var imported: ComplaintState
        /// LAPOR will not change it any more: the status sync stops asking.
        public var isFinal: Bool { imported != .baru }
    }

    /// Labels as LAPOR's admin panel shows them, keyed by their normalised form (see `status(of:)`).
    public static let statuses: [(label: String, status: Status)] = [
        ("Belum Terverifikasi", Status(equivalent: .baru, imported: .baru)),
        ("Tunda", Status(equivalent: .perlu_info, imported: .baru)),
        ("Terverifikasi", Status(equivalent: .didisposisikan, imported: .baru)),
        ("Didisposisikan", Status(equivalent: .didisposisikan, imported: .baru)),
        ("Dalam Proses", Status(equivalent: .diproses, imported: .baru)),
        ("Ditindaklanjuti", Status(equivalent: .diproses, imported: .baru)),
        ("Ditanggapi", Status(equivalent: .ditanggapi, imported: .baru)),
        ("Selesai", Status(equivalent: .selesai, imported: .selesai)),
        ("Diarsipkan", Status(equivalent: .diarsipkan, imported: .diarsipkan)),
        ("Ditolak", Status(equivalent: .diarsipkan, imported: .diarsipkan)),
    ]

    /// The reading of a status label, case, spacing and punctuation aside; nil for a label LAPOR does not use.
    public static func status(of label: String) -> Status? {
        let key = normalise(label)
        return statuses.first { normalise($0.label) == key }?.status
    }

    static func normalise(_ text: String) -> String {
        text.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).joined(separator: " ")
    }
}

extension Lifecycle {
    /// A complaint exported from LAPOR's admin panel, as one `submit` event of channel `lapor_import` by the
    /// importing officer: open in `baru` (the verification clock starts now) or already finished there
    /// (`selesai`, `diarsipkan`; no clock, closed now). `submittedAt` is LAPOR's submission date. The event's
    /// data keeps the LAPOR number, status and submission date; `note` (internal) says where it came from.
    /// Validate `submission` with `Submission.problems` first. Imports notify nobody: the importer is the
    /// coordinator whose queue they fill, and LAPOR's reporter has no address here.
    public static func importFromNational(_ submission: Submission, trackingID: String, laporID: String, laporStatus: String,
                                          submittedAt: Date, actorRole: String, note: String?,
                                          context: DecisionContext) throws(LifecycleError) -> Transition {
        guard let status = National.status(of: laporStatus) else {
            throw .invalid(field: "status", message: "unknown LAPOR status '\(laporStatus)'; one of \(National.statuses.map(\.label).joined(separator: ", "))")
        }
        let laporID = laporID.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !laporID.isEmpty, laporID.count <= 64 else { throw .invalid(field: "lapor_id", message: "the LAPOR tracking number is required (at most 64 characters)") }
        guard submittedAt <= context.now else { throw .invalid(field: "submitted_at", message: "the LAPOR submission date is in the future") }

        var record = ComplaintRecord(trackingID: trackingID, type: submission.type, channel: .lapor_import,
                                     state: .baru, jurisdiction: submission.jurisdiction, submittedAt: submittedAt)
        record.category = submission.category
        record.targetUnit = submission.targetUnit
        record.anonymous = submission.anonymous
        record.anonymousByReporter = submission.anonymous
        record.confidential = submission.confidential || submission.type == .wbs
        record.confidentialByReporter = record.confidential
        record.hasReporterContact = submission.hasReporterContact
        record.laporID = laporID

        var builder = TransitionBuilder(record: record, action: .submit, actorRole: actorRole, texts: Texts(internal: note), context: context)
        switch status.imported {
        case .baru:
            builder.startVerification(in: submission.jurisdiction)
        case .diarsipkan:
            builder.close(to: .diarsipkan)
            builder.after.archiveReason = .lainnya
        default:
            builder.close(to: status.imported)
        }
        let formatter = ISO8601DateFormatter()
        var data = ["channel": Channel.lapor_import.rawValue, "type": submission.type.rawValue, "lapor_id": laporID,
                    "lapor_status": laporStatus, "lapor_submitted_at": formatter.string(from: submittedAt),
                    "anonymous": String(record.anonymous), "confidential": String(record.confidential)]
        if let target = submission.targetUnit { data["target_unit"] = target }
        data["category"] = submission.category ?? ""
        builder.events.append(EventDraft(action: .submit, fromState: nil, toState: builder.after.state, at: context.now,
                                         actorRole: actorRole, unit: submission.targetUnit, jurisdiction: submission.jurisdiction,
                                         internalText: builder.texts.internalText, dueAt: builder.setDue, data: data))
        return builder.finish()
    }
}
