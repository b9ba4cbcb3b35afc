import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeSinglePem } from '../../src/ca/pem.js';
import { CSR_PROFILES, DEFAULT_ALLOWED_CIDRS, Ipv4RangeSet, isCaError, severalIpsProfile, validateCsr, type CsrPolicy, type ValidatedCsr } from '../../src/ca/index.js';
import { mutateBytes, type SeedCsr } from './byte-mutations.js';
import { policyViolation, type OraclePolicy } from './csr-oracle.js';
import { loadFuzzKeys } from './fuzz-keys.js';
import { Prng } from './prng.js';
import { StructuredCsrs, type Mutant } from './structured-csrs.js';

/** An input worth a second look: what it was, why, and the PEM to replay it. */
export interface Finding {
  readonly iteration: number;
  readonly description: string;
  readonly detail: string;
  readonly pem: string;
}

export interface FuzzReport {
  readonly seed: number;
  readonly iterations: number;
  readonly seconds: number;
  readonly accepted: number;
  readonly refusals: Readonly<Record<string, number>>;
  readonly nonCaErrors: readonly Finding[];
  readonly outOfPolicy: readonly Finding[];
  readonly slow: readonly Finding[];
  /** The input whose best of five reruns took longest (a first run alone measures the machine as much as the input). */
  readonly slowest: { readonly bestMs: number; readonly firstMs: number; readonly description: string };
}

export interface FuzzOptions {
  readonly iterations: number;
  readonly seed: number;
  /** Stop early after this long (0: no bound). */
  readonly maxSeconds?: number;
  readonly repositoryRoot: string;
  /** The intake under test; the real validateCsr unless a test swaps it. */
  readonly validate?: (pem: string, policy: CsrPolicy) => ValidatedCsr;
  /** Called every 10,000 iterations. */
  readonly progress?: (done: number, report: FuzzReport) => void;
}

export const SLOW_MS = 50;
const POLICIES: ReadonlyArray<{ readonly intake: CsrPolicy; readonly oracle: OraclePolicy }> = [
  { intake: { allowedRanges: Ipv4RangeSet.defaults, profile: CSR_PROFILES.smsgate }, oracle: { shape: 'smsgate', maxIdentifiers: 1, allowedCidrs: DEFAULT_ALLOWED_CIDRS } },
  // The ACME/Kubernetes rule, with a small maximum so that "too many" is reached often.
  { intake: { allowedRanges: Ipv4RangeSet.defaults, profile: severalIpsProfile('several', 3) }, oracle: { shape: 'multi', maxIdentifiers: 3, allowedCidrs: DEFAULT_ALLOWED_CIDRS } },
];

/** Half structure-aware (re-signed) mutants, half byte-level mutants of real requests; each through the intake under one policy. */
export function runFuzz(options: FuzzOptions): FuzzReport {
  const prng = new Prng(options.seed);
  const structured = new StructuredCsrs(loadFuzzKeys(join(options.repositoryRoot, 'test/fixtures/fuzz')));
  const seeds = loadSeeds(join(options.repositoryRoot, 'test/fixtures/csr'));
  const validate = options.validate ?? validateCsr;
  const tally = new Tally(options.seed);
  const deadline = options.maxSeconds ? performance.now() + options.maxSeconds * 1000 : Number.POSITIVE_INFINITY;
  for (let iteration = 0; iteration < options.iterations && performance.now() < deadline; iteration++) {
    const mutant = prng.chance(0.5) ? structured.next(prng) : mutateBytes(prng, seeds);
    const policy = prng.chance(0.7) ? POLICIES[0]! : POLICIES[1]!;
    tally.record(iteration, mutant, policy, validate);
    if ((iteration + 1) % 10_000 === 0) options.progress?.(iteration + 1, tally.report());
  }
  return tally.report();
}

class Tally {
  private readonly started = performance.now();
  private iterations = 0;
  private accepted = 0;
  private readonly refusals: Record<string, number> = {};
  private readonly nonCaErrors: Finding[] = [];
  private readonly outOfPolicy: Finding[] = [];
  private readonly slow: Finding[] = [];
  private slowest = { bestMs: 0, firstMs: 0, description: '' };

  constructor(private readonly seed: number) {}

  record(iteration: number, mutant: Mutant, policy: (typeof POLICIES)[number], validate: NonNullable<FuzzOptions['validate']>): void {
    this.iterations++;
    const start = performance.now();
    const outcome = attempt(() => validate(mutant.pem, policy.intake));
    const ms = performance.now() - start;
    const finding = (detail: string): Finding => ({ iteration, description: `${mutant.description} [${policy.oracle.shape}]`, detail, pem: mutant.pem });
    if (ms > this.slowest.bestMs || ms > SLOW_MS) {
      const best = bestOfReruns(() => validate(mutant.pem, policy.intake));
      if (best > this.slowest.bestMs) this.slowest = { bestMs: best, firstMs: ms, description: mutant.description };
      if (best > SLOW_MS) this.slow.push(finding(`best of 5 reruns: ${best.toFixed(1)} ms`));
    }
    if (outcome.ok) {
      this.accepted++;
      const violation = policyViolation(mutant.pem, outcome.value.ips, policy.oracle);
      if (violation !== undefined) this.outOfPolicy.push(finding(violation));
    } else if (isCaError(outcome.error)) {
      this.refusals[outcome.error.reason] = (this.refusals[outcome.error.reason] ?? 0) + 1;
    } else {
      this.nonCaErrors.push(finding(String((outcome.error as Error)?.stack ?? outcome.error)));
    }
  }

  report(): FuzzReport {
    return {
      seed: this.seed,
      iterations: this.iterations,
      seconds: (performance.now() - this.started) / 1000,
      accepted: this.accepted,
      refusals: { ...this.refusals },
      nonCaErrors: [...this.nonCaErrors],
      outOfPolicy: [...this.outOfPolicy],
      slow: [...this.slow],
      slowest: this.slowest,
    };
  }
}

/** A slow first run may be the machine (a GC, another process): an input counts as slow only if the best of five reruns is. */
function bestOfReruns(body: () => unknown): number {
  let best = Number.POSITIVE_INFINITY;
  for (let run = 0; run < 5; run++) {
    const start = performance.now();
    attempt(body);
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

function attempt<T>(body: () => T): { ok: true; value: T } | { ok: false; error: unknown } {
  try {
    return { ok: true, value: body() };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Every committed request (real openssl, the SMSGate client): RSA 2048/3072/4096, P-256, P-384. */
function loadSeeds(directory: string): SeedCsr[] {
  return readdirSync(directory)
    .filter((name) => name.endsWith('.csr'))
    .sort()
    .map((name) => ({ name, der: decodeSinglePem(readFileSync(join(directory, name), 'utf8'), ['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST'], 'CSR').der }));
}
