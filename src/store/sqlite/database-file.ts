/** The SQLite file of a data directory: requests, the ledger, the audit log, ACME state. */
export const DATABASE_FILE = 'smsgate-ca.db';
