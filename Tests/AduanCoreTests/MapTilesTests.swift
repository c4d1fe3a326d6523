import Foundation
import Testing
@testable import AduanCore

// Issue 19, "location on a map": the slippy-map arithmetic (OSM wiki, "Slippy map tilenames"), the public rounding of
// a pin, and the tile-server setting's checks.

@Suite("Slippy-map tiles")
struct SlippyMapTests {
    @Test("the wiki's fixed points: the whole world is tile 0/0/0, whose north-west corner is 85.0511° N, 180° W")
    func worldCorners() {
        #expect(SlippyMap.tile(GeoPoint(lat: 0, lng: 0), zoom: 0) == (0, 0))
        let corner = SlippyMap.point(x: 0, y: 0, zoom: 0)
        #expect(abs(corner.lat - 85.0511) < 0.0001)
        #expect(corner.lng == -180)
        // "X goes from 0 (left edge is 180 °W) to 2^zoom − 1 (right edge is 180 °E)": zoom 12 has 4096 columns.
        #expect(SlippyMap.tile(GeoPoint(lat: 0, lng: 179.9999), zoom: 12).x == 4095)
        #expect(SlippyMap.tile(GeoPoint(lat: 0, lng: -180), zoom: 12).x == 0)
        // The equator and the prime meridian meet at the corner shared by the four tiles of zoom 1.
        let middle = SlippyMap.tilePosition(GeoPoint(lat: 0, lng: 0), zoom: 1)
        #expect(abs(middle.x - 1) < 1e-12 && abs(middle.y - 1) < 1e-12)
    }

    @Test("Banjarmasin and Greenwich fall in the tiles the wiki's formula gives (its Python, run separately)")
    func knownTiles() {
        // python3: deg2num(-3.3194, 114.5908, 12) = (3351.7887, 2085.7885); at 17 (107257.2370, 66745.2333)
        #expect(SlippyMap.tile(GeoPoint(lat: -3.3194, lng: 114.5908), zoom: 12) == (3351, 2085))
        #expect(SlippyMap.tile(GeoPoint(lat: -3.3194, lng: 114.5908), zoom: 17) == (107257, 66745))
        let p = SlippyMap.tilePosition(GeoPoint(lat: -3.3194, lng: 114.5908), zoom: 17)
        #expect(abs(p.x - 107257.23705) < 1e-4 && abs(p.y - 66745.23329) < 1e-4)
        // deg2num(51.4778, -0.0015, 16) = (32767.7269, 21801.0473): just west of the meridian, the column left of the middle.
        #expect(SlippyMap.tile(GeoPoint(lat: 51.4778, lng: -0.0015), zoom: 16) == (32767, 21801))
    }

    @Test("position to point and back is the same point", arguments: [(-3.3194, 114.5908), (51.4778, -0.0015), (-45.0, -170.25), (60.1, 24.9)])
    func roundTrip(lat: Double, lng: Double) {
        for zoom in [3, 12, 19] {
            let p = SlippyMap.tilePosition(GeoPoint(lat: lat, lng: lng), zoom: zoom)
            let back = SlippyMap.point(x: p.x, y: p.y, zoom: zoom)
            #expect(abs(back.lat - lat) < 1e-9 && abs(back.lng - lng) < 1e-9)
        }
    }

    @Test("a view puts the point in its middle and covers itself with tiles that each sit where their pixels belong")
    func viewCoversItself() {
        let center = GeoPoint(lat: -3.3194, lng: 114.5908)
        let view = SlippyMap.View(center: center, zoom: 17, width: 512, height: 320)
        #expect(view.markerX == 256 && view.markerY == 160)
        // Position (107257.23705, 66745.23329) tiles = pixel (27457852.68, 17086779.72); the view starts 256 px west and
        // 160 px north of it, in tile (107256, 66744), whose corner is at 107256·256 − 27457596.68 = −60.68 and
        // 66744·256 − 17086619.72 = −155.72 (computed by hand from the wiki's formula).
        let first = view.tiles.first!
        #expect(first.x == 107256 && first.y == 66744 && first.z == 17)
        #expect(first.left == -61 && first.top == -156)
        // Every pixel of the view is inside exactly one tile.
        for (px, py) in [(0, 0), (511, 0), (0, 319), (511, 319), (256, 160)] {
            let covering = view.tiles.filter { px >= $0.left && px < $0.left + 256 && py >= $0.top && py < $0.top + 256 }
            #expect(covering.count == 1, "pixel \(px),\(py)")
        }
        #expect(view.tiles.count == 3 * 2)
    }

