import Foundation
import Testing
@testable import AduanCore

// What a system administrator manages (SPEC §1, §2): the jurisdictions of their scopes and those below them; units
// that keep the tree whole; roles on the kind of scope each role reads by.

private typealias F = Fixture

private func admin(_ scopes: Scope...) -> Officer {
    Officer(id: "admin", assignments: scopes.map { RoleAssignment(role: .sysadmin, scope: $0) })
}

/// The fixture tree with a second kabupaten, so "beside" and "above" can be told apart.
private let tree = OrgTree(jurisdictions: F.jurisdictions + [.init(code: "63.01", name: "Kabupaten Tanah Laut", parent: "63")],
                           units: F.units + [
                               .init(id: "63.01/diskominfo", jurisdiction: "63.01", name: "Diskominfo Tanah Laut", kind: .coordinator, parent: nil),
                               .init(id: "63/dishut", jurisdiction: "63", name: "Dinas Kehutanan", kind: .agency, parent: nil, active: false),
                           ])

@Suite("Administration scope and rules")
struct AdministrationTests {
    @Test("the province's sysadmin manages the installation; a kabupaten's only its own; other roles nothing")
    func scopes() {
        let province = AdminScope(officer: admin(.jurisdiction("63")), tree: tree)
        #expect(province.jurisdictions == ["63", "63.01", "63.71"] && province.isInstallationWide)
        let kabupaten = AdminScope(officer: admin(.jurisdiction("63.01")), tree: tree)
        #expect(kabupaten.jurisdictions == ["63.01"] && !kabupaten.isInstallationWide)
        #expect(kabupaten.covers(.unit("63.01/diskominfo")) && !kabupaten.covers(.unit("63/dinkes")) && !kabupaten.covers(.jurisdiction("63")))
        let both = AdminScope(officer: admin(.jurisdiction("63.01"), .jurisdiction("63.71")), tree: tree)
        #expect(both.jurisdictions == ["63.01", "63.71"] && !both.isInstallationWide)
        let coordinator = AdminScope(officer: Officer(id: "k", assignments: [RoleAssignment(role: .coordinator, scope: .jurisdiction("63"))]), tree: tree)
        #expect(!coordinator.isAdministrator && !coordinator.isInstallationWide)
        // A sysadmin "on a unit" grants nothing (the scope is of the wrong kind).
        #expect(!AdminScope(officer: admin(.unit("63/dinkes")), tree: tree).isAdministrator)
    }

    @Test("an officer is manageable only when every role they hold is in scope; one with no role only installation-wide")
    func manageableOfficers() {
        let kabupaten = AdminScope(officer: admin(.jurisdiction("63.01")), tree: tree)
        let local = [RoleAssignment(role: .coordinator, scope: .jurisdiction("63.01"))]
        let mixed = local + [RoleAssignment(role: .liaison, scope: .unit("63/dinkes"))]
        #expect(kabupaten.covers(officerWith: local) && !kabupaten.covers(officerWith: mixed) && !kabupaten.covers(officerWith: []))
        #expect(AdminScope(officer: admin(.jurisdiction("63")), tree: tree).covers(officerWith: []))
    }

    @Test("roles go on the scope kind they read by, on something that exists, active, and in the administrator's scope")
    func assignments() {
        let kabupaten = AdminScope(officer: admin(.jurisdiction("63.01")), tree: tree)
        let province = AdminScope(officer: admin(.jurisdiction("63")), tree: tree)
        #expect(kabupaten.assignmentProblem(.coordinator, .jurisdiction("63.01"), tree: tree) == nil)
        #expect(kabupaten.assignmentProblem(.liaison, .unit("63.01/diskominfo"), tree: tree) == nil)
        #expect(kabupaten.assignmentProblem(.liaison, .jurisdiction("63.01"), tree: tree) == .needsUnit)
        #expect(kabupaten.assignmentProblem(.unit_head, .jurisdiction("63.01"), tree: tree) == .needsUnit)
        for role in [Role.coordinator, .inspector, .executive, .sysadmin] {
            #expect(kabupaten.assignmentProblem(role, .unit("63.01/diskominfo"), tree: tree) == .needsJurisdiction)
        }
        #expect(kabupaten.assignmentProblem(.coordinator, .jurisdiction("63"), tree: tree) == .outsideScope)
        #expect(kabupaten.assignmentProblem(.liaison, .unit("63/dinkes"), tree: tree) == .outsideScope)
        #expect(kabupaten.assignmentProblem(.liaison, .unit("63.01/dinkes"), tree: tree) == .unknownScope)
        #expect(province.assignmentProblem(.liaison, .unit("63/dishut"), tree: tree) == .inactiveUnit)
        #expect(province.assignmentProblem(.inspector, .jurisdiction("63.71"), tree: tree) == nil)
    }

