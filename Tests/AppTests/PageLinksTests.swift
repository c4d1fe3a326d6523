import Foundation
import Testing
import Vapor
import VaporTesting
@testable import App

/// Templates take their links from `PageLinks` (issue 14); each must lead to a route the server registered, so a
/// path changed in SiteURL cannot leave a dead link in a template.
@Suite("Templates' fixed links are registered routes")
struct PageLinksTests {
    @Test("every PageLinks path is the path of a registered route (the language switch: its route with a parameter)")
    func linksAreRoutes() async throws {
        try await TestHarness.withApp { app in
            let routes = app.routes.all.map { $0.path.map(\.description) }
            func registered(_ link: String) -> Bool {
                let segments = (link.split(separator: "?").first ?? "").split(separator: "/").map(String.init)
                return routes.contains { route in
                    route.count == segments.count && zip(route, segments).allSatisfy { $0.hasPrefix(":") || $0 == $1 }
                }
            }
            let links = PageLinks(language: SiteURL.language("en").path + "?next=%2F")
            let values = Mirror(reflecting: links).children.compactMap { child in (child.label ?? "", child.value as? String ?? "") }
            #expect(values.count >= 30)
            for (name, link) in values {
                #expect(link.hasPrefix("/") && registered(link), "\(name): \(link) answers no route")
            }
            // The check can fail: a path no route answers.
            #expect(!registered("/petugas/tidak-ada"))
        }
    }
}
