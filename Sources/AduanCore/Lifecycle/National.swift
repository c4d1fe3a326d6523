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
        /// The archive reason the status itself says (`Konten Terblokir` is spam); others read `Alasan Tunda/Arsip`.
        public var archiveReason: ArchiveReason?
        /// LAPOR will not change it any more: the status sync stops asking.
        public var isFinal: Bool { imported != .baru }

        public init(equivalent: ComplaintState, imported: ComplaintState, archiveReason: ArchiveReason? = nil) {
            self.equivalent = equivalent; self.imported = imported; self.archiveReason = archiveReason
        }
    }

    /// Labels as LAPOR's admin panel and its "Laporan Ringkas" export write them (see `status(of:)`).
    public static let statuses: [(label: String, status: Status)] = [
        ("Belum Terverifikasi", Status(equivalent: .baru, imported: .baru)),
        ("Menunggu Kelengkapan Informasi", Status(equivalent: .perlu_info, imported: .baru)),
        ("Tunda", Status(equivalent: .perlu_info, imported: .baru)),
        ("Terverifikasi", Status(equivalent: .didisposisikan, imported: .baru)),
        ("Didisposisikan", Status(equivalent: .didisposisikan, imported: .baru)),
        ("Dalam Proses", Status(equivalent: .diproses, imported: .baru)),
        ("Ditindaklanjuti", Status(equivalent: .diproses, imported: .baru)),
        ("Ditanggapi", Status(equivalent: .ditanggapi, imported: .baru)),
        ("Selesai", Status(equivalent: .selesai, imported: .selesai)),
        ("Ditutup oleh Sistem", Status(equivalent: .selesai, imported: .selesai)),
        ("Ditutup oleh Admin", Status(equivalent: .selesai, imported: .selesai)),
        ("Ditutup oleh Pelapor", Status(equivalent: .selesai, imported: .selesai)),
        ("Diarsipkan", Status(equivalent: .diarsipkan, imported: .diarsipkan)),
        ("Diarsipkan oleh Admin", Status(equivalent: .diarsipkan, imported: .diarsipkan)),
        ("Diarsipkan oleh Sistem", Status(equivalent: .diarsipkan, imported: .diarsipkan)),
        ("Diarsipkan oleh Pelapor", Status(equivalent: .diarsipkan, imported: .diarsipkan)),
        ("Ditolak", Status(equivalent: .diarsipkan, imported: .diarsipkan)),
        ("Konten Terblokir", Status(equivalent: .diarsipkan, imported: .diarsipkan, archiveReason: .spam)),
    ]

    /// The reading of a status label, case, spacing and punctuation aside; nil for a label LAPOR does not use.
    /// "Ditutup oleh …" and "Diarsipkan oleh …" name who closed it; any closer reads the same.
    public static func status(of label: String) -> Status? {
        let key = normalise(label)
        if let known = statuses.first(where: { normalise($0.label) == key })?.status { return known }
        if key.hasPrefix("ditutup oleh ") { return Status(equivalent: .selesai, imported: .selesai) }
        if key.hasPrefix("diarsipkan oleh ") { return Status(equivalent: .diarsipkan, imported: .diarsipkan) }
        return nil
    }

    static func normalise(_ text: String) -> String {
        text.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).joined(separator: " ")
    }
}

