/** The primes below `limit`, in order (sieve of Eratosthenes). */
export function primesBelow(limit: number): number[] {
  const composite = new Uint8Array(limit);
  const primes: number[] = [];
  for (let candidate = 2; candidate < limit; candidate++) {
    if (composite[candidate] === 1) continue;
    primes.push(candidate);
    for (let multiple = candidate * candidate; multiple < limit; multiple += candidate) composite[multiple] = 1;
  }
  return primes;
}

/**
 * `n mod p` for every prime of a fixed list, computed with one BigInt division per group of primes
 * whose product fits a double exactly (about 34 for the 168 primes below 1,000), the rest in Numbers.
 */
export class SmallPrimeResidues {
  private readonly groups: ReadonlyArray<{ readonly product: bigint; readonly primes: readonly number[] }>;

  constructor(readonly primes: readonly number[]) {
    this.groups = groupByProduct(primes, Number.MAX_SAFE_INTEGER);
  }

  /** Residues in the order of `primes`. */
  of(n: bigint): number[] {
    const residues: number[] = [];
    for (const group of this.groups) {
      const remainder = Number(n % group.product);
      for (const prime of group.primes) residues.push(remainder % prime);
    }
    return residues;
  }
}

function groupByProduct(primes: readonly number[], limit: number): Array<{ product: bigint; primes: number[] }> {
  const groups: Array<{ product: bigint; primes: number[] }> = [];
  let current = { product: 1, primes: [] as number[] };
  for (const prime of primes) {
    if (current.product * prime > limit) {
      groups.push({ product: BigInt(current.product), primes: current.primes });
      current = { product: 1, primes: [] };
    }
    current.product *= prime;
    current.primes.push(prime);
  }
  if (current.primes.length > 0) groups.push({ product: BigInt(current.product), primes: current.primes });
  return groups;
}
