import type { Migration } from './migration.js';

/** The ACME door's tables (src/store/acme-store.ts). Times are milliseconds since the epoch. */
const ACME_TABLES_SQL = `
  CREATE TABLE acme_eab_keys (
    key_id     TEXT PRIMARY KEY,
    hmac_key   BLOB NOT NULL,
    label      TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
  ) STRICT;

  CREATE TABLE acme_accounts (
    id         TEXT PRIMARY KEY,
    thumbprint TEXT NOT NULL UNIQUE,
    jwk        TEXT NOT NULL,
    contact    TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('valid', 'deactivated', 'revoked')),
    tos_agreed INTEGER NOT NULL,
    eab_key_id TEXT REFERENCES acme_eab_keys (key_id),
    created_at INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE acme_orders (
    id                TEXT PRIMARY KEY,
    account_id        TEXT NOT NULL REFERENCES acme_accounts (id),
    status            TEXT NOT NULL CHECK (status IN ('pending', 'processing', 'valid', 'invalid')),
    ips               TEXT NOT NULL,
    authorization_ids TEXT NOT NULL,
    expires           INTEGER NOT NULL,
    not_before        INTEGER,
    not_after         INTEGER,
    error             TEXT,
    certificate_id    TEXT,
    replaces          TEXT,
    created_at        INTEGER NOT NULL,
    CHECK ((status = 'valid') = (certificate_id IS NOT NULL))
  ) STRICT;
  CREATE INDEX acme_orders_account ON acme_orders (account_id);

  CREATE TABLE acme_authorizations (
    id         TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES acme_accounts (id),
    order_id   TEXT NOT NULL REFERENCES acme_orders (id),
    ip         TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('pending', 'valid', 'invalid', 'deactivated', 'revoked')),
    expires    INTEGER NOT NULL,
    created_at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX acme_authorizations_order ON acme_authorizations (order_id);
  CREATE INDEX acme_authorizations_pending ON acme_authorizations (account_id) WHERE status = 'pending';

  CREATE TABLE acme_challenges (
    id               TEXT PRIMARY KEY,
    authorization_id TEXT NOT NULL REFERENCES acme_authorizations (id),
    position         INTEGER NOT NULL,
    type             TEXT NOT NULL CHECK (type IN ('http-01', 'tls-alpn-01')),
    token            TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'processing', 'valid', 'invalid')),
    validated_at     INTEGER,
    error            TEXT
  ) STRICT;
  CREATE INDEX acme_challenges_authorization ON acme_challenges (authorization_id);
  CREATE INDEX acme_challenges_processing ON acme_challenges (status) WHERE status = 'processing';

  CREATE TABLE acme_certificates (
    id                TEXT PRIMARY KEY,
    serial_number     TEXT NOT NULL UNIQUE REFERENCES certificates (serial_number),
    account_id        TEXT NOT NULL REFERENCES acme_accounts (id),
    order_id          TEXT NOT NULL UNIQUE REFERENCES acme_orders (id),
    revoked_at        INTEGER,
    revocation_reason INTEGER,
    CHECK ((revoked_at IS NULL) = (revocation_reason IS NULL))
  ) STRICT;
`;

export const ACME_TABLES_MIGRATION: Migration = { version: 2, name: 'ACME accounts, orders, authorizations, challenges, certificates, EAB keys', sql: ACME_TABLES_SQL };
