/**
 * The route matcher's brute-force reference, written straight from the AWS rules (enumerate, filter, rank
 * with an explicit comparator, pick the best), and the random route sets and requests it is checked on.
 * Used by the matcher's property test and by the console's explain test (never shipped: test support only).
 */
export interface RefRoute { key: string; method: string; segs: { kind: 'lit' | 'param' | 'greedy'; text: string }[]; isDefault: boolean }
export interface RefCandidate { route: RefRoute; index: number; params: Record<string, string> | undefined }

const refDecode = (s: string): string => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

export function refParse(key: string): RefRoute {
  if (key === '$default') return { key, method: '', segs: [], isDefault: true };
  const [method, path] = key.split(' ') as [string, string];
  const parts = path === '/' ? [] : path.slice(1).split('/');
  const segs = parts.map((p) =>
    p.endsWith('+}') ? { kind: 'greedy' as const, text: p.slice(1, -2) }
    : p.startsWith('{') ? { kind: 'param' as const, text: p.slice(1, -1) }
    : { kind: 'lit' as const, text: refDecode(p) });
  return { key, method, segs, isDefault: false };
}

export function refSegments(path: string): string[] {
  let p = path === '' ? '/' : path;
  if (p !== '/' && p.endsWith('/')) p = p.slice(0, -1);
  return p === '/' ? [] : p.slice(1).split('/').map(refDecode);
}

/** Parameters when `route` matches, `null` when it does not. */
export function refMatch(route: RefRoute, method: string, req: string[]): Record<string, string> | undefined | null {
  if (route.method !== 'ANY' && route.method !== method) return null;
  const greedy = route.segs.at(-1)?.kind === 'greedy';
  const fixed = greedy ? route.segs.length - 1 : route.segs.length;
  if (greedy ? req.length <= fixed : req.length !== fixed) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < fixed; i++) {
    const s = route.segs[i]!;
    if (req[i] === '' || (s.kind === 'lit' && s.text !== req[i])) return null;
    if (s.kind === 'param') params[s.text] = req[i]!;
  }
  if (greedy) {
    const rest = req.slice(fixed).join('/');
    if (rest === '') return null;
    params[route.segs.at(-1)!.text] = rest;
  }
  return Object.keys(params).length === 0 ? undefined : params;
}

/** Negative when `a` is preferred: full match < greedy < $default; longer greedy prefix; literal first; explicit method. */
export function refCompare(a: RouteLike, b: RouteLike): number {
  const tier = (r: RouteLike) => (r.isDefault ? 2 : r.segs.at(-1)?.kind === 'greedy' ? 1 : 0);
  if (tier(a) !== tier(b)) return tier(a) - tier(b);
  if (a.segs.length !== b.segs.length) return b.segs.length - a.segs.length;
  for (let i = 0; i < a.segs.length; i++) {
    const la = a.segs[i]!.kind === 'lit', lb = b.segs[i]!.kind === 'lit';
    if (la !== lb) return la ? -1 : 1;
  }
  return (a.method === 'ANY' ? 1 : 0) - (b.method === 'ANY' ? 1 : 0);
}
export type RouteLike = Pick<RefRoute, 'segs' | 'method' | 'isDefault'>;

export function refSelect(routes: RefRoute[], method: string, path: string): RefCandidate | undefined {
  const req = refSegments(path);
  let best: RefCandidate | undefined;
  routes.forEach((route, index) => {
    const params = route.isDefault ? undefined : refMatch(route, method, req);
    if (params === null) return;
    if (best === undefined || refCompare(route, best.route) < 0) best = { route, index, params };
  });
  return best;
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomRouteKeys(rand: () => number): string[] {
  const pick = <E>(xs: readonly E[]): E => xs[Math.floor(rand() * xs.length)]!;
  const keys: string[] = [];
  const patterns = new Set<string>();
  const count = 1 + Math.floor(rand() * 12);
  for (let r = 0; r < count; r++) {
    if (rand() < 0.1) {
      if (!keys.includes('$default')) keys.push('$default');
      continue;
    }
    const method = pick(['GET', 'POST', 'ANY', 'ANY', 'HEAD']);
    const length = Math.floor(rand() * 4);
    const parts: string[] = [];
    for (let i = 0; i < length; i++) {
      const roll = rand();
      if (i === length - 1 && roll < 0.25) parts.push(`{${pick(['rest', 'proxy'])}+}`);
      else if (roll < 0.6) parts.push(pick(['a', 'b', 'caf%C3%A9']));
      else parts.push(`{${pick(['p', 'q'])}${i}}`);
    }
    const pattern = `${method} ${parts.map((p) => (p.endsWith('+}') ? '*' : p.startsWith('{') ? '?' : p)).join('/')}`;
    if (patterns.has(pattern)) continue;
    patterns.add(pattern);
    keys.push(`${method} /${parts.join('/')}`);
  }
  return keys;
}

export function randomRequest(rand: () => number): [string, string] {
  const pick = <E>(xs: readonly E[]): E => xs[Math.floor(rand() * xs.length)]!;
  const length = Math.floor(rand() * 5);
  const segs: string[] = [];
  for (let i = 0; i < length; i++) segs.push(pick(['a', 'a', 'b', 'b', 'c', '%61', 'caf%C3%A9', 'café', '', '%E0%A4%A', 'x%2Fy']));
  let path = '/' + segs.join('/');
  if (rand() < 0.2) path += '/';
  if (rand() < 0.03) path = '';
  return [pick(['GET', 'GET', 'POST', 'HEAD', 'PUT', 'get']), path];
}
