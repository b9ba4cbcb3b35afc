import { systemClock } from '../shared/clock.js';
import { KEY_ALGORITHMS } from '../ca/index.js';
import { caPaths, initCaDirectory, type RootKeyPlacement } from '../keystore/ca-directory.js';
import { UsageError, type Command, type FlagValues } from './command.js';
import { ALLOWED_CIDRS_FLAG, DATA_DIR_FLAG, allowedRangesFrom, oneOf } from './common-flags.js';
import { optionalString, requireString } from './flags.js';

export const initCommand: Command = {
  name: 'init',
  summary: 'create a root CA and a name-constrained intermediate in the data directory',
  usage: 'smsgate-ca init --data-dir DIR [--key-algorithm ALG] [--allowed-cidrs LIST] [--root-key-out FILE | --no-root-key]',
  flags: [
    DATA_DIR_FLAG,
    {
      name: 'key-algorithm',
      type: 'string',
      valueName: 'ALG',
      description: `key type of the root and intermediate: ${KEY_ALGORITHMS.join(', ')}`,
      default: 'ecdsa-p256',
    },
    ALLOWED_CIDRS_FLAG,
    { name: 'root-key-out', type: 'string', valueName: 'FILE', description: 'write the root key here (e.g. removable media) instead of DIR/ca/root.key: serve then runs with the root offline' },
    { name: 'no-root-key', type: 'boolean', description: 'keep the root key nowhere: no intermediate can ever be made after this one' },
  ],
  async run(flags, _positionals, io) {
    const dataDir = requireString(flags, 'data-dir');
    const keyAlgorithm = oneOf(flags['key-algorithm'] as string | undefined, KEY_ALGORITHMS, 'key-algorithm');
    const allowedRanges = allowedRangesFrom(flags);
    const rootKey = rootKeyPlacement(flags);
    await initCaDirectory(dataDir, { keyAlgorithm, allowedRanges, clock: systemClock, rootKey });
    const paths = caPaths(dataDir);
    io.stdout.write(
      [
        `created a ${keyAlgorithm} CA in ${paths.dir}`,
        `  root certificate (distribute to clients): ${paths.rootCertificate}`,
        `  intermediate (signs leaves, constrained to ${allowedRanges.toString()}): ${paths.intermediateCertificate}`,
        `  root key: ${describePlacement(rootKey, paths.rootKey)}`,
        '',
      ].join('\n'),
    );
    return 0;
  },
};

function rootKeyPlacement(flags: FlagValues): RootKeyPlacement {
  const out = optionalString(flags, 'root-key-out');
  if (out !== undefined && flags['no-root-key'] === true) throw new UsageError('--root-key-out and --no-root-key exclude each other');
  if (out !== undefined) return { kind: 'file', path: out };
  return flags['no-root-key'] === true ? { kind: 'discard' } : { kind: 'data-dir' };
}

function describePlacement(placement: RootKeyPlacement, dataDirPath: string): string {
  switch (placement.kind) {
    case 'data-dir':
      return `${dataDirPath} (serve rolls the intermediate over by itself)`;
    case 'file':
      return `${placement.path} (offline: keep it safe; 'smsgate-ca ca rotate --root-key ${placement.path}' makes the next intermediate)`;
    case 'discard':
      return 'not kept (no further intermediate can be made; a new root will be needed before this intermediate ends)';
  }
}
