import { CelScalar, celMap, celMethod, isCelMap } from '@bufbuild/cel';
import type { CelFunc, CelInput, CelValue } from '@bufbuild/cel';

/**
 * Just enough of CEL's optional type for `optionalOldSelf: true` rules: oldSelf is `optional.none()`
 * on create and `optional.of(old)` on update, with hasValue(), value() and orValue(). The evaluator
 * has no optional type, so an optional travels as a one-entry map under a key no JSON can produce.
 */
const SOME = '\u0000optional.of';
const NONE = '\u0000optional.none';

export function optionalOf(value: CelInput): CelInput {
  return celMap(new Map([[SOME, value]]));
}

export function optionalNone(): CelInput {
  return celMap(new Map([[NONE, true]]));
}

function unwrap(target: CelValue): { present: boolean; value: CelValue | undefined } {
  if (!isCelMap(target) || target.size !== 1 || !(target.has(SOME) || target.has(NONE))) {
    throw new Error('no such overload: receiver is not an optional');
  }
  return target.has(SOME) ? { present: true, value: target.get(SOME) } : { present: false, value: undefined };
}

export const optionalFunctions: CelFunc[] = [
  celMethod('hasValue', CelScalar.DYN, [], CelScalar.BOOL, function () {
    return unwrap(this).present;
  }),
  celMethod('value', CelScalar.DYN, [], CelScalar.DYN, function () {
    const { present, value } = unwrap(this);
    if (!present || value === undefined) throw new Error('optional.none() dereference');
    return value;
  }),
  celMethod('orValue', CelScalar.DYN, [CelScalar.DYN], CelScalar.DYN, function (fallback) {
    const { present, value } = unwrap(this);
    return present && value !== undefined ? value : fallback;
  }),
];
