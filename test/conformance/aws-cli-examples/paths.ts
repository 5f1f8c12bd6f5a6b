/**
 * Reads and writes a member of parsed JSON by a path such as `Items[1].Tags.owner`.
 */

function segments(path: string): (string | number)[] {
  return path.split('.').flatMap((part) => {
    const m = /^([^[]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) throw new Error(`bad path ${path}`);
    const indexes = [...(m[2] ?? '').matchAll(/\[(\d+)\]/g)].map((x) => Number(x[1]));
    return [...(m[1] ? [m[1]] : []), ...indexes];
  });
}

/** The value at `path`, or undefined. */
export function getPath(value: unknown, path: string): unknown {
  let v = value;
  for (const s of segments(path)) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[s];
  }
  return v;
}

/** Sets the value at `path` (its parent must exist). */
export function setPath(value: unknown, path: string, next: unknown): void {
  const all = segments(path);
  const last = all.pop();
  const parent = all.length === 0 ? value : getPath(value, path.replace(/(\.[^.[]+|\[\d+\])$/, ''));
  if (last === undefined || parent === null || typeof parent !== 'object') throw new Error(`no parent for ${path}`);
  (parent as Record<string | number, unknown>)[last] = next;
}
