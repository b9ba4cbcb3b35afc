import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { policyViolation } from '../../bench/fuzz/csr-oracle.js';
import { runFuzz, type FuzzOptions } from '../../bench/fuzz/fuzz-run.js';
import { CaError, CSR_PROFILES, DEFAULT_ALLOWED_CIDRS, Ipv4RangeSet, severalIpsProfile, validateCsr, type ValidatedCsr } from '../../src/ca/index.js';
import { REPO_ROOT, run } from '../support/cli.js';

/**
 * `npm run fuzz:csr` runs end to end with a small N and finds nothing in the real intake; and each of
 * its detectors fires when the intake under test misbehaves, so a clean report means something.
 */
const small = (overrides: Partial<FuzzOptions>): FuzzOptions => ({ iterations: 300, seed: 7, repositoryRoot: REPO_ROOT, ...overrides });

describe('fuzz:csr', () => {
  it('runs the built script: 1,500 inputs, both accepted and refused ones, no finding', async () => {
    const result = await run(process.execPath, [join(REPO_ROOT, 'dist/bench/fuzz-csr.js'), '--iterations', '1500', '--seed', '3']);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^1500 inputs in [\d.]+s: \d+ inputs\/s$/m);
    expect(result.stdout).toMatch(/^exceptions that are not a CaError: 0$/m);
    expect(result.stdout).toMatch(/^acceptances outside the policy .*: 0$/m);
    expect(result.stdout).toMatch(/^inputs slower than 50 ms .*: 0$/m);
    expect(Number(/^accepted: (\d+);/m.exec(result.stdout)?.[1])).toBeGreaterThan(30);
    for (const reason of ['der_invalid', 'identifier_not_allowed', 'key_weak', 'signature_invalid']) expect(result.stdout).toMatch(new RegExp(`^  ${reason} +\\d+$`, 'm'));
  }, 120_000);

  it('is deterministic by seed', () => {
    const first = runFuzz(small({}));
    const second = runFuzz(small({}));
    expect({ accepted: second.accepted, refusals: second.refusals }).toEqual({ accepted: first.accepted, refusals: first.refusals });
    const other = runFuzz(small({ seed: 8 }));
    expect(other.refusals).not.toEqual(first.refusals);
  }, 120_000);

  it('reports every acceptance of an intake that accepts anything as outside the policy', () => {
    const acceptAll = (): ValidatedCsr => ({ spki: new Uint8Array(), key: { kind: 'ec', curve: 'P-256' }, ips: ['192.168.1.10'], ignoredExtensions: [] });
    const report = runFuzz(small({ iterations: 200, validate: acceptAll }));
    expect(report.accepted).toBe(200);
    expect(report.outOfPolicy.length).toBeGreaterThan(150);
    expect(report.outOfPolicy.map((finding) => finding.detail).join('\n')).toMatch(/is not inside 10\.0\.0\.0\/8|x509 cannot read|signature does not verify/);
  }, 120_000);

  it('replays the inputs an earlier oracle flagged: a non-string challengePassword, accepted and within the policy', () => {
    const directory = join(REPO_ROOT, 'test/fixtures/fuzz/findings');
    const files = readdirSync(directory).filter((name) => name.endsWith('.csr'));
    expect(files).toHaveLength(4);
    for (const file of files) {
      const text = readFileSync(join(directory, file), 'utf8');
      const pem = text.slice(text.indexOf('-----BEGIN'));
      const shape = text.includes('[multi]') ? 'multi' : 'smsgate';
      const profile = shape === 'multi' ? severalIpsProfile('several', 3) : CSR_PROFILES.smsgate;
      const validated = validateCsr(pem, { allowedRanges: Ipv4RangeSet.defaults, profile });
      expect(policyViolation(pem, validated.ips, { shape, maxIdentifiers: 3, allowedCidrs: DEFAULT_ALLOWED_CIDRS }), file).toBeUndefined();
      // The oracle still judges: the same request, claimed for another address, is outside the policy.
      expect(policyViolation(pem, ['10.0.0.1'], { shape, maxIdentifiers: 3, allowedCidrs: DEFAULT_ALLOWED_CIDRS })).toMatch(/the core validated 10\.0\.0\.1/);
    }
  });

  it('reports exceptions that are not a CaError, and slow inputs', () => {
    // By input, so that the five reruns of a slow input are slow too.
    const misbehaving = (pem: string): ValidatedCsr => {
      if (pem.length % 2 === 1) throw new TypeError('cannot read properties of undefined');
      const until = performance.now() + 60;
      while (performance.now() < until); // slower than 50 ms, every time
      throw new CaError('der_invalid', 'refused, slowly');
    };
    const report = runFuzz(small({ iterations: 10, validate: misbehaving }));
    expect(report.nonCaErrors.length).toBeGreaterThan(0);
    expect(report.nonCaErrors.every((finding) => finding.detail.startsWith('TypeError: cannot read'))).toBe(true);
    expect(report.slow.length).toBeGreaterThan(0);
    expect(report.nonCaErrors.length + report.slow.length).toBe(10);
  }, 120_000);
});
