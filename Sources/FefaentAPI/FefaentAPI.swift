//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

// The types and the server protocol of API v1 are generated at build time from `openapi.yaml`
// (swift-openapi-generator's build plugin), so the document and the code cannot drift apart.
// HTTPFront implements `APIProtocol`; `docs/api.md` explains the calls.

/// Facts about the generated API that the implementation shares with its tests.
public enum FefaentAPIDocument {
    /// The version in the document's `info`.
    public static let version = "1.0.0"
}
