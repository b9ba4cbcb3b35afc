import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './cli.js';

/** The server.cnf of the SMSGate user documentation, verbatim (the "# (1)!" marker is an openssl comment). */
export const SEED_SERVER_CNF_PATH = join(REPO_ROOT, 'test/fixtures/seed/server.cnf');
export const SEED_SERVER_CNF = readFileSync(SEED_SERVER_CNF_PATH, 'utf8');
