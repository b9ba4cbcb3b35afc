import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { DATABASE_FILE } from '../store/sqlite/database-file.js';
import type { EabKeyRecord } from '../store/acme-store.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { UsageError, type Command, type CommandIo } from './command.js';
import { DATA_DIR_FLAG } from './common-flags.js';
import { optionalString, requireString } from './flags.js';

const ACTIONS = ['create', 'list', 'revoke'] as const;

/** `smsgate-ca eab create|list|revoke`: External Account Binding keys for `serve --acme-eab-required`. */
export const eabCommand: Command = {
  name: 'eab',
  summary: 'manage ACME External Account Binding keys (create, list, revoke)',
  usage: 'smsgate-ca eab create [--label TEXT] | eab list | eab revoke KEY_ID  [--data-dir DIR]',
  flags: [DATA_DIR_FLAG, { name: 'label', type: 'string', valueName: 'TEXT', description: 'what the key is for (shown by list)' }],
  positionals: { min: 1, max: 2, names: 'create|list|revoke [KEY_ID]' },
  async run(flags, positionals, io) {
    const [action, keyId] = positionals;
    if (!ACTIONS.includes(action as (typeof ACTIONS)[number])) throw new UsageError(`unknown action "${action}"; use ${ACTIONS.join(', ')}`);
    if ((action === 'revoke') !== (keyId !== undefined)) throw new UsageError(action === 'revoke' ? 'revoke needs the KEY_ID' : `${action} takes no KEY_ID`);
    const store = SqliteStore.open(join(requireString(flags, 'data-dir'), DATABASE_FILE));
    try {
      const acme = store.acme();
      if (action === 'create') return await create(acme, optionalString(flags, 'label') ?? '', io);
      if (action === 'list') return list(await acme.listEabKeys(), io);
      if (!(await acme.revokeEabKey(keyId!, new Date()))) {
        io.stderr.write(`smsgate-ca eab: no active key "${keyId}"\n`);
        return 1;
      }
      io.stdout.write(`revoked ${keyId}: it can no longer create accounts (existing accounts keep working)\n`);
      return 0;
    } finally {
      store.close();
    }
  },
};

async function create(acme: ReturnType<SqliteStore['acme']>, label: string, io: CommandIo): Promise<number> {
  const keyId = `eab_${randomBytes(12).toString('base64url')}`;
  const hmacKey = randomBytes(32);
  await acme.createEabKey({ keyId, hmacKey, label, createdAt: new Date() });
  io.stdout.write(
    [
      `key id:   ${keyId}`,
      `hmac key: ${hmacKey.toString('base64url')}`,
      '',
      'Give both to the ACME client (HS256), e.g. certbot --eab-kid/--eab-hmac-key, or a cert-manager',
      'ACME issuer\'s externalAccountBinding {keyID, keySecretRef}. The HMAC key is shown only now.',
      '',
    ].join('\n'),
  );
  return 0;
}

function list(keys: readonly EabKeyRecord[], io: CommandIo): number {
  if (keys.length === 0) {
    io.stdout.write('no EAB keys\n');
    return 0;
  }
  io.stdout.write(`${'KEY ID'.padEnd(22)} ${'CREATED'.padEnd(24)} ${'STATUS'.padEnd(8)} ${'ACCOUNTS'.padEnd(8)} LABEL\n`);
  for (const key of keys) {
    const status = key.revokedAt ? 'revoked' : 'active';
    io.stdout.write(`${key.keyId.padEnd(22)} ${key.createdAt.toISOString().padEnd(24)} ${status.padEnd(8)} ${String(key.accounts).padEnd(8)} ${key.label}\n`);
  }
  return 0;
}
