import AduanCore
import Fluent
import Foundation
import SQLKit

/// The complaint row: content plus the projection of its events (see `ComplaintRecord`).
final class Complaint: Model, @unchecked Sendable {
    static let schema = "complaints"
    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Field(key: "tracking_id") var trackingID: String
    @Field(key: "type") var type: String
    @Field(key: "channel") var channel: String
    @Field(key: "state") var state: String
    @Field(key: "jurisdiction_code") var jurisdictionCode: String
    @OptionalField(key: "unit_id") var unitID: String?
    /// Collaborating unit ids as `|63/dinkes|63/dlh|` so a LIKE can find one.
    @Field(key: "collaborating_units") var collaboratingUnits: String
    @OptionalField(key: "target_unit_id") var targetUnitID: String?
    /// The user name of the handling unit's officer who has the complaint (issue 19, M026).
    @OptionalField(key: "assignee_id") var assigneeID: String?
    @OptionalField(key: "category_code") var categoryCode: String?
    @OptionalField(key: "resolution_class") var resolutionClass: String?
    @Field(key: "supervision") var supervision: Bool
    @Field(key: "anonymous") var anonymous: Bool
    @Field(key: "anonymous_by_reporter") var anonymousByReporter: Bool
    @Field(key: "confidential") var confidential: Bool
    @Field(key: "confidential_by_reporter") var confidentialByReporter: Bool
    @Field(key: "has_contact") var hasContact: Bool

    @Field(key: "title") var title: String
    @Field(key: "body") var body: String
    @OptionalField(key: "incident_date") var incidentDate: String?
    @OptionalField(key: "address") var address: String?
    @OptionalField(key: "lat") var lat: Double?
    @OptionalField(key: "lng") var lng: Double?
    @OptionalField(key: "qr_code") var qrCode: String?
    @Field(key: "language") var language: String
    /// Reporter identity sealed with AES-GCM (base64), nil when anonymous without contact.
    @OptionalField(key: "reporter_sealed") var reporterSealed: String?
    @OptionalField(key: "reporter_email_hash") var reporterEmailHash: String?
    @OptionalField(key: "reporter_phone_hash") var reporterPhoneHash: String?
    @Field(key: "secret_hash") var secretHash: String
    @Field(key: "pin_hash") var pinHash: String
    /// Unused since M016: wrong PINs are counted by `SecretLimiter` (`ReporterCredential`). Kept because the column is required.
    @Field(key: "secret_failures") var secretFailures: Int
    /// The reporter's choice of channels for messages (and their unsubscribe links).
    @Field(key: "notify_email") var notifyEmail: Bool
    @Field(key: "notify_phone") var notifyPhone: Bool
    /// The government due a "due soon" reminder was sent for (the worker sends one per due).
    @OptionalField(key: "due_soon_notified_for") var dueSoonNotifiedFor: Date?
    /// The reporter account that follows this complaint, if the reporter has one.
    @OptionalField(key: "reporter_account_id") var reporterAccountID: UUID?