    @Test("east of 180° the tiles start again from column 0; north of the world there are none")
    func wrapsSideways() {
        let view = SlippyMap.View(center: GeoPoint(lat: 85, lng: 179.99), zoom: 2, width: 512, height: 512)
        #expect(view.tiles.contains { $0.x == 0 })
        #expect(view.tiles.allSatisfy { (0..<4).contains($0.x) && (0..<4).contains($0.y) })
    }
}

@Suite("A pin on the public side")
struct PublicPinTests {
    @Test("is rounded to 3 decimals (at most 111 m), halves away from zero, on both axes")
    func rounding() {
        let exact = GeoPoint(lat: -3.319_449_9, lng: 114.590_850_1)
        #expect(exact.publiclyRounded == GeoPoint(lat: -3.319, lng: 114.591))
        #expect(GeoPoint(lat: 0.0005, lng: -0.0005).publiclyRounded == GeoPoint(lat: 0.001, lng: -0.001))
        #expect(exact.publiclyRounded.text(decimals: 3) == "-3.319, 114.591")
        #expect(exact.text(decimals: 6) == "-3.319450, 114.590850")
    }
}

@Suite("The tile-server setting")
struct TileServerTests {
    func server(_ template: String, attribution: String = "© OpenStreetMap contributors", lat: Double = -3.3, lng: Double = 114.6, zoom: Int = 12) -> TileServer {
        TileServer(template: template, attribution: attribution, center: GeoPoint(lat: lat, lng: lng), zoom: zoom)
    }

    @Test("OpenStreetMap's own server is the default, and fine")
    func defaultIsOSM() {
        #expect(TileServer.openStreetMap.problems().isEmpty)
        #expect(TileServer.openStreetMap.origin == "https://tile.openstreetmap.org")
        #expect(TileServer.openStreetMap.tileURL(z: 17, x: 107257, y: 66745) == "https://tile.openstreetmap.org/17/107257/66745.png")
    }

    @Test("the origin keeps the port and nothing of the path")
    func origin() {
        #expect(server("http://127.0.0.1:8089/{z}/{x}/{y}.png").origin == "http://127.0.0.1:8089")
        #expect(server("https://Tiles.Example.go.id/osm/{z}/{x}/{y}.png?key=abc").origin == "https://tiles.example.go.id")
    }

    @Test("refused templates", arguments: [
        "", "tile.openstreetmap.org/{z}/{x}/{y}.png", "ftp://tiles.example/{z}/{x}/{y}.png", "javascript:alert(1)//{z}{x}{y}",
        "https://tiles.example/{z}/{x}.png", "https://{s}.tile.example/{z}/{x}/{y}.png", "https://tiles.example/{z}/{x}/{y}.png\" onerror=\"x",
        "https://user:pw@tiles.example/{z}/{x}/{y}.png", "https:///{z}/{x}/{y}.png",
    ])
    func refusedTemplates(template: String) {
        #expect(server(template).problems().map(\.field) == ["template"])
    }

    @Test("the attribution, the centre and the zoom are checked too")
    func otherFields() {
        let good = "https://tiles.example/{z}/{x}/{y}.png"
        #expect(server(good, attribution: " ").problems().map(\.field) == ["attribution"])
        #expect(server(good, attribution: "a\nb").problems().map(\.field) == ["attribution"])
        #expect(server(good, lat: 89).problems().map(\.field) == ["center"])
        #expect(server(good, lng: .nan).problems().map(\.field) == ["center"])
        #expect(server(good, zoom: 20).problems().map(\.field) == ["zoom"])
        #expect(server(good, zoom: 1).problems().map(\.field) == ["zoom"])
    }

    @Test("the stored JSON reads back the same")
    func codable() throws {
        let data = try JSONEncoder().encode(TileServer.openStreetMap)
        #expect(try JSONDecoder().decode(TileServer.self, from: data) == TileServer.openStreetMap)
    }
}
