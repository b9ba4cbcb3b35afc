import { CelScalar, celEnv } from '@bufbuild/cel';
import type { CelEnv } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { netRegistry, networkFunctions } from './network-library.js';
import { optionalFunctions } from './optional-values.js';

/**
 * The CEL environment x-kubernetes-validations rules compile in: the CEL standard library
 * (@bufbuild/cel), the strings extension, the Kubernetes IP and CIDR libraries, and the optional
 * accessors `optionalOldSelf` needs. `self` and `oldSelf` are dynamically typed here; the schema's
 * types are checked separately (rule-ast.ts). One environment serves every rule.
 */
let shared: CelEnv | undefined;

export function ruleEnvironment(): CelEnv {
  shared ??= celEnv({
    registry: netRegistry,
    variables: { self: CelScalar.DYN, oldSelf: CelScalar.DYN },
    funcs: [...strings, ...networkFunctions, ...optionalFunctions],
  });
  return shared;
}
