/**
 * Reads a member a map of user-chosen keys has itself (stage variables, route settings, header
 * maps): never one every object inherits, so a key such as `constructor`, `toString` or
 * `__proto__` that was not set reads as absent rather than as Object's function or prototype.
 */
export function own<T>(map: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return map !== undefined && Object.hasOwn(map, key) ? map[key] : undefined;
}

/**
 * Sets `map[key]` as an own member whatever the key: `__proto__` included, which an assignment
 * would take as the object's prototype. (`map` is a plain object: every other member Object.prototype
 * has is a writable data property, which an assignment shadows with an own one, so only `__proto__`
 * needs the slower definition.)
 */
export function setOwn<T>(map: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
  else map[key] = value;
}

/** Appends `value` to the list `map[key]`, starting it when the map has no such own member. */
export function pushOwn<T>(map: Record<string, T[]>, key: string, value: T): void {
  const list = own(map, key);
  if (list) list.push(value);
  else setOwn(map, key, [value]);
}