    @Test("a new unit: valid slug not taken, a name, one coordinator and inspectorate, sub-units under an active unit of the same place")
    func newUnits() {
        func problems(_ jurisdiction: String = "63", slug: String = "dinsos", name: String = "Dinas Sosial", kind: UnitKind? = .agency,
                      parent: String? = nil) -> [UnitProblem] {
            OrgRules.newUnitProblems(jurisdiction: jurisdiction, slug: slug, name: name, kind: kind, parent: parent, tree: tree)
        }
        #expect(problems().isEmpty)
        #expect(problems(slug: "upt-lab", kind: .subunit, parent: "63/dinkes").isEmpty)
        #expect(problems(slug: "Dinsos") == [.slugInvalid])
        #expect(problems(slug: "dinas sosial") == [.slugInvalid])
        #expect(problems(slug: "-dinsos") == [.slugInvalid])
        #expect(problems(slug: "dinkes") == [.slugTaken])
        #expect(problems("63.71", slug: "dpupr").isEmpty)     // the same slug in another jurisdiction is another unit
        #expect(problems(name: "") == [.nameInvalid])
        #expect(problems(name: String(repeating: "x", count: 201)) == [.nameInvalid])
        #expect(problems(kind: nil) == [.kindInvalid])
        #expect(problems(slug: "kominfo2", kind: .coordinator) == [.kindTaken])
        #expect(problems(slug: "irbansus", kind: .inspectorate) == [.kindTaken])
        #expect(problems("63.01", slug: "inspektorat", kind: .inspectorate).isEmpty)
        #expect(problems(kind: .subunit) == [.parentRequired])
        #expect(problems(kind: .subunit, parent: "63.71/dinkes") == [.parentInvalid])
        #expect(problems(kind: .subunit, parent: "63/nothing") == [.parentInvalid])
        #expect(problems(kind: .subunit, parent: "63/dishut") == [.inactiveParent])
        #expect(problems(kind: .agency, parent: "63/dinkes") == [.parentNotAllowed])
        #expect(problems(slug: "", name: "", kind: nil) == [.slugInvalid, .nameInvalid, .kindInvalid])
        #expect(UnitProblem.parentRequired.field == "parent" && UnitProblem.slugTaken.field == "slug")
    }

    @Test("the coordinator unit and inspectorate stay active; a parent waits for its sub-units; a sub-unit for its parent")
    func activation() {
        #expect(OrgRules.deactivationProblem("63/diskominfo", tree: tree) == .keyUnit)
        #expect(OrgRules.deactivationProblem("63/inspektorat", tree: tree) == .keyUnit)
        #expect(OrgRules.deactivationProblem("63/dinkes", tree: tree) == .activeSubunits)
        #expect(OrgRules.deactivationProblem("63/rsud-ulin", tree: tree) == nil)
        #expect(OrgRules.deactivationProblem("63/dpupr", tree: tree) == nil)
        let withClosedParent = OrgTree(jurisdictions: F.jurisdictions, units: F.units.map { unit in
            var copy = unit
            if unit.id == "63/dinkes" { copy.active = false }
            return copy
        })
        #expect(OrgRules.reactivationProblem("63/rsud-ulin", tree: withClosedParent) == .inactiveParent)
        #expect(OrgRules.reactivationProblem("63/dinkes", tree: withClosedParent) == nil)
    }
}

@Suite("Policy settings")
struct PolicySettingsTests {
    @Test("every number is named, readable and writable by name, and checked against its range")
    func numbers() {
        var policy = Policy()
        #expect(Policy.Number.all.count == 12 && Set(Policy.Number.all.map(\.name)).count == 12)
        #expect(policy[.verificationDays] == 3 && policy[.resolutionDays(.pemeriksaan_lapangan)] == 60)
        #expect(policy.problems().isEmpty)
        policy[.resolutionDays(.sederhana)] = 0
        policy[.maxExtensionDays] = 0
        policy[.escalateToCoordinatorAfterDays] = 6
        #expect(policy.days(for: .sederhana) == 0)
        #expect(policy.problems() == [.outOfRange(.resolutionDays(.sederhana)), .escalationOrder])
        policy[.verificationDays] = 366
        #expect(policy.problems().first == .outOfRange(.verificationDays))
    }
}
