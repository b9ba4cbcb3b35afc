/** ⌊√n⌋ for n ≥ 0, by Newton's method from a floating-point first guess that is never too small. */
export function integerSquareRoot(n: bigint): bigint {
  if (n < 0n) throw new RangeError('square root of a negative number');
  if (n < 2n) return n;
  let root = firstGuess(n);
  for (;;) {
    const next = (root + n / root) >> 1n;
    if (next >= root) return root;
    root = next;
  }
}

/** ⌈√n⌉ for n ≥ 0. */
export function ceilingSquareRoot(n: bigint): bigint {
  const root = integerSquareRoot(n);
  return root * root === n ? root : root + 1n;
}

export function bitLength(n: bigint): number {
  if (n === 0n) return 0;
  const hex = n.toString(16);
  return (hex.length - 1) * 4 + (32 - Math.clz32(parseInt(hex[0]!, 16)));
}

/**
 * A value at or above √n: the square root of n's top ~100 bits in double precision (relative error
 * below 2^-52), rounded up and padded by 2 so that rounding can never leave it below the true root.
 */
function firstGuess(n: bigint): bigint {
  const half = Math.max(0, Math.ceil((bitLength(n) - 100) / 2));
  const top = Number(n >> BigInt(2 * half));
  return (BigInt(Math.ceil(Math.sqrt(top))) + 2n) << BigInt(half);
}
