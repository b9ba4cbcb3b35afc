import { UsageError, type Command, type CommandIo, type FlagValues } from './command.js';
import { approveAction, connectAdmin, denyAction, listAction, revokeAction } from './admin-client-actions.js';
import { runTokenAction } from './admin-token-actions.js';
import { DATA_DIR_FLAG } from './common-flags.js';

const USAGE = [
  'smsgate-ca admin token create --name NAME | token list | token revoke TOKEN_ID   [--data-dir DIR]',
  '       smsgate-ca admin list [requests|certificates|audit] [--status S] [--pending] [--ip IP] [--limit N] [--json]  --url URL CREDENTIALS',
  '       smsgate-ca admin approve REQ_ID | deny REQ_ID --reason TEXT | revoke SERIAL [--reason NAME]  --url URL CREDENTIALS',
  '       CREDENTIALS: --token-file FILE, or --client-cert FILE --client-key FILE (a certificate from the server\'s --admin-client-ca)',
].join('\n');

const ID_ACTIONS = new Set(['approve', 'deny', 'revoke']);

/** `smsgate-ca admin`: bearer tokens on the data directory, and the admin API's operations over HTTPS. */
export const adminCommand: Command = {
  name: 'admin',
  summary: 'administer the CA: admin API tokens; list, approve, deny and revoke over the admin API',
  usage: USAGE,
  positionals: { min: 1, max: 3, names: 'token create|list|revoke [ID] | list [WHAT] | approve|deny ID | revoke SERIAL' },
  flags: [
    DATA_DIR_FLAG,
    { name: 'name', type: 'string', valueName: 'NAME', description: 'token create: who the token is for (named in the audit log)', env: false },
    { name: 'url', type: 'string', valueName: 'URL', description: 'the CA API base, as for webhooks/private, e.g. https://127.0.0.1:8443/api/v1', env: 'SMSGATE_CA_ADMIN_URL' },
    { name: 'token-file', type: 'string', valueName: 'FILE', description: 'file holding an admin token (from admin token create)', env: 'SMSGATE_CA_ADMIN_TOKEN_FILE' },
    { name: 'client-cert', type: 'string', valueName: 'FILE', description: "instead of --token-file: a client certificate (PEM, clientAuth) from the server's --admin-client-ca", env: 'SMSGATE_CA_ADMIN_CLIENT_CERT' },
    { name: 'client-key', type: 'string', valueName: 'FILE', description: 'the private key (PEM, unencrypted) of --client-cert', env: 'SMSGATE_CA_ADMIN_CLIENT_KEY' },
    { name: 'ca-file', type: 'string', valueName: 'FILE', description: "trust this root (PEM) for the CA's HTTPS", env: ['SMSGATE_CA_CA_FILE'] },
    { name: 'reason', type: 'string', valueName: 'TEXT', description: 'deny: why (the client sees it); revoke: an RFC 5280 reason name, e.g. keyCompromise', env: false },
    { name: 'status', type: 'string', valueName: 'STATUS', description: 'list requests: pending, approved or denied; list certificates: valid, expired or revoked', env: false },
    { name: 'pending', type: 'boolean', description: 'list requests: only those waiting for an administrator', env: false },
    { name: 'ip', type: 'string', valueName: 'IP', description: 'list: only those naming this IP', env: false },
    { name: 'limit', type: 'string', valueName: 'N', description: 'list: at most N, newest first (default 100)', env: false },
    { name: 'json', type: 'boolean', description: 'list: print the API items as JSON', env: false },
    { name: 'timeout', type: 'string', valueName: 'DURATION', description: 'give up on the server after this long; approve waits as long for the signature', default: '10s', env: false },
  ],
  async run(flags, positionals, io) {
    const [action, first, second] = positionals;
    if (action === 'token') return runTokenAction(first, second, flags, io);
    if (action === 'list') {
      if (second !== undefined) throw new UsageError('admin list takes at most one of requests, certificates, audit');
      return listAction(await connectAdmin(flags), first, flags, io);
    }
    return runDecision(action, first, second, flags, io);
  },
};

async function runDecision(action: string | undefined, id: string | undefined, extra: string | undefined, flags: FlagValues, io: CommandIo): Promise<number> {
  if (action === undefined || !ID_ACTIONS.has(action)) throw new UsageError(`unknown admin action "${action ?? ''}"; use token, list, approve, deny or revoke`);
  if (id === undefined || extra !== undefined) throw new UsageError(`admin ${action} takes exactly one ${action === 'revoke' ? 'SERIAL' : 'REQ_ID'}`);
  const connection = await connectAdmin(flags);
  if (action === 'approve') return approveAction(connection, id, io);
  if (action === 'deny') return denyAction(connection, id, flags, io);
  return revokeAction(connection, id, flags, io);
}
