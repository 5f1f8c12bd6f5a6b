import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileRouteMatcher, type MatchableRoute, type RouteMatch } from './route-matcher.js';
import { mulberry32, randomRequest, randomRouteKeys, refParse, refSelect } from './route-reference.test-support.js';

// Property test: the brute-force reference (route-reference.test-support.ts) against the trie matcher on random route
// sets and requests. Deterministic: a failure prints its seed; rerun from it with ROUTER_SEED=<seed>.

describe('compileRouteMatcher (property)', () => {
  it('agrees with a brute-force reference on random route sets', () => {
    const baseSeed = Number(process.env.ROUTER_SEED ?? 20240601);
    for (let c = 0; c < 3000; c++) {
      const seed = baseSeed + c;
      const rand = mulberry32(seed);
      const keys = randomRouteKeys(rand);
      const routes: MatchableRoute<number>[] = keys.map((routeKey, value) => ({ routeKey, value }));
      const refRoutes = keys.map(refParse);
      const match = compileRouteMatcher(routes);
      for (let q = 0; q < 4; q++) {
        const [method, path] = randomRequest(rand);
        const expected = refSelect(refRoutes, method, path);
        const got: RouteMatch<number> | undefined = match(method, path);
        const context = `seed ${seed} (rerun with ROUTER_SEED=${seed}): routes ${JSON.stringify(keys)}, request ${method} '${path}'`;
        assert.equal(got?.routeKey, expected?.route.key, context);
        assert.equal(got?.value, expected?.index, context);
        assert.deepEqual(got?.pathParameters, expected?.params, context);
      }
    }
  });
});
