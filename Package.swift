// swift-tools-version:6.2
import PackageDescription

/// Strict settings, applied once to every target of the workspace.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let argumentParser = Target.Dependency.product(name: "ArgumentParser", package: "swift-argument-parser")
let logging = Target.Dependency.product(name: "Logging", package: "swift-log")
let serviceLifecycle = Target.Dependency.product(name: "ServiceLifecycle", package: "swift-service-lifecycle")

let package = Package(
    name: "telegram-agent",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // Ground floor: no imports of our own targets.
        .systemLibrary(name: "CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        .target(name: "Events", dependencies: ["CSQLite"], swiftSettings: strictSettings),
        .target(name: "Settings", swiftSettings: strictSettings),
        .target(name: "CSpawn"),
        .target(name: "ProcessControl", dependencies: ["CSpawn"], swiftSettings: strictSettings),

        // Read side of the store.
        .target(name: "LogViewer", dependencies: ["Events"], swiftSettings: strictSettings),

        // Executables: thin @main shells.
        .executableTarget(
            name: "agent-log",
            dependencies: ["LogViewer", "Events", "Settings", argumentParser],
            swiftSettings: strictSettings
        ),

        // Test support and fixtures.
        .target(name: "TestSupport", dependencies: ["Events", "ProcessControl"], swiftSettings: strictSettings),
        .executableTarget(
            name: "event-writer",
            dependencies: ["Events", argumentParser],
            path: "Sources/Fixtures/event-writer",
            swiftSettings: strictSettings
        ),

        .testTarget(name: "EventsTests", dependencies: ["Events", "TestSupport"], swiftSettings: strictSettings),
        .testTarget(name: "LogViewerTests", dependencies: ["LogViewer", "Events", "TestSupport"], swiftSettings: strictSettings),
    ]
)
