import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DeploymentSnapshot, RouteRecord, StageRecord } from '../../model/resources.js';
import { compileIdentitySource } from '../authorizers/identity-source.js';
import type { CompiledStage, CompiledWebSocketRouting, Invocation } from '../invocation.js';
import { compileStage, type StageCompilers } from '../snapshot.js';

/** Stage compilers that build nothing but the routing under test. */
const compilers: StageCompilers = {
  integration: (record) => ({ record, invoke: () => Promise.reject(new Error('not called')) }),
  authorizer: () => undefined,
  cors: () => undefined,
  accessLog: () => undefined,
};
const STAGE = { stageName: 'prod', defaultRouteSettings: {}, routeSettings: {}, stageVariables: {}, tags: {}, createdDate: '', lastUpdatedDate: '' } as StageRecord;
/** The routing of a stage compiled by the stage compiler, as the gateway reads it. */
const routeTableOf = (s: CompiledStage): CompiledWebSocketRouting =>
  compileStage('a1', { accountId: '123456789012', region: 'us-east-1' }, STAGE, 'd1', s.snapshot, compilers).websocket as CompiledWebSocketRouting;
const selectRouteKey = (table: CompiledWebSocketRouting, message: string) => table.selectRouteKey(message);
const selectRoute = (table: CompiledWebSocketRouting, message: string) => table.selectRoute(message);
const partsOf = (table: CompiledWebSocketRouting, key: string) => table.routes.get(key)?.websocket;

const route = (routeKey: string, extra: Partial<RouteRecord> = {}): RouteRecord =>
  ({ routeId: routeKey, routeKey, authorizationType: 'NONE', apiKeyRequired: false, createdDate: '', target: 'integrations/i1', ...extra }) as RouteRecord;

function stage(expression: string, routes: RouteRecord[], routeResponses: DeploymentSnapshot['routeResponses'] = {}): CompiledStage {
  const snapshot = {
    api: { apiId: 'a1', protocolType: 'WEBSOCKET', routeSelectionExpression: expression },
    routes,
    integrations: [{ integrationId: 'i1', integrationType: 'AWS_PROXY' }],
    authorizers: [],
    models: [],
    routeResponses,
    integrationResponses: {},
  } as unknown as DeploymentSnapshot;
  return { snapshot } as CompiledStage;
}

