import Foundation

/// A GeoReport v2 service definition attribute: an extra question a category asks (SPEC §10, issue 8).
public struct ServiceAttribute: Sendable, Equatable, Codable {
    public enum DataType: String, Sendable, Codable, CaseIterable {
        case string, number, datetime, text, singlevaluelist, multivaluelist
        public var isList: Bool { self == .singlevaluelist || self == .multivaluelist }
    }

    /// One choice of a list attribute.
    public struct Value: Sendable, Equatable, Codable {
        public var key: String
        public var name: String
        public init(key: String, name: String) { self.key = key; self.name = name }
    }

    public var code: String
    public var datatype: DataType
    public var required: Bool
    /// False: the attribute only informs (its description is shown); it takes no answer.
    public var variable: Bool
    public var description: String
    public var datatypeDescription: String?
    public var order: Int
    public var values: [Value]

    public init(code: String, datatype: DataType, required: Bool, variable: Bool = true, description: String,
                datatypeDescription: String? = nil, order: Int, values: [Value] = []) {
        self.code = code; self.datatype = datatype; self.required = required; self.variable = variable
        self.description = description; self.datatypeDescription = datatypeDescription; self.order = order; self.values = values
    }
}

/// The rules for attribute definitions (what a sysadmin may save) and for the answers a POST request carries.
public enum ServiceAttributes {
    public static let maxString = 500
    public static let maxText = 5000
    public static let maxValues = 100

    /// Codes are what clients send as `attribute[code]`: letters, digits, `_` and `-`, at most 64.
    public static func isValidCode(_ code: String) -> Bool {
        (1...64).contains(code.count) && code.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-"
        }
    }

    /// Every problem of one definition, by form field (`code`, `description`, `order`, `values`).
    public static func problems(_ a: ServiceAttribute) -> [FieldError] {
        var problems: [FieldError] = []
        if !isValidCode(a.code) { problems.append(FieldError("code", "code is 1-64 letters, digits, _ or -")) }
        let description = a.description.trimmingCharacters(in: .whitespacesAndNewlines)
        if description.isEmpty || description.count > maxString { problems.append(FieldError("description", "description is required, at most \(maxString) characters")) }
        if !(1...1000).contains(a.order) { problems.append(FieldError("order", "order is a whole number from 1 to 1000")) }
        if a.datatype.isList {
            let keys = a.values.map(\.key)
            if a.values.isEmpty || a.values.count > maxValues {
                problems.append(FieldError("values", "a list needs 1 to \(maxValues) values"))
            } else if Set(keys).count != keys.count || keys.contains(where: { $0.isEmpty || $0.count > 100 })
                        || a.values.contains(where: { $0.name.isEmpty || $0.name.count > 200 }) {
                problems.append(FieldError("values", "each value needs a key (unique, at most 100 characters) and a name (at most 200)"))
            }
        } else if !a.values.isEmpty {
            problems.append(FieldError("values", "only singlevaluelist and multivaluelist take values"))
        }
        if !a.variable && a.required { problems.append(FieldError("required", "an attribute that only informs (not variable) cannot be required")) }
        return problems
    }

    /// Reads `key=name` lines (a line without `=` is its own name).
    public static func parseValues(_ text: String) -> [ServiceAttribute.Value] {
        text.split(whereSeparator: \.isNewline).compactMap { line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else { return nil }
            guard let eq = trimmed.firstIndex(of: "=") else { return .init(key: trimmed, name: trimmed) }
            return .init(key: trimmed[..<eq].trimmingCharacters(in: .whitespaces), name: trimmed[trimmed.index(after: eq)...].trimmingCharacters(in: .whitespaces))
        }
    }

    /// Checks the answers of a request against the service's definition and returns them as `(code, value)` rows (one
    /// per chosen value of a multivaluelist), in the definition's order. `isDateTime` decides `datetime` answers.
    public static func check(_ answers: [String: [String]], against definition: [ServiceAttribute],
                             isDateTime: (String) -> Bool) -> Result<[(code: String, value: String)], FieldError> {
        let known = Dictionary(definition.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        for code in answers.keys.sorted() where known[code]?.variable != true {
            return .failure(FieldError("attribute[\(code)]", "attribute[\(code)] is not an attribute of this service"))
        }
        var rows: [(code: String, value: String)] = []
        for a in definition.sorted(by: { ($0.order, $0.code) < ($1.order, $1.code) }) where a.variable {
            let field = "attribute[\(a.code)]"
            let given = (answers[a.code] ?? []).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
            if given.isEmpty {
                if a.required { return .failure(FieldError(field, "\(field) is required: \(a.description)")) }
                continue
            }
            if a.datatype != .multivaluelist && given.count > 1 { return .failure(FieldError(field, "\(field) takes one value")) }
            switch a.datatype {
            case .string where given[0].count > maxString, .text where given[0].count > maxText:
                return .failure(FieldError(field, "\(field) is too long"))
            case .number:
                guard let n = Double(given[0]), n.isFinite else { return .failure(FieldError(field, "\(field) must be a number")) }
            case .datetime:
                guard isDateTime(given[0]) else { return .failure(FieldError(field, "\(field) must be an ISO 8601 date and time")) }
            case .singlevaluelist, .multivaluelist:
                let keys = Set(a.values.map(\.key))
                if let bad = given.first(where: { !keys.contains($0) }) {
                    return .failure(FieldError(field, "\(field) value \(bad) is not one of \(a.values.map(\.key).joined(separator: ", "))"))
                }
                if Set(given).count != given.count { return .failure(FieldError(field, "\(field) repeats a value")) }
            default:
                break
            }
            rows += given.map { (code: a.code, value: $0) }
        }
        return .success(rows)
    }
}
