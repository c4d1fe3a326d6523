import Foundation

/// The states of SPEC §4. Raw values are the stored codes.
public enum ComplaintState: String, Sendable, Codable, CaseIterable {
    case baru, perlu_info, didisposisikan, diproses, ditanggapi, selesai, diarsipkan, diteruskan

    /// No action moves a complaint out of a terminal state.
    public var isTerminal: Bool { self == .selesai || self == .diarsipkan || self == .diteruskan }
    /// States in which the public or reporter is waiting for the government.
    public var isOpen: Bool { !isTerminal }
    /// States in which a government due runs (`ComplaintRecord.officerDue`): the coordinator verifies or the unit
    /// answers. The other open states wait for the reporter.
    public var isGovernmentsTurn: Bool { self == .baru || self == .didisposisikan || self == .diproses }
}

/// Kinds of report (SPEC §3).
public enum ComplaintType: String, Sendable, Codable, CaseIterable {
    case pengaduan, aspirasi, permintaan_informasi, wbs
}

/// How a complaint reached the installation (SPEC §3, §6).
public enum Channel: String, Sendable, Codable, CaseIterable {
    case web, qr, officer, api, open311, sms, whatsapp, email, lapor_import
}

/// Why a complaint was archived (SPEC §4).
public enum ArchiveReason: String, Sendable, Codable, CaseIterable {
    case spam, duplikat, bukan_pelayanan_publik, tidak_lengkap, lainnya
}

/// Resolution classes and their default working-day budgets (SPEC §4).
public enum ResolutionClass: String, Sendable, Codable, CaseIterable {
    case informasi, sederhana, tanpa_pemeriksaan, pemeriksaan_lapangan, berkadar_pengawasan
}

/// The measured stages of SPEC §8.
public enum StageKind: String, Sendable, Codable, CaseIterable {
    case verification, response, resolution
}

/// Every kind of event a complaint's log can hold. Raw values are the stored and API codes.
public enum Action: String, Sendable, Codable, CaseIterable {
    // public
    case submit
    // coordinator
    case verify, request_info, archive, forward_jurisdiction, forward_external, redispose
    case decide_extension, merge, set_privacy
    // reporter
    case reply, confirm, dispute, feedback
    // liaison
    case follow_up, `return`, request_extension, respond_final
    // inspector
    case flag_supervision
    /// Within the handling unit (issue 19): a liaison takes the complaint, or the unit head names the officer who has it.
    case assign, release
    // any officer in scope
    case note
    // system
    case auto_close, auto_archive, escalate, merged_duplicate
    /// The external system a complaint was forwarded to reported its reference or a new status (system, internal).
    case external_update

    /// The actions an officer may request through `POST …/actions/{action}`.
    public static let officerActions: [Action] = [
        .verify, .request_info, .archive, .forward_jurisdiction, .forward_external, .redispose,
        .follow_up, .return, .request_extension, .decide_extension, .respond_final,
        .flag_supervision, .note, .merge, .set_privacy, .assign, .release,
    ]
    /// The actions a reporter takes with the secret.
    public static let reporterActions: [Action] = [.reply, .confirm, .dispute, .feedback]
}

/// Who takes part in a decision.
public enum Participant: Sendable, Equatable {
    case reporter
    case system
    case officer(Officer)

    /// The stored `actor_role` of an event.
    public func roleCode(for action: Action, complaint: ComplaintRecord, tree: OrgTree) -> String {
        switch self {
        case .reporter: return "reporter"
        case .system: return "system"
        case .officer(let officer):
            return Access.actingRole(of: officer, for: action, on: complaint, tree: tree)?.rawValue ?? "officer"
        }
    }
}

/// Why a decision was refused. Each case maps to one HTTP status in the shell.
public enum LifecycleError: Error, Equatable, Sendable {
    /// The actor may not take this action on this complaint (403).
    case notPermitted(String)
    /// The action is not legal in the complaint's current state (409).
    case illegalTransition(action: Action, state: ComplaintState, reason: String)
    /// A required value is missing or wrong (422).
    case invalid(field: String, message: String)

    public var message: String {
        switch self {
        case .notPermitted(let m): return m
        case .illegalTransition(_, _, let reason): return reason
        case .invalid(_, let m): return m
        }
    }
}
