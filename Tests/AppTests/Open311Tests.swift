import AduanCore
import Fluent
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import Vapor
import VaporTesting
@testable import App

/// Collects the element names and the text of each element of an XML document; `nil` when it does not parse.
final class XMLShape: NSObject, XMLParserDelegate {
    var names: [String] = []
    var texts: [String: [String]] = [:]
    private var current = ""

    static func parse(_ text: String) -> XMLShape? {
        let shape = XMLShape()
        let parser = XMLParser(data: Data(text.utf8))
        parser.delegate = shape
        return parser.parse() ? shape : nil
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        names.append(name); current = ""
    }
    func parser(_ parser: XMLParser, foundCharacters string: String) { current += string }
    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        texts[name, default: []].append(current); current = ""
    }
}

func jsonArray(_ text: String) -> [[String: Any]] {
    (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [[String: Any]] ?? []
}

extension Application {
    /// Posts a GeoReport form (application/x-www-form-urlencoded).
    func open311Post(_ path: String, _ fields: [String: String]) async throws -> (HTTPStatus, String) {
        var out: (HTTPStatus, String) = (.internalServerError, "")
        try await testing().test(.POST, path, beforeRequest: { req in
            try req.content.encode(fields, as: .urlEncodedForm)
        }, afterResponse: { res in out = (res.status, res.body.string) })
        return out
    }
}

@Suite("Open311 GeoReport v2: discovery, services, requests, submission")
struct Open311Tests {
    /// The only keys a GeoReport request may carry here: no reporter field exists.
    static let requestKeys: Set<String> = ["service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                                           "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
                                           "expected_datetime", "address", "lat", "long"]

    @Test("discovery and services answer in JSON and XML; a service definition has no attributes; unknown is 404")
    func discoveryAndServices() async throws {
        try await TestHarness.withApp { app in
            var (status, body) = try await app.get("/open311/v2/discovery.json")
            #expect(status == .ok)
            let endpoints = try #require(json(body)["endpoints"] as? [[String: Any]])
            #expect(endpoints.first?["specification"] as? String == "http://wiki.open311.org/GeoReport_v2")
            (status, body) = try await app.get("/open311/v2/discovery.xml")
            #expect(status == .ok && XMLShape.parse(body)?.names.first == "discovery")

            (status, body) = try await app.get("/open311/v2/services.json")
            let services = jsonArray(body)
            let rs = try #require(services.first { $0["service_code"] as? String == "kesehatan.rs" })
            #expect(rs["service_name"] as? String == "Pelayanan Rumah Sakit")
            #expect(rs["group"] as? String == "Kesehatan")
            #expect(rs["metadata"] as? Bool == false && rs["type"] as? String == "realtime")
            (status, body) = try await app.get("/open311/v2/services.xml")
            let xml = try #require(XMLShape.parse(body))
            #expect(status == .ok && xml.names.first == "services")
            #expect(xml.texts["service"]?.count == services.count)
            #expect(xml.texts["service_code"]?.contains("kesehatan.rs") == true)

            (status, body) = try await app.get("/open311/v2/services/kesehatan.json")
            #expect(status == .ok && (json(body)["attributes"] as? [Any])?.isEmpty == true)
            (status, body) = try await app.get("/open311/v2/services/tidak-ada.json")
            #expect(status == .notFound && jsonArray(body).first?["code"] as? Int == 404)
            (status, body) = try await app.get("/open311/v2/services/tidak-ada.xml")
            let error = try #require(XMLShape.parse(body))
            #expect(status == .notFound && error.names.prefix(2) == ["errors", "error"] && error.texts["code"] == ["404"])
            #expect(try await app.get("/open311/v2/services.html").0 == .notFound)
        }
    }

    @Test("a request by id is an array of one with string ids; confidential ones are absent; anonymous ones show no reporter")
    func requestByID() async throws {
        // About what a public reader sees of a published complaint, not about when it is published (VisibilityQueryTests): at submission.
        try await TestHarness.withApp(env: TestHarness.publishAtSubmission) { app in
            let open = try await app.submit(["category": "kesehatan", "address": "Jl. A. Yani km 5 & <gang>", "lat": -3.32, "lng": 114.59])
            let secret = try await app.submit(["confidential": true])
            let anonymous = try await app.submit(["anonymous": true, "reporter": ["name": "Rahasia Orang", "email": "orang@example.org"]])

            var (status, body) = try await app.get("/open311/v2/requests/\(open.tracking_id.lowercased()).json")
            #expect(status == .ok)
            let one = jsonArray(body)
            #expect(one.count == 1)
            #expect(one.first?["service_request_id"] as? String == open.tracking_id)
            #expect(one.first?["status"] as? String == "open")
            #expect(one.first?["service_code"] as? String == "kesehatan")
            #expect((one.first?["requested_datetime"] as? String)?.hasSuffix("+08:00") == true)
            #expect(one.first?["lat"] as? Double == -3.32)
            (status, body) = try await app.get("/open311/v2/requests/\(open.tracking_id).xml")
            let xml = try #require(XMLShape.parse(body))
            #expect(xml.names.prefix(2) == ["service_requests", "request"])
            #expect(xml.texts["address"] == ["Jl. A. Yani km 5 & <gang>"])

            #expect(try await app.get("/open311/v2/requests/\(secret.tracking_id).json").0 == .notFound)
            (status, body) = try await app.get("/open311/v2/requests.json")
            let ids = jsonArray(body).compactMap { $0["service_request_id"] as? String }
            #expect(Set(ids) == [open.tracking_id, anonymous.tracking_id])

            (status, body) = try await app.get("/open311/v2/requests/\(anonymous.tracking_id).json")
            let keys = Set(try #require(jsonArray(body).first).keys)
            #expect(keys.isSubset(of: Self.requestKeys))
            #expect(!body.contains("Rahasia Orang") && !body.contains("orang@example.org"))
            (_, body) = try await app.get("/open311/v2/requests/\(anonymous.tracking_id).xml")
            #expect(!body.contains("Rahasia Orang") && !body.contains("orang@example.org"))
        }
    }

    @Test("filters: the default 90-day window, dates, service_code, status, ids, paging, updated_after, bad input")
    func filters() async throws {
        // About what a public reader sees of a published complaint, not about when it is published (VisibilityQueryTests): at submission.
        try await TestHarness.withApp(env: TestHarness.publishAtSubmission) { app in
            // Given one complaint 100 days ago and two today
            app.clock.set(Date(timeIntervalSince1970: 1_773_385_200)) // 2026-03-13T15:00:00+08:00
            let old = try await app.submit(["category": "kesehatan"])
            app.clock.advance(by: 100 * 86_400)
            let health = try await app.submit(["category": "kesehatan"])
            app.clock.advance(by: 60)
            let roads = try await app.submit(["category": "infrastruktur.jalan"])

            func ids(_ query: String) async throws -> [String] {
                let (status, body) = try await app.get("/open311/v2/requests.json" + query)
                #expect(status == .ok, "\(body)")
                return jsonArray(body).compactMap { $0["service_request_id"] as? String }
            }
            #expect(try await ids("") == [roads.tracking_id, health.tracking_id])
            #expect(try await ids("?start_date=2026-03-01T00:00:00%2B08:00").count == 3)
            #expect(try await ids("?start_date=2026-03-01T00:00:00Z&end_date=2026-03-31T00:00:00Z") == [old.tracking_id])
            #expect(try await ids("?service_code=kesehatan") == [health.tracking_id])
            #expect(try await ids("?status=closed").isEmpty)
            #expect(try await ids("?status=open").count == 2)
            #expect(try await ids("?service_request_id=\(old.tracking_id),\(roads.tracking_id)") == [roads.tracking_id, old.tracking_id])
            #expect(try await ids("?page_size=1&page=2") == [health.tracking_id])
            #expect(try await ids("?updated_after=2026-06-21T15:00:30%2B08:00") == [roads.tracking_id])

            let (status, body) = try await app.get("/open311/v2/requests.json?start_date=kemarin")
            #expect(status == .badRequest && jsonArray(body).first?["code"] as? Int == 400)
            #expect(try await app.get("/open311/v2/requests.xml?status=pending").0 == .badRequest)
            #expect(try await app.get("/open311/v2/requests.json?page_size=5000").0 == .badRequest)
        }
    }

    @Test("status follows the lifecycle: verify is open, respond_final and confirm are closed; agency and due are shown")
    func statusMapping() async throws {
        try await TestHarness.withApp { app in
            let coordinator = try await app.createOfficer("koord", .coordinator, "63")
            let liaison = try await app.createOfficer("dinkes", .liaison, "63/dinkes")
            let s = try await app.submit(["category": "kesehatan"])
            func current() async throws -> [String: Any] {
                try #require(jsonArray(try await app.get("/open311/v2/requests/\(s.tracking_id).json").1).first)
            }
            #expect(try await app.act(coordinator, s.tracking_id, "verify", ["unit": "63/dinkes"]).0 == .ok)
            var r = try await current()
            #expect(r["status"] as? String == "open")
            #expect((r["status_notes"] as? String)?.hasPrefix("didisposisikan: ") == true)
            #expect(r["agency_responsible"] as? String == "Dinas Kesehatan")
            #expect((r["expected_datetime"] as? String)?.hasSuffix("23:59:59+08:00") == true)

            #expect(try await app.act(liaison, s.tracking_id, "follow_up", ["text": "Sedang kami periksa."]).0 == .ok)
            #expect(try await app.act(liaison, s.tracking_id, "respond_final", ["text": "Sudah diperbaiki."]).0 == .ok)
            #expect(try await current()["status"] as? String == "open") // ditanggapi: waiting for the reporter
            #expect(try await app.reporter(s.secret, s.tracking_id, "confirm", [:]).0 == .ok)
            r = try await current()
            #expect(r["status"] as? String == "closed")
            #expect((r["status_notes"] as? String)?.hasPrefix("selesai: Selesai") == true)
            let (_, closed) = try await app.get("/open311/v2/requests.json?status=closed")
            #expect(jsonArray(closed).count == 1)
        }
    }

    @Test("POST requests needs a valid api_key (403 otherwise), counts its use and files an open311 complaint")
    func submission() async throws {
        try await TestHarness.withApp { app in
            let key = try await APIKeys.create(app, name: "Aplikasi Kota", scopes: [.submit, .readPublic])
            let readOnly = try await APIKeys.create(app, name: "Dasbor", scopes: [.readPublic])
            var form = ["service_code": "infrastruktur.jalan", "lat": "-3.316", "long": "114.59", "first_name": "Budi", "last_name": "Santoso",
                        "email": "budi@example.org", "description": "Lubang besar di tengah jalan, sudah dua minggu belum diperbaiki.",
                        "media_url": "https://example.org/foto.jpg"]

            var (status, body) = try await app.open311Post("/open311/v2/requests.json", form)
            #expect(status == .forbidden && jsonArray(body).first?["code"] as? Int == 403)
            form["api_key"] = "salah"
            (status, body) = try await app.open311Post("/open311/v2/requests.xml", form)
            #expect(status == .forbidden && XMLShape.parse(body)?.texts["code"] == ["403"])
            form["api_key"] = readOnly.key
            #expect(try await app.open311Post("/open311/v2/requests.json", form).0 == .forbidden)

            form["api_key"] = key.key
            (status, body) = try await app.open311Post("/open311/v2/requests.json", form)
            #expect(status == .created, "\(body)")
            let answer = jsonArray(body)
            #expect(answer.count == 1)
            let id = try #require(answer.first?["service_request_id"] as? String)
            #expect(answer.first?["service_notice"] is String && answer.first?["account_id"] is NSNull)
            let complaint = try await app.complaint(id)
            #expect(complaint.channel == "open311" && complaint.jurisdictionCode == "63" && complaint.categoryCode == "infrastruktur.jalan")
            #expect(complaint.lat == -3.316)

            (status, body) = try await app.open311Post("/open311/v2/requests.xml", form.merging(["jurisdiction_id": "63.71"]) { $1 })
            let xml = try #require(XMLShape.parse(body))
            #expect(status == .created && xml.names.prefix(2) == ["service_requests", "request"])
            #expect(try await app.complaint(try #require(xml.texts["service_request_id"]?.first)).jurisdictionCode == "63.71")

            // Bad input is a 400 in the spec's format
            #expect(try await app.open311Post("/open311/v2/requests.json", form.merging(["service_code": "tidak-ada"]) { $1 }).0 == .badRequest)
            #expect(try await app.open311Post("/open311/v2/requests.json", form.merging(["jurisdiction_id": "99"]) { $1 }).0 == .badRequest)
            var noPlace = form; noPlace["lat"] = nil; noPlace["long"] = nil
            (status, body) = try await app.open311Post("/open311/v2/requests.json", noPlace)
            #expect(status == .badRequest && jsonArray(body).first?["code"] as? Int == 400)
            #expect(try await app.open311Post("/open311/v2/requests.json", form.merging(["description": "pendek"]) { $1 }).0 == .badRequest)

            let stored = try #require(try await APIKey.find(key.id, on: app.db))
            #expect(stored.useCount == 6 && stored.lastUsedAt != nil)
            #expect(stored.keyHash != key.key && stored.keyHash == Secrets.sha256(key.key))
        }
    }
}
