/**
 * Reads a member a map of user-chosen keys has itself (stage variables, route settings, header
 * maps): never one every object inherits, so a key such as `constructor`, `toString` or
 * `__proto__` that was not set reads as absent rather than as Object's function or prototype.
 */
export function own<T>(map: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return map !== undefined && Object.hasOwn(map, key) ? map[key] : undefined;
}
