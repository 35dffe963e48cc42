// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "SpecFit",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "specfit", targets: ["specfit"]),
        .library(name: "SpecFitCore", targets: ["SpecFitCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swiftcsv/SwiftCSV", from: "0.10.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        // The default traits pull in swift-configuration, which `specfit serve` does not use.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: ["FullFoundation"]),
    ],
    targets: [
        .target(name: "SpecFitCore"),
        .target(
            name: "CLibPCI",
            linkerSettings: [.linkedLibrary("pci")]
        ),
        .target(name: "Probe", dependencies: ["SpecFitCore", "CLibPCI"]),
        .target(name: "Catalog", dependencies: [
            "SpecFitCore", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "SwiftCSV", package: "SwiftCSV"),
        ]),
        .target(name: "GGUF", dependencies: ["SpecFitCore"]),
        .target(name: "CKernels"),
        .target(name: "Decoder", dependencies: ["SpecFitCore", "GGUF", "CKernels"]),
        .target(name: "Report", dependencies: ["SpecFitCore", .product(name: "Mustache", package: "swift-mustache")]),
        .target(name: "SpecFitWeb", dependencies: [
            "SpecFitCore", "Report", .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Mustache", package: "swift-mustache"),
        ]),
        .executableTarget(
            name: "specfit",
            dependencies: [
                "SpecFitCore", "Catalog", "Probe", "Report", "GGUF", "Decoder", "SpecFitWeb",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "bench-fit", dependencies: ["Catalog", "SpecFitCore"], path: "Benchmarks/Fit"),
        .executableTarget(name: "bench-kernels", dependencies: ["Decoder"], path: "Benchmarks/Kernels"),
        .testTarget(name: "SpecFitCoreTests", dependencies: ["SpecFitCore"]),
        .testTarget(name: "CatalogTests", dependencies: ["Catalog", "SpecFitCore"]),
        .testTarget(name: "GGUFTests", dependencies: ["GGUF", "SpecFitCore"]),
        .testTarget(name: "DecoderTests", dependencies: ["Decoder", "GGUF", "SpecFitCore", "CKernels"]),
        .testTarget(name: "SpecFitCLITests", dependencies: ["specfit", "Catalog", "GGUF", "SpecFitCore"]),
        .testTarget(name: "SpecFitWebTests", dependencies: ["SpecFitWeb", "SpecFitCore", "specfit"]),
        .testTarget(name: "ReportTests", dependencies: ["Report", "SpecFitCore"]),
        .testTarget(name: "ProbeTests", dependencies: ["Probe", "SpecFitCore"], resources: []),
    ]
)
