import AduanCore
import Foundation
import Vapor

/// Everything the layout needs, around a page's own view model. Templates never reach the database.
struct Page<Body: Encodable & Sendable>: Encodable, Sendable {
    var lang: String
    var t: [String: String]
    var csrf: String
    var title: String
    /// Path of this page, for the language switch.
    var path: String
    var otherLang: String
    var otherLangName: String
    var body: Body
}

extension Request {
    var language: Language { Language.of(self) }

    /// Renders `template` with the page chrome in the visitor's language.
    func page<Body: Encodable & Sendable>(_ template: String, title key: String, _ body: Body, status: HTTPStatus = .ok) async throws -> Response {
        let lang = language
        let catalog = application.catalog
        let other: Language = lang == .id ? .en : .id
        let page = Page(lang: lang.rawValue, t: catalog.table(lang), csrf: CSRF.token(for: self),
                        title: catalog.text(key, lang), path: url.path, otherLang: other.rawValue,
                        otherLangName: other == .en ? "English" : "Bahasa Indonesia", body: body)
        let view = try await self.view.render(template, page)
        let response = try await view.encodeResponse(for: self)
        response.status = status
        response.headers.replaceOrAdd(name: .contentType, value: "text/html; charset=utf-8")
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }

    func text(_ key: String, _ values: [String: String] = [:]) -> String {
        application.catalog.text(key, language, values)
    }
}
