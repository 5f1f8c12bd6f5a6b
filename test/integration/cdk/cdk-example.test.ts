/**
 * examples/cdk-http-api as the README runs it: the CDK app is synthesized (offline, `node app.mjs`
 * into a temporary CDK_OUTDIR, as `cdk synth` runs it), then the real CLI serves the cloud assembly
 * with --cdk: the HTTP route, the JWT route with and without a token of the built-in issuer, the
 * WebSocket API's route responses; a new synth reloads it; start-up errors are one line, exit status 2.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import type { CliServer } from '../../helpers/cli.js';
import { childEnv, ROOT, runCli, startCli } from '../../helpers/cli.js';
import { freePort } from '../../helpers/net.js';

const APP = join(ROOT, 'examples/cdk-http-api/app.mjs');

/** Runs a CDK app with node, as `cdk synth --app "node app.mjs"` does: the assembly goes to `outdir`. */
function synth(app: string, outdir: string, env: Record<string, string> = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [app], { cwd: ROOT, env: childEnv({ CDK_OUTDIR: outdir, ...env }), stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`node ${app} exited with ${code}:\n${stderr}`))));
  });
}

interface Api {
  name: string;
  apiId: string;
  protocolType: string;
}

async function apisOf(url: string): Promise<Api[]> {
  const body = (await (await fetch(`${url}/v2/apis`)).json()) as { items: Api[] };
  return body.items.map((a) => ({ name: a.name, apiId: a.apiId, protocolType: a.protocolType })).sort((a, b) => a.name.localeCompare(b.name));
}

/** An open WebSocket: `ask` sends a message and resolves with the next message received. */
async function openSocket(url: string): Promise<{ ask(message: string): Promise<string>; readonly ws: WebSocket }> {
  const ws = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const ask = (message: string) =>
    new Promise<string>((resolve, reject) => {
      ws.once('message', (m: Buffer) => resolve(m.toString()));
      ws.once('error', reject);
      ws.send(message);
    });
  return { ask, ws };
}

describe('examples/cdk-http-api: synthesized, then served with --cdk', () => {
  let dir: string;
  let outdir: string;
  let server: CliServer;
  let port: number;
  let apis: Api[];
  let http: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-cdk-example-'));
    outdir = join(dir, 'cdk.out');
    port = await freePort();
    await synth(APP, outdir, { GATEHOUSE_PORT: String(port) });
    server = await startCli(['--port', String(port), '--cdk', outdir, '--oidc-issuer', 'cdk', '--log-format', 'json'], { env: { GATEHOUSE_PORT: String(port) } });
    apis = await apisOf(server.url);
    http = `${server.url}/_aws/execute-api/${apis.find((a) => a.protocolType === 'HTTP')?.apiId}`;
  });
  after(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('defines the stack\'s HTTP API and WebSocket API, visible through the management API', async () => {
    assert.deepEqual(apis.map((a) => [a.name, a.protocolType]), [
      ['cdk-chat', 'WEBSOCKET'],
      ['cdk-http-api', 'HTTP'],
    ]);
    const ws = apis[0] as Api;
    const stages = (await (await fetch(`${server.url}/v2/apis/${ws.apiId}/stages`)).json()) as { items: { stageName: string; autoDeploy: boolean }[] };
    assert.deepEqual(stages.items.map((s) => [s.stageName, s.autoDeploy]), [['dev', true]]);
  });

  it('runs the Lambda code of the asset folder on the HTTP route, with the function\'s environment', async () => {
    const res = await fetch(`${http}/hello`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { message: 'hello from CDK', route: 'GET /hello' });
  });

  it('guards GET /me with the HttpJwtAuthorizer on the built-in issuer', async () => {
    const anonymous = await fetch(`${http}/me`);
    assert.equal(anonymous.status, 401);
    assert.deepEqual(await anonymous.json(), { message: 'Unauthorized' });
    const wrong = await runCli(['token', '--url', server.url, '--issuer', 'cdk', '--aud', 'other-api']);
    assert.equal(wrong.code, 0, wrong.stderr);
    assert.equal((await fetch(`${http}/me`, { headers: { authorization: `Bearer ${wrong.stdout.trim()}` } })).status, 401);
    const token = await runCli(['token', '--url', server.url, '--issuer', 'cdk', '--aud', 'cdk-api', '--sub', 'alice']);
    assert.equal(token.code, 0, token.stderr);
    const res = await fetch(`${http}/me`, { headers: { authorization: `Bearer ${token.stdout.trim()}` } });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { route: 'GET /me', sub: 'alice', aud: 'cdk-api' });
  });

  it('answers WebSocket messages on $default and on the ping route (returnResponse: true)', async () => {
    const ws = apis[0] as Api;
    const socket = await openSocket(`${server.url.replace('http:', 'ws:')}/_aws/execute-api/${ws.apiId}/dev`);
    assert.deepEqual(JSON.parse(await socket.ask('hello')), { routeKey: '$default', echo: 'hello' });
    const body = JSON.parse(await socket.ask('{"action":"ping"}')) as { pong: boolean; connectionId: string };
    socket.ws.close();
    assert.equal(body.pong, true);
    assert.match(body.connectionId, /\S+/);
  });

  it('a new synth (manifest.json rewritten) reloads the assembly under the same API ids, keeping WebSocket connections open', async () => {
    const socket = await openSocket(`${server.url.replace('http:', 'ws:')}/_aws/execute-api/${(apis[0] as Api).apiId}/dev`);
    let closed = false;
    socket.ws.once('close', () => (closed = true));
    const changed = join(dir, 'app');
    cpSync(join(ROOT, 'examples/cdk-http-api'), changed, { recursive: true, filter: (src) => !src.includes('cdk.out') });
    symlinkSync(join(ROOT, 'node_modules'), join(changed, 'node_modules'));
    writeFileSync(join(changed, 'app.mjs'), readFileSync(join(changed, 'app.mjs'), 'utf8').replace("'hello from CDK'", "'hello again'"));
    const from = server.stderr().length;
    await synth(join(changed, 'app.mjs'), outdir, { GATEHOUSE_PORT: String(port) });
    await server.waitFor(/"message":"cloud assembly reloaded"/, from, 30_000);
    assert.deepEqual(await apisOf(server.url), apis);
    const res = await fetch(`${http}/hello`);
    assert.deepEqual(await res.json(), { message: 'hello again', route: 'GET /hello' });
    assert.equal(closed, false);
    assert.deepEqual(JSON.parse(await socket.ask('still here')), { routeKey: '$default', echo: 'still here' });
    socket.ws.close();
  });
});

