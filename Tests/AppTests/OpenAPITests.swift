import AduanCore
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import App

@Suite("The OpenAPI document matches the server")
struct OpenAPITests {
    @Test("every route is documented and every documented operation is a route")
    func routesMatchDocument() async throws {
        try await TestHarness.withApp { app in
            let (status, text) = try await app.get("/api/openapi.json")
            #expect(status == .ok)
            let doc = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            #expect(doc["openapi"] as? String == "3.1.0")
            let paths = try #require(doc["paths"] as? [String: [String: Any]])
            var documented: Set<String> = []
            for (path, operations) in paths {
                for method in operations.keys where ["get", "post", "put", "patch", "delete"].contains(method) {
                    documented.insert("\(method.uppercased()) \(path)")
                }
            }
            var served: Set<String> = []
            // The JSON API and the operations endpoints; the HTML portal is not part of the API contract.
            for route in app.routes.all where ["api", "healthz", "readyz", "metrics"].contains(route.path.first?.description ?? "") {
                let path = "/" + route.path.map { component -> String in
                    if case .parameter(let name) = component { return "{\(name)}" }
                    return component.description
                }.joined(separator: "/")
                served.insert("\(route.method.rawValue) \(path)")
            }
            #expect(served.subtracting(documented).isEmpty, "undocumented routes: \(served.subtracting(documented).sorted())")
            #expect(documented.subtracting(served).isEmpty, "documented but not served: \(documented.subtracting(served).sorted())")
        }
    }

    @Test("the officer actions in the document are the core's officer actions")
    func actionsEnum() async throws {
        try await TestHarness.withApp { app in
            let (_, text) = try await app.get("/api/openapi.json")
            for action in Action.officerActions { #expect(text.contains("\"\(action.rawValue)\"")) }
        }
    }
}