    @Field(key: "submitted_at") var submittedAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    @OptionalField(key: "verification_due") var verificationDue: Date?
    @OptionalField(key: "response_due") var responseDue: Date?
    @OptionalField(key: "resolution_due") var resolutionDue: Date?
    @OptionalField(key: "reporter_due") var reporterDue: Date?
    @OptionalField(key: "resolution_started_at") var resolutionStartedAt: Date?
    /// The current stage's due (API `due_at`), denormalised for sorting.
    @OptionalField(key: "due_at") var dueAt: Date?
    /// The government's current due, denormalised so "overdue now" is an index scan.
    @OptionalField(key: "officer_due") var officerDue: Date?
    @OptionalField(key: "extension_requested_days") var extensionRequestedDays: Int?
    @Field(key: "extension_days") var extensionDays: Int
    @Field(key: "extension_used") var extensionUsed: Bool
    @Field(key: "disposition_count") var dispositionCount: Int
    /// `ComplaintRecord.dispositionJurisdictions`, joined by commas.
    @Field(key: "disposition_jurisdictions") var dispositionJurisdictions: String
    @Field(key: "reopen_count") var reopenCount: Int
    @OptionalField(key: "rating") var rating: Int?
    @OptionalField(key: "archive_reason") var archiveReason: String?
    @OptionalField(key: "merged_into") var mergedInto: String?
    @OptionalField(key: "external_destination") var externalDestination: String?
    @OptionalField(key: "external_ref") var externalRef: String?
    @OptionalField(key: "external_status") var externalStatus: String?
    @OptionalField(key: "external_status_at") var externalStatusAt: Date?
    /// SP4N-LAPOR! tracking number of an imported complaint; unique, so importing an export twice adds nothing.
    @OptionalField(key: "lapor_id") var laporID: String?
    /// The agency SP4N-LAPOR! dispositioned an imported complaint to, as LAPOR wrote it (`Instansi Terdisposisi`).
    @OptionalField(key: "lapor_instansi") var laporInstansi: String?
    @Field(key: "escalation_level") var escalationLevel: Int
    @OptionalField(key: "closed_at") var closedAt: Date?
    @Field(key: "event_count") var eventCount: Int
    /// Hash of the latest event: deleting the newest event is caught too.
    @Field(key: "head_hash") var headHash: String

    init() {}

    /// The lifecycle projection as the core sees it.
    var record: ComplaintRecord {
        var r = ComplaintRecord(trackingID: trackingID, type: ComplaintType(rawValue: type) ?? .pengaduan,
                                channel: Channel(rawValue: channel) ?? .web, state: ComplaintState(rawValue: state) ?? .baru,
                                jurisdiction: jurisdictionCode, submittedAt: submittedAt)
        r.unit = unitID
        r.assignee = assigneeID
        r.collaboratingUnits = collaboratingUnits.split(separator: "|").map(String.init)
        r.targetUnit = targetUnitID
        r.category = categoryCode
        r.resolutionClass = resolutionClass.flatMap(ResolutionClass.init(rawValue:))
        r.supervision = supervision
        r.anonymous = anonymous; r.anonymousByReporter = anonymousByReporter
        r.confidential = confidential; r.confidentialByReporter = confidentialByReporter
        r.hasReporterContact = hasContact
        r.verificationDue = verificationDue; r.responseDue = responseDue; r.resolutionDue = resolutionDue
        r.reporterDue = reporterDue; r.resolutionStartedAt = resolutionStartedAt
        r.extensionRequestedDays = extensionRequestedDays; r.extensionDays = extensionDays; r.extensionUsed = extensionUsed
        r.dispositionCount = dispositionCount; r.reopenCount = reopenCount; r.rating = rating
        r.dispositionJurisdictions = Complaint.jurisdictions(dispositionJurisdictions)
        r.archiveReason = archiveReason.flatMap(ArchiveReason.init(rawValue:))
        r.mergedInto = mergedInto; r.externalDestination = externalDestination; r.externalRef = externalRef
        r.externalStatus = externalStatus; r.externalStatusAt = externalStatusAt; r.laporID = laporID
        r.escalationLevel = escalationLevel; r.closedAt = closedAt; r.eventCount = eventCount
        return r
    }

    // The row's one description (issue 14): each column is named once, by its field above; these lists say which
    // fields the submission sets and which every transition rewrites, and `RowField` binds a field's value. The store
    // (`ComplaintStore.commit`, `ComplaintStore.insert`) and the generator (`aduan demo generate`) write through them.

    /// Fields that only the submission sets.
    var contentFields: [any RowField] {
        [$trackingID, $title, $body, $incidentDate, $address, $lat, $lng, $qrCode, $language, $reporterSealed,
         $reporterEmailHash, $reporterPhoneHash, $secretHash, $pinHash, $secretFailures, $reporterAccountID, $submittedAt,
         $notifyEmail, $notifyPhone, $laporID, $laporInstansi]
    }

