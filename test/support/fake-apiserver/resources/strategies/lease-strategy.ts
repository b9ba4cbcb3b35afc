import { invalidValue } from '../../core/field-errors.js';
import { getPath } from '../../core/json-value.js';
import type { ResourceStrategy } from '../../core/resource-type.js';

export const leaseStrategy: ResourceStrategy = {
  validate(obj) {
    const duration = getPath(obj, ['spec', 'leaseDurationSeconds']);
    if (duration !== undefined && duration !== null && (typeof duration !== 'number' || duration <= 0)) {
      return [invalidValue('spec.leaseDurationSeconds', duration, 'must be greater than 0')];
    }
    return [];
  },
};
