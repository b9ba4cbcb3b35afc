import { writeFile } from 'node:fs/promises';
import { CERTIFICATE_TYPES, CSR_PROFILES, describeIgnoredExtensions, LeafSigner, validateCsr } from '../ca/index.js';
import { systemClock } from '../shared/clock.js';
import { loadCaDirectory } from '../keystore/ca-directory.js';
import type { Command } from './command.js';
import { readCsrInput } from './csr-input.js';
import { ALLOWED_CIDRS_FLAG, DATA_DIR_FLAG, givenAllowedRanges, oneOf } from './common-flags.js';
import { optionalString, requireString } from './flags.js';

export const signCommand: Command = {
  name: 'sign',
  summary: 'sign a CSR offline with the SMSGate policy (one private IP, CN equal to it)',
  usage: 'smsgate-ca sign --data-dir DIR --csr FILE [--type webhook|private_server] [--out FILE]',
  flags: [
    DATA_DIR_FLAG,
    { name: 'csr', type: 'string', valueName: 'FILE', description: 'PEM certificate signing request ("-" for stdin)' },
    { name: 'type', type: 'string', valueName: 'TYPE', description: 'certificate type: webhook or private_server', default: 'webhook' },
    { name: 'out', type: 'string', valueName: 'FILE', description: 'write leaf + intermediate PEM here instead of stdout' },
    ALLOWED_CIDRS_FLAG,
  ],
  async run(flags, _positionals, io) {
    const csrPath = requireString(flags, 'csr');
    const type = oneOf(flags['type'] as string | undefined, CERTIFICATE_TYPES, 'type');
    const allowedRanges = givenAllowedRanges(flags);
    const csrPem = await readCsrInput(csrPath);
    const { material } = await loadCaDirectory(requireString(flags, 'data-dir'), { allowedRanges, clock: systemClock });
    const signer = new LeafSigner(material, { clock: systemClock });
    const csr = validateCsr(csrPem, { allowedRanges: material.allowedRanges, profile: CSR_PROFILES.smsgate, forbiddenKeys: signer.caKeys });
    if (csr.ignoredExtensions.length > 0) io.stderr.write(`note: ${describeIgnoredExtensions(csr.ignoredExtensions)}\n`);
    const issued = signer.issue({ subject: csr, ips: csr.ips, type });
    const out = optionalString(flags, 'out');
    if (out) {
      await writeFile(out, issued.chainPem, { mode: 0o644 });
      io.stderr.write(`issued ${type} certificate ${issued.serialNumber} for ${issued.ips.join(', ')} (valid until ${issued.notAfter.toISOString()}) → ${out}\n`);
    } else {
      io.stdout.write(issued.chainPem);
    }
    return 0;
  },
};
