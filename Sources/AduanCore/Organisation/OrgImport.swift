import Foundation

/// Loading units from a CSV (SPEC §6, §12 `org import FILE.csv`): columns `jurisdiction,slug,name,kind,parent` and an
/// optional `aliases` (names separated by `|`, e.g. LAPOR's spellings of the agency). A row creates the unit
/// `{jurisdiction}/{slug}`, or updates the one that exists (its name, a sub-unit's parent) and adds its aliases;
/// a row that says what is there already changes nothing, so a second run of the same file changes nothing. Every
/// row is checked against the tree as it will be after the file; any problem refuses the whole file, by line.
public enum OrgImport {
    public enum Column: String, CaseIterable, Sendable {
        case jurisdiction, slug, name, kind, parent, aliases
        public static let required: [Column] = [.jurisdiction, .slug, .name, .kind]
    }

    public struct Row: Sendable, Equatable {
        public var line: Int
        public var jurisdiction: String
        public var slug: String
        public var name: String
        public var kind: String
        public var parent: String?
        public var aliases: [String]
        public init(line: Int, jurisdiction: String, slug: String, name: String, kind: String, parent: String? = nil, aliases: [String] = []) {
            self.line = line; self.jurisdiction = jurisdiction; self.slug = slug; self.name = name; self.kind = kind
            self.parent = parent; self.aliases = aliases
        }
        public var id: String { "\(jurisdiction)/\(slug)" }
    }

    public enum Problem: String, Sendable, Equatable, CaseIterable {
        case header = "header"
        case badJurisdiction = "bad_jurisdiction"
        case badSlug = "bad_slug"
        case duplicateSlug = "duplicate_slug"
        case badName = "bad_name"
        case badKind = "bad_kind"
        case kindChanged = "kind_changed"
        /// A second coordinator unit or inspectorate in one jurisdiction (SPEC §2).
        case kindTaken = "kind_taken"
        case unknownParent = "unknown_parent"
        case parentRequired = "parent_required"
        case parentNotAllowed = "parent_not_allowed"
        case inactiveParent = "inactive_parent"
        case badAlias = "bad_alias"
        case aliasTaken = "alias_taken"
        case outsideScope = "outside_scope"
    }

    public struct LineError: Sendable, Equatable {
        public var line: Int
        public var problem: Problem
        /// The value at fault, as written.
        public var value: String
        public init(line: Int, problem: Problem, value: String) { self.line = line; self.problem = problem; self.value = value }
    }

    /// Why a file is refused: every wrong line.
    public struct Refusal: Error, Sendable, Equatable {
        public var errors: [LineError]
        public init(_ errors: [LineError]) { self.errors = errors }
    }

    /// What a file changes.
    public struct Plan: Sendable, Equatable {
        public struct Change: Sendable, Equatable {
            public var line: Int
            public var unit: String
            public var name: String
            public var kind: UnitKind
            public var parent: String?
            /// For an existing unit: its name and parent before.
            public var oldName: String?
            public var oldParent: String?
        }
        public var creates: [Change] = []
        public var updates: [Change] = []
        /// New aliases: (line, unit id, alias).
        public var aliases: [(line: Int, unit: String, alias: String)] = []
        public var unchanged = 0
        public var isEmpty: Bool { creates.isEmpty && updates.isEmpty && aliases.isEmpty }

        public static func == (a: Plan, b: Plan) -> Bool {
            a.creates == b.creates && a.updates == b.updates && a.unchanged == b.unchanged
                && a.aliases.map { "\($0.line)\t\($0.unit)\t\($0.alias)" } == b.aliases.map { "\($0.line)\t\($0.unit)\t\($0.alias)" }
        }
    }

    public static let maxAliasLength = 200

