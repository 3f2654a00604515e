//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

extension ServerSessionStateMachine {
    mutating func receivedStartTLS() -> Action {
        switch self.state {
        case .idle(let session):
            if session.isTLS { return self.error(.tlsAlreadyActive) }
            guard self.configuration.startTLSAvailable else { return self.error(.tlsNotAvailable) }
            self.state = .startingTLS(session)
            return .startTLS(.readyToStartTLS)
        case .mail:
            return self.error(.authenticationInTransaction)
        case .initial, .receivingData, .receivingChunk, .discardingChunk, .committing, .authenticating,
            .verifyingCredentials, .startingTLS, .closed:
            preconditionFailure("Invalid state: \(self.state)")
        }
    }

    // RFC 4954 §4: AUTH mechanism [initial-response]
    mutating func receivedAuth(mechanism: String, initialResponse: String?) -> Action {
        let session: Session
        switch self.state {
        case .idle(let current):
            session = current
        case .mail:
            return self.error(.authenticationInTransaction)
        case .initial, .receivingData, .receivingChunk, .discardingChunk, .committing, .authenticating,
            .verifyingCredentials, .startingTLS, .closed:
            preconditionFailure("Invalid state: \(self.state)")
        }
        guard self.configuration.authenticationEnabled else { return self.error(.authenticationNotEnabled) }
        guard session.heloName != nil, session.extended else { return self.error(.needHelo) }
        guard session.authenticatedUser == nil else { return self.error(.alreadyAuthenticated) }
        guard session.isTLS || self.configuration.plaintextAuthenticationAllowed else {
            return self.error(.encryptionRequired)
        }
        switch mechanism {
        case "PLAIN":
            guard let initialResponse else {
                self.state = .authenticating(session, .plainResponse)
                return .sendChallenge(Reply(.authenticationChallenge, nil, ""))
            }
            return self.receivedAuthenticationResponse(initialResponse, step: .plainResponse, session: session)
        case "LOGIN":
            guard let initialResponse else {
                self.state = .authenticating(session, .loginUsername)
                return .sendChallenge(Reply(.authenticationChallenge, nil, Base64.encode("Username:".utf8)))
            }
            return self.receivedAuthenticationResponse(initialResponse, step: .loginUsername, session: session)
        default:
            return self.error(.unknownMechanism)
        }
    }

    mutating func receivedAuthenticationResponse(
        _ response: String,
        step: AuthenticationStep,
        session: Session
    )
        -> Action
    {
        self.state = .idle(session)
        if response == "*" {
            return self.error(.authenticationCancelled)
        }
        switch step {
        case .plainResponse:
            guard let credentials = SASLDecoding.decodePlain(response) else {
                return self.error(.authenticationMalformed)
            }
            self.state = .verifyingCredentials(session)
            return .verifyCredentials(credentials)
        case .loginUsername:
            guard let username = SASLDecoding.decodeText(response), !username.isEmpty else {
                return self.error(.authenticationMalformed)
            }
            self.state = .authenticating(session, .loginPassword(username: username))
            return .sendChallenge(Reply(.authenticationChallenge, nil, Base64.encode("Password:".utf8)))
        case .loginPassword(let username):
            guard let password = SASLDecoding.decodeText(response) else {
                return self.error(.authenticationMalformed)
            }
            self.state = .verifyingCredentials(session)
            return .verifyCredentials(SASLDecoding.Credentials(username: username, password: password))
        }
    }

    /// The handler checked the credentials: `user` is the account name, or `nil` when they were wrong.
    public mutating func credentialsVerified(user: String?) -> Action {
        guard case .verifyingCredentials(var session) = self.state else {
            preconditionFailure("Invalid state: \(self.state)")
        }
        self.state = .idle(session)
        guard let user else {
            return self.error(.authenticationFailed)
        }
        session.authenticatedUser = user
        self.state = .idle(session)
        return .reply(.authenticationSucceeded)
    }
}
