import AduanCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import App

extension Application {
    /// Posts a GeoReport form body written out by hand (repeated `attribute[code][]` fields).
    func open311Raw(_ path: String, _ pairs: [(String, String)]) async throws -> (HTTPStatus, String) {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let body = pairs.map { "\($0.0.addingPercentEncoding(withAllowedCharacters: allowed)!)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }
            .joined(separator: "&")
        var out: (HTTPStatus, String) = (.internalServerError, "")
        try await testing().test(.POST, path, headers: ["content-type": "application/x-www-form-urlencoded"], body: ByteBuffer(string: body),
                                 afterResponse: { res in out = (res.status, res.body.string) })
        return out
    }

    func addAttributes(_ category: String, _ list: [ServiceAttribute]) async throws {
        for a in list { try await CategoryAttribute(category: category, a).create(on: db) }
    }
}

@Suite("Open311: service definition attributes and tokens")
struct Open311AttributeTests {
    static let category = "infrastruktur.jalan"
    /// A required list, an optional number, date-time and multi-value list, and one that only informs.
    static let attributes = [
        ServiceAttribute(code: "fasilitas", datatype: .multivaluelist, required: false, description: "Fasilitas terdampak", order: 4,
                         values: [.init(key: "lampu", name: "Lampu"), .init(key: "trotoar", name: "Trotoar")]),
        ServiceAttribute(code: "catatan", datatype: .string, required: false, variable: false, description: "Foto membantu", order: 5),
        ServiceAttribute(code: "waktu", datatype: .datetime, required: false, description: "Sejak kapan", order: 3),
        ServiceAttribute(code: "lebar", datatype: .number, required: false, description: "Lebar lubang (m)", order: 2),
        ServiceAttribute(code: "kerusakan", datatype: .singlevaluelist, required: true, description: "Tingkat kerusakan", order: 1,
                         values: [.init(key: "ringan", name: "Rusak ringan"), .init(key: "berat", name: "Rusak berat")]),
    ]

    static func base(_ key: String) -> [(String, String)] {
        [("api_key", key), ("service_code", category), ("lat", "-3.316"), ("long", "114.59"), ("first_name", "Budi"),
         ("description", "Lubang besar di tengah jalan, sudah dua minggu belum diperbaiki.")]
    }

    @Test("a category with attributes has metadata true and lists them in XML and JSON, in order, with their values")
    func definition() async throws {
        try await TestHarness.withApp { app in
            try await app.addAttributes(Self.category, Self.attributes)
            var (status, body) = try await app.get("/open311/v2/services.json")
            let services = jsonArray(body)
            #expect(services.first { $0["service_code"] as? String == Self.category }?["metadata"] as? Bool == true)
            #expect(services.first { $0["service_code"] as? String == "kesehatan.rs" }?["metadata"] as? Bool == false)
            (_, body) = try await app.get("/open311/v2/services.xml")
            #expect(XMLShape.parse(body)?.texts["metadata"]?.filter { $0 == "true" }.count == 1)

            (status, body) = try await app.get("/open311/v2/services/\(Self.category).json")
            #expect(status == .ok)
            let attributes = try #require(json(body)["attributes"] as? [[String: Any]])
            #expect(attributes.map { $0["code"] as? String } == ["kerusakan", "lebar", "waktu", "fasilitas", "catatan"])
            let first = attributes[0]
            #expect(first["variable"] as? Bool == true && first["required"] as? Bool == true && first["datatype"] as? String == "singlevaluelist")
            #expect(first["order"] as? Int == 1 && first["description"] as? String == "Tingkat kerusakan" && first["datatype_description"] is NSNull)
            #expect((first["values"] as? [[String: String]]) == [["key": "ringan", "name": "Rusak ringan"], ["key": "berat", "name": "Rusak berat"]])
            #expect(attributes[4]["variable"] as? Bool == false && (attributes[1]["values"] as? [Any])?.isEmpty == true)

            (status, body) = try await app.get("/open311/v2/services/\(Self.category).xml")
            let xml = try #require(XMLShape.parse(body))
            #expect(status == .ok && xml.names.prefix(4) == ["service_definition", "service_code", "attributes", "attribute"])
            #expect(xml.texts["code"] == ["kerusakan", "lebar", "waktu", "fasilitas", "catatan"])
            #expect(xml.texts["key"] == ["ringan", "berat", "lampu", "trotoar"] && xml.texts["variable"]?.last == "false")
        }
    }