describe('--cdk banner', () => {
  let server: CliServer | undefined;
  after(() => server?.stop());

  it('names the served stacks and the manifest.json it watches', async () => {
    server = await startCli(['--cdk', 'test/fixtures/cdk/cdk.out', '--log-format', 'pretty']);
    await server.waitFor(/ready in/);
    assert.match(server.stderr(), /\n {2}CDK app {9}stacks Prod-Svc, Fixture {2}\.\/test\/fixtures\/cdk\/cdk\.out\/manifest\.json \(reloaded when it changes\)\n/);
    const apis = await apisOf(server.url);
    assert.deepEqual(apis.map((a) => a.name), ['Fixture-api', 'Prod-Svc-api']);
  });
});

describe('--cdk reloads a stack of a Stage', () => {
  let dir: string;
  let server: CliServer | undefined;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-cdk-stage-'));
    cpSync(join(ROOT, 'test/fixtures/cdk/cdk.out'), join(dir, 'cdk.out'), { recursive: true });
  });
  after(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a new synth that changes only the Stage\'s stack (its nested manifest.json) is served', async () => {
    const out = join(dir, 'cdk.out');
    const running = await startCli(['--cdk', out, '--stack-name', 'Prod/Svc', '--log-format', 'json']);
    server = running;
    const [api] = await apisOf(running.url);
    const url = `${running.url}/_aws/execute-api/${api?.apiId}`;
    assert.deepEqual(await (await fetch(`${url}/hello`)).json(), { stack: 'Prod-Svc', route: 'GET /hello' });
    // What a synth does: the stack's template and its assembly's manifest change, then the root manifest is written again, unchanged.
    const template = join(out, 'assembly-Prod/ProdSvc66695059.template.json');
    writeFileSync(template, readFileSync(template, 'utf8').replaceAll('GET /hello', 'GET /hi'));
    const nested = join(out, 'assembly-Prod/manifest.json');
    writeFileSync(nested, readFileSync(nested, 'utf8').replace(/[0-9a-f]{64}\.json/, `${'0'.repeat(64)}.json`));
    const from = running.stderr().length;
    writeFileSync(join(out, 'manifest.json'), readFileSync(join(out, 'manifest.json')));
    await running.waitFor(/"message":"cloud assembly reloaded"/, from);
    assert.deepEqual((await apisOf(running.url)).map((a) => a.apiId), [api?.apiId]);
    assert.deepEqual(await (await fetch(`${url}/hi`)).json(), { stack: 'Prod-Svc', route: 'GET /hi' });
    assert.equal((await fetch(`${url}/hello`)).status, 404);
  });
});

describe('--cdk start-up errors', () => {
  let parent: string;
  let dataDir: string;
  before(() => {
    parent = mkdtempSync(join(tmpdir(), 'gatehouse-cdk-errors-'));
    dataDir = join(parent, 'data');
  });
  after(() => {
    assert.equal(existsSync(dataDir), false);
    rmSync(parent, { recursive: true, force: true });
  });

  it('a directory that is not a cloud assembly stops start-up with one line naming it and the fix', async () => {
    const result = await runCli(['serve', '--port', '0', '--data-dir', dataDir, '--cdk', parent]);
    assert.equal(result.code, 2);
    assert.equal(result.stderr, `gatehouse: ${parent}: not a CDK cloud assembly (no manifest.json in it); synthesize the app again (cdk synth, or node app.mjs) and give --cdk its output directory (cdk.out)\n`);
  });

  it('--stack-name without --cdk, and --cdk with --template, are refused', async () => {
    const alone = await runCli(['serve', '--port', '0', '--data-dir', dataDir, '--stack-name', 'Api']);
    assert.equal(alone.code, 2);
    assert.equal(alone.stderr, 'gatehouse: --stack-name / GATEHOUSE_STACK_NAME applies to a SAM or CloudFormation template, or chooses the stacks of a CDK cloud assembly; add --template ./template.yaml or --cdk ./cdk.out\n');
    const both = await runCli(['serve', '--port', '0', '--data-dir', dataDir, '--cdk', 'cdk.out', '--template', 'template.yaml']);
    assert.equal(both.code, 2);
    assert.equal(both.stderr, 'gatehouse: --cdk / GATEHOUSE_CDK and --template / GATEHOUSE_TEMPLATE cannot be used together; serve one project\n');
  });
});
