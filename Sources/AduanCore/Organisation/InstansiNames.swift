import Foundation

/// Agency names as SP4N-LAPOR! writes them ("Dinas Kesehatan Kab. Bandung", "DINAS KESEHATAN KABUPATEN Bandung",
/// "Kecamatan Pangalengan Kabupaten Bandung") compared with this installation's units (SPEC §6: by name or by a
/// saved alias). Two names are the same agency when their keys are equal: lower case, accents and punctuation
/// folded, `&` read as `dan`, and the place at the end dropped (`Kab. Bandung`, `Kabupaten Bandung`, `Bandung`,
/// `Provinsi Kalimantan Selatan`), the places being the jurisdiction's and the export's own (`Nama Instansi`).
public enum InstansiName {
    /// Words that say what kind of place follows.
    static let markers: Set<String> = ["kab", "kabupaten", "kota", "kot", "prov", "provinsi", "pemkab", "pemkot", "pemprov", "pemerintah"]

    /// The folded words of a name.
    public static func tokens(_ text: String) -> [String] {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
            .replacingOccurrences(of: "&", with: " dan ")
            .split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
    }

    /// The place a government's name names: "Pemerintah Kabupaten Bandung" → `bandung`, "Provinsi Kalimantan
    /// Selatan" → `kalimantan selatan`, "Kota Banjarmasin" → `banjarmasin`.
    public static func place(_ name: String) -> [String] {
        Array(tokens(name).drop { markers.contains($0) })
    }

    /// The comparison key of an agency name: its words without the place at the end.
    public static func key(_ name: String, places: [[String]]) -> String {
        var words = tokens(name)
        for place in places.sorted(by: { $0.count > $1.count }) where !place.isEmpty && words.count > place.count {
            guard Array(words.suffix(place.count)) == place else { continue }
            words.removeLast(place.count)
            if words.count > 1, let last = words.last, markers.contains(last) { words.removeLast() }
            break
        }
        return words.joined(separator: " ")
    }
}

/// Finds the unit of one jurisdiction that a LAPOR agency name means: an active unit whose name has the same key,
/// else a saved alias with the same key.
public struct InstansiMatcher: Sendable {
    public let jurisdiction: String
    public let places: [[String]]
    let byName: [String: String]
    let byAlias: [String: String]

    /// `aliases` are the jurisdiction's saved aliases (alias text, unit id); `exportInstansi` is the export's own
    /// `Nama Instansi`, whose place is dropped from names too.
    public init(tree: OrgTree, jurisdiction: String, aliases: [(alias: String, unit: String)], exportInstansi: String? = nil) {
        self.jurisdiction = jurisdiction
        var places: [[String]] = []
        if let name = tree.jurisdictions[jurisdiction]?.name { places.append(InstansiName.place(name)) }
        if let exportInstansi { places.append(InstansiName.place(exportInstansi)) }
        self.places = places.filter { !$0.isEmpty }
        let units = tree.units.values.filter { $0.jurisdiction == jurisdiction && $0.active }.sorted { $0.id < $1.id }
        var byName: [String: String] = [:]
        for unit in units {
            let key = InstansiName.key(unit.name, places: self.places)
            if !key.isEmpty && byName[key] == nil { byName[key] = unit.id }
        }
        var byAlias: [String: String] = [:]
        for (alias, unit) in aliases.sorted(by: { $0.alias < $1.alias }) where units.contains(where: { $0.id == unit }) {
            let key = InstansiName.key(alias, places: self.places)
            if !key.isEmpty && byAlias[key] == nil { byAlias[key] = unit }
        }
        self.byName = byName
        self.byAlias = byAlias
    }

    public func key(_ name: String) -> String { InstansiName.key(name, places: places) }

    /// The unit `name` means here, or nil.
    public func unit(for name: String) -> String? {
        let key = self.key(name)
        guard !key.isEmpty else { return nil }
        return byName[key] ?? byAlias[key]
    }
}