describe('websocket route selection', () => {
  it('evaluates $request.body paths; missing → "", nested, numbers, non-scalars stringified', () => {
    const table = routeTableOf(stage('$request.body.action', []));
    assert.equal(selectRouteKey(table, '{"action":"join"}'), 'join');
    assert.equal(selectRouteKey(table, '{"other":1}'), '');
    assert.equal(selectRouteKey(table, '{"action":7}'), '7');
    assert.equal(selectRouteKey(table, '{"action":{"a":1}}'), '{"a":1}');
    assert.equal(selectRouteKey(table, 'plain text'), '$default');
    const nested = routeTableOf(stage('$request.body.msg.type', []));
    assert.equal(selectRouteKey(nested, '{"msg":{"type":"ping"}}'), 'ping');
  });

  it('supports ${} templates (a missing part leaves the rest) and literal \\$default', () => {
    const table = routeTableOf(stage('${request.body.service}/${request.body.action}', []));
    assert.equal(selectRouteKey(table, '{"service":"chat","action":"join"}'), 'chat/join');
    assert.equal(selectRouteKey(table, '{"service":"chat"}'), 'chat/');
    const literal = routeTableOf(stage('\\$default', []));
    assert.equal(selectRouteKey(literal, '{"action":"x"}'), '$default');
  });

  it('falls back to $default, never selects $connect/$disconnect from a message, and knows two-way routes', () => {
    const table = routeTableOf(
      stage('$request.body.action', [route('$connect'), route('$default'), route('two', { routeResponseSelectionExpression: '$default' }), route('half', { routeResponseSelectionExpression: '$default' })], {
        two: [{ routeResponseId: 'r', routeResponseKey: '$default', createdDate: '' }],
      }),
    );
    assert.equal(selectRoute(table, '{"action":"two"}')?.routeKey, 'two');
    assert.equal(selectRoute(table, '{"action":"$connect"}')?.routeKey, '$default');
    assert.equal(selectRoute(table, '{"action":"nope"}')?.routeKey, '$default');
    assert.equal(partsOf(table, 'two')?.twoWay, true);
    assert.equal(partsOf(table, 'half')?.twoWay, false);
    assert.equal(partsOf(table, '$default')?.twoWay, false);
    const bare = routeTableOf(stage('$request.body.action', [route('two')]));
    assert.equal(selectRoute(bare, '{"action":"nope"}'), undefined);
  });

  it('a selected value too deeply nested to stringify selects "" instead of throwing', () => {
    const table = routeTableOf(stage('$request.body.action', []));
    assert.equal(selectRouteKey(table, `{"action":${'['.repeat(100_000)}${']'.repeat(100_000)}}`), '');
    assert.equal(selectRouteKey(table, '{"action":[[1]]}'), '[[1]]');
  });

  it('is part of the compiled stage: HTTP stages have none', () => {
    const s = stage('$request.body.action', [route('$default')]);
    const compiled = compileStage('a1', { accountId: '123456789012', region: 'us-east-1' }, STAGE, 'd1', s.snapshot, compilers);
    assert.ok(compiled.websocket, 'a WebSocket stage has its routing');
    assert.equal(compiled.websocket.selectRoute('x')?.routeKey, '$default');
    assert.equal(compiled.websocket.routes.get('$default'), compiled.websocket.selectRoute('x'));
    const http = { ...s.snapshot, api: { ...s.snapshot.api, protocolType: 'HTTP' }, routes: [] } as unknown as DeploymentSnapshot;
    assert.equal(compileStage('a1', { accountId: '123456789012', region: 'us-east-1' }, STAGE, 'd1', http, compilers).websocket, undefined);
  });
});

