import { createPrivateKey } from 'node:crypto';
import { systemClock } from '../shared/clock.js';
import { caPaths, loadCaDirectory, rotateCaDirectory } from '../keystore/ca-directory.js';
import { readPrivateKeyFile } from '../keystore/key-file.js';
import { UsageError, type Command } from './command.js';
import { DATA_DIR_FLAG } from './common-flags.js';
import { optionalString, requireString } from './flags.js';

/**
 * `smsgate-ca ca rotate`: makes the next intermediate of the data directory's CA now, with the root
 * key read from a file for this one command (the root kept offline). A running serve picks it up
 * within --ca-check-interval; the former intermediate keeps its CRL.
 */
export const caCommand: Command = {
  name: 'ca',
  summary: 'manage the CA: rotate makes the next intermediate from the root (the root key read once)',
  usage: 'smsgate-ca ca rotate --data-dir DIR [--root-key FILE]',
  flags: [DATA_DIR_FLAG, { name: 'root-key', type: 'string', valueName: 'FILE', description: 'the root private key (default DIR/ca/root.key)' }],
  positionals: { min: 1, max: 1, names: 'rotate' },
  async run(flags, positionals, io) {
    if (positionals[0] !== 'rotate') throw new UsageError(`unknown action "${positionals[0] ?? ''}"; use rotate`);
    const dataDir = requireString(flags, 'data-dir');
    const rootKeyFile = optionalString(flags, 'root-key') ?? caPaths(dataDir).rootKey;
    const rootKey = createPrivateKey(await readPrivateKeyFile(rootKeyFile));
    const before = (await loadCaDirectory(dataDir, { clock: systemClock })).material;
    const after = await rotateCaDirectory(dataDir, { rootKey, clock: systemClock });
    io.stdout.write(
      [
        `rotated the signing intermediate in ${caPaths(dataDir).dir}`,
        `  before: ${before.keyIdentifier} (until ${before.notAfter.toISOString()}), kept for its CRL`,
        `  now:    ${after.keyIdentifier} (until ${after.notAfter.toISOString()})`,
        '  a running serve switches to it within --ca-check-interval',
        '',
      ].join('\n'),
    );
    return 0;
  },
};
