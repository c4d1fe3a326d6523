import AduanCore
import Foundation
import Vapor

/// Public reference data that forms and clients need: jurisdictions, units, categories.
enum ReferenceController {
    struct JurisdictionView: Content { var code: String; var name: String; var parent: String? }
    struct UnitView: Content { var id: String; var jurisdiction: String; var name: String; var kind: String; var parent: String? }
    struct CategoryView: Content { var code: String; var name: String; var name_en: String?; var parent: String?; var resolution_class: String; var default_unit: String? }

    static func jurisdictions(_ req: Request) async throws -> [JurisdictionView] {
        try await req.reference().tree.jurisdictions.values.sorted { $0.code < $1.code }
            .map { JurisdictionView(code: $0.code, name: $0.name, parent: $0.parent) }
    }

    static func units(_ req: Request) async throws -> [UnitView] {
        let jurisdiction = req.query[String.self, at: "jurisdiction"]
        return try await req.reference().tree.units.values
            .filter { $0.active && (jurisdiction == nil || $0.jurisdiction == jurisdiction) }
            .sorted { $0.id < $1.id }
            .map { UnitView(id: $0.id, jurisdiction: $0.jurisdiction, name: $0.name, kind: $0.kind.rawValue, parent: $0.parent) }
    }

    static func categories(_ req: Request) async throws -> [CategoryView] {
        let reference = try await req.reference()
        let jurisdiction = req.query[String.self, at: "jurisdiction"] ?? reference.defaultJurisdiction
        return reference.categories.sorted { $0.key < $1.key }.map { code, info in
            CategoryView(code: code, name: info.name, name_en: info.nameEn, parent: info.parent, resolution_class: info.resolutionClass.rawValue,
                         default_unit: reference.categoryUnits["\(code)@\(jurisdiction)"])
        }
    }
}