describe('websocket request validation (requestModels)', () => {
  const models = [
    { name: 'named', schema: JSON.stringify({ type: 'object', required: ['name'], properties: { name: { type: 'string' } } }) },
    { name: 'numbered', schema: JSON.stringify({ type: 'object', required: ['n'], properties: { n: { $ref: 'https://apigateway.amazonaws.com/restapis/a1/models/count' } } }) },
    { name: 'count', schema: JSON.stringify({ type: 'integer', minimum: 1 }) },
    { name: 'broken', schema: JSON.stringify({ $ref: '#/definitions/none' }) },
    // Loops CreateModel refuses for JSON models; a model of another content type (or an older store) may hold them.
    { name: 'selfish', contentType: 'text/plain', schema: JSON.stringify({ $ref: '#' }) },
    { name: 'pingpong', schema: JSON.stringify({ allOf: [{ $ref: 'https://apigateway.amazonaws.com/restapis/a1/models/pongping' }] }) },
    { name: 'pongping', schema: JSON.stringify({ $ref: 'https://apigateway.amazonaws.com/restapis/a1/models/pingpong' }) },
    { name: 'tree', schema: JSON.stringify({ type: 'object', properties: { kids: { type: 'array', items: { $ref: '#' } } } }) },
  ];
  const withModels = (routes: RouteRecord[], disableSchemaValidation = false): CompiledStage => {
    const s = stage('$request.body.action', routes);
    Object.assign(s.snapshot, { models, api: { ...s.snapshot.api, disableSchemaValidation } });
    return s;
  };
  const routes = [
    route('$default', { requestModels: { $default: 'named' } }),
    route('pick', { requestModels: { num: 'numbered', $default: 'named' }, modelSelectionExpression: '$request.body.kind' }),
    route('partial', { requestModels: { num: 'numbered' }, modelSelectionExpression: '$request.body.kind' }),
    route('bad', { requestModels: { $default: 'broken' } }),
    route('selfish', { requestModels: { $default: 'selfish' } }),
    route('pingpong', { requestModels: { $default: 'pingpong' } }),
    route('tree', { requestModels: { $default: 'tree' } }),
    route('plain'),
  ];

  it('validates by the selected model, $default fallback, non-JSON rejected', () => {
    const table = routeTableOf(withModels(routes));
    const valid = (message: string) => {
      const r = selectRoute(table, message)?.websocket;
      return r?.validateMessage ? r.validateMessage(message) : 'none';
    };
    assert.equal(valid('{"action":"pick","kind":"num","n":2}'), true);
    assert.equal(valid('{"action":"pick","kind":"num","n":0}'), false);
    assert.equal(valid('{"action":"pick","kind":"num","name":"x"}'), false);
    assert.equal(valid('{"action":"pick","name":"x"}'), true);
    assert.equal(valid('{"action":"pick"}'), false);
    assert.equal(valid('{"action":"partial","kind":"zzz"}'), true);
    assert.equal(valid('{"action":"partial","kind":"num"}'), false);
    assert.equal(valid('{"action":"plain"}'), 'none');
    // non-JSON text selects the $default route, whose model it cannot satisfy
    assert.equal(valid('not json'), false);
    assert.equal(valid('{"name":"x"}'), true);
    // a model that cannot be compiled rejects (and is reported once with the table)
    assert.equal(valid('{"action":"bad"}'), false);
    assert.ok(table.unsupported.some((u) => u.includes('model broken')));
  });

  it('models whose references loop reject their messages (reported with the table) instead of overflowing the stack', () => {
    const table = routeTableOf(withModels(routes));
    const validate = (message: string) => selectRoute(table, message)?.websocket?.validateMessage?.(message);
    assert.equal(validate('{"action":"selfish"}'), false);
    assert.equal(validate('{"action":"pingpong"}'), false);
    assert.ok(table.unsupported.some((u) => u.startsWith('model selfish cannot be compiled (#: the schema applies itself to the same value again, without end (# -> #))')));
    assert.ok(table.unsupported.some((u) => u.startsWith('model pingpong cannot be compiled')));
  });

  it('a recursive model follows the message, and a message deeper than the caps fails', () => {
    const table = routeTableOf(withModels(routes));
    const validate = (message: string) => selectRoute(table, message)?.websocket?.validateMessage?.(message);
    const tree = (n: number) => `{"action":"tree","kids":[${'{"kids":['.repeat(n)}${']}'.repeat(n)}]}`;
    assert.equal(validate(tree(20)), true);
    assert.equal(validate('{"action":"tree","kids":[{"kids":[1]}]}'), false);
    assert.equal(validate(tree(20_000)), false);
  });

  it('validates nothing when the API has disableSchemaValidation', () => {
    const table = routeTableOf(withModels(routes, true));
    for (const r of table.routes.values()) assert.equal(r.websocket?.validateMessage, undefined);
    assert.deepEqual(table.unsupported, []);
  });
});

describe('identity sources: WebSocket syntax next to the HTTP one', () => {
  const inv = {
    request: { headers: { 'x-token': 'abc' }, rawQueryString: 'token=q1&x=', rawHeaders: [] },
    stage: { stageVariables: { tier: 'gold' } },
  } as unknown as Invocation;
  it('reads route.request.header / querystring, stageVariables and the $request forms alike', () => {
    for (const [expression, expected] of [
      ['route.request.header.X-Token', 'abc'],
      ['$request.header.X-Token', 'abc'],
      ['route.request.querystring.token', 'q1'],
      ['$request.querystring.token', 'q1'],
      ['route.request.querystring.x', undefined],
      ['stageVariables.tier', 'gold'],
      ['$stageVariables.tier', 'gold'],
      ['route.request.header.missing', undefined],
    ] as const) {
      const accessor = compileIdentitySource(expression);
      assert.ok(accessor, expression);
      assert.equal(accessor(inv), expected, expression);
    }
    assert.equal(compileIdentitySource('request.header.x'), undefined);
  });
});
