import AduanCore
import Fluent
import Foundation
import Vapor

/// The act use case (SPEC §4, §10): an officer's action as the lifecycle command it stands for, its inputs checked
/// against the reference data; `ComplaintStore.perform` then loads, decides and writes it in one transaction.
/// The API (`POST /api/v1/complaints/{id}/actions/{action}`) and the workspace's case page act through here.
enum ActOnComplaint {
    /// `actor` and `db` name the officer an assignment goes to: the one in `assignee`, else the actor ("Saya tangani").
    static func command(_ action: Action, _ body: ActionRequest, reference: ReferenceData, actor: Officer,
                        on db: any Database) async throws -> ComplaintCommand {
        func disposition() throws -> Disposition {
            guard let unit = body.unit else { throw AppError.invalid("\(action.rawValue) needs `unit`", field: "unit") }
            var d = Disposition(unit: unit, category: body.category, collaboratingUnits: body.collaborating_units ?? [])
            if let category = body.category {
                guard let info = reference.categories[category] else { throw AppError.invalid("unknown category \(category)", field: "category") }
                d.categoryClass = info.resolutionClass
            }
            if let rc = body.resolution_class {
                guard let parsed = ResolutionClass(rawValue: rc) else {
                    throw AppError.invalid("resolution_class must be one of \(ResolutionClass.allCases.map(\.rawValue).joined(separator: ", "))", field: "resolution_class")
                }
                d.resolutionClass = parsed
            }
            return d
        }
        switch action {
        case .verify: return .verify(try disposition())
        case .redispose: return .redispose(try disposition())
        case .request_info: return .requestInfo
        case .archive:
            guard let reason = body.reason else { return .archive(nil) }
            guard let parsed = ArchiveReason(rawValue: reason) else {
                throw AppError.invalid("reason must be one of \(ArchiveReason.allCases.map(\.rawValue).joined(separator: ", "))", field: "reason")
            }
            return .archive(parsed)
        case .forward_jurisdiction:
            guard let j = body.jurisdiction else { throw AppError.invalid("forward_jurisdiction needs `jurisdiction`", field: "jurisdiction") }
            return .forwardJurisdiction(j)
        case .forward_external:
            guard let d = body.destination else { throw AppError.invalid("forward_external needs `destination`", field: "destination") }
            return .forwardExternal(destination: d, reference: body.external_ref)
        case .decide_extension:
            guard let approve = body.approve else { throw AppError.invalid("decide_extension needs `approve` (true or false)", field: "approve") }
            return .decideExtension(approve: approve)
        case .set_privacy: return .setPrivacy(anonymous: body.anonymous, confidential: body.confidential)
        case .follow_up: return .followUp
        case .return: return .returnToCoordinator
        case .request_extension:
            guard let days = body.days else { throw AppError.invalid("request_extension needs `days`", field: "days") }
            return .requestExtension(days: days)
        case .respond_final: return .respondFinal
        case .flag_supervision: return .flagSupervision
        case .note: return .note
        case .assign: return .assign(to: try await assignee(body.assignee, actor: actor, on: db))
        case .release: return .release
        default: throw AppError.notFound("unknown action \(action.rawValue)")
        }
    }
}

extension ActOnComplaint {
    /// The officer (with roles) an assignment names, nil for the actor themself; AduanCore decides whether they belong
    /// to the handling unit. An unknown or deactivated account gets the same refusal as one of another unit.
    static func assignee(_ username: String?, actor: Officer, on db: any Database) async throws -> Officer? {
        guard let username = username?.trimmingCharacters(in: .whitespacesAndNewlines), !username.isEmpty, username != actor.id else { return nil }
        guard let user = try await User.query(on: db).filter(\.$username == username).first(), user.active else {
            throw AppError.invalid("\(username) is not a liaison of the unit handling this complaint", field: "assignee")
        }
        return try await OfficerSignIn.officer(user, on: db)
    }
}

/// Body of `POST …/actions/{action}` (SPEC §12).
struct ActionRequest: Content {
    var text: String?
    var internal_text: String?
    var unit: String?
    var category: String?
    var resolution_class: String?
    var collaborating_units: [String]?
    var jurisdiction: String?
    var destination: String?
    var external_ref: String?
    var reason: String?
    var days: Int?
    var approve: Bool?
    var into: String?
    var anonymous: Bool?
    var confidential: Bool?
    /// `assign`: the user name of the liaison who gets the complaint; without it the officer takes it themselves.
    var assignee: String?
}
