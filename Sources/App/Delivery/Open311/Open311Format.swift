import AduanCore
import Foundation
import Vapor

/// The two representations of GeoReport v2, chosen by the path's extension.
enum Open311Format: String, Sendable {
    case json, xml

    /// Splits `requests.json` / `ABC123.xml` into its name and format.
    static func split(_ file: String) -> (name: String, format: Open311Format)? {
        guard let dot = file.lastIndex(of: "."), let format = Open311Format(rawValue: String(file[file.index(after: dot)...]).lowercased()) else {
            return nil
        }
        return (String(file[..<dot]), format)
    }
}

/// A value of an Open311 record: both renderers read the same ordered fields, so JSON and XML cannot drift apart.
enum Open311Value: Sendable {
    case string(String)
    case number(Double)
    case bool(Bool)
    /// Present but empty (`null` / `<x/>`); absent fields are simply left out of the record.
    case null
}

typealias Open311Record = [(key: String, value: Open311Value)]

/// Hand-written rendering (the shapes are tiny and fixed; no XML package is needed for writing them).
enum Open311Render {
    static func response(_ records: [Open311Record], list: String, item: String, format: Open311Format, status: HTTPStatus = .ok) -> Response {
        switch format {
        case .json:
            return json(records.map(jsonObject), status: status)
        case .xml:
            var out = #"<?xml version="1.0" encoding="utf-8"?>"# + "\n<\(list)>"
            for record in records { out += element(item, record) }
            out += "</\(list)>\n"
            return xml(out, status: status)
        }
    }

    static func element(_ name: String, _ record: Open311Record) -> String {
        var out = "<\(name)>"
        for (key, value) in record {
            switch value {
            case .string(let s): out += "<\(key)>\(escape(s))</\(key)>"
            case .number(let n): out += "<\(key)>\(number(n))</\(key)>"
            case .bool(let b): out += "<\(key)>\(b)</\(key)>"
            case .null: out += "<\(key)/>"
            }
        }
        return out + "</\(name)>"
    }

    static func jsonObject(_ record: Open311Record) -> [String: Any] {
        var object: [String: Any] = [:]
        for (key, value) in record {
            switch value {
            case .string(let s): object[key] = s
            case .number(let n): object[key] = n
            case .bool(let b): object[key] = b
            case .null: object[key] = NSNull()
            }
        }
        return object
    }

    static func json(_ value: Any, status: HTTPStatus = .ok) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("[]".utf8)
        let response = Response(status: status, body: .init(data: data))
        response.headers.contentType = .json
        return response
    }

    static func xml(_ text: String, status: HTTPStatus = .ok) -> Response {
        let response = Response(status: status, body: .init(string: text))
        response.headers.contentType = HTTPMediaType(type: "text", subType: "xml", parameters: ["charset": "utf-8"])
        return response
    }

    /// The spec's error list: `[{"code":404,"description":"…"}]` or `<errors><error>…</error></errors>`.
    static func error(_ status: HTTPStatus, _ description: String, format: Open311Format) -> Response {
        let record: Open311Record = [("code", .number(Double(status.code))), ("description", .string(description))]
        return response([record], list: "errors", item: "error", format: format, status: status)
    }

    static func escape(_ text: String) -> String { XMLText.escape(text) }

    static func number(_ n: Double) -> String {
        n == n.rounded() && abs(n) < 1e15 ? String(Int64(n)) : String(n)
    }
}

/// ISO 8601 times with the jurisdiction's offset (WITA: `2026-03-13T15:00:00+08:00`), and parsing of filter times.
enum Open311Time {
    static func format(_ date: Date, in timeZone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let offset = timeZone.secondsFromGMT(for: date)
        let sign = offset < 0 ? "-" : "+"
        let minutes = abs(offset) / 60
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
            + sign + String(format: "%02d:%02d", minutes / 60, minutes % 60)
    }

    /// Accepts `2026-03-13T15:00:00+08:00`, `…Z`, fractional seconds, or a bare date (midnight in `timeZone`).
    static func parse(_ text: String, timeZone: TimeZone) -> Date? {
        let withFraction = ISO8601DateFormatter()
        withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        if let date = plain.date(from: text) ?? withFraction.date(from: text) { return date }
        let dateOnly = ISO8601DateFormatter()
        dateOnly.formatOptions = [.withFullDate]
        dateOnly.timeZone = timeZone
        return text.count == 10 ? dateOnly.date(from: text) : nil
    }
}
