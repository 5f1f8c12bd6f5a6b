/**
 * The console's endpoints over a real server: the page, the APIs of the caller's account and
 * region, explain (HTTP and WebSocket), the live request log with the Lambda events (masked), the
 * deployment diff, WebSocket connections, credentials and the admin listener, and `gatehouse explain`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateDeploymentCommand, CreateRouteCommand, GetIntegrationsCommand } from '@aws-sdk/client-apigatewayv2';
import { signRequest } from '../../../src/auth/sigv4.js';
import { call } from '../../helpers/data-plane.js';
import { createPetsApi, openLiveStream, PETS_FUNCTIONS } from '../../helpers/console.js';
import { runCli } from '../../helpers/cli.js';
import type { TestServer } from '../../helpers/server.js';
import { rawRequest, sdkClient, startServer } from '../../helpers/server.js';
import { connect, createWsApi, HANDLERS } from '../websocket/ws-helpers.js';

const get = async (url: string, path: string, headers: Record<string, string> = {}) => rawRequest(url, 'GET', path, { headers });

describe('console: page, APIs, explain, live log, diff and connections', () => {
  let s: TestServer;
  let apiId: string;
  let wsApiId: string;
  before(async () => {
    s = await startServer({ args: [...PETS_FUNCTIONS, '--function', `ws=${HANDLERS}#handler`] });
    ({ apiId } = await createPetsApi(s.client));
    wsApiId = await createWsApi(s.client, [{ key: '$connect' }, { key: '$default' }, { key: 'sendmessage' }, { key: '$disconnect' }]);
  });
  after(() => s.close());

  it('serves the page, its script and stylesheet with a same-origin content security policy', async () => {
    const page = await get(s.url, '/_gatehouse/console');
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.match(page.text, /<title>Gatehouse console<\/title>/);
    assert.match(page.headers.get('content-security-policy') ?? '', /^default-src 'none'; script-src 'self';/);
    const script = await get(s.url, '/_gatehouse/console/app.js');
    assert.equal(script.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.doesNotThrow(() => new Function(script.text), 'the script parses');
    assert.equal((await get(s.url, '/_gatehouse/console/app.css')).headers.get('content-type'), 'text/css; charset=utf-8');
    const missing = await get(s.url, '/_gatehouse/console/nope');
    assert.deepEqual([missing.status, missing.json], [404, { message: 'No console endpoint at GET /_gatehouse/console/nope' }]);
  });

  it('lists the APIs of the caller\'s account and region with their stages and invoke URLs', async () => {
    const apis = (await get(s.url, '/_gatehouse/console/api/apis')).json as { items: { apiId: string; name: string; stages: { stageName: string; invokeUrl: string }[] }[] };
    const pets = apis.items.find((a) => a.apiId === apiId);
    assert.equal(pets?.name, 'pets');
    assert.deepEqual(pets?.stages.map((st) => [st.stageName, st.invokeUrl]), [['prod', `http://localhost:${s.gatehouse.port}/_aws/execute-api/${apiId}/prod`]]);
    // Another region's caller sees none of them.
    assert.deepEqual((await get(s.url, '/_gatehouse/console/api/apis?region=eu-west-1')).json, { items: [] });
    const stage = (await get(s.url, `/_gatehouse/console/api/stage?apiId=${apiId}&stage=prod`)).json as { routes: { routeKey: string; authorizer: unknown; integration: { label: string } }[] };
    const priv = stage.routes.find((r) => r.routeKey === 'GET /private');
    assert.deepEqual(priv?.authorizer, { authorizationType: 'CUSTOM', authorizerId: (priv?.authorizer as { authorizerId: string }).authorizerId, name: 'token-check', authorizerType: 'REQUEST', identitySource: ['$request.header.x-token'] });
    assert.equal(priv?.integration.label, 'AWS_PROXY echo');
  });

  it('explains a request: the selected route, the candidates in priority order, the authorizer and integration', async () => {
    const res = await get(s.url, `/_gatehouse/explain?apiId=${apiId}&stage=prod&method=GET&path=/pets/dog`);
    assert.equal(res.status, 200);
    const x = res.json as Record<string, unknown>;
    assert.equal(x.routeKey, 'ANY /pets/dog');
    assert.deepEqual(
      (x.candidates as { routeKey: string; outcome: string }[]).map((c) => `${c.outcome} ${c.routeKey}`),
      ['matched ANY /pets/dog', 'lost GET /pets/{id}', 'lost GET /pets/{proxy+}', 'no-match POST /pets', 'no-match GET /private'],
    );
    assert.equal(x.authorizer, null);
    assert.deepEqual(x.integration, {
      integrationId: (x.integration as { integrationId: string }).integrationId,
      integrationType: 'AWS_PROXY',
      label: 'AWS_PROXY echo',
      integrationUri: 'arn:aws:lambda:us-east-1:123456789012:function:echo',
      payloadFormatVersion: '2.0',
    });
    const priv = (await get(s.url, `/_gatehouse/explain?apiId=${apiId}&stage=prod&method=GET&path=/private`)).json as { authorizer: Record<string, unknown> };
    assert.deepEqual(priv.authorizer.missingIdentity, ['$request.header.x-token']);
    const withToken = (await get(s.url, `/_gatehouse/explain?apiId=${apiId}&stage=prod&method=GET&path=/private&header=${encodeURIComponent('X-Token: abc')}`)).json as { authorizer: Record<string, unknown> };
    assert.equal(withToken.authorizer.missingIdentity, undefined);
    const none = (await get(s.url, `/_gatehouse/explain?apiId=${apiId}&stage=prod&method=DELETE&path=/cats`)).json as Record<string, unknown>;
    assert.equal(none.routeKey, null);
    assert.deepEqual(none.notes, ['no route matches: the gateway answers 404 {"message":"Not Found"}']);
  });

  it('refuses an explain it cannot answer with a message', async () => {
    const cases: [string, number, string][] = [
      [`?stage=prod&path=/x`, 400, 'apiId is required'],
      [`?apiId=${apiId}&stage=prod`, 400, 'path is required and starts with / (the path after the stage, e.g. /pets/7)'],
      [`?apiId=${apiId}&stage=nope&path=/x`, 404, `API ${apiId} has no deployed stage nope`],
      [`?apiId=zzzzzzzzzz&stage=prod&path=/x`, 404, 'No API zzzzzzzzzz in account 000000000000, region us-east-1'],
      [`?apiId=${wsApiId}&stage=prod`, 400, 'a WebSocket API explains a message: pass message=<the message text>'],
    ];
    for (const [query, status, message] of cases) {
      const res = await get(s.url, `/_gatehouse/explain${query}`);
      assert.deepEqual([res.status, res.json], [status, { message }], query);
    }
  });

  it('explains a WebSocket message with the route selection expression', async () => {
    const x = (await get(s.url, `/_gatehouse/explain?apiId=${wsApiId}&stage=prod&message=${encodeURIComponent('{"action":"sendmessage"}')}`)).json as Record<string, unknown>;
    assert.equal(x.routeKey, 'sendmessage');
    assert.deepEqual(x.routeSelection, { expression: '$request.body.action', value: 'sendmessage' });
    assert.deepEqual(
      (x.candidates as { routeKey: string; outcome: string }[]).map((c) => `${c.outcome} ${c.routeKey}`),
      ['matched sendmessage', 'lost $default', 'no-match $connect', 'no-match $disconnect'],
    );
    const other = (await get(s.url, `/_gatehouse/explain?apiId=${wsApiId}&stage=prod&message=hello`)).json as Record<string, unknown>;
    assert.equal(other.routeKey, '$default');
    assert.deepEqual(other.notes, ['the message is not JSON: the route selection expression cannot be evaluated, so it goes to $default']);
  });

  it('streams finished requests live with the Lambda events and answers, secrets masked and bodies cut', async () => {
    const live = await openLiveStream(s.url);
    try {
      const big = 'x'.repeat(5000);
      assert.equal((await call(s.gatehouse.port, apiId, 'POST', '/prod/pets', { headers: { authorization: 'Bearer secret-token', 'content-type': 'text/plain' }, body: big })).status, 200);
      const entry = await live.next((e) => e.path === '/prod/pets');
      assert.deepEqual(
        { method: entry.method, status: entry.status, apiId: entry.apiId, stage: entry.stage, routeKey: entry.routeKey, integration: entry.integration },
        { method: 'POST', status: 200, apiId, stage: 'prod', routeKey: 'POST /pets', integration: 'AWS_PROXY echo' },
      );
      assert.equal(entry.lambda.length, 1);
      const event = entry.lambda[0]?.event as { headers: Record<string, string>; body: string };
      assert.equal(event.headers.authorization, 'Bearer ****');
      assert.equal(event.body, `${'x'.repeat(2048)}… (2952 more characters)`);
      const answer = entry.lambda[0]?.response as { statusCode: number; body: string };
      assert.equal(answer.statusCode, 200);
      assert.ok(!JSON.stringify(entry).includes('secret-token'), 'the token appears nowhere');

      // The authorizer's decision, then its cache.
      await call(s.gatehouse.port, apiId, 'GET', '/prod/private', { headers: { 'x-token': 'let-me-in' } });
      await call(s.gatehouse.port, apiId, 'GET', '/prod/private', { headers: { 'x-token': 'let-me-in' } });
      await call(s.gatehouse.port, apiId, 'GET', '/prod/private', { headers: { 'x-token': 'wrong' } });
      const first = await live.next((e) => e.path === '/prod/private');
      const second = await live.next((e) => e.path === '/prod/private');
      const denied = await live.next((e) => e.path === '/prod/private');
      assert.deepEqual([first.authorizationType, first.authorizerDecision, first.authorizerCacheHit, first.lambda.map((c) => c.functionName)], ['CUSTOM', 'allow', undefined, ['simple', 'echo']]);
      assert.equal((first.lambda[0]?.event as { headers: Record<string, string> }).headers['x-token'], '****');
      assert.deepEqual([second.authorizerDecision, second.authorizerCacheHit, second.lambda.map((c) => c.functionName)], ['allow', true, ['echo']]);
      assert.deepEqual([denied.status, denied.authorizerDecision], [403, 'deny']);

      // A request no route takes.
      await call(s.gatehouse.port, apiId, 'DELETE', '/prod/cats');
      const miss = await live.next((e) => e.path === '/prod/cats');
      assert.deepEqual([miss.status, miss.routeKey, miss.error], [404, undefined, 'Not Found: no route matches DELETE /cats']);
    } finally {
      live.close();
    }
  });

  it('shows the changes between two deployments', async () => {
    const { DeploymentId: first } = await s.client.send(new CreateDeploymentCommand({ ApiId: apiId, Description: 'before' }));
    const integrationId = (await s.client.send(new GetIntegrationsCommand({ ApiId: apiId }))).Items?.[0]?.IntegrationId as string;
    await s.client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /owners', Target: `integrations/${integrationId}` }));
    const { DeploymentId: second } = await s.client.send(new CreateDeploymentCommand({ ApiId: apiId, Description: 'after' }));
    const diff = (await get(s.url, `/_gatehouse/console/api/diff?apiId=${apiId}&from=${first}&to=${second}`)).json;
    assert.deepEqual(diff, { apiId, from: first, to: second, changes: [{ kind: 'route', key: 'GET /owners', change: 'added' }] });
    const stage = (await get(s.url, `/_gatehouse/console/api/stage?apiId=${apiId}&stage=prod`)).json as {
      deployments: { deploymentId: string; description: string }[];
      routes: { routeKey: string }[];
    };
    // Both deployments made here are listed with their descriptions (the stage auto-deploys too; dates tie within a second).
    const described = new Map(stage.deployments.map((d) => [d.deploymentId, d.description]));
    assert.deepEqual([described.get(first as string), described.get(second as string)], ['before', 'after']);
    // Asked right after the deployment, the stage lists the route it added. (On this in-process SQLite store the
    // rebuild the deployment started has finished by then anyway: this does not pin endpoints.ts's `registry.settled`.)
    assert.ok(stage.routes.some((r) => r.routeKey === 'GET /owners'), JSON.stringify(stage.routes.map((r) => r.routeKey)));
  });

  it('lists WebSocket connections, sends one a message and disconnects it', async () => {
    const client = await connect(s.gatehouse.port, wsApiId, { headers: { 'user-agent': 'console-test' } });
    try {
      const list = (await get(s.url, `/_gatehouse/console/api/connections?apiId=${wsApiId}&stage=prod`)).json as { items: { connectionId: string; identity: { userAgent: string } }[] };
      assert.equal(list.items.length, 1);
      const id = list.items[0]?.connectionId as string;
      assert.equal(list.items[0]?.identity.userAgent, 'console-test');
      const sent = await rawRequest(s.url, 'POST', `/_gatehouse/console/api/connections/${id}?apiId=${wsApiId}&stage=prod`, { body: 'hello from the console' });
      assert.deepEqual([sent.status, sent.json], [200, { status: 200 }]);
      assert.equal(await client.next(), 'hello from the console');
      const gone = await rawRequest(s.url, 'DELETE', `/_gatehouse/console/api/connections/${id}?apiId=${wsApiId}&stage=prod`);
      assert.deepEqual([gone.status, gone.json], [200, { status: 204 }]);
      assert.equal((await client.closed).code, 1000);
      const again = await rawRequest(s.url, 'POST', `/_gatehouse/console/api/connections/${id}?apiId=${wsApiId}&stage=prod`, { body: 'x' });
      assert.deepEqual([again.status, again.json], [410, { message: `Connection ${id} is gone` }]);
    } finally {
      await client.close();
    }
  });

  it('gatehouse explain asks the running server and prints the ranking', async () => {
    const r = await runCli(['explain', apiId, 'prod', 'GET /pets/7', '--url', s.url]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.equal(lines[0], `GET /pets/7 on ${apiId}/prod → GET /pets/{id}`);
    assert.equal(lines[1], 'path parameters: id=7');
    assert.equal(lines[3], 'integration: AWS_PROXY echo (payload 2.0)');
    assert.match(r.stdout, /^ {3}1\. GET \/pets\/\{id\} +matched +every segment matches; it ranks first of the 2 routes that match$/m);
    assert.match(r.stdout, /^ {3}2\. GET \/pets\/\{proxy\+\} +lost +a greedy \{proxy\+\} route is considered only when no route without one matches; GET \/pets\/\{id\} does$/m);
    const json = await runCli(['explain', wsApiId, 'prod', '--message', '{"action":"sendmessage"}', '--json', '--url', s.url]);
    assert.equal((JSON.parse(json.stdout) as { routeKey: string }).routeKey, 'sendmessage');
    const bad = await runCli(['explain', apiId, 'nope', 'GET /x', '--url', s.url]);
    assert.deepEqual([bad.code, bad.stderr], [2, `gatehouse explain: ${s.url} answered 404: API ${apiId} has no deployed stage nope\n`]);
    const help = await runCli(['explain', '--help']);
    assert.match(help.stdout, /^usage: gatehouse explain <apiId> <stage> "<METHOD> <path>" \[options\]$/m);
  });
});

describe('console: credentials and the admin listener', () => {
  let s: TestServer;
  const env = { GATEHOUSE_CREDENTIALS: 'AKIACONSOLE:console-secret,123456789012:other-secret' };
  before(async () => {
    s = await startServer({ args: ['--admin-port', '0', ...PETS_FUNCTIONS], env });
  });
  after(() => s.close());

  it('is served on the admin listener only', async () => {
    const main = await get(s.url, '/_gatehouse/console');
    assert.deepEqual([main.status, main.json], [404, { message: 'The console is served on the admin listener (--admin-port)' }]);
    const events = await get(s.url, '/_gatehouse/events');
    assert.equal(events.status, 404);
  });

  it('asks for the management API\'s keys: HTTP Basic for browsers, SigV4 for the CLI', async () => {
    const admin = s.gatehouse.adminUrl as string;
    const anonymous = await get(admin, '/_gatehouse/console');
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.headers.get('www-authenticate'), 'Basic realm="Gatehouse console", charset="UTF-8"');
    const basic = (id: string, secret: string) => ({ authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` });
    const wrong = await get(admin, '/_gatehouse/console', basic('AKIACONSOLE', 'nope'));
    assert.deepEqual([wrong.status, wrong.json], [401, { message: 'The access key id or secret access key is wrong' }]);
    assert.equal((await get(admin, '/_gatehouse/console', basic('AKIACONSOLE', 'console-secret'))).status, 200);

    // Each key sees its own account's APIs.
    const client = sdkClient(admin, { credentials: { accessKeyId: '123456789012', secretAccessKey: 'other-secret' } });
    try {
      const { apiId } = await createPetsApi(client, 'owned');
      const mine = (await get(admin, '/_gatehouse/console/api/apis', basic('123456789012', 'other-secret'))).json as { items: { apiId: string }[] };
      assert.deepEqual(mine.items.map((a) => a.apiId), [apiId]);
      const theirs = (await get(admin, '/_gatehouse/console/api/apis', basic('AKIACONSOLE', 'console-secret'))).json as { items: unknown[] };
      assert.deepEqual(theirs.items, []);
      const hidden = await get(admin, `/_gatehouse/explain?apiId=${apiId}&stage=prod&path=/pets/1`, basic('AKIACONSOLE', 'console-secret'));
      assert.deepEqual([hidden.status, hidden.json], [404, { message: `No API ${apiId} in account 000000000000, region us-east-1` }]);

      const url = new URL(`${admin}/_gatehouse/explain?apiId=${apiId}&stage=prod&path=/pets/1`);
      const signed = signRequest({ method: 'GET', url, headers: {}, body: '' }, { accessKeyId: '123456789012', secretAccessKey: 'other-secret' }, { region: 'us-east-1', service: 'apigateway' });
      assert.equal(((await get(admin, `${url.pathname}${url.search}`, signed)).json as { routeKey: string }).routeKey, 'GET /pets/{id}');
      const cli = await runCli(['explain', apiId, 'prod', 'GET /pets/1', '--url', admin], { env: { AWS_ACCESS_KEY_ID: '123456789012', AWS_SECRET_ACCESS_KEY: 'other-secret' } });
      assert.equal(cli.stdout.split('\n')[0], `GET /pets/1 on ${apiId}/prod → GET /pets/{id}`);
      const unsigned = await runCli(['explain', apiId, 'prod', 'GET /pets/1', '--url', admin]);
      assert.equal(unsigned.stderr, `gatehouse explain: ${admin} answered 401: The console needs the credentials of the management API: a SigV4 signature, or HTTP Basic with an access key id and its secret\n`);
    } finally {
      client.destroy();
    }
  });
});

describe('console: a key with IAM policies', () => {
  let s: TestServer;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-console-iam-'));
    const file = join(dir, 'credentials.json');
    // The console's reads are the management API's apigateway:GET, with the same request facts (aws:UserAgent here).
    const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'apigateway:GET', Resource: '*', Condition: { StringLike: { 'aws:UserAgent': 'console-reader/*' } } }] };
    writeFileSync(file, JSON.stringify({ credentials: [{ accessKeyId: 'AKIDREADER', secretAccessKey: 'reader-secret', policies: [policy] }] }));
    s = await startServer({ args: ['--credentials', file] });
  });
  after(async () => {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('decides on the same facts as the management API: a user-agent condition allows the browser that matches it', async () => {
    const basic = { authorization: `Basic ${Buffer.from('AKIDREADER:reader-secret').toString('base64')}` };
    const allowed = await get(s.url, '/_gatehouse/console/api/apis', { ...basic, 'user-agent': 'console-reader/1.0' });
    assert.deepEqual([allowed.status, allowed.json], [200, { items: [] }]);
    const denied = await get(s.url, '/_gatehouse/console/api/apis', { ...basic, 'user-agent': 'curl/8' });
    assert.deepEqual([denied.status, denied.json], [403, { message: 'User: arn:aws:iam::000000000000:user/AKIDREADER is not authorized to perform: apigateway:GET on resource: arn:aws:apigateway:us-east-1::/apis because no identity-based policy allows the apigateway:GET action' }]);
  });
});