    /// Rows of a table (line, cells) whose first row is the header. Column names are read without case, spacing and
    /// punctuation, in any order.
    public static func rows(_ table: [(line: Int, cells: [String])]) -> ([Row], [LineError]) {
        guard let header = table.first else { return ([], [LineError(line: 1, problem: .header, value: "")]) }
        var index: [Column: Int] = [:]
        for (i, cell) in header.cells.enumerated() {
            let key = LaporExport.normalise(cell).replacingOccurrences(of: " ", with: "_")
            if let column = Column(rawValue: key), index[column] == nil { index[column] = i }
        }
        let missing = Column.required.filter { index[$0] == nil }
        guard missing.isEmpty else {
            return ([], [LineError(line: header.line, problem: .header, value: missing.map(\.rawValue).joined(separator: ", "))])
        }
        var rows: [Row] = []
        for entry in table.dropFirst() {
            func cell(_ column: Column) -> String {
                guard let i = index[column], i < entry.cells.count else { return "" }
                return entry.cells[i].trimmingCharacters(in: .whitespacesAndNewlines)
            }
            if Column.allCases.allSatisfy({ cell($0).isEmpty }) { continue }
            let parent = cell(.parent)
            let aliases = cell(.aliases).split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            rows.append(Row(line: entry.line, jurisdiction: cell(.jurisdiction), slug: cell(.slug), name: cell(.name), kind: cell(.kind),
                            parent: parent.isEmpty ? nil : parent, aliases: aliases))
        }
        return (rows, [])
    }

    /// The kind a cell names: the codes of `UnitKind` and their Indonesian words.
    public static func kind(_ text: String) -> UnitKind? {
        switch LaporExport.normalise(text) {
        case "coordinator", "koordinator", "admin koordinator": return .coordinator
        case "inspectorate", "inspektorat", "apip": return .inspectorate
        case "agency", "opd", "dinas", "badan", "perangkat daerah", "instansi": return .agency
        case "subunit", "sub unit", "upt", "bidang", "unit kerja": return .subunit
        default: return nil
        }
    }

