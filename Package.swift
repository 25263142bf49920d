// swift-tools-version:6.1
// its-server: a KubeStellar Inventory and Transport Space in one binary.
// Layering (a module imports only modules listed before it): see docs/architecture.md.
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
  name: "its-server",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "itsd", targets: ["itsd"]),
    .executable(name: "its-bench", targets: ["its-bench"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
    .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
  ],
  targets: [
    // C shims and system libraries.
    .target(name: "CLinuxShims", path: "Sources/CLinuxShims"),
    .systemLibrary(
      name: "COpenSSL", path: "Sources/COpenSSL", pkgConfig: "openssl",
      providers: [.apt(["libssl-dev"])]),
    .systemLibrary(
      name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
      providers: [.apt(["zlib1g-dev"])]),

    // Keys, certificates, CSR signing and the memory-BIO TLS session (system OpenSSL).
    .target(name: "Certificates", dependencies: ["COpenSSL"], swiftSettings: strict),

    // I/O and HTTP.
    .target(name: "Sockets", dependencies: ["CLinuxShims"], swiftSettings: strict),
    .target(name: "HTTP1", swiftSettings: strict),
    .target(
      name: "HTTPServer",
      dependencies: ["Sockets", "HTTP1", "CLinuxShims", "COpenSSL", "CZlib", "Certificates"],
      swiftSettings: strict),

    // Data and storage.
    .target(name: "JSON", swiftSettings: strict),
    .target(name: "Store", dependencies: ["JSON"], swiftSettings: strict),

    // Metrics registry and Prometheus text, log handlers, the bounded audit writer.
    .target(
      name: "Observability",
      dependencies: ["JSON", .product(name: "Logging", package: "swift-log")],
      swiftSettings: strict),

    // Kubernetes semantics and the REST tier.
    .target(
      name: "APIMachinery", dependencies: ["JSON", "Store", "Certificates"], swiftSettings: strict),
    .target(
      name: "APIServer",
      dependencies: [
        "HTTPServer", "HTTP1", "APIMachinery", "Store", "JSON", "Observability",
        .product(name: "Yams", package: "Yams"), .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: strict),

    // OCM hub emulation and the controllers a cluster runs (namespace lifecycle, GC).
    .target(
      name: "Hub", dependencies: ["APIMachinery", "Store", "JSON", "Certificates"],
      swiftSettings: strict),

    // Kubernetes API client (epoll loops, keep-alive pools, watch streams) and simulated WECs.
    .target(
      name: "KubeClient", dependencies: ["Sockets", "CLinuxShims", "JSON", "Certificates"],
      swiftSettings: strict),
    .target(name: "Simulator", dependencies: ["KubeClient", "JSON"], swiftSettings: strict),

    // Executables: wiring only.
    .executableTarget(
      name: "itsd",
      dependencies: [
        "APIServer", "HTTPServer", "Hub", "APIMachinery", "Store", "JSON", "Sockets", "COpenSSL",
        "CZlib", "Observability", "KubeClient", "Simulator", "Certificates",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Yams", package: "Yams"), .product(name: "Logging", package: "swift-log"),
      ],
      // Idle memory (docs/operations.md, "Memory"): the Swift runtime and Foundation linked in
      // statically, so no shared-library symbol tables are bound at start-up and only the code
      // itsd uses is mapped; relative relocations packed (DT_RELR: GNU ld >= 2.38, glibc >=
      // 2.36), so the loader reads 35 KB of them instead of 1.9 MB. 25.2 -> 17.5 MiB idle.
      swiftSettings: strict + [.unsafeFlags(["-static-stdlib"])],
      linkerSettings: [
        .unsafeFlags([
          "-static-stdlib", "-use-ld=bfd", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs",
        ])
      ]),
    .executableTarget(
      name: "its-bench",
      dependencies: [
        "CLinuxShims", "Sockets", "HTTP1", "JSON", "Store", "KubeClient", "Simulator",
        "Certificates",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      swiftSettings: strict),

    // Unit tests (end-to-end tests live in Tests/e2e and run against a real itsd).
    .testTarget(name: "HTTP1Tests", dependencies: ["HTTP1"], swiftSettings: strict),
    .testTarget(
      name: "CertificatesTests", dependencies: ["Certificates"], swiftSettings: strict),
    .testTarget(
      name: "HTTPServerTests",
      dependencies: ["HTTPServer", "HTTP1", "Sockets", "CZlib", "Certificates"],
      swiftSettings: strict),
    .testTarget(
      name: "APIMachineryTests", dependencies: ["APIMachinery", "Store", "JSON"],
      swiftSettings: strict),
    .testTarget(
      name: "HubTests", dependencies: ["Hub", "APIMachinery", "Store", "JSON", "Certificates"],
      swiftSettings: strict),
    .testTarget(
      name: "APIServerTests", dependencies: ["APIServer", "HTTP1"], swiftSettings: strict),
    .testTarget(name: "JSONTests", dependencies: ["JSON"], swiftSettings: strict),
    .testTarget(
      name: "KubeClientTests", dependencies: ["KubeClient", "JSON"], swiftSettings: strict),
    .testTarget(
      name: "SimulatorTests", dependencies: ["Simulator", "KubeClient", "JSON"],
      swiftSettings: strict),
    .testTarget(
      name: "ObservabilityTests", dependencies: ["Observability", "JSON"], swiftSettings: strict),
    .testTarget(name: "StoreTests", dependencies: ["Store", "JSON"], swiftSettings: strict),
  ]
)
