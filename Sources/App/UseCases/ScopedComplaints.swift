import AduanCore
import Fluent
import Foundation
import Vapor

/// Officer queries, scoped by construction: every one starts from `ScopedComplaints.query`.
enum ScopedComplaints {
    /// Complaints the officer may read; no other starting point exists for officer listings.
    static func query(for officer: Officer, reference: ReferenceData, on db: any Database) -> QueryBuilder<Complaint> {
        query(filter: Access.readFilter(for: officer, tree: reference.tree), on: db)
    }

    /// Complaints an integration's `read-scope` key may read (`Access.integrationReadFilter`); none for other keys.
    static func query(for key: APIKeyPrincipal, reference: ReferenceData, on db: any Database) -> QueryBuilder<Complaint> {
        query(filter: key.readFilter(tree: reference.tree) ?? ReadFilter(clauses: []), on: db)
    }

    static func query(filter: ReadFilter, on db: any Database) -> QueryBuilder<Complaint> {
        let query = Complaint.query(on: db)
        guard !filter.isEmpty else { return query.filter(\.$id == -1) }
        return query.group(.or) { any in
            for clause in filter.clauses {
                any.group(.and) { all in
                    if let js = clause.jurisdictions { all.filter(\.$jurisdictionCode ~~ Array(js).sorted()) }
                    if let units = clause.units {
                        all.group(.or) { held in
                            held.filter(\.$unitID ~~ Array(units).sorted())
                            for unit in units.sorted() { held.filter(\.$collaboratingUnits, .custom("LIKE"), "%|\(unit)|%") }
                        }
                    }
                    if !clause.includeWhistleblowing { all.filter(\.$type != ComplaintType.wbs.rawValue) }
                    if !clause.includeConfidential { all.filter(\.$confidential == false) }
                }
            }
        }
    }

    /// The listing's parameters (SPEC §10); the export takes the same filters.
    struct Parameters: Content {
        var scope: String?
        var include_sub: Bool?
        var state: String?
        var unit: String?
        var jurisdiction: String?
        var type: String?
        var category: String?
        var overdue: Bool?
        var q: String?
        var page: Int?
        var per_page: Int?
        var sort: String?
    }

    /// The listing's filters (every parameter but paging and sort), shared with the export.
    static func filter(_ query: QueryBuilder<Complaint>, by p: Parameters, reference: ReferenceData, now: Date, usesSQLite: Bool) throws {
        if let scope = p.scope {
            switch Scope(scope) {
            case .jurisdiction(let code)?:
                guard reference.tree.jurisdictions[code] != nil else { throw AppError.invalid("unknown jurisdiction \(code)", field: "scope") }
                let codes = (p.include_sub ?? false) ? reference.tree.jurisdictionSubtree(code) : [code]
                query.filter(\.$jurisdictionCode ~~ Array(codes))
            case .unit(let id)?:
                guard reference.tree.units[id] != nil else { throw AppError.invalid("unknown unit \(id)", field: "scope") }
                query.filter(\.$unitID ~~ Array(reference.tree.unitSubtree(id)))
            case nil:
                throw AppError.invalid("scope must be a jurisdiction code (63) or a unit (63/dinkes)", field: "scope")
            }
        }
        if let states = p.state {
            let list = states.split(separator: ",").map(String.init)
            for s in list where ComplaintState(rawValue: s) == nil {
                throw AppError.invalid("unknown state \(s); one of \(ComplaintState.allCases.map(\.rawValue).joined(separator: ", "))", field: "state")
            }
            query.filter(\.$state ~~ list)
        }
        if let unit = p.unit { query.filter(\.$unitID == unit) }
        if let j = p.jurisdiction { query.filter(\.$jurisdictionCode == j) }
        if let type = p.type {
            guard ComplaintType(rawValue: type) != nil else { throw AppError.invalid("unknown type \(type)", field: "type") }
            query.filter(\.$type == type)
        }
        if let category = p.category { query.filter(\.$categoryCode == category) }
        if let overdue = p.overdue {
            if overdue { query.filter(\.$officerDue < now) } else { query.group(.or) { $0.filter(\.$officerDue == nil).filter(\.$officerDue >= now) } }
        }
        if let q = p.q?.trimmingCharacters(in: .whitespaces), !q.isEmpty {
            guard q.count <= 200 else { throw AppError.invalid("q is at most 200 characters", field: "q") }
            let pattern = "%" + q.replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: "") + "%"
            let like: DatabaseQuery.Filter.Method = usesSQLite ? .custom("LIKE") : .custom("ILIKE")
            if let tid = TrackingID(q) {
                query.group(.or) { $0.filter(\.$trackingID == tid.rawValue).filter(\.$title, like, pattern).filter(\.$body, like, pattern) }
            } else {
                query.group(.or) { $0.filter(\.$title, like, pattern).filter(\.$body, like, pattern) }
            }
        }
    }
}
