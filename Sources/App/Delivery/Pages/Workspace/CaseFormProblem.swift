import AduanCore
import Foundation
import Vapor

/// A refused officer action told in the officer's language, beside the field it concerns, with what was typed
/// (issue 19, fix 1). AduanCore and the use cases explain refusals in English for the API and the log; a page never
/// shows those words: each refusal maps to a catalogue key by action and field (`ws_err_<action>_<field>`, else
/// `ws_err_<field>`, else a general one), so an Indonesian page stays Indonesian.
struct CaseFormProblem: Sendable {
    /// The form the action came from (`verify` also holds `redispose`; `warn` is the inspector's warning).
    var form: String
    var action: String
    /// The field the message stands next to; `form` when it concerns the form as a whole.
    var field: String
    var message: String
    var values: [String: String]
    var status: HTTPStatus

    /// The fields each form shows; a refusal about any other field is shown at the head of its form.
    static let fields: [String: Set<String>] = [
        "verify": ["unit", "collaborating_units", "category", "resolution_class", "text", "internal_text"],
        "follow_up": ["text", "internal_text", "attachments"],
        "respond_final": ["text", "internal_text", "attachments"],
        "decide_extension": ["approve", "internal_text"],
        "request_extension": ["days", "internal_text"],
        "return": ["internal_text"],
        "request_info": ["text"],
        "merge": ["into", "text"],
        "forward_jurisdiction": ["jurisdiction", "text"],
        "forward_external": ["destination", "external_ref", "text"],
        "archive": ["reason", "text"],
        "set_privacy": ["anonymous", "confidential", "internal_text"],
        "flag_supervision": ["internal_text"],
        "note": ["internal_text"],
        "warn": ["text"],
        "assign": ["assignee", "internal_text"],
        "release": ["internal_text"],
    ]

    static func formName(_ action: String) -> String { action == Action.redispose.rawValue ? Action.verify.rawValue : action }

    init(action: String, field: String?, message: String, values: [String: String], status: HTTPStatus) {
        self.action = action
        self.form = Self.formName(action)
        let shown = Self.fields[form] ?? []
        self.field = field.flatMap { shown.contains($0) ? $0 : nil } ?? "form"
        self.message = message; self.values = values; self.status = status
    }

    /// The refusal of `action` as the officer reads it, or nil when the error is not about what was typed (it then
    /// takes its usual way: a 404, a 500 …).
    static func from(_ error: any Error, action: Action, values: [String: String], req: Request, reference: ReferenceData,
                     complaintState: String) -> CaseFormProblem? {
        func say(_ field: String, _ extra: [String: String] = [:]) -> String {
            // Any text over the limit gets the same words, whatever else the action asks of that field.
            if ["text", "internal_text"].contains(field), (values[field]?.count ?? 0) > Texts.maxLength { return req.text("ws_err_too_long", extra) }
            for key in ["ws_err_\(action.rawValue)_\(field)", "ws_err_\(field)"] {
                let text = req.text(key, extra)
                if text != key { return text }
            }
            return req.text("ws_err_invalid")
        }
        let limits = ["max": "\(reference.policy.maxExtensionDays)", "length": "20.000"]
        switch error {
        case let error as LifecycleError:
            switch error {
            case .notPermitted:
                return .init(action: action.rawValue, field: nil, message: req.text("ws_err_not_permitted"), values: values, status: .forbidden)
            case .illegalTransition:
                return .init(action: action.rawValue, field: nil, message: req.text("ws_err_illegal", ["state": req.text("state_\(complaintState)")]),
                             values: values, status: .conflict)
            case .invalid(let field, _):
                return .init(action: action.rawValue, field: field, message: say(field, limits), values: values, status: .unprocessableEntity)
            }
        case let rejection as SubmitComplaint.AttachmentRejection:
            return .init(action: action.rawValue, field: "attachments", message: rejection.words(req), values: values, status: rejection.appError.status)
        case let error as AppError where error.status != .notFound && error.status != .internalServerError:
            // The use case's own refusals carry a field; the merge target's is already in the officer's words.
            // Without a field, a 409 or 403 is about the complaint's state or the officer's roles, not what was typed.
            let mergeTarget = req.text("ws_error_merge_into")
            let message: String
            if error.message == mergeTarget {
                message = mergeTarget
            } else if error.field == nil, error.status == .conflict {
                message = req.text("ws_err_illegal", ["state": req.text("state_\(complaintState)")])
            } else if error.field == nil, error.status == .forbidden {
                message = req.text("ws_err_not_permitted")
            } else {
                message = say(error.field ?? "form", limits)
            }
            return .init(action: action.rawValue, field: error.field, message: message, values: values, status: error.status)
        default:
            return nil
        }
    }
}

/// What the complaint page shows of a refused action: per form, the values to put back and the messages per field.
struct CaseFormState: Encodable, Sendable {
    var values: [String: [String: String]]
    var errors: [String: [String: String]]
    /// The form that was refused, for the banner's link.
    var failedForm: String?
    /// Which action forms stand open: the page lists the actions and opens one at a time (the refused one, the one
    /// asked for with `?aksi=`, else the next step), each a `<details>` that works without JavaScript.
    var open: [String: Bool] = [:]

    init(_ problem: CaseFormProblem?, opening: [String] = []) {
        var values: [String: [String: String]] = [:]
        var errors: [String: [String: String]] = [:]
        for form in CaseFormProblem.fields.keys { values[form] = [:]; errors[form] = [:] }
        if let problem {
            values[problem.form] = problem.values
            errors[problem.form] = [problem.field: problem.message]
        }
        self.values = values; self.errors = errors; self.failedForm = problem?.form
        var open: [String: Bool] = [:]
        for form in CaseFormProblem.fields.keys { open[form] = false }
        for form in (problem.map { [$0.form] } ?? opening.map(CaseFormProblem.formName)) where open[form] != nil { open[form] = true }
        self.open = open
    }
}
