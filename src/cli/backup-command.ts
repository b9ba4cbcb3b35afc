import type { Command } from './command.js';
import { DATA_DIR_FLAG } from './common-flags.js';
import { requireString } from './flags.js';

export const backupCommand: Command = {
  name: 'backup',
  summary: 'write a consistent copy of the data directory (database and CA) to one file, also while serve runs',
  usage: 'smsgate-ca backup --data-dir DIR --out FILE',
  flags: [
    DATA_DIR_FLAG,
    { name: 'out', type: 'string', valueName: 'FILE', description: 'the backup to write (a .tar.gz; it holds the CA private keys and is written with mode 0600)', env: false },
  ],
  async run(flags, _positionals, io) {
    const dataDir = requireString(flags, 'data-dir');
    const out = requireString(flags, 'out');
    const { backupDataDirectory } = await import('../serve/data-directory-backup.js');
    const summary = await backupDataDirectory(dataDir, out);
    io.stdout.write(`wrote ${summary.out} (${summary.bytes} bytes): ${summary.files.join(', ')}\nrestore: stop smsgate-ca, then mkdir NEW-DIR && tar -xzf ${summary.out} -C NEW-DIR, and serve --data-dir NEW-DIR\n`);
    return 0;
  },
};
