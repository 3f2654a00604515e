//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import GRDB

extension SpoolDatabase {
    /// The schema. Migrations are never edited once released: add a new one.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: message, recipient, account") { db in
            try db.execute(
                sql: """
                    CREATE TABLE message (
                        id TEXT PRIMARY KEY NOT NULL,
                        received_at DATETIME NOT NULL,
                        sender TEXT NOT NULL,
                        size INTEGER NOT NULL CHECK (size >= 0),
                        sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
                        header_length INTEGER NOT NULL CHECK (header_length >= 0),
                        storage TEXT NOT NULL CHECK (storage IN ('segment', 'file')),
                        path TEXT NOT NULL,
                        offset INTEGER NOT NULL CHECK (offset >= 0),
                        length INTEGER NOT NULL CHECK (length = header_length + size),
                        helo TEXT NOT NULL,
                        client_address TEXT NOT NULL,
                        listener TEXT NOT NULL,
                        protocol_name TEXT NOT NULL,
                        auth_user TEXT,
                        tls TEXT,
                        body TEXT,
                        smtputf8 BOOLEAN NOT NULL,
                        dsn_ret TEXT CHECK (dsn_ret IN ('FULL', 'HDRS')),
                        dsn_envid TEXT,
                        state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'hold', 'done', 'missing'))
                    );
                    CREATE INDEX message_state ON message(state, received_at);
                    CREATE INDEX message_path ON message(path);
                    CREATE TABLE recipient (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        message_id TEXT NOT NULL REFERENCES message(id) ON DELETE CASCADE,
                        address TEXT NOT NULL,
                        kind TEXT NOT NULL CHECK (kind IN ('certifier', 'reception', 'system', 'relay')),
                        notify TEXT,
                        orcpt TEXT,
                        state TEXT NOT NULL DEFAULT 'queued'
                            CHECK (state IN ('queued', 'deferred', 'delivered', 'bounced')),
                        attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
                        next_attempt_at DATETIME,
                        last_reply TEXT,
                        UNIQUE (message_id, address)
                    );
                    CREATE INDEX recipient_due ON recipient(state, next_attempt_at);
                    CREATE TABLE account (
                        name TEXT PRIMARY KEY NOT NULL,
                        password_hash TEXT NOT NULL CHECK (password_hash LIKE '$2%'),
                        created_at DATETIME NOT NULL
                    );
                    """
            )
        }
        migrator.registerMigration("v2: delivery details per recipient") { db in
            try db.execute(
                sql: """
                    ALTER TABLE recipient ADD COLUMN remote_host TEXT;
                    ALTER TABLE recipient ADD COLUMN remote_ip TEXT;
                    ALTER TABLE recipient ADD COLUMN tls TEXT;
                    ALTER TABLE recipient ADD COLUMN finished_at DATETIME;
                    """
            )
        }
        migrator.registerMigration("v3: delay notices") { db in
            try db.execute(sql: "ALTER TABLE recipient ADD COLUMN delay_notified BOOLEAN NOT NULL DEFAULT 0")
        }
        migrator.registerMigration("v4: delivery claims") { db in
            try db.execute(sql: "ALTER TABLE recipient ADD COLUMN claimed_at DATETIME")
        }
        migrator.registerMigration("v5: evidence outbox and anchor") { db in
            try db.execute(
                sql: """
                    CREATE TABLE evidence_outbox (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        evidence_id TEXT NOT NULL UNIQUE,
                        queue_id TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        payload BLOB NOT NULL
                    );
                    CREATE TABLE evidence_anchor (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        size INTEGER NOT NULL CHECK (size >= 0),
                        root BLOB NOT NULL,
                        note TEXT NOT NULL,
                        updated_at DATETIME NOT NULL
                    );
                    ALTER TABLE message ADD COLUMN evidence_id TEXT;
                    ALTER TABLE recipient ADD COLUMN evidence_id TEXT;
                    """
            )
        }
        migrator.registerMigration("v6: checkpoint witnesses") { db in
            try db.execute(
                sql: """
                    CREATE TABLE witness (
                        url TEXT PRIMARY KEY NOT NULL,
                        acknowledged_size INTEGER NOT NULL DEFAULT 0,
                        cosignature TEXT,
                        acknowledged_at DATETIME,
                        last_attempt_at DATETIME,
                        last_error TEXT
                    );
                    """
            )
        }
        migrator.registerMigration("v7: certification (accounts, ledger, certified messages, tokens)") { db in
            try db.execute(
                sql: """
                    ALTER TABLE account ADD COLUMN sender_addresses TEXT NOT NULL DEFAULT '';
                    ALTER TABLE account ADD COLUMN sender_domains TEXT NOT NULL DEFAULT '';
                    ALTER TABLE account ADD COLUMN trusted_networks TEXT NOT NULL DEFAULT '';
                    ALTER TABLE account ADD COLUMN language TEXT NOT NULL DEFAULT 'en'
                        CHECK (language IN ('ca', 'es', 'en'));
                    ALTER TABLE account ADD COLUMN certify_cc BOOLEAN NOT NULL DEFAULT 0;
                    ALTER TABLE account ADD COLUMN balance INTEGER NOT NULL DEFAULT 0 CHECK (balance >= 0);
                    CREATE TABLE ledger (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        account TEXT NOT NULL,
                        at DATETIME NOT NULL,
                        change INTEGER NOT NULL,
                        balance_after INTEGER NOT NULL CHECK (balance_after >= 0),
                        actor TEXT NOT NULL,
                        reason TEXT NOT NULL,
                        queue_id TEXT
                    );
                    CREATE INDEX ledger_account ON ledger(account, id);
                    CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger
                        BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
                    CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger
                        BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
                    CREATE TABLE certified_message (
                        message_id TEXT PRIMARY KEY NOT NULL,
                        account TEXT NOT NULL,
                        mode TEXT NOT NULL,
                        invoice BOOLEAN NOT NULL,
                        sender_address TEXT NOT NULL,
                        sender_name TEXT,
                        language TEXT NOT NULL,
                        subject TEXT,
                        units INTEGER NOT NULL,
                        certifier TEXT NOT NULL
                    );
                    CREATE TABLE recipient_v7 (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        message_id TEXT NOT NULL REFERENCES message(id) ON DELETE CASCADE,
                        address TEXT NOT NULL,
                        kind TEXT NOT NULL CHECK (kind IN ('certifier', 'reception', 'system', 'relay', 'certified')),
                        notify TEXT,
                        orcpt TEXT,
                        state TEXT NOT NULL DEFAULT 'queued'
                            CHECK (state IN ('queued', 'deferred', 'delivered', 'bounced')),
                        attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
                        next_attempt_at DATETIME,
                        last_reply TEXT,
                        remote_host TEXT,
                        remote_ip TEXT,
                        tls TEXT,
                        finished_at DATETIME,
                        delay_notified BOOLEAN NOT NULL DEFAULT 0,
                        claimed_at DATETIME,
                        evidence_id TEXT,
                        token TEXT,
                        first_fetched_at DATETIME,
                        UNIQUE (message_id, address)
                    );
                    INSERT INTO recipient_v7 (id, message_id, address, kind, notify, orcpt, state, attempts,
                        next_attempt_at, last_reply, remote_host, remote_ip, tls, finished_at, delay_notified,
                        claimed_at, evidence_id)
                    SELECT id, message_id, address, kind, notify, orcpt, state, attempts, next_attempt_at, last_reply,
                        remote_host, remote_ip, tls, finished_at, delay_notified, claimed_at, evidence_id
                    FROM recipient;
                    DROP TABLE recipient;
                    ALTER TABLE recipient_v7 RENAME TO recipient;
                    CREATE INDEX recipient_due ON recipient(state, next_attempt_at);
                    CREATE UNIQUE INDEX recipient_token ON recipient(token) WHERE token IS NOT NULL;
                    CREATE TABLE notice_cursor (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        log_index INTEGER NOT NULL
                    );
                    """
            )
        }
        migrator.registerMigration("v8: certified reception (mailboxes, receptions, owner alerts)") { db in
            try db.execute(
                sql: """
                    CREATE TABLE mailbox (
                        address TEXT PRIMARY KEY NOT NULL,
                        account TEXT,
                        maildir TEXT,
                        forward_to TEXT,
                        acknowledge BOOLEAN NOT NULL DEFAULT 1,
                        language TEXT NOT NULL DEFAULT 'en' CHECK (language IN ('ca', 'es', 'en')),
                        acknowledgements_per_hour INTEGER NOT NULL DEFAULT 10 CHECK (acknowledgements_per_hour >= 0),
                        owner_address TEXT,
                        created_at DATETIME NOT NULL,
                        CHECK (maildir IS NOT NULL OR forward_to IS NOT NULL)
                    );
                    CREATE TABLE reception (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        message_id TEXT NOT NULL,
                        mailbox TEXT NOT NULL,
                        recipient TEXT NOT NULL,
                        received_at DATETIME NOT NULL,
                        envelope_sender TEXT NOT NULL,
                        header_from TEXT,
                        subject TEXT,
                        account TEXT,
                        units INTEGER NOT NULL DEFAULT 0,
                        certified BOOLEAN NOT NULL,
                        not_certified_reason TEXT,
                        evidence_id TEXT,
                        maildir_file TEXT,
                        stored_header BLOB,
                        stored BOOLEAN NOT NULL DEFAULT 0,
                        acknowledgement TEXT NOT NULL
                            CHECK (acknowledgement IN ('pending', 'sent', 'suppressed', 'off')),
                        acknowledgement_reason TEXT,
                        acknowledgement_queue_id TEXT,
                        language TEXT NOT NULL DEFAULT 'en'
                    );
                    CREATE INDEX reception_message ON reception(message_id);
                    CREATE INDEX reception_mailbox ON reception(mailbox, received_at);
                    CREATE INDEX reception_unstored ON reception(stored) WHERE stored = 0;
                    CREATE INDEX reception_acknowledged ON reception(envelope_sender, mailbox, acknowledgement);
                    CREATE TABLE owner_alert (
                        account TEXT NOT NULL,
                        day TEXT NOT NULL,
                        mailbox TEXT NOT NULL,
                        owner_address TEXT,
                        created_at DATETIME NOT NULL,
                        sent_at DATETIME,
                        PRIMARY KEY (account, day)
                    );
                    """
            )
        }
        migrator.registerMigration("v9: acknowledgements counted by sender, mailbox and time") { db in
            // The hourly limit counts one sender's acknowledgements from one mailbox in the last hour:
            // with the time in the index that is a range of a few rows, not every mail of the hour.
            try db.execute(
                sql: """
                    DROP INDEX reception_acknowledged;
                    CREATE INDEX reception_acknowledged ON reception(envelope_sender, mailbox, acknowledgement, received_at);
                    """
            )
        }
        migrator.registerMigration("v10: API keys and idempotency keys") { db in
            try db.execute(
                sql: """
                    CREATE TABLE api_key (
                        id TEXT PRIMARY KEY NOT NULL,
                        account TEXT NOT NULL,
                        secret_sha256 BLOB NOT NULL,
                        label TEXT NOT NULL DEFAULT '',
                        created_at DATETIME NOT NULL,
                        revoked_at DATETIME,
                        last_used_at DATETIME
                    );
                    CREATE INDEX api_key_account ON api_key(account);
                    CREATE TABLE idempotency_key (
                        account TEXT NOT NULL,
                        key TEXT NOT NULL,
                        request_sha256 TEXT NOT NULL,
                        message_id TEXT NOT NULL,
                        created_at DATETIME NOT NULL,
                        PRIMARY KEY (account, key)
                    );
                    CREATE TRIGGER idempotency_key_no_update BEFORE UPDATE ON idempotency_key
                        BEGIN SELECT RAISE(ABORT, 'an idempotency key names one message for good'); END;
                    """
            )
        }
        migrator.registerMigration("v11: webhooks and their durable outbox") { db in
            try db.execute(
                sql: """
                    CREATE TABLE webhook (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        account TEXT NOT NULL,
                        url TEXT NOT NULL,
                        secret TEXT NOT NULL,
                        events TEXT NOT NULL,
                        created_at DATETIME NOT NULL,
                        disabled_at DATETIME
                    );
                    CREATE INDEX webhook_account ON webhook(account) WHERE disabled_at IS NULL;
                    CREATE TABLE webhook_delivery (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        webhook_id INTEGER NOT NULL REFERENCES webhook(id) ON DELETE CASCADE,
                        event_id TEXT NOT NULL,
                        event_type TEXT NOT NULL,
                        payload BLOB NOT NULL,
                        created_at DATETIME NOT NULL,
                        next_attempt_at DATETIME,
                        attempts INTEGER NOT NULL DEFAULT 0,
                        state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
                        delivered_at DATETIME,
                        UNIQUE (webhook_id, event_id)
                    );
                    CREATE INDEX webhook_delivery_due ON webhook_delivery(next_attempt_at) WHERE state = 'pending';
                    CREATE TABLE webhook_attempt (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        delivery_id INTEGER NOT NULL REFERENCES webhook_delivery(id) ON DELETE CASCADE,
                        at DATETIME NOT NULL,
                        status INTEGER,
                        error TEXT,
                        duration_ms INTEGER NOT NULL
                    );
                    CREATE INDEX webhook_attempt_delivery ON webhook_attempt(delivery_id);
                    """
            )
        }
        migrator.registerMigration("v12: Openum documents and links") { db in
            try db.execute(
                sql: """
                    CREATE TABLE openum_document (
                        message_id TEXT PRIMARY KEY NOT NULL,
                        name TEXT NOT NULL,
                        content_type TEXT NOT NULL,
                        size INTEGER NOT NULL,
                        sha256 TEXT NOT NULL,
                        path TEXT NOT NULL,
                        expires_at DATETIME NOT NULL,
                        reminder_at DATETIME
                    );
                    CREATE TABLE openum_link (
                        token TEXT PRIMARY KEY NOT NULL,
                        message_id TEXT NOT NULL,
                        recipient TEXT NOT NULL,
                        opened_at DATETIME,
                        reminded_at DATETIME,
                        expired_at DATETIME
                    );
                    CREATE INDEX openum_link_message ON openum_link(message_id);
                    CREATE INDEX openum_link_waiting ON openum_link(message_id) WHERE opened_at IS NULL AND expired_at IS NULL;
                    """
            )
        }
        return migrator
    }
}
