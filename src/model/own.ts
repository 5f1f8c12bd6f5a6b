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
 * would take as the object's prototype.
 */
export function setOwn<T>(map: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Appends `value` to the list `map[key]`, starting it when the map has no such own member. */
export function pushOwn<T>(map: Record<string, T[]>, key: string, value: T): void {
  const list = own(map, key);
  if (list) list.push(value);
  else setOwn(map, key, [value]);
}
