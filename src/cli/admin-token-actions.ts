import { join } from 'node:path';
import { DATABASE_FILE } from '../store/sqlite/database-file.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { EXIT_CODES, UsageError, type CommandIo, type FlagValues } from './command.js';
import { optionalString, requireString } from './flags.js';

const NAME_PATTERN = /^[\w.@ -]{1,64}$/;

/** `admin token create|list|revoke --data-dir D`: the admin API's bearer tokens, in the data directory's store. */
export async function runTokenAction(action: string | undefined, id: string | undefined, flags: FlagValues, io: CommandIo): Promise<number> {
  checkTokenArguments(action, id);
  const name = optionalString(flags, 'name');
  if (action === 'create' && (name === undefined || !NAME_PATTERN.test(name))) {
    throw new UsageError('token create needs --name NAME (1-64 letters, digits, spaces, . _ @ -): it names the administrator in the audit log');
  }
  const store = SqliteStore.open(join(requireString(flags, 'data-dir'), DATABASE_FILE));
  try {
    const tokens = store.adminTokens();
    if (action === 'create') {
      const { token, record } = tokens.create(name!, new Date());
      io.stdout.write(`${token}\n`);
      io.stderr.write(`created admin token ${record.id} for "${record.name}"; it is shown only now: keep it in a file of mode 0600 for --token-file\n`);
      return EXIT_CODES.ok;
    }
    if (action === 'list') return listTokens(tokens.list(), io);
    if (!tokens.revoke(id!, new Date())) {
      io.stderr.write(`smsgate-ca admin: no active token "${id}"\n`);
      return EXIT_CODES.invalidInput;
    }
    io.stdout.write(`revoked admin token ${id}: the admin API answers it 401 from now on\n`);
    return EXIT_CODES.ok;
  } finally {
    store.close();
  }
}

function checkTokenArguments(action: string | undefined, id: string | undefined): asserts action is 'create' | 'list' | 'revoke' {
  if (action !== 'create' && action !== 'list' && action !== 'revoke') throw new UsageError(`unknown token action "${action ?? ''}"; use create, list or revoke`);
  if ((action === 'revoke') !== (id !== undefined)) throw new UsageError(action === 'revoke' ? 'token revoke needs the TOKEN_ID (see admin token list)' : `token ${action} takes no TOKEN_ID`);
}

function listTokens(tokens: ReturnType<ReturnType<SqliteStore['adminTokens']>['list']>, io: CommandIo): number {
  if (tokens.length === 0) {
    io.stdout.write('no admin tokens\n');
    return EXIT_CODES.ok;
  }
  io.stdout.write(`${'TOKEN ID'.padEnd(14)} ${'CREATED'.padEnd(24)} ${'STATUS'.padEnd(8)} NAME\n`);
  for (const token of tokens) {
    io.stdout.write(`${token.id.padEnd(14)} ${token.createdAt.toISOString().padEnd(24)} ${(token.revokedAt ? 'revoked' : 'active').padEnd(8)} ${token.name}\n`);
  }
  return EXIT_CODES.ok;
}
