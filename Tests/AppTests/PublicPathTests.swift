import Foundation
import Testing
import Vapor
@testable import App

// Issue 19, fix 9: `/favicon.ico` is served, and every bad path (5,000 characters, odd bytes, `..`) is a 404, never
// a 500 from the file system ("File name too long"), a 403 or a 400. The e2e suite sends the same paths byte for
// byte to a running server and reads its log.

@Suite("Public paths: the favicon and bad paths")
struct PublicPathTests {
    @Test("the favicon is an ICO file with 16 and 32 pixel images")
    func favicon() async throws {
        try await TestHarness.withApp { app in
            var status = HTTPStatus.internalServerError
            var type = ""
            var bytes: [UInt8] = []
            try await app.testing().test(.GET, "/favicon.ico") { res in
                status = res.status
                type = res.headers.contentType?.description ?? ""
                bytes = Array(res.body.readableBytesView)
            }
            #expect(status == .ok)
            #expect(type.hasPrefix("image/"), "\(type)")
            // ICONDIR (Microsoft's ICO format): reserved 0, type 1, then the count; each 16-byte entry starts with
            // the width and height (0 = 256).
            try #require(bytes.count > 6 + 16)
            #expect(Array(bytes[0..<4]) == [0, 0, 1, 0])
            let count = Int(bytes[4]) | Int(bytes[5]) << 8
            let sizes = Set((0..<count).map { Int(bytes[6 + 16 * $0]) })
            #expect(sizes.isSuperset(of: [16, 32]), "\(sizes)")
        }
    }

    static let badPaths = [
        "/" + String(repeating: "a", count: 5000), "/css/" + String(repeating: "a", count: 5000),
        "/js/" + String(repeating: "b", count: 300) + ".js", "/t/" + String(repeating: "A", count: 5000),
        "/laporan/" + String(repeating: "x", count: 5000), "/petugas/" + String(repeating: "p", count: 5000),
        "/../../etc/passwd", "/css/../../Package.swift", "/css/..%2f..%2fPackage.swift", "/%2e%2e/%2e%2e/etc/passwd",
        "/css/%2e%2e/app.css", "/js/.hidden", "/%ff%fe%fd", "/%zz", "/t/%e2%82%ac", "/favicon.ico/..", "/css/app.css.png",
    ]
    /// An address with a control character once decoded stays a 400, refused at the door before anything reads or logs
    /// it (`RequestLimitsMiddleware`, docs/security.md).
    static let controlPaths = ["/css/%00.css", "/t/%00", "/css/app.css%00.png", "/%0d%0a" + String(repeating: "x", count: 5000)]

    @Test("a path of 5,000 characters, odd bytes or dot segments is a 404 page; control characters stay a 400")
    func badPaths() async throws {
        try await TestHarness.withApp { app in
            for path in Self.badPaths {
                var status = HTTPStatus.internalServerError
                var body = ""
                try await app.testing().test(.GET, path) { res in status = res.status; body = res.body.string }
                #expect(status == .notFound, "\(path.prefix(60))… (\(path.count) characters): \(status)")
                #expect(!body.contains("swift-tools-version") && !body.contains("root:"), "\(path.prefix(60))")
            }
            for path in Self.controlPaths { #expect(try await app.get(path).0 == .badRequest, "\(path.prefix(40))") }
            #expect(try await app.get("/css/app.css").0 == .ok)
            #expect(try await app.get("/js/app.js").0 == .ok)
        }
    }

    @Test("only the names of public files reach the file middleware")
    func publicFileNames() {
        for path in ["/css/app.css", "/js/app.js", "/favicon.ico"] { #expect(PublicFiles.mayName(path), "\(path)") }
        for path in ["/", "/css/", "/css/.x", "/css/a/b.css", "/css/..", "/css/%2e%2e", "/etc/passwd", "/lapor",
                     "/css/" + String(repeating: "a", count: 100)] {
            #expect(!PublicFiles.mayName(path), "\(path)")
        }
    }
}
