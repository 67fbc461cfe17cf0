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
let unixSignals = Target.Dependency.product(name: "UnixSignals", package: "swift-service-lifecycle")

let package = Package(
    name: "telegram-agent",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // Ground floor: none of our targets below it.
        .systemLibrary(name: "CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        .target(name: "CSpawn"),
        .target(name: "JSONSupport", swiftSettings: strictSettings),
        // Threads of their own and a condition on pthreads: what Foundation's `Thread` and `NSCondition` give,
        // without Foundation (the supervisor links FoundationEssentials only).
        .target(name: "Threads", swiftSettings: strictSettings),
        .target(name: "Events", dependencies: ["CSQLite", "JSONSupport", "Threads"], swiftSettings: strictSettings),
        .target(name: "Settings", swiftSettings: strictSettings),
        .target(name: "ProcessControl", dependencies: ["CSpawn", "Threads"], swiftSettings: strictSettings),
        // The bubblewrap fence of everything the agent influences: `bash` and the steps of a stage.
        .target(name: "Fence", dependencies: ["ProcessControl"], swiftSettings: strictSettings),
        // libcurl's headers (libcurl4-openssl-dev); the library itself is loaded at the first request (CCurl.h).
        .target(name: "CCurl"),
        .target(name: "HTTPSupport", dependencies: ["CCurl", "Threads"], swiftSettings: strictSettings),
        .target(name: "Telegram", dependencies: ["HTTPSupport", "JSONSupport"], swiftSettings: strictSettings),
        .target(name: "ModelAdapter", dependencies: ["HTTPSupport", "JSONSupport"], swiftSettings: strictSettings),
        // Optimised even in debug builds: hashing a worker binary must not take seconds in the tests.
        .target(
            name: "Revisions", dependencies: ["Events"],
            swiftSettings: strictSettings + [.unsafeFlags(["-O"], .when(configuration: .debug))]),

        // Middle floor: record through Events, know no Telegram.
        .target(name: "Tools", dependencies: ["Events", "Fence", "ProcessControl", "Settings"], swiftSettings: strictSettings),
        .target(name: "Context", dependencies: ["Events", "ModelAdapter"], swiftSettings: strictSettings),
        .target(name: "Control", dependencies: ["Events", "ModelAdapter", "Settings"], swiftSettings: strictSettings),
        .target(name: "LogViewer", dependencies: ["Events"], swiftSettings: strictSettings),

        // The self-update pipeline: stages (fenced), decisions, rollback requests.
        .target(
            name: "UpdatePipeline", dependencies: ["Events", "Settings", "ProcessControl", "Fence", "Revisions"],
            swiftSettings: strictSettings),

        // Top floor: the programs' runtimes.
        .target(
            name: "WorkerRuntime",
            dependencies: [
                "Events", "Settings", "Telegram", "ModelAdapter", "Tools", "Context", "Control", "ProcessControl",
                "Revisions", logging, serviceLifecycle, unixSignals,
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "Supervisor",
            dependencies: ["Events", "Settings", "ProcessControl", "Revisions", "Telegram", logging, serviceLifecycle],
            swiftSettings: strictSettings
        ),

        // Executables: thin @main shells.
        .executableTarget(
            name: "agent-log",
            dependencies: ["LogViewer", "Events", "Settings", argumentParser],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "agent-worker",
            dependencies: [
                "WorkerRuntime", "Tools", "Events", "Settings", "Revisions", "Telegram", "ProcessControl", argumentParser, logging,
                serviceLifecycle, unixSignals,
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "agent-build",
            dependencies: ["UpdatePipeline", "Events", "Settings", "Revisions", argumentParser],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "supervisord-agent",
            dependencies: [
                "Supervisor", "Events", "Settings", "Revisions", "ProcessControl", "Telegram", argumentParser, logging,
                serviceLifecycle, unixSignals,
            ],
            swiftSettings: strictSettings
        ),

        // Test support: loopback doubles of Telegram and OpenAI, temporary folders, fixtures.
        .target(
            name: "TestSupport",
            dependencies: ["Events", "ProcessControl", "Fence"],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "agent-doubles",
            dependencies: ["TestSupport", argumentParser],
            path: "Sources/Fixtures/agent-doubles",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "event-writer",
            dependencies: ["Events", argumentParser],
            path: "Sources/Fixtures/event-writer",
            swiftSettings: strictSettings
        ),

        // Benchmarks (`make bench`): release executables that print `name: value` lines.
        .executableTarget(
            name: "bench-events",
            dependencies: ["Events", "LogViewer", "ProcessControl", "TestSupport"],
            path: "Sources/Benchmarks/bench-events",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "bench-tools",
            dependencies: ["Tools", "Events", "Settings", "ProcessControl"],
            path: "Sources/Benchmarks/bench-tools",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "bench-worker",
            dependencies: ["Events", "ProcessControl", "TestSupport"],
            path: "Sources/Benchmarks/bench-worker",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "bench-agent",
            dependencies: [
                "WorkerRuntime", "Context", "Control", "Events", "ModelAdapter", "Settings", "Tools", "TestSupport", "ProcessControl",
            ],
            path: "Sources/Benchmarks/bench-agent",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "bench-stream",
            dependencies: ["Events", "ProcessControl", "TestSupport"],
            path: "Sources/Benchmarks/bench-stream",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "bench-clients",
            dependencies: ["Telegram", "ModelAdapter", "TestSupport", "Events", argumentParser],
            path: "Sources/Benchmarks/bench-clients",
            swiftSettings: strictSettings
        ),

        .testTarget(name: "HTTPSupportTests", dependencies: ["HTTPSupport", "TestSupport"], swiftSettings: strictSettings),
        .testTarget(name: "EventsTests", dependencies: ["Events", "TestSupport", "ProcessControl"], swiftSettings: strictSettings),
        .testTarget(
            name: "LogViewerTests", dependencies: ["LogViewer", "Events", "TestSupport", "ProcessControl"], swiftSettings: strictSettings),
        .testTarget(name: "RevisionsTests", dependencies: ["Revisions", "TestSupport", "ProcessControl"], swiftSettings: strictSettings),
        .testTarget(
            name: "SupervisorTests",
            dependencies: ["Supervisor", "Events", "Revisions", "Settings", "TestSupport", "ProcessControl", logging],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "WorkerTests",
            dependencies: ["WorkerRuntime", "Context", "Control", "ModelAdapter", "Telegram", "Events", "TestSupport", "ProcessControl"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ControlTests", dependencies: ["Control", "Events", "ModelAdapter", "TestSupport"], swiftSettings: strictSettings),
        .testTarget(
            name: "ContextTests", dependencies: ["Context", "Events", "ModelAdapter", "TestSupport"], swiftSettings: strictSettings),
        .testTarget(
            name: "UpdatePipelineTests", dependencies: ["UpdatePipeline", "Revisions", "Events", "TestSupport", "ProcessControl"],
            swiftSettings: strictSettings),
        .testTarget(name: "FenceTests", dependencies: ["Fence", "ProcessControl", "TestSupport"], swiftSettings: strictSettings),
        .testTarget(
            name: "ProcessControlTests", dependencies: ["ProcessControl", "Threads", "TestSupport"], swiftSettings: strictSettings),
        .testTarget(
            name: "TelegramTests", dependencies: ["Telegram", "HTTPSupport", "TestSupport", "Events", "ProcessControl"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "ModelAdapterTests", dependencies: ["ModelAdapter", "HTTPSupport", "Control", "TestSupport", "Events", "ProcessControl"],
            swiftSettings: strictSettings),
        // The first run and the packaging: `make run`, `.env.example`, compose.yaml.
        .testTarget(name: "PackagingTests", dependencies: ["TestSupport", "ProcessControl"], swiftSettings: strictSettings),
        .testTarget(
            name: "ToolsTests", dependencies: ["Tools", "Fence", "Events", "Settings", "TestSupport", "ProcessControl"],
            swiftSettings: strictSettings),
    ]
)
