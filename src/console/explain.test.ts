import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileRouteMatcher } from '../data-plane/router/route-matcher.js';
import { mulberry32, randomRequest, randomRouteKeys, refCompare, refParse, refSelect } from '../data-plane/router/route-reference.test-support.js';
import type { CompiledStage } from '../data-plane/invocation.js';
import type { StageCompilers } from '../data-plane/snapshot.js';
import { compileStage } from '../data-plane/snapshot.js';
import type { ApiRecord, DeploymentSnapshot, RouteRecord, StageRecord } from '../model/resources.js';
import { explainHttpRequest, explainWebSocketMessage, rankHttpRoutes } from './explain.js';

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

describe('explainHttpRequest and explainWebSocketMessage on a compiled stage', () => {
  const compilers: StageCompilers = {
    integration: () => ({ invoke: () => Promise.reject(new Error('not called')) }),
    authorizer: () => undefined,
    cors: (snapshot) => (snapshot.api.corsConfiguration ? { preflight: () => undefined, decorate: () => undefined } : undefined),
    accessLog: () => undefined,
  };
  const route = (routeKey: string, extra: Partial<RouteRecord> = {}): RouteRecord =>
    ({ routeId: routeKey, routeKey, authorizationType: 'NONE', apiKeyRequired: false, createdDate: '', target: 'integrations/i1', ...extra }) as RouteRecord;
  const compiled = (api: Partial<ApiRecord>, routes: RouteRecord[], settings: Partial<StageRecord> = {}): CompiledStage => {
    const snapshot = {
      api: { apiId: 'a1', name: 'pets', protocolType: 'HTTP', routeSelectionExpression: '$request.method $request.path', ...api },
      routes,
      integrations: [{ integrationId: 'i1', integrationType: 'AWS_PROXY', integrationUri: 'arn:aws:lambda:us-east-1:123456789012:function:pets', payloadFormatVersion: '2.0' }],
      authorizers: [{ authorizerId: 'au1', name: 'jwt', authorizerType: 'JWT', identitySource: ['$request.header.Authorization'] }],
      models: [],
      routeResponses: {},
      integrationResponses: {},
    } as unknown as DeploymentSnapshot;
    const stage = { stageName: 'prod', defaultRouteSettings: { throttlingBurstLimit: 10 }, routeSettings: {}, stageVariables: {}, tags: {}, createdDate: '', lastUpdatedDate: '', ...settings } as StageRecord;
    return compileStage('a1', { accountId: '123456789012', region: 'us-east-1' }, stage, 'd1', snapshot, compilers);
  };

  it('names the authorizer and its missing identity, the integration and the merged throttling', () => {
    const stage = compiled({}, [route('GET /me', { authorizationType: 'JWT', authorizerId: 'au1', authorizationScopes: ['read'] }), route('GET /open')], {
      routeSettings: { 'GET /me': { throttlingRateLimit: 5 } },
    });
    const x = explainHttpRequest(stage, 'GET', '/me?x=1');
    assert.deepEqual(
      { routeKey: x.routeKey, request: x.request, authorizer: x.authorizer, integration: x.integration, throttling: x.throttling, notes: x.notes },
      {
        routeKey: 'GET /me',
        request: { method: 'GET', path: '/me' },
        authorizer: { authorizationType: 'JWT', authorizerId: 'au1', name: 'jwt', authorizerType: 'JWT', identitySource: ['$request.header.Authorization'], authorizationScopes: ['read'], missingIdentity: ['$request.header.Authorization'] },
        integration: { integrationId: 'i1', integrationType: 'AWS_PROXY', label: 'AWS_PROXY pets', integrationUri: 'arn:aws:lambda:us-east-1:123456789012:function:pets', payloadFormatVersion: '2.0' },
        throttling: { burstLimit: 10, rateLimit: 5 },
        notes: [],
      },
    );
    assert.equal(explainHttpRequest(stage, 'GET', '/me', { authorization: 'Bearer x' }).authorizer?.missingIdentity, undefined);
  });

  it('notes a path refused before routing, a CORS preflight, a route without integration', () => {
    const stage = compiled({ corsConfiguration: { allowOrigins: ['*'] } as ApiRecord['corsConfiguration'] }, [route('ANY /{proxy+}'), route('GET /bare', { target: undefined })]);
    assert.deepEqual(explainHttpRequest(stage, 'GET', '/a/%2e%2e/b').notes, ['the gateway refuses this path before routing (400): the path has an encoded dot segment or separator ("%2e%2e")']);
    assert.deepEqual(explainHttpRequest(stage, 'OPTIONS', '/x', { origin: 'https://a.example', 'access-control-request-method': 'GET' }).notes, [
      'a CORS preflight: the API has a CORS configuration, so the gateway answers it itself (204) before routing and authorization',
    ]);
    const bare = explainHttpRequest(stage, 'GET', '/bare');
    assert.deepEqual([bare.routeKey, bare.integration, bare.notes], ['GET /bare', null, ['route GET /bare has no integration: the gateway answers 404']]);
  });

  it('routes a WebSocket message with the selection expression, and says when nothing takes it', () => {
    const stage = compiled({ protocolType: 'WEBSOCKET', routeSelectionExpression: '$request.body.action' }, [route('$connect'), route('join'), route('leave')]);
    const join = explainWebSocketMessage(stage, '{"action":"join"}');
    assert.deepEqual([join.routeKey, join.routeSelection, join.candidates.map((c) => `${c.outcome} ${c.routeKey}: ${c.reason}`)], [
      'join',
      { expression: '$request.body.action', value: 'join' },
      ["matched join: $request.body.action evaluated to 'join'", "no-match leave: $request.body.action evaluated to 'join', not 'leave'", 'no-match $connect: runs on the handshake of a connection, never for a message'],
    ]);
    const other = explainWebSocketMessage(stage, '{"action":"dance"}');
    assert.deepEqual([other.routeKey, other.notes], [null, ['no route takes the message and there is no $default route: the client gets {"message":"Forbidden"}']]);
  });
});
