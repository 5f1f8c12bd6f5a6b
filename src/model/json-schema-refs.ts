/**
 * References within JSON Schema documents: plain-name anchors, JSON-pointer fragments, and loops in
 * the graph of schemas that apply one another to the same value.
 * https://datatracker.ietf.org/doc/html/draft-zyp-json-schema-04 (`$ref`, `id`)
 */

type JsonObject = Record<string, unknown>;

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Decodes one JSON-pointer reference token (`~1` → `/`, `~0` → `~`). */
const unescapeToken = (token: string): string => token.replace(/~1/g, '/').replace(/~0/g, '~');

/** The plain-name anchors (`"id": "#name"`) of a document. */
export function anchorsOf(root: unknown): Map<string, JsonObject> {
  const anchors = new Map<string, JsonObject>();
  const stack: unknown[] = [root];
  for (let v = stack.pop(); v !== undefined; v = stack.pop()) {
    if (typeof v !== 'object' || v === null) continue;
    if (Array.isArray(v)) stack.push(...(v as unknown[]));
    else {
      const obj = v as JsonObject;
      if (typeof obj.id === 'string' && obj.id.startsWith('#') && obj.id.length > 1 && !anchors.has(obj.id)) anchors.set(obj.id, obj);
      stack.push(...Object.values(obj));
    }
  }
  return anchors;
}

/** Resolves a fragment (`#`, `#/a/b`, `#name`) within `root`. */
export function resolveFragment(root: JsonObject, fragment: string, anchors: Map<string, JsonObject>): unknown {
  let decoded = fragment;
  try {
    decoded = decodeURIComponent(fragment);
  } catch {
    /* keep raw */
  }
  if (decoded === '#' || decoded === '') return root;
  if (!decoded.startsWith('#/')) return anchors.get(decoded);
  let node: unknown = root;
  for (const raw of decoded.slice(2).split('/')) {
    const token = unescapeToken(raw);
    if (Array.isArray(node)) {
      if (!/^(?:0|[1-9]\d*)$/.test(token)) return undefined;
      node = node[Number(token)];
    } else if (isObject(node) && Object.hasOwn(node, token)) node = node[token];
    else return undefined;
  }
  return node;
}

/** A cycle of `edges` (from a node back to itself, both ends included), or undefined; an iterative depth-first search. */
export function findCycle<T>(edges: ReadonlyMap<T, readonly T[]>): T[] | undefined {
  const state = new Map<T, 'open' | 'done'>();
  for (const start of edges.keys()) {
    if (state.has(start)) continue;
    state.set(start, 'open');
    const stack: { node: T; next: number }[] = [{ node: start, next: 0 }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { node: T; next: number };
      const next = edges.get(top.node) ?? [];
      if (top.next >= next.length) {
        state.set(top.node, 'done');
        stack.pop();
        continue;
      }
      const to = next[top.next++] as T;
      const seen = state.get(to);
      if (seen === 'open') {
        const from = stack.findIndex((f) => f.node === to);
        return [...stack.slice(from).map((f) => f.node), to];
      }
      if (seen === undefined) {
        state.set(to, 'open');
        stack.push({ node: to, next: 0 });
      }
    }
  }
  return undefined;
}
