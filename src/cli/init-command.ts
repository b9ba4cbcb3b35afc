import { systemClock } from '../shared/clock.js';
import { KEY_ALGORITHMS } from '../ca/index.js';
import { caPaths, initCaDirectory } from '../keystore/ca-directory.js';
import type { Command } from './command.js';
import { ALLOWED_CIDRS_FLAG, DATA_DIR_FLAG, allowedRangesFrom, oneOf } from './common-flags.js';
import { requireString } from './flags.js';

export const initCommand: Command = {
  name: 'init',
  summary: 'create a root CA and a name-constrained intermediate in the data directory',
  usage: 'smsgate-ca init --data-dir DIR [--key-algorithm ALG] [--allowed-cidrs LIST]',
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
  ],
  async run(flags, _positionals, io) {
    const dataDir = requireString(flags, 'data-dir');
    const keyAlgorithm = oneOf(flags['key-algorithm'] as string | undefined, KEY_ALGORITHMS, 'key-algorithm');
    const allowedRanges = allowedRangesFrom(flags);
    await initCaDirectory(dataDir, { keyAlgorithm, allowedRanges, clock: systemClock });
    const paths = caPaths(dataDir);
    io.stdout.write(
      [
        `created a ${keyAlgorithm} CA in ${paths.dir}`,
        `  root certificate (distribute to clients): ${paths.rootCertificate}`,
        `  intermediate (signs leaves, constrained to ${allowedRanges.toString()}): ${paths.intermediateCertificate}`,
        '',
      ].join('\n'),
    );
    return 0;
  },
};
