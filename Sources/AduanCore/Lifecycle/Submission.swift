import Foundation

/// A field-level problem with input, for errors shown next to the field.
public struct FieldError: Error, Equatable, Sendable {
    public var field: String
    public var message: String
    public init(_ field: String, _ message: String) { self.field = field; self.message = message }
}

/// What someone submits (SPEC §3, §12 submission body), before it becomes a complaint.
public struct Submission: Sendable, Equatable {
    public var type: ComplaintType = .pengaduan
    public var title: String
    public var body: String
    public var incidentDate: LocalDate?
    public var jurisdiction: String
    public var address: String?
    public var latitude: Double?
    public var longitude: Double?
    public var category: String?
    public var targetUnit: String?
    public var anonymous = false
    public var confidential = false
    public var hasReporterContact = false
    public var channel: Channel = .web
    /// For complaints entered by staff (channel `officer`): how it came in (`walk_in`, `phone`, `letter`, `social_media`, `other`).
    public var intakeMedium: String?

    /// The title is one line and the body keeps its line breaks; neither keeps control characters (`TextHygiene`).
    public init(title: String, body: String, jurisdiction: String) {
        self.title = TextHygiene.clean(title, multiline: false); self.body = TextHygiene.clean(body, multiline: true)
        self.jurisdiction = jurisdiction
    }

    public static let titleLimit = 1...200
    public static let bodyLimit = 10...20_000
    public static let addressLimit = 500

    /// Every problem with the submission; empty when it may be accepted.
    public func problems(tree: OrgTree, categories: Set<String>, today: LocalDate) -> [FieldError] {
        var errors: [FieldError] = []
        let title = self.title.trimmingCharacters(in: .whitespacesAndNewlines)
        let body = self.body.trimmingCharacters(in: .whitespacesAndNewlines)
        if !Submission.titleLimit.contains(title.count) {
            errors.append(FieldError("title", "title is required and at most \(Submission.titleLimit.upperBound) characters"))
        }
        if !Submission.bodyLimit.contains(body.count) {
            errors.append(FieldError("body", "body (the chronology) needs \(Submission.bodyLimit.lowerBound) to \(Submission.bodyLimit.upperBound) characters"))
        }
        if tree.jurisdictions[jurisdiction] == nil {
            errors.append(FieldError("jurisdiction", "unknown jurisdiction \(jurisdiction)"))
        }
        if let date = incidentDate, date > today || date < LocalDate(year: 1945, month: 8, day: 17)! {
            errors.append(FieldError("incident_date", "incident_date must be a past date"))
        }
        if (address?.count ?? 0) > Submission.addressLimit {
            errors.append(FieldError("address", "address is at most \(Submission.addressLimit) characters"))
        }
        switch (latitude, longitude) {
        case (nil, nil): break
        case let (lat?, lng?):
            if !(lat.isFinite && (-90...90).contains(lat)) { errors.append(FieldError("lat", "lat must be between -90 and 90")) }
            if !(lng.isFinite && (-180...180).contains(lng)) { errors.append(FieldError("lng", "lng must be between -180 and 180")) }
        default:
            errors.append(FieldError(latitude == nil ? "lat" : "lng", "lat and lng go together"))
        }
        if let category, !categories.contains(category) {
            errors.append(FieldError("category", "unknown category \(category)"))
        }
        if let targetUnit {
            if let unit = tree.units[targetUnit] {
                if !tree.jurisdictionSubtree(jurisdiction).contains(unit.jurisdiction) || !unit.active {
                    errors.append(FieldError("target_unit", "unit \(targetUnit) does not take complaints for jurisdiction \(jurisdiction)"))
                }
            } else {
                errors.append(FieldError("target_unit", "unknown unit \(targetUnit)"))
            }
        }
        return errors
    }
}

extension Lifecycle {
    /// Accepts a valid submission as a new complaint in `baru` (validate with `Submission.problems` first).
    public static func submit(_ submission: Submission, trackingID: String, by actor: Participant,
                              context: DecisionContext) -> Transition {
        var record = ComplaintRecord(trackingID: trackingID, type: submission.type, channel: submission.channel,
                                     state: .baru, jurisdiction: submission.jurisdiction, submittedAt: context.now)
        record.category = submission.category
        record.targetUnit = submission.targetUnit
        record.anonymous = submission.anonymous
        record.anonymousByReporter = submission.anonymous
        // Whistleblowing is always confidential (SPEC §3).
        record.confidential = submission.confidential || submission.type == .wbs
        record.confidentialByReporter = record.confidential
        record.hasReporterContact = submission.hasReporterContact

        let role: String
        if case .officer(let officer) = actor {
            role = officer.assignments.first { $0.role == .coordinator || $0.role == .inspector }?.role.rawValue ?? "officer"
        } else {
            role = "reporter"
        }
        var builder = TransitionBuilder(record: record, action: .submit, actorRole: role, texts: Texts(), context: context)
        builder.startVerification(in: submission.jurisdiction)
        // The privacy flags as submitted, so the projection can be recomputed from the events (`Replay`).
        var data = ["channel": submission.channel.rawValue, "type": submission.type.rawValue,
                    "anonymous": String(record.anonymous), "confidential": String(record.confidential)]
        if let target = submission.targetUnit { data["target_unit"] = target }
        // The category the complaint starts with, so the event log alone tells what it was then (monev as of a date).
        data["category"] = submission.category ?? ""
        if let medium = submission.intakeMedium { data["medium"] = medium }
        builder.events.append(EventDraft(action: .submit, fromState: nil, toState: .baru, at: context.now, actorRole: role,
                                         unit: submission.targetUnit, jurisdiction: submission.jurisdiction,
                                         dueAt: builder.setDue, data: data))
        builder.notify(.reporter, "received")
        builder.notify(builder.coordinatorAudience, "new_complaint")
        return builder.finish()
    }
}
