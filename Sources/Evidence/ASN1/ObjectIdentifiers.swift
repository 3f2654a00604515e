//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// The object identifiers of CMS (RFC 5652), ESS (RFC 5035), RFC 3161 and the algorithms used.
enum OID {
    static let data = "1.2.840.113549.1.7.1"
    static let signedData = "1.2.840.113549.1.7.2"
    static let tstInfo = "1.2.840.113549.1.9.16.1.4"
    static let contentType = "1.2.840.113549.1.9.3"
    static let messageDigest = "1.2.840.113549.1.9.4"
    static let signingTime = "1.2.840.113549.1.9.5"
    static let signingCertificateV2 = "1.2.840.113549.1.9.16.2.47"
    static let signatureTimeStampToken = "1.2.840.113549.1.9.16.2.14"
    static let sha256 = "2.16.840.1.101.3.4.2.1"
    static let ecdsaWithSHA256 = "1.2.840.10045.4.3.2"
    static let sha256WithRSAEncryption = "1.2.840.113549.1.1.11"
    /// Fefaent's time-stamping policy (a placeholder arc until the project has a Private Enterprise Number).
    static let fefaentTimeStampPolicy = "1.3.6.1.4.1.99999.1.1"
}
