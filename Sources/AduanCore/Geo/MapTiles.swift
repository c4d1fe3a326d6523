import Foundation

/// A point on the earth in degrees (WGS 84, as browsers' geolocation and OpenStreetMap give it).
public struct GeoPoint: Equatable, Sendable {
    public var lat: Double
    public var lng: Double
    public init(lat: Double, lng: Double) { self.lat = lat; self.lng = lng }

    /// Digits kept when a complaint's place is shown on the public side: 3 decimals of a degree are at most 111 m
    /// (one thousandth of a degree of latitude anywhere; of longitude at the equator, less further away), enough to
    /// find the street, not the house: a pin dropped on a reporter's home must not name the home.
    public static let publicDecimals = 3

    /// The point as the public side shows it (`publicDecimals`).
    public var publiclyRounded: GeoPoint { GeoPoint(lat: Self.round(lat, Self.publicDecimals), lng: Self.round(lng, Self.publicDecimals)) }

    public static func round(_ value: Double, _ decimals: Int) -> Double {
        let scale = pow(10, Double(decimals))
        return (value * scale).rounded(.toNearestOrAwayFromZero) / scale
    }

    /// `-3.319400, 114.590800` style text with `decimals` digits, a dot as decimal mark in every language (what maps
    /// and GPS devices read).
    public func text(decimals: Int) -> String {
        String(format: "%.\(decimals)f, %.\(decimals)f", lat, lng)
    }
}

/// The slippy-map tile scheme of OpenStreetMap and nearly every tile server (Web Mercator, 256-pixel tiles, tile
/// (0, 0) at the north-west; the formulas of the OSM wiki page "Slippy map tilenames").
public enum SlippyMap {
    public static let tileSize = 256.0
    /// Web Mercator ends here: the map is a square.
    public static let maxLatitude = 85.0511287798

    /// The point's position in tiles at `zoom`, with the fraction: `floor` of each is the tile's x and y.
    public static func tilePosition(_ point: GeoPoint, zoom: Int) -> (x: Double, y: Double) {
        let n = pow(2.0, Double(zoom))
        let lat = min(max(point.lat, -maxLatitude), maxLatitude) * .pi / 180
        let x = (point.lng + 180) / 360 * n
        let y = (1 - log(tan(lat) + 1 / cos(lat)) / .pi) / 2 * n
        return (x, y)
    }

    /// The point at a position in tiles (the inverse of `tilePosition`).
    public static func point(x: Double, y: Double, zoom: Int) -> GeoPoint {
        let n = pow(2.0, Double(zoom))
        let lng = x / n * 360 - 180
        let lat = atan(sinh(.pi * (1 - 2 * y / n))) * 180 / .pi
        return GeoPoint(lat: lat, lng: lng)
    }

    /// The tile holding the point at `zoom`.
    public static func tile(_ point: GeoPoint, zoom: Int) -> (x: Int, y: Int) {
        let p = tilePosition(point, zoom: zoom)
        let n = Int(pow(2.0, Double(zoom)))
        return (min(max(Int(p.x.rounded(.down)), 0), n - 1), min(max(Int(p.y.rounded(.down)), 0), n - 1))
    }

    /// One tile of a view and where its top-left corner falls in the view, in pixels.
    public struct PlacedTile: Equatable, Sendable {
        public var z: Int, x: Int, y: Int
        public var left: Int, top: Int
    }

    /// A still map of `width` × `height` pixels centred on `center`: the tiles that cover it and where the point
    /// falls (the middle, unless the view meets the top or bottom of the world). Drawn by the server, so a pin is
    /// seen without JavaScript.
    public struct View: Equatable, Sendable {
        public var zoom: Int
        public var width: Int, height: Int
        public var tiles: [PlacedTile]
        public var markerX: Double, markerY: Double

        public init(center: GeoPoint, zoom: Int, width: Int, height: Int) {
            self.zoom = zoom; self.width = width; self.height = height
            let position = SlippyMap.tilePosition(center, zoom: zoom)
            let px = position.x * SlippyMap.tileSize, py = position.y * SlippyMap.tileSize
            let world = Int(pow(2.0, Double(zoom)))
            let left = px - Double(width) / 2, top = py - Double(height) / 2
            markerX = px - left; markerY = py - top
            let size = Int(SlippyMap.tileSize)
            let firstX = Int((left / SlippyMap.tileSize).rounded(.down)), lastX = Int(((left + Double(width) - 1) / SlippyMap.tileSize).rounded(.down))
            let firstY = Int((top / SlippyMap.tileSize).rounded(.down)), lastY = Int(((top + Double(height) - 1) / SlippyMap.tileSize).rounded(.down))
            var tiles: [PlacedTile] = []
            for ty in firstY...lastY where ty >= 0 && ty < world {
                for tx in firstX...lastX {
                    // East of 180° is west of -180°: the world repeats sideways.
                    let wrapped = ((tx % world) + world) % world
                    tiles.append(PlacedTile(z: zoom, x: wrapped, y: ty,
                                            left: Int((Double(tx * size) - left).rounded(.down)), top: Int((Double(ty * size) - top).rounded(.down))))
                }
            }
            self.tiles = tiles
        }
    }
}

