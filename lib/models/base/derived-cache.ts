/**
 * The one cache mechanism of the models: a value computed from an array
 * (a factor matrix, a state's ratings) and kept as long as that array
 * lives. Fits, partial fits and forgetting replace arrays and never edit
 * them in place, so a cached value can never be stale; a partial fit of one
 * side keeps the other side's array, and with it that side's cached values.
 */
export function derivedFrom<K extends object, A extends unknown[], V>(compute: (key: K, ...args: A) => V): (key: K, ...args: A) => V {
  const cache = new WeakMap<K, V>();
  return (key, ...args) => {
    let value = cache.get(key);
    if (value === undefined) {
      value = compute(key, ...args);
      cache.set(key, value);
    }
    return value;
  };
}