extension Lifecycle {
    /// A report read from LAPOR's admin export (`LaporExport.read`), as one `submit` event by the importing officer:
    /// open in `baru` (the verification clock starts now, the dispositioned agency marked as the target unit) or
    /// already finished there (`selesai`, `diarsipkan` with its reason; no clock, closed now, the dispositioned agency
    /// kept as the handling unit — the installation's record of who handled it; no disposition is counted, since none
    /// was made here). `unit` is the agency mapped to a unit of `jurisdiction`, `category` a category of this
    /// installation. The event's data keeps LAPOR's number, status, date, source and agency; `note` (internal) says
    /// where it came from. Imports notify nobody: the importer is the coordinator whose queue they fill, and LAPOR's
    /// reporter has no address here.
    public static func importFromNational(_ r: LaporExport.Reading, into jurisdiction: String, unit: String?, category: String?,
                                          hasReporterContact: Bool = false, trackingID: String, actorRole: String, note: String?,
                                          context: DecisionContext) throws(LifecycleError) -> Transition {
        let laporID = r.laporID.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !laporID.isEmpty, laporID.count <= LaporExport.numberLimit else {
            throw .invalid(field: "lapor_id", message: "the LAPOR tracking number is required (at most 64 characters)")
        }
        guard context.tree.jurisdictions[jurisdiction] != nil else { throw .invalid(field: "jurisdiction", message: "unknown jurisdiction \(jurisdiction)") }
        if let unit {
            guard let known = context.tree.units[unit], known.jurisdiction == jurisdiction, known.active else {
                throw .invalid(field: "unit", message: "unit \(unit) is not an active unit of jurisdiction \(jurisdiction)")
            }
        }
        let submittedAt = r.submittedAt ?? context.now
        guard submittedAt <= context.now else { throw .invalid(field: "submitted_at", message: "the LAPOR submission date is in the future") }

        var record = ComplaintRecord(trackingID: trackingID, type: r.type, channel: r.channel, state: .baru, jurisdiction: jurisdiction,
                                     submittedAt: submittedAt)
        record.category = category
        record.anonymous = r.anonymous
        record.anonymousByReporter = r.anonymous
        record.confidential = r.confidential || r.type == .wbs
        record.confidentialByReporter = record.confidential
        record.supervision = r.supervision
        record.hasReporterContact = hasReporterContact
        record.laporID = laporID

        var builder = TransitionBuilder(record: record, action: .submit, actorRole: actorRole, texts: Texts(internal: note), context: context)
        var data = ["channel": r.channel.rawValue, "type": r.type.rawValue, "lapor_id": laporID,
                    "lapor_submitted_at": submittedAt.formatted(.iso8601)]
        if r.state == .baru {
            builder.after.targetUnit = unit
            builder.startVerification(in: jurisdiction)
            if let unit { data["target_unit"] = unit }
        } else {
            builder.close(to: r.state)
            builder.after.unit = unit
            if r.state == .diarsipkan { builder.after.archiveReason = r.archiveReason ?? .lainnya }
            if let unit { data["unit"] = unit }
            if let reason = builder.after.archiveReason { data["reason"] = reason.rawValue }
        }
        if r.supervision { data["supervision"] = "true" }
        if let medium = r.medium { data["medium"] = medium }
        let kept: [(String, String?)] = [("lapor_status", r.status), ("lapor_source", r.source), ("lapor_instansi", r.agency),
                                         ("lapor_category", r.category)]
        for case let (key, value?) in kept { data[key] = value }
        // The category and privacy it starts with, so the event log alone tells what it was then (monev as of a date, `Replay`).
        data["category"] = category ?? ""
        data["anonymous"] = String(record.anonymous); data["confidential"] = String(record.confidential)
        builder.events.append(EventDraft(action: .submit, fromState: nil, toState: builder.after.state, at: context.now,
                                         actorRole: actorRole, unit: unit, jurisdiction: jurisdiction,
                                         internalText: builder.texts.internalText, dueAt: builder.setDue, data: data))
        return builder.finish()
    }

    /// A later export (or a new alias) maps the LAPOR agency of an imported complaint to `unit`: a finished import
    /// takes it as its handling unit, an open one never dispositioned here as its target unit, in an internal
    /// `external_update` event ("what LAPOR reported"). Nil when there is nothing to change: not imported, the unit is
    /// already that, or this installation has dispositioned the complaint since (its own decision stands).
    public static func nationalUnit(_ record: ComplaintRecord, unit: String, agency: String, actorRole: String,
                                    context: DecisionContext) -> Transition? {
        guard record.laporID != nil, record.dispositionCount == 0, let known = context.tree.units[unit],
              known.jurisdiction == record.jurisdiction, known.active else { return nil }
        var builder = TransitionBuilder(record: record, action: .external_update, actorRole: actorRole,
                                        texts: Texts(internal: "Instansi SP4N-LAPOR! \u{201C}\(agency)\u{201D} dipetakan ke unit \(known.name)."),
                                        context: context)
        let field: String
        switch record.state {
        case .selesai, .diarsipkan:
            guard record.unit != unit else { return nil }
            builder.after.unit = unit
            field = "unit"
        case .baru:
            guard record.targetUnit != unit else { return nil }
            builder.after.targetUnit = unit
            field = "target_unit"
        default:
            return nil
        }
        builder.event(unit: unit, data: [field: unit, "lapor_instansi": agency])
        return builder.finish()
    }
}

extension National {
    /// The states in which a newly mapped LAPOR agency reaches an imported complaint (`Lifecycle.nationalUnit`): an
    /// `external_update` outside the forwarding it otherwise follows.
    public static let agencyMappingStates: Set<ComplaintState> = [.baru, .selesai, .diarsipkan]
}
