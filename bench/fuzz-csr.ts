/**
 * The CSR intake under a million hostile inputs: `npm run fuzz:csr -- --iterations N [--seed S]
 * [--max-seconds T] [--findings DIR]`. Reports the rate, every exception that is not a CaError,
 * every input slower than 50 ms (best of five reruns), every acceptance an independent oracle
 * (@peculiar/x509 + ipaddr.js) finds outside the policy, and the slowest input; exits 1 on any
 * finding. The same seed makes the same inputs (ECDSA signatures aside, which carry a random k).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runFuzz, SLOW_MS, type Finding, type FuzzReport } from './fuzz/fuzz-run.js';

const { values } = parseArgs({
  options: {
    iterations: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '1' },
    'max-seconds': { type: 'string', default: '0' },
    findings: { type: 'string' },
  },
});
const iterations = Number(values.iterations);
const seed = Number(values.seed);
const maxSeconds = Number(values['max-seconds']);
if (!Number.isSafeInteger(iterations) || iterations < 1 || !Number.isSafeInteger(seed) || !(maxSeconds >= 0)) {
  console.error('usage: npm run fuzz:csr -- --iterations N [--seed S] [--max-seconds T] [--findings DIR]');
  process.exit(2);
}

/** This runs as dist/bench/fuzz-csr.js: the repository is two levels up. */
const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

console.log(`fuzz:csr — seed ${seed}, ${iterations} iterations${maxSeconds ? `, at most ${maxSeconds}s` : ''}, node ${process.version}`);
const report = runFuzz({
  iterations,
  seed,
  maxSeconds,
  repositoryRoot,
  progress: (done, partial) => {
    if (done % 100_000 === 0) console.log(`  ${done} inputs, ${(done / partial.seconds).toFixed(0)}/s, ${partial.accepted} accepted, ${findingsOf(partial).length} findings`);
  },
});
printReport(report);
if (values.findings !== undefined) saveFindings(values.findings, report);
process.exit(findingsOf(report).length === 0 ? 0 : 1);

function findingsOf(report: FuzzReport): Finding[] {
  return [...report.nonCaErrors, ...report.outOfPolicy, ...report.slow];
}

function printReport(report: FuzzReport): void {
  console.log(`\n${report.iterations} inputs in ${report.seconds.toFixed(1)}s: ${(report.iterations / report.seconds).toFixed(0)} inputs/s`);
  console.log(`accepted: ${report.accepted}; refused by reason:`);
  for (const [reason, count] of Object.entries(report.refusals).sort((a, b) => b[1] - a[1])) console.log(`  ${reason.padEnd(24)} ${count}`);
  console.log(`exceptions that are not a CaError: ${report.nonCaErrors.length}`);
  console.log(`acceptances outside the policy (oracle: @peculiar/x509 + ipaddr.js): ${report.outOfPolicy.length}`);
  console.log(`inputs slower than ${SLOW_MS} ms (best of 5 reruns): ${report.slow.length}`);
  const { bestMs, firstMs, description } = report.slowest;
  console.log(`slowest input: ${bestMs.toFixed(2)} ms (best of 5 reruns; first run ${firstMs.toFixed(2)} ms) — ${description}`);
  for (const finding of findingsOf(report).slice(0, 10)) {
    console.log(`\n#${finding.iteration} ${finding.description}\n  ${finding.detail.split('\n').slice(0, 4).join('\n  ')}\n${finding.pem}`);
  }
}

function saveFindings(directory: string, report: FuzzReport): void {
  mkdirSync(directory, { recursive: true });
  for (const finding of findingsOf(report)) {
    writeFileSync(join(directory, `finding-${report.seed}-${finding.iteration}.csr`), `# ${finding.description}\n# ${finding.detail.split('\n')[0]}\n${finding.pem}`);
  }
}