    @Test("POST requests checks attribute[code] answers: 400 in the spec's format and nothing stored, or the answers kept with the complaint")
    func answers() async throws {
        try await TestHarness.withApp { app in
            try await app.addAttributes(Self.category, Self.attributes)
            let key = try await APIKeys.create(app, name: "Aplikasi", scopes: [.submit])
            let base = Self.base(key.key)
            let refused: [[(String, String)]] = [
                [],
                [("attribute[kerusakan]", "parah")],
                [("attribute[kerusakan]", "ringan"), ("attribute[lebar]", "lebar")],
                [("attribute[kerusakan]", "ringan"), ("attribute[fasilitas][]", "lampu"), ("attribute[fasilitas][]", "jembatan")],
                [("attribute[kerusakan]", "ringan"), ("attribute[warna]", "merah")],
                [("attribute[kerusakan]", "ringan"), ("attribute[waktu]", "kemarin")],
                [("attribute[kerusakan][x]", "ringan")],
            ]
            for extra in refused {
                let (status, body) = try await app.open311Raw("/open311/v2/requests.json", base + extra)
                #expect(status == .badRequest, "\(extra): \(body)")
                #expect(jsonArray(body).first?["code"] as? Int == 400 && (jsonArray(body).first?["description"] as? String)?.contains("attribute[") == true, "\(body)")
            }
            let (status, body) = try await app.open311Raw("/open311/v2/requests.xml", base)
            #expect(status == .badRequest && XMLShape.parse(body)?.texts["code"] == ["400"])
            #expect(try await Complaint.query(on: app.db).count() == 0)

            let (created, answer) = try await app.open311Raw("/open311/v2/requests.json", base + [
                ("attribute[kerusakan]", "berat"), ("attribute[lebar]", "2.5"), ("attribute[waktu]", "2026-03-01T08:00:00+08:00"),
                ("attribute[fasilitas][]", "lampu"), ("attribute[fasilitas][]", "trotoar")])
            #expect(created == .created, "\(answer)")
            let id = try #require(jsonArray(answer).first?["service_request_id"] as? String)
            let complaint = try await app.complaint(id)
            let rows = try await ComplaintAttribute.query(on: app.db).filter(\.$complaintID == complaint.id!).sort(\.$id).all()
            #expect(rows.map { "\($0.code)=\($0.value)" } == ["kerusakan=berat", "lebar=2.5", "waktu=2026-03-01T08:00:00+08:00", "fasilitas=lampu", "fasilitas=trotoar"])

            // Officers see the answers, labelled, on the complaint page.
            _ = try await app.createOfficer("koord", .coordinator, "63")
            let browser = Browser(app)
            try await browser.get("/petugas/masuk")
            _ = try await browser.post("/petugas/masuk", ["username": "koord", "password": "password-koord"])
            let (pageStatus, page) = try await browser.get("/petugas/aduan/\(id)")
            #expect(pageStatus == .ok)
            #expect(page.contains("Jawaban atribut Open311") && page.contains("Tingkat kerusakan <code>kerusakan</code></dt><dd>Rusak berat</dd>"))
            #expect(page.contains("<dd>Lampu, Trotoar</dd>"))
            // A category without attributes takes none.
            var other = Self.base(key.key).filter { $0.0 != "service_code" }
            other.append(("service_code", "kesehatan.rs"))
            #expect(try await app.open311Raw("/open311/v2/requests.json", other + [("attribute[kerusakan]", "berat")]).0 == .badRequest)
            #expect(try await app.open311Raw("/open311/v2/requests.json", other).0 == .created)
        }
    }

    @Test("POST requests returns a token that resolves at once in XML and JSON; an unknown token is 404")
    func tokens() async throws {
        try await TestHarness.withApp { app in
            let key = try await APIKeys.create(app, name: "Aplikasi", scopes: [.submit])
            var (status, body) = try await app.open311Raw("/open311/v2/requests.json", Self.base(key.key))
            #expect(status == .created)
            let posted = try #require(jsonArray(body).first)
            let id = try #require(posted["service_request_id"] as? String), token = try #require(posted["token"] as? String)
            #expect(token.count >= 20 && token != id)

            (status, body) = try await app.get("/open311/v2/tokens/\(token).json")
            #expect(status == .ok)
            #expect(jsonArray(body).count == 1 && jsonArray(body).first?["service_request_id"] as? String == id && jsonArray(body).first?["token"] as? String == token)
            (status, body) = try await app.get("/open311/v2/tokens/\(token).xml")
            let xml = try #require(XMLShape.parse(body))
            #expect(status == .ok && xml.names == ["service_requests", "request", "service_request_id", "token"] && xml.texts["service_request_id"] == [id])

            (status, body) = try await app.open311Raw("/open311/v2/requests.xml", Self.base(key.key))
            let second = try #require(XMLShape.parse(body)?.texts["token"]?.first)
            #expect(status == .created && second != token)

            (status, body) = try await app.get("/open311/v2/tokens/tidak-ada.json")
            #expect(status == .notFound && jsonArray(body).first?["code"] as? Int == 404)
            (status, body) = try await app.get("/open311/v2/tokens/tidak-ada.xml")
            #expect(status == .notFound && XMLShape.parse(body)?.texts["code"] == ["404"])
            #expect(try await app.get("/open311/v2/tokens.json").0 == .notFound)
            // The token endpoint takes an optional read-public key like every GET.
            #expect(try await app.get("/open311/v2/tokens/\(token).json?api_key=\(key.key)").0 == .forbidden)
        }
    }
}