/// Where map tiles come from (the installation's setting): a URL template with `{z}`, `{x}` and `{y}` and the credit
/// the tiles' licence asks for. OpenStreetMap's own server unless the sysadmin names another; none turns maps off.
public struct TileServer: Equatable, Sendable, Codable {
    public var template: String
    public var attribution: String
    /// Where the citizen's map opens before a pin is dropped.
    public var center: GeoPoint
    public var zoom: Int

    public static let openStreetMapTemplate = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    public static let openStreetMapAttribution = "© OpenStreetMap contributors"
    /// Banjarmasin, the capital of the seeded province (Kalimantan Selatan).
    public static let defaultCenter = GeoPoint(lat: -3.3194, lng: 114.5908)
    public static let defaultZoom = 12
    public static let zoomRange = 2...19
    public static let attributionLimit = 200

    public static let openStreetMap = TileServer(template: openStreetMapTemplate, attribution: openStreetMapAttribution,
                                                 center: defaultCenter, zoom: defaultZoom)

    public init(template: String, attribution: String, center: GeoPoint, zoom: Int) {
        self.template = template; self.attribution = attribution; self.center = center; self.zoom = zoom
    }

    enum CodingKeys: String, CodingKey { case template, attribution, lat, lng, zoom }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        template = try c.decode(String.self, forKey: .template)
        attribution = try c.decode(String.self, forKey: .attribution)
        center = GeoPoint(lat: try c.decode(Double.self, forKey: .lat), lng: try c.decode(Double.self, forKey: .lng))
        zoom = try c.decode(Int.self, forKey: .zoom)
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(template, forKey: .template); try c.encode(attribution, forKey: .attribution)
        try c.encode(center.lat, forKey: .lat); try c.encode(center.lng, forKey: .lng); try c.encode(zoom, forKey: .zoom)
    }

    /// The problems with a setting, by field (`template`, `attribution`, `center`, `zoom`); empty when it may be saved.
    /// The template is an http or https URL with a host and every one of `{z}`, `{x}`, `{y}`, and nothing else
    /// in braces (the page puts its origin, and only it, in the Content-Security-Policy).
    public func problems() -> [FieldError] {
        var errors: [FieldError] = []
        if Self.origin(of: template) == nil { errors.append(FieldError("template", "the tile URL must start with https:// or http:// and name a host")) }
        else if !["{z}", "{x}", "{y}"].allSatisfy(template.contains) || tileURL(z: 0, x: 0, y: 0).contains(where: { "{}\"'<> ".contains($0) }) {
            errors.append(FieldError("template", "the tile URL needs {z}, {x} and {y} and no other braces, quotes or spaces"))
        }
        let credit = attribution.trimmingCharacters(in: .whitespacesAndNewlines)
        if credit.isEmpty || credit.count > Self.attributionLimit || credit.contains(where: \.isNewline) {
            errors.append(FieldError("attribution", "the attribution is required, one line of at most \(Self.attributionLimit) characters"))
        }
        if !(center.lat.isFinite && (-85...85).contains(center.lat) && center.lng.isFinite && (-180...180).contains(center.lng)) {
            errors.append(FieldError("center", "the centre must be a latitude from -85 to 85 and a longitude from -180 to 180"))
        }
        if !Self.zoomRange.contains(zoom) { errors.append(FieldError("zoom", "the zoom must be from \(Self.zoomRange.lowerBound) to \(Self.zoomRange.upperBound)")) }
        return errors
    }

    public func tileURL(z: Int, x: Int, y: Int) -> String {
        template.replacingOccurrences(of: "{z}", with: String(z)).replacingOccurrences(of: "{x}", with: String(x))
            .replacingOccurrences(of: "{y}", with: String(y))
    }

    /// `scheme://host[:port]` of the tiles, for the Content-Security-Policy's `img-src`.
    public var origin: String? { Self.origin(of: template) }

    static func origin(of template: String) -> String? {
        // The placeholders are not valid in a URL's path for the parser; any digits stand in for them.
        let sample = template.replacingOccurrences(of: "{z}", with: "0").replacingOccurrences(of: "{x}", with: "0")
            .replacingOccurrences(of: "{y}", with: "0")
        guard let url = URLComponents(string: sample), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = url.host, !host.isEmpty, url.user == nil, url.password == nil,
              host.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "[" || $0 == "]" || $0 == ":" }) else { return nil }
        return "\(scheme)://\(host.lowercased())" + (url.port.map { ":\($0)" } ?? "")
    }
}
