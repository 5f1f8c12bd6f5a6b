import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileRouteMatcher } from '../data-plane/router/route-matcher.js';
import { mulberry32, randomRequest, randomRouteKeys, refCompare, refParse, refSelect } from '../data-plane/router/route-reference.test-support.js';
import { rankHttpRoutes } from './explain.js';

describe('rankHttpRoutes (property, against the route matcher and its brute-force reference)', () => {
  it('selects what the matcher and the reference select, and orders the matching routes as the reference ranks them', () => {
    const baseSeed = Number(process.env.ROUTER_SEED ?? 20261206);
    let explained = 0;
    let ranked = 0;
    for (let c = 0; c < 1500; c++) {
      const seed = baseSeed + c;
      const rand = mulberry32(seed);
      const keys = randomRouteKeys(rand);
      const refRoutes = keys.map(refParse);
      const match = compileRouteMatcher(keys.map((routeKey) => ({ routeKey, value: routeKey })));
      for (let q = 0; q < 3; q++) {
        const [method, path] = randomRequest(rand);
        const context = `seed ${seed} (rerun with ROUTER_SEED=${seed}): routes ${JSON.stringify(keys)}, request ${method} '${path}'`;
        const got = rankHttpRoutes(keys, method, path);
        const expected = refSelect(refRoutes, method, path);
        assert.equal(got.routeKey, match(method, path)?.routeKey ?? null, context);
        assert.equal(got.routeKey, expected?.route.key ?? null, context);
        assert.deepEqual(got.pathParameters, expected?.params, context);
        // Every route is a candidate once; the matching ones come first, in the reference's priority order.
        assert.deepEqual([...got.candidates.map((k) => k.routeKey)].sort(), [...keys].sort(), context);
        const matching = got.candidates.filter((k) => k.outcome !== 'no-match').map((k) => k.routeKey);
        const refOrder = refRoutes
          .filter((r) => r.isDefault || refSelect([r], method, path) !== undefined)
          .sort(refCompare)
          .map((r) => r.key);
        assert.deepEqual(matching, refOrder, context);
        assert.equal(got.candidates[0]?.outcome === 'matched' ? got.candidates[0].routeKey : null, got.routeKey, context);
        explained++;
        if (matching.length > 1) ranked++;
      }
    }
    // The generator must exercise rankings, not only single matches.
    assert.ok(ranked > 300, `only ${ranked} of ${explained} requests had several matching routes`);
  });
});

describe('rankHttpRoutes reasons', () => {
  const keys = ['GET /pets/{id}', 'ANY /pets/dog', 'GET /pets/{proxy+}', 'POST /pets/{id}', 'GET /pets', '$default'];

  it('ranks by AWS priority and says why each route lost or did not match', () => {
    const got = rankHttpRoutes(keys, 'GET', '/pets/dog');
    assert.equal(got.routeKey, 'ANY /pets/dog');
    assert.deepEqual(got.candidates, [
      { routeKey: 'ANY /pets/dog', outcome: 'matched', reason: 'every segment matches; it ranks first of the 4 routes that match' },
      {
        routeKey: 'GET /pets/{id}',
        outcome: 'lost',
        reason: "at segment 2 ANY /pets/dog has the literal 'dog' where this route has {id}: the first literal wins",
        pathParameters: { id: 'dog' },
      },
      {
        routeKey: 'GET /pets/{proxy+}',
        outcome: 'lost',
        reason: 'a greedy {proxy+} route is considered only when no route without one matches; ANY /pets/dog does',
        pathParameters: { proxy: 'dog' },
      },
      { routeKey: '$default', outcome: 'lost', reason: '$default is used only when no other route matches; ANY /pets/dog does' },
      { routeKey: 'POST /pets/{id}', outcome: 'no-match', reason: 'the path fits, but the route takes POST only, not GET' },
      { routeKey: 'GET /pets', outcome: 'no-match', reason: 'has 1 path segment, the path has 2' },
    ]);
  });

  it('explains an explicit method over ANY, a literal mismatch and a greedy that needs more', () => {
    const got = rankHttpRoutes(['ANY /a/{x}', 'GET /a/{y}', 'GET /b/{z}', 'GET /a/b/{rest+}'], 'GET', '/a/7');
    assert.equal(got.routeKey, 'GET /a/{y}');
    assert.deepEqual(
      got.candidates.map((c) => [c.routeKey, c.outcome, c.reason]),
      [
        ['GET /a/{y}', 'matched', 'every segment matches; it ranks first of the 2 routes that match'],
        ['ANY /a/{x}', 'lost', 'same path; the explicit method GET wins over ANY'],
        ['GET /b/{z}', 'no-match', "segment 1 is 'a', not 'b'"],
        ['GET /a/b/{rest+}', 'no-match', "segment 2 is '7', not 'b'"],
      ],
    );
  });

  it('answers null with every route a no-match when nothing matches and there is no $default', () => {
    const got = rankHttpRoutes(['GET /a/{rest+}', 'GET /a', 'GET /x'], 'get', '/a/b');
    assert.equal(got.routeKey, null);
    assert.deepEqual(
      got.candidates.map((c) => [c.routeKey, c.reason]),
      [
        ['GET /a', 'has 1 path segment, the path has 2'],
        ['GET /x', "segment 1 is 'a', not 'x'"],
        ['GET /a/{rest+}', 'the path fits, but the route takes GET only (methods are case-sensitive), not get'],
      ],
    );
  });
});
