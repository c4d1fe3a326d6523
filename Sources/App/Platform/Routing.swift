import Vapor

/// Routes are registered from `RoutePattern`s only (SiteURL.swift), so the path a route answers and the links built to
/// it are spelled once; tests/layers/check_routes.py refuses a route registered with a string.
extension RoutePattern {
    /// The pattern as Vapor's path components (`:name` a parameter).
    var components: [PathComponent] { segments.map { PathComponent(stringLiteral: $0) } }

    /// Whether the route answering `req` was registered from this pattern.
    func answers(_ req: Request) -> Bool { req.route?.path.map(\.description) == segments }
}

extension RoutesBuilder {
    @discardableResult
    func on<R: AsyncResponseEncodable>(_ method: HTTPMethod, _ route: RoutePattern,
                                       use closure: @escaping @Sendable (Request) async throws -> R) -> Route {
        on(method, route.components, use: closure)
    }

    @discardableResult
    func get<R: AsyncResponseEncodable>(_ route: RoutePattern, use closure: @escaping @Sendable (Request) async throws -> R) -> Route {
        on(.GET, route.components, use: closure)
    }

    @discardableResult
    func post<R: AsyncResponseEncodable>(_ route: RoutePattern, use closure: @escaping @Sendable (Request) async throws -> R) -> Route {
        on(.POST, route.components, use: closure)
    }

    @discardableResult
    func delete<R: AsyncResponseEncodable>(_ route: RoutePattern, use closure: @escaping @Sendable (Request) async throws -> R) -> Route {
        on(.DELETE, route.components, use: closure)
    }

    /// A route that takes files: its body may reach `maxSize` bytes (every other route takes a form's), collected as it
    /// arrives under `RequestLimitsMiddleware`'s pace and memory rules.
    @discardableResult
    func upload<R: AsyncResponseEncodable>(_ method: HTTPMethod, _ route: RoutePattern, maxSize: Int,
                                           use closure: @escaping @Sendable (Request) async throws -> R) -> Route {
        let route = on(method, route.components, body: .collect(maxSize: ByteCount(value: maxSize)), use: closure)
        route.userInfo[AnySendableHashable(RequestLimits.routeKey)] = maxSize
        return route
    }
}
