import { ceilingSquareRoot, integerSquareRoot } from './integer-square-root.js';

/**
 * Fermat's method: an odd n = p·q is a² − b² with a = (p + q)/2 and b = (q − p)/2. Starting from
 * a = ⌈√n⌉ and stepping a up, a² − n is a perfect square within the first round when p and q share
 * their top half of bits, and within r rounds while (q − p)² < 8·r·√n, about 2^517 for 2048-bit n
 * and 100 rounds. Independently chosen random primes are nowhere near that close.
 *
 * Most rounds are decided by a sieve: a² − n is tracked modulo 64·63·65·11 in plain numbers, and only
 * the ~0.8% of values that are squares modulo all four (never a false negative) get a BigInt square root.
 */
export function fermatFactor(n: bigint, rounds: number): { readonly p: bigint; readonly q: bigint } | undefined {
  const start = ceilingSquareRoot(n);
  let a = Number(start % SIEVE_MODULUS_BIG);
  let difference = Number((start * start - n) % SIEVE_MODULUS_BIG);
  for (let round = 0; round < rounds; round++) {
    if (maybeSquare(difference)) {
      const candidate = start + BigInt(round);
      const bSquared = candidate * candidate - n;
      const b = integerSquareRoot(bSquared);
      if (b * b === bSquared) return { p: candidate - b, q: candidate + b };
    }
    // (a + 1)² − n = (a² − n) + 2a + 1
    difference = (difference + 2 * a + 1) % SIEVE_MODULUS;
    a = (a + 1) % SIEVE_MODULUS;
  }
  return undefined;
}

const SIEVE_MODULI = [64, 63, 65, 11] as const;
const SIEVE_MODULUS = SIEVE_MODULI.reduce((product, modulus) => product * modulus, 1);
const SIEVE_MODULUS_BIG = BigInt(SIEVE_MODULUS);
const SQUARES_MODULO = SIEVE_MODULI.map((modulus) => {
  const isSquare = new Uint8Array(modulus);
  for (let x = 0; x < modulus; x++) isSquare[(x * x) % modulus] = 1;
  return isSquare;
});

function maybeSquare(valueModSieve: number): boolean {
  return SIEVE_MODULI.every((modulus, index) => SQUARES_MODULO[index]![valueModSieve % modulus] === 1);
}