    /// Fields of the lifecycle projection, rewritten by every transition.
    var projectionFields: [any RowField] {
        [$type, $channel, $state, $jurisdictionCode, $unitID, $collaboratingUnits, $targetUnitID, $categoryCode, $resolutionClass,
         $supervision, $anonymous, $anonymousByReporter, $confidential, $confidentialByReporter, $hasContact, $updatedAt,
         $verificationDue, $responseDue, $resolutionDue, $reporterDue, $resolutionStartedAt, $dueAt, $officerDue,
         $extensionRequestedDays, $extensionDays, $extensionUsed, $dispositionCount, $reopenCount, $dispositionJurisdictions,
         $rating, $archiveReason, $mergedInto, $externalDestination, $externalRef, $externalStatus, $externalStatusAt,
         $escalationLevel, $closedAt, $eventCount, $headHash, $assigneeID]
    }

    /// Columns that only the submission sets (SQL insert in `ComplaintStore.commit`).
    var contentColumns: [(String, any SQLExpression)] { contentFields.map { ($0.column, $0.bound) } }

    /// Columns of the lifecycle projection, rewritten by every transition.
    var projectionColumns: [(String, any SQLExpression)] { projectionFields.map { ($0.column, $0.bound) } }

    /// The columns a new row is inserted with, after `id` (names only: read from an empty row).
    static let insertColumns: [String] = { let c = Complaint(); return (c.contentFields + c.projectionFields).map(\.column) }()

    /// The stored list of jurisdictions as a sorted set (the migration that filled it wrote them in no set order).
    static func jurisdictions(_ text: String) -> [String] {
        Set(text.split(separator: ",").map(String.init)).sorted()
    }

    /// Writes the projection fields of `r` onto the row.
    func apply(_ r: ComplaintRecord, at now: Date) {
        trackingID = r.trackingID; type = r.type.rawValue; channel = r.channel.rawValue; state = r.state.rawValue
        jurisdictionCode = r.jurisdiction; unitID = r.unit; assigneeID = r.assignee
        collaboratingUnits = r.collaboratingUnits.isEmpty ? "" : "|" + r.collaboratingUnits.joined(separator: "|") + "|"
        targetUnitID = r.targetUnit; categoryCode = r.category; resolutionClass = r.resolutionClass?.rawValue
        supervision = r.supervision; anonymous = r.anonymous; anonymousByReporter = r.anonymousByReporter
        confidential = r.confidential; confidentialByReporter = r.confidentialByReporter; hasContact = r.hasReporterContact
        submittedAt = r.submittedAt; updatedAt = now
        verificationDue = r.verificationDue; responseDue = r.responseDue; resolutionDue = r.resolutionDue
        reporterDue = r.reporterDue; resolutionStartedAt = r.resolutionStartedAt
        dueAt = r.dueAt; officerDue = r.officerDue
        extensionRequestedDays = r.extensionRequestedDays; extensionDays = r.extensionDays; extensionUsed = r.extensionUsed
        dispositionCount = r.dispositionCount; reopenCount = r.reopenCount; rating = r.rating
        dispositionJurisdictions = r.dispositionJurisdictions.joined(separator: ",")
        archiveReason = r.archiveReason?.rawValue; mergedInto = r.mergedInto
        externalDestination = r.externalDestination; externalRef = r.externalRef
        externalStatus = r.externalStatus; externalStatusAt = r.externalStatusAt; laporID = r.laporID
        escalationLevel = r.escalationLevel; closedAt = r.closedAt; eventCount = r.eventCount
    }
}

extension Complaint {
    /// The complaint with this tracking ID; nil for an unknown or malformed one.
    static func byTrackingID(_ trackingID: String, on db: any Database) async throws -> Complaint? {
        guard let id = TrackingID(trackingID) else { return nil }
        return try await Complaint.query(on: db).filter(\.$trackingID == id.rawValue).first()
    }
}

/// A model field as a SQL column: its name (the field's key) and its value, bound. The one encoding of a row's
/// values for the SQLKit writes that bypass Fluent (`Complaint.contentColumns`).
protocol RowField {
    var column: String { get }
    var bound: any SQLExpression { get }
}

extension FieldProperty: RowField {
    var column: String { key.description }
    var bound: any SQLExpression { SQLBind(wrappedValue) }
}

extension OptionalFieldProperty: RowField {
    var column: String { key.description }
    var bound: any SQLExpression { SQLBind(wrappedValue) }
}
