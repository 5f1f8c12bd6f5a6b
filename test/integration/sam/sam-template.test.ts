/**
 * `gatehouse serve --template`: the real CLI on test/fixtures/sam/template.yaml (an HTTP API of two
 * functions, one route guarded by a JWT authorizer of the built-in issuer), called over HTTP; the
 * template's API is ordinary state of the management API; start-up errors are one line, exit status 2.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CliServer } from '../../helpers/cli.js';
import { ROOT, runCli, startCli } from '../../helpers/cli.js';
import { freePort } from '../../helpers/net.js';

const TEMPLATE = join(ROOT, 'test/fixtures/sam/template.yaml');

describe('gatehouse serve --template (SAM)', () => {
  let server: CliServer;
  let base: string;
  let apiId: string;
  before(async () => {
    const port = await freePort();
    const issuer = `http://localhost:${port}/_gatehouse/oidc/pets`;
    server = await startCli(['--port', String(port), '--template', TEMPLATE, '--parameter-overrides', `Stage=prod Issuer=${issuer}`, '--oidc-issuer', 'pets', '--log-format', 'json'], {
      env: { GATEHOUSE_PORT: String(port) },
    });
    const apis = (await (await fetch(`${server.url}/v2/apis`)).json()) as { items: { apiId: string; name: string; protocolType: string }[] };
    assert.deepEqual(apis.items.map((a) => [a.name, a.protocolType]), [['sam-app', 'HTTP']]);
    apiId = (apis.items[0] as { apiId: string }).apiId;
    base = `${server.url}/_aws/execute-api/${apiId}`;
  });
  after(() => server.stop());

  it('serves the public route with the environment the template gives the function', async () => {
    const res = await fetch(`${base}/pets`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { route: 'GET /pets', table: 'sam-app-pets-prod', stage: 'prod', region: 'us-east-1/b', greeting: 'hello' });
  });

  it('guards POST /pets with the JWT authorizer of the built-in issuer', async () => {
    const anonymous = await fetch(`${base}/pets`, { method: 'POST', body: '{}' });
    assert.equal(anonymous.status, 401);
    assert.deepEqual(await anonymous.json(), { message: 'Unauthorized' });
    const wrongAudience = await runCli(['token', '--url', server.url, '--issuer', 'pets', '--aud', 'other-api']);
    assert.equal(wrongAudience.code, 0, wrongAudience.stderr);
    const refused = await fetch(`${base}/pets`, { method: 'POST', body: '{}', headers: { authorization: `Bearer ${wrongAudience.stdout.trim()}` } });
    assert.equal(refused.status, 401);
    const token = await runCli(['token', '--url', server.url, '--issuer', 'pets', '--aud', 'pets-api', '--sub', 'alice']);
    assert.equal(token.code, 0, token.stderr);
    const created = await fetch(`${base}/pets`, { method: 'POST', body: '{"name":"Bo"}', headers: { authorization: `Bearer ${token.stdout.trim()}` } });
    assert.equal(created.status, 201);
    assert.deepEqual(await created.json(), { route: 'POST /pets', sub: 'alice', body: '{"name":"Bo"}' });
  });

  it('answers CORS preflights with the CorsConfiguration', async () => {
    const res = await fetch(`${base}/pets`, { method: 'OPTIONS', headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' } });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-origin'), 'https://app.example.com');
    assert.equal(res.headers.get('access-control-max-age'), '600');
  });

  it('logs the resources it accepts without serving them', () => {
    assert.match(server.stderr(), /template: PetsTable \(AWS::DynamoDB::Table\) is accepted and not served \(it does not change the gateway\)/);
  });
});

describe('gatehouse serve --template reloads', () => {
  let dir: string;
  let server: CliServer | undefined;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-sam-reload-'));
    cpSync(join(ROOT, 'test/fixtures/sam'), dir, { recursive: true });
  });
  after(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the changed template under the same API id when the file changes', async () => {
    const file = join(dir, 'template.yaml');
    const running = await startCli(['--template', file, '--log-format', 'json']);
    server = running;
    const ids = async () => ((await (await fetch(`${running.url}/v2/apis`)).json()) as { items: { apiId: string }[] }).items.map((a) => a.apiId);
    const [apiId] = await ids();
    const url = `${running.url}/_aws/execute-api/${apiId}`;
    assert.equal((await fetch(`${url}/pets`)).status, 200);
    const from = running.stderr().length;
    writeFileSync(file, readFileSync(file, 'utf8').replace('Path: /pets\n            Method: get', 'Path: /animals\n            Method: get'));
    await running.waitFor(/"message":"template reloaded"/, from);
    assert.deepEqual(await ids(), [apiId]);
    const moved = await fetch(`${url}/animals`);
    assert.equal(moved.status, 200);
    assert.equal(((await moved.json()) as { route: string }).route, 'GET /animals');
    assert.equal((await fetch(`${url}/pets`)).status, 404);
  });
});

describe('gatehouse serve --template with a named stage', () => {
  let dir: string;
  let server: CliServer | undefined;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-sam-stage-'));
    cpSync(join(ROOT, 'test/fixtures/sam/src'), join(dir, 'src'), { recursive: true });
    const template = {
      Resources: {
        Api: { Type: 'AWS::Serverless::HttpApi', Properties: { StageName: 'v1' } },
        Hello: { Type: 'AWS::Serverless::Function', Properties: { CodeUri: 'src', Handler: 'app.list', Runtime: 'nodejs20.x', Events: { Any: { Type: 'HttpApi', Properties: { ApiId: { Ref: 'Api' }, Path: '/hello/{proxy+}', Method: 'ANY' } } } } },
      },
    };
    writeFileSync(join(dir, 'template.json'), JSON.stringify(template, null, 2));
  });
  after(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves a JSON template at its StageName, auto-deployed', async () => {
    server = await startCli(['--template', join(dir, 'template.json'), '--log-format', 'json']);
    const apis = (await (await fetch(`${server.url}/v2/apis`)).json()) as { items: { apiId: string }[] };
    const apiId = (apis.items[0] as { apiId: string }).apiId;
    const stages = (await (await fetch(`${server.url}/v2/apis/${apiId}/stages`)).json()) as { items: { stageName: string; autoDeploy: boolean }[] };
    assert.deepEqual(stages.items.map((st) => [st.stageName, st.autoDeploy]), [['v1', true]]);
    const res = await fetch(`${server.url}/_aws/execute-api/${apiId}/v1/hello/a/b`, { method: 'DELETE' });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { route: string }).route, 'ANY /hello/{proxy+}');
  });
});

describe('gatehouse serve --template errors', () => {
  let dataDir: string;
  let parent: string;
  before(() => {
    parent = mkdtempSync(join(tmpdir(), 'gatehouse-sam-errors-'));
    dataDir = join(parent, 'data');
  });
  after(() => rmSync(parent, { recursive: true, force: true }));

  it('a parameter value outside AllowedValues stops start-up with one line', async () => {
    const result = await runCli(['serve', '--port', '0', '--data-dir', dataDir, '--template', TEMPLATE, '--parameter-overrides', 'Stage=qa']);
    assert.equal(result.code, 2);
    assert.equal(result.stderr, `gatehouse: ${TEMPLATE}:7:5: Parameters.Stage: value "qa" is not one of AllowedValues (dev, prod)\n`);
  });

  it('--parameter-overrides without --template, and --template with --serverless, are refused', async () => {
    const alone = await runCli(['serve', '--port', '0', '--data-dir', dataDir, '--parameter-overrides', 'A=b']);
    assert.equal(alone.code, 2);
    assert.equal(alone.stderr, 'gatehouse: --parameter-overrides / GATEHOUSE_PARAMETER_OVERRIDES applies to the parameters of a --template or of the --cdk stacks; add --template ./template.yaml or --cdk ./cdk.out\n');
    const both = await runCli(['serve', '--port', '0', '--data-dir', dataDir, '--template', TEMPLATE, '--serverless', 'serverless.yml']);
    assert.equal(both.code, 2);
    assert.equal(both.stderr, 'gatehouse: --template / GATEHOUSE_TEMPLATE and --serverless / GATEHOUSE_SERVERLESS cannot be used together; serve one project\n');
  });
});
