import AduanCore
import Foundation
import Vapor

/// Where a complaint happened, as a page shows it (issue 19, location on a map): the coordinates in words and, when
/// the installation has a tile server, a small map drawn by the server (SVG with the tiles as images and the pin on
/// top), so the pin is seen without JavaScript. Officers get the exact point; the public side (and anyone else who
/// is not the reporter) the point rounded to `GeoPoint.publicDecimals`.
struct PlaceOnMap: Encodable, Sendable {
    struct Tile: Encodable, Sendable { var url: String; var left: Int; var top: Int }
    struct Figure: Encodable, Sendable {
        var width: Int
        var height: Int
        var tiles: [Tile]
        var markerX: Double
        var markerY: Double
        var attribution: String
    }

    /// "-3.319450, 114.590850", or "-3.319, 114.591" rounded.
    var coordinates: String
    var rounded: Bool
    /// The map's accessible name: what it shows, in words.
    var label: String
    var figure: Figure?

    /// Zooms of the drawn map: a street for officers; a neighbourhood for the rounded public pin (a 110 m grid).
    static let exactZoom = 17
    static let publicZoom = 15
    static let width = 512, height = 288

    /// Nil when the complaint has no pin. `exact` is for officers and the reporter; everyone else gets it rounded.
    static func make(lat: Double?, lng: Double?, exact: Bool, tiles: TileServer?, req: Request) -> PlaceOnMap? {
        guard let lat, let lng, lat.isFinite, lng.isFinite else { return nil }
        let point = exact ? GeoPoint(lat: lat, lng: lng) : GeoPoint(lat: lat, lng: lng).publiclyRounded
        let coordinates = point.text(decimals: exact ? 6 : GeoPoint.publicDecimals)
        let figure = tiles.map { server in
            let view = SlippyMap.View(center: point, zoom: exact ? exactZoom : publicZoom, width: width, height: height)
            return Figure(width: width, height: height,
                          tiles: view.tiles.map { Tile(url: server.tileURL(z: $0.z, x: $0.x, y: $0.y), left: $0.left, top: $0.top) },
                          markerX: view.markerX, markerY: view.markerY, attribution: server.attribution)
        }
        return PlaceOnMap(coordinates: coordinates, rounded: !exact,
                          label: req.text(exact ? "map_pin_label" : "map_pin_label_rounded", ["coordinates": coordinates]),
                          figure: figure)
    }
}

/// The citizen form's map (`Public/js/map.js` builds it when scripts run): where tiles come from, where it opens.
struct MapPicker: Encodable, Sendable {
    var template: String
    var attribution: String
    var lat: Double
    var lng: Double
    var zoom: Int

    init(_ server: TileServer) {
        template = server.template; attribution = server.attribution
        lat = server.center.lat; lng = server.center.lng; zoom = server.zoom
    }
}
