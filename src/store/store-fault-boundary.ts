/**
 * The object with every method's failure passed through `noted`, which turns the backend's storage
 * faults (SQLite's SQLITE_FULL, an unreachable API server) into StoreUnavailableError. One boundary
 * around a whole store, rather than a try/catch in each of its methods, so a method added later is
 * covered too.
 */
export function withStoreFaults<T extends object>(target: T, noted: (error: unknown) => unknown): T {
  return new Proxy(target, {
    get(object, property, receiver) {
      const value: unknown = Reflect.get(object, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]): unknown => {
        try {
          const result: unknown = Reflect.apply(value, object, args);
          return result instanceof Promise
            ? result.catch((error: unknown) => {
                throw noted(error);
              })
            : result;
        } catch (error) {
          throw noted(error);
        }
      };
    },
  });
}