    /// Checks the rows against `tree` and the saved `aliases` (alias → unit, per jurisdiction) and says what they
    /// change. `covers` limits the jurisdictions the caller may change (a sysadmin's scope). Any error: no plan.
    public static func plan(_ rows: [Row], tree: OrgTree, aliases: [(jurisdiction: String, alias: String, unit: String)],
                            covers: (String) -> Bool = { _ in true }) -> Result<Plan, Refusal> {
        var errors: [LineError] = []
        var plan = Plan()
        var seen: [String: Int] = [:]
        // The tree after the file: existing units, then the file's new ones.
        var kinds: [String: UnitKind] = [:]
        for unit in tree.units.values { kinds[unit.id] = unit.kind }
        var rowKind: [Int: UnitKind] = [:]
        for row in rows {
            func fail(_ problem: Problem, _ value: String) { errors.append(LineError(line: row.line, problem: problem, value: value)) }
            guard tree.jurisdictions[row.jurisdiction] != nil else { fail(.badJurisdiction, row.jurisdiction); continue }
            guard covers(row.jurisdiction) else { fail(.outsideScope, row.jurisdiction); continue }
            guard Scope.isSlug(row.slug) else { fail(.badSlug, row.slug); continue }
            if let first = seen[row.id] { fail(.duplicateSlug, "\(row.slug) (\(first))"); continue }
            seen[row.id] = row.line
            guard let kind = kind(row.kind) else { fail(.badKind, row.kind); continue }
            if let existing = tree.units[row.id], existing.kind != kind { fail(.kindChanged, row.kind); continue }
            rowKind[row.line] = kind
            if tree.units[row.id] == nil { kinds[row.id] = kind }
        }
        // Key units per jurisdiction after the file.
        for kind in [UnitKind.coordinator, .inspectorate] {
            var holders: [String: Set<String>] = [:]
            for (id, k) in kinds where k == kind { holders[String(id.split(separator: "/")[0]), default: []].insert(id) }
            for row in rows where rowKind[row.line] == kind && tree.units[row.id] == nil && (holders[row.jurisdiction]?.count ?? 0) > 1 {
                errors.append(LineError(line: row.line, problem: .kindTaken, value: row.kind))
            }
        }
        // Aliases: each key names one unit per jurisdiction, counting saved ones and unit names.
        var aliasOwner: [String: String] = [:]
        for saved in aliases { aliasOwner["\(saved.jurisdiction)\t\(InstansiName.key(saved.alias, places: []))"] = saved.unit }
        var nameOwner: [String: String] = [:]
        for unit in tree.units.values { nameOwner["\(unit.jurisdiction)\t\(InstansiName.key(unit.name, places: []))"] = unit.id }
        for row in rows where rowKind[row.line] != nil { nameOwner["\(row.jurisdiction)\t\(InstansiName.key(row.name, places: []))"] = row.id }

        var parents: [String: String] = [:]
        for unit in tree.units.values { if let parent = unit.parent { parents[unit.id] = parent } }
        for row in rows where rowKind[row.line] != nil {
            parents[row.id] = row.parent.map { $0.contains("/") ? $0 : "\(row.jurisdiction)/\($0)" }
        }
        for row in rows {
            guard let kind = rowKind[row.line] else { continue }
            func fail(_ problem: Problem, _ value: String) { errors.append(LineError(line: row.line, problem: problem, value: value)) }
            guard OrgRules.isValidName(row.name) else { fail(.badName, row.name); continue }
            // A unit can never sit below itself, however far up.
            var above = parents[row.id], steps = 0
            while let next = above, next != row.id, steps < 1_000 { above = parents[next]; steps += 1 }
            if above == row.id { fail(.unknownParent, row.parent ?? ""); continue }
            var parent: String?
            if let raw = row.parent {
                let id = raw.contains("/") ? raw : "\(row.jurisdiction)/\(raw)"
                guard id.hasPrefix(row.jurisdiction + "/"), id != row.id, kinds[id] != nil else { fail(.unknownParent, raw); continue }
                if kind != .subunit { fail(.parentNotAllowed, raw); continue }
                if tree.units[id]?.active == false { fail(.inactiveParent, raw); continue }
                parent = id
            } else if kind == .subunit {
                fail(.parentRequired, ""); continue
            }
            var problem = false
            for alias in row.aliases {
                let key = InstansiName.key(alias, places: [])
                guard !key.isEmpty, alias.count <= maxAliasLength else { fail(.badAlias, alias); problem = true; continue }
                let slot = "\(row.jurisdiction)\t\(key)"
                if let owner = nameOwner[slot], owner != row.id { fail(.aliasTaken, alias); problem = true; continue }
                if let owner = aliasOwner[slot] {
                    if owner != row.id { fail(.aliasTaken, alias); problem = true }
                    continue
                }
                if nameOwner[slot] == row.id { continue } // the unit's own name
                aliasOwner[slot] = row.id
                plan.aliases.append((row.line, row.id, alias))
            }
            if problem { continue }
            let change = Plan.Change(line: row.line, unit: row.id, name: row.name, kind: kind, parent: parent,
                                     oldName: tree.units[row.id]?.name, oldParent: tree.units[row.id]?.parent)
            if let existing = tree.units[row.id] {
                if existing.name != row.name || existing.parent != parent { plan.updates.append(change) }
                else if !plan.aliases.contains(where: { $0.unit == row.id }) { plan.unchanged += 1 }
            } else {
                plan.creates.append(change)
            }
        }
        if !errors.isEmpty { return .failure(Refusal(errors.sorted { ($0.line, $0.problem.rawValue) < ($1.line, $1.problem.rawValue) })) }
        // Parents before their sub-units.
        let order = Dictionary(uniqueKeysWithValues: plan.creates.map { ($0.unit, $0.parent) })
        func depth(_ id: String) -> Int { var d = 0; var p = order[id] ?? nil; while let x = p, d < 64 { d += 1; p = order[x] ?? nil }; return d }
        plan.creates.sort { (depth($0.unit), $0.line) < (depth($1.unit), $1.line) }
        return .success(plan)
    }
}
