// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "aduan",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "aduan", targets: ["aduan"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.3"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/vapor/leaf.git", from: "4.5.2"),
        // Already resolved through Vapor; named here because the SMTP client uses them directly.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.0"),
        // Already resolved through Vapor; named here because outbound requests use them directly (a connection to the
        // address that was checked; PostgreSQL's refusal of a character is bad input, not a server error).
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        // Reads the ZIP container of XLSX files (LAPOR exports).
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
    ],
    targets: [
        // Pure domain: lifecycle, calendar, tracking IDs, permissions, media checks. No Vapor, no database.
        .target(name: "AduanCore"),
        // Pure ISO/IEC 18004 QR encoder with SVG, PNG and PDF renderers. No dependencies.
        .target(name: "QRCode"),
        // The system zlib, for the streaming DEFLATE of XLSX exports (no package streams a ZIP to a socket).
        .systemLibrary(name: "CAduanZlib", path: "Sources/CAduanZlib"),
        // Command-line front end of the encoder, used by qr-conformance/ and by hand.
        .executableTarget(name: "qrtool", dependencies: ["QRCode"]),
        // Evaluation and benchmark harness of the triage model (docs/triage.md, bench/triage.sh).
        .executableTarget(name: "triagebench", dependencies: ["AduanCore"]),
        // The Vapor shell: HTTP API, persistence, background worker, commands.
        .target(
            name: "App",
            dependencies: [
                "AduanCore",
                "QRCode",
                "CAduanZlib",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Leaf", package: "leaf"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            resources: [.copy("Resources")]
        ),
        .executableTarget(name: "aduan", dependencies: ["App"]),
        .testTarget(name: "AduanCoreTests", dependencies: ["AduanCore"]),
        .testTarget(name: "QRCodeTests", dependencies: ["QRCode"]),
        .testTarget(
            name: "AppTests",
            dependencies: [
                "App",
                .product(name: "VaporTesting", package: "vapor"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
