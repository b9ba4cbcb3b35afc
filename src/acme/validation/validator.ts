import { type Ipv4RangeSet, isCanonicalIpv4, parseIpv4 } from '../../ca/index.js';
import { ipIdentifier } from '../identifiers.js';
import { AcmeProblem } from '../problems.js';
import { validateHttp01 } from './http-01.js';
import { validateTlsAlpn01 } from './tls-alpn-01.js';
import { DEFAULT_VALIDATION_LIMITS, type Dialer, type ValidationLimits, type ValidationOutcome, type ValidationRequest } from './validation-types.js';

export interface ChallengeValidatorOptions {
  readonly allowedRanges: Ipv4RangeSet;
  readonly dial: Dialer;
  readonly limits?: Partial<ValidationLimits>;
}

/** Runs one validation attempt. The identifier is checked against the policy before anything is dialed. */
export class ChallengeValidator {
  private readonly limits: ValidationLimits;

  constructor(private readonly options: ChallengeValidatorOptions) {
    this.limits = { ...DEFAULT_VALIDATION_LIMITS, ...options.limits };
  }

  async validate(request: ValidationRequest): Promise<ValidationOutcome> {
    if (!isCanonicalIpv4(request.ip) || !this.options.allowedRanges.contains(parseIpv4(request.ip))) {
      const problem = new AcmeProblem('rejectedIdentifier', `${request.ip} is not in the allowed ranges; it is not contacted`, { identifier: ipIdentifier(request.ip) });
      return { valid: false, problem };
    }
    if (request.type === 'http-01') return validateHttp01(request.ip, request.token, request.keyAuthorization, this.options.dial, this.limits);
    return validateTlsAlpn01(request.ip, request.keyAuthorization, this.options.dial, this.limits);
  }
}
