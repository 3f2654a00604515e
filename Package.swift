// swift-tools-version:6.2
//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
//
// Copyright (c) 2026 the Fefaent project authors
// Licensed under Apache License v2.0
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault")
]

let package = Package(
    name: "fefaent",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "fefaent", targets: ["fefaent"]),
        .library(name: "SMTPCore", targets: ["SMTPCore"]),
        .library(name: "SMTPNIO", targets: ["SMTPNIO"]),
        .library(name: "Spool", targets: ["Spool"]),
        .library(name: "Delivery", targets: ["Delivery"]),
        .library(name: "MailMessage", targets: ["MailMessage"]),
        .library(name: "Evidence", targets: ["Evidence"]),
        .library(name: "Certification", targets: ["Certification"]),
        .library(name: "HTTPFront", targets: ["HTTPFront"]),
        .library(name: "FefaentServer", targets: ["FefaentServer"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", exact: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-openapi-generator.git", from: "1.14.3"),
        .package(url: "https://github.com/apple/swift-openapi-runtime.git", from: "1.13.4"),
        .package(url: "https://github.com/hummingbird-project/swift-openapi-hummingbird.git", from: "2.1.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20")
    ],
    targets: [
        // Pure SMTP: grammar, parsers, encoders, session state machines. No I/O.
        .target(
            name: "SMTPCore",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio")
            ],
            swiftSettings: swiftSettings
        ),
        // Strict CRLF framing and the channel handlers that drive the state machines.
        .target(
            name: "SMTPNIO",
            dependencies: [
                "SMTPCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics")
            ],
            swiftSettings: swiftSettings
        ),
        // Mail as mail: RFC 5322 headers and addresses, streaming MIME, the pixel rewriter, DKIM, SPF. No I/O.
        .target(
            name: "MailMessage",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto")
            ],
            swiftSettings: swiftSettings
        ),
        // Evidence: records, RFC 8785 JSON, CMS signatures, RFC 3161 time-stamps, the Merkle log. Files only.
        .target(
            name: "Evidence",
            dependencies: [
                "MailMessage",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "GRDB", package: "GRDB.swift")
            ],
            swiftSettings: swiftSettings
        ),
        // Durable message files and the queue database.
        .target(
            name: "Spool",
            dependencies: [
                "SMTPCore",
                "MailMessage",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log")
            ],
            swiftSettings: swiftSettings
        ),
        // libresolv (res_nquery with a private resolver state), for MX lookups.
        .target(
            name: "CResolv",
            linkerSettings: [.linkedLibrary("resolv")]
        ),
        // glibc's malloc_trim: memory freed after a large notice goes back (see NoticeService).
        .target(name: "CMalloc"),
        // The queue runner: routes, the SMTP client, retries.
        .target(
            name: "Delivery",
            dependencies: [
                "CResolv",
                "MailMessage",
                "SMTPCore",
                "SMTPNIO",
                "Spool",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
            ],
            swiftSettings: swiftSettings
        ),
        // The business rules: accounts and units, who may certify, recipients, the certified copy, notices, bounces.
        .target(
            name: "Certification",
            dependencies: [
                "CMalloc",
                "SMTPCore",
                "SMTPNIO",
                "MailMessage",
                "Evidence",
                "Delivery",
                "Spool",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics")
            ],
            swiftSettings: swiftSettings
        ),
        // API v1: types and the server protocol, generated at build time from openapi.yaml.
        .target(
            name: "FefaentAPI",
            dependencies: [
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime")
            ],
            // The generated code is the generator's: its unused `public import`s warn before Swift 6.4
            // (the generator silences them from 6.4 on), so this target alone builds without warnings shown.
            swiftSettings: [.unsafeFlags(["-suppress-warnings"])],
            plugins: [.plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator")]
        ),
        // Hummingbird: the tracking pixel, health, Prometheus metrics, the verification page, API v1.
        .target(
            name: "HTTPFront",
            dependencies: [
                "Certification",
                "FefaentAPI",
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                "SMTPCore",
                "SMTPNIO",
                "Evidence",
                "MailMessage",
                "Spool",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log")
            ],
            swiftSettings: swiftSettings
        ),
        // Wires configuration, listeners, spool and lifecycle into a daemon.
        .target(
            name: "FefaentServer",
            dependencies: [
                "Certification",
                "HTTPFront",
                "SMTPCore",
                "MailMessage",
                "Evidence",
                "Delivery",
                "SMTPNIO",
                "Spool",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio")
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "fefaent",
            dependencies: [
                "FefaentServer",
                "MailMessage",
                "Evidence",
                "Spool",
                "SMTPCore",
                "SMTPNIO",
                "Delivery",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio")
            ],
            swiftSettings: swiftSettings
        ),
        // libFuzzer entry point over the command parser and the server state machine.
        .executableTarget(
            name: "SMTPFuzzer",
            dependencies: [
                "SMTPCore",
                .product(name: "NIOCore", package: "swift-nio")
            ],
            swiftSettings: swiftSettings
        ),
        // libFuzzer entry point over the MIME parser and the pixel rewriter.
        .executableTarget(
            name: "MailMessageFuzzer",
            dependencies: ["MailMessage"],
            swiftSettings: swiftSettings
        ),
        // Throughput and memory of the MIME parser (bench/message.sh).
        .executableTarget(
            name: "MailMessageBenchmark",
            dependencies: ["MailMessage"],
            swiftSettings: swiftSettings
        ),
        // Evidence writing and audit throughput (bench/evidence.sh).
        .executableTarget(
            name: "EvidenceBenchmark",
            dependencies: [
                "Evidence",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates")
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SMTPCoreTests",
            dependencies: ["SMTPCore", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SMTPNIOTests",
            dependencies: [
                "SMTPNIO",
                "SMTPCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio")
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SpoolTests",
            dependencies: [
                "Spool",
                "SMTPCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "GRDB", package: "GRDB.swift")
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MailMessageTests",
            dependencies: [
                "MailMessage",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto")
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "EvidenceTests",
            dependencies: [
                "Evidence",
                "MailMessage",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "GRDB", package: "GRDB.swift")
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DeliveryTests",
            dependencies: ["Delivery", "SMTPCore", "Spool"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CertificationTests",
            dependencies: ["Certification", "MailMessage", "Spool", "SMTPCore", "Evidence"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HTTPFrontTests",
            dependencies: ["HTTPFront", "FefaentAPI", "Spool", "SMTPNIO"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FefaentServerTests",
            dependencies: ["FefaentServer", "Spool", "SMTPCore", .product(name: "X509", package: "swift-certificates")],
            swiftSettings: swiftSettings
        )
    ]
)