/// An organisation CSV (`OrgImport`) written from the agency names of a LAPOR export, so a kabupaten/kota can load
/// the agencies its complaints were dispositioned to: one unit per key, named as LAPOR wrote it most often, the other
/// spellings as aliases. Names of the inspectorate and of Diskominfo become aliases of the jurisdiction's own
/// inspectorate and coordinator unit; the government itself (the export's `Nama Instansi`, "Pemerintah …") is no unit
/// and is left out.
public enum OrgDerivation {
    public struct Row: Sendable, Equatable {
        public var jurisdiction: String
        public var slug: String
        public var name: String
        public var kind: UnitKind
        public var aliases: [String]
    }

    public static func rows(names: [String: Int], jurisdiction: String, tree: OrgTree,
                            exportInstansi: String?) -> (rows: [Row], skipped: [String]) {
        let matcher = InstansiMatcher(tree: tree, jurisdiction: jurisdiction, aliases: [], exportInstansi: exportInstansi)
        let government = exportInstansi.map(matcher.key)
        var groups: [String: [String: Int]] = [:]
        var skipped: [String] = []
        for (name, count) in names {
            let key = matcher.key(name)
            if key.isEmpty || key == "pemerintah" || key == government { skipped.append(name); continue }
            groups[key, default: [:]][name, default: 0] += count
        }
        let units = tree.units.values.filter { $0.jurisdiction == jurisdiction }
        func keyUnit(_ kind: UnitKind) -> OrgTree.Unit? { units.filter { $0.kind == kind }.min { $0.id < $1.id } }
        var rows: [String: Row] = [:]    // by slug
        var taken = Set(units.map { String($0.id.split(separator: "/").last ?? "") })
        for key in groups.keys.sorted() {
            let spellings = groups[key]!.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map(\.key)
            let kind: UnitKind = key.hasPrefix("inspektorat") ? .inspectorate
                : (key.hasPrefix("dinas komunikasi dan informatika") || key.hasPrefix("diskominfo")) ? .coordinator : .agency
            let existing = kind == .agency ? matcher.unit(for: spellings[0]).flatMap { tree.units[$0] } : keyUnit(kind)
            if let existing {
                let slug = String(existing.id.split(separator: "/").last ?? "")
                var row = rows[slug] ?? Row(jurisdiction: jurisdiction, slug: slug, name: existing.name, kind: existing.kind, aliases: [])
                row.aliases += spellings.filter { $0 != existing.name && !row.aliases.contains($0) }
                rows[slug] = row
                continue
            }
            if kind != .agency, let row = rows.values.first(where: { $0.kind == kind }) {
                rows[row.slug]!.aliases += spellings
                continue
            }
            var slug = kind == .inspectorate ? "inspektorat" : kind == .coordinator ? "diskominfo" : self.slug(key)
            if taken.contains(slug) {
                var n = 2
                while taken.contains("\(slug.prefix(60))-\(n)") { n += 1 }
                slug = "\(slug.prefix(60))-\(n)"
            }
            taken.insert(slug)
            rows[slug] = Row(jurisdiction: jurisdiction, slug: slug, name: spellings[0], kind: kind, aliases: Array(spellings.dropFirst()))
        }
        return (rows.values.sorted { $0.slug < $1.slug }, skipped.sorted())
    }

    /// `dinas pekerjaan umum dan tata ruang` → `dinas-pekerjaan-umum-dan-tata-ruang`, at most 64 characters, cut
    /// between words.
    public static func slug(_ key: String) -> String {
        var slug = ""
        for word in key.split(separator: " ") {
            let ascii = word.unicodeScalars.filter { ("a"..."z").contains($0) || ("0"..."9").contains($0) }.map(String.init).joined()
            guard !ascii.isEmpty else { continue }
            let next = slug.isEmpty ? ascii : slug + "-" + ascii
            if next.count > 64 { break }
            slug = next
        }
        return slug.isEmpty ? "unit" : slug
    }
}
