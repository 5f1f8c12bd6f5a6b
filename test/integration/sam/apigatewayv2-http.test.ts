/**
 * `gatehouse serve --template` on a plain CloudFormation template (test/fixtures/sam/http-api.yaml):
 * an HTTP API of AWS::ApiGatewayV2 resources (routes, Lambda proxy integrations, a JWT and a Lambda
 * REQUEST authorizer, a $default stage with stage variables) over AWS::Lambda::Functions (a local
 * folder and inline ZipFile code), called over HTTP; the resources are ordinary management-API state
 * with the ids `Ref` gives; a restart writes nothing.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CliServer } from '../../helpers/cli.js';
import { ROOT, runCli, startCli } from '../../helpers/cli.js';
import { freePort } from '../../helpers/net.js';
import { physicalId } from '../../../src/serverless/apigatewayv2.js';

const TEMPLATE = join(ROOT, 'test/fixtures/sam/http-api.yaml');

describe('gatehouse serve --template (AWS::ApiGatewayV2 HTTP API)', () => {
  let server: CliServer;
  let base: string;
  let port: number;
  let dataDir: string;
  const apiId = physicalId('pets', 'AWS::ApiGatewayV2::Api', 'HttpApi');
  const args = () => ['--port', String(port), '--data-dir', dataDir, '--template', TEMPLATE, '--stack-name', 'pets', '--parameter-overrides', `ParameterKey=Issuer,ParameterValue=http://localhost:${port}/_gatehouse/oidc/pets`, '--oidc-issuer', 'pets', '--log-format', 'json'];
  before(async () => {
    port = await freePort();
    dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-cfn-http-'));
    server = await startCli(args(), { dataDir });
    base = `${server.url}/_aws/execute-api/${apiId}`;
  });
  after(async () => {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('the API, its stage and its routes are management-API state under the ids Ref gives', async () => {
    const api = (await (await fetch(`${server.url}/v2/apis/${apiId}`)).json()) as Record<string, unknown>;
    assert.equal(api.name, 'pets-v2');
    assert.equal(api.description, 'Pets, by CloudFormation resources');
    const routes = (await (await fetch(`${server.url}/v2/apis/${apiId}/routes`)).json()) as { items: { routeId: string; routeKey: string }[] };
    assert.deepEqual(routes.items.map((r) => [r.routeKey, r.routeId]).sort(), [
      ['GET /inline', physicalId('pets', 'AWS::ApiGatewayV2::Route', 'InlineRoute')],
      ['GET /pets', physicalId('pets', 'AWS::ApiGatewayV2::Route', 'ListPets')],
      ['GET /secret', physicalId('pets', 'AWS::ApiGatewayV2::Route', 'SecretRoute')],
      ['POST /pets', physicalId('pets', 'AWS::ApiGatewayV2::Route', 'CreatePet')],
    ]);
    const stage = (await (await fetch(`${server.url}/v2/apis/${apiId}/stages/$default`)).json()) as Record<string, unknown>;
    assert.deepEqual([stage.autoDeploy, stage.stageVariables, stage.defaultRouteSettings], [true, { color: 'blue' }, { detailedMetricsEnabled: false, throttlingBurstLimit: 100, throttlingRateLimit: 50 }]);
    assert.deepEqual((stage.routeSettings as Record<string, unknown>)['GET /pets'], { throttlingBurstLimit: 10, throttlingRateLimit: 5 });
  });

  it('serves GET /pets from the function of the local Code folder, with its environment and the stage variables', async () => {
    const res = await fetch(`${base}/pets`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { route: 'GET /pets', stageVariables: { color: 'blue' }, greeting: 'hello', function: 'pets-echo', sub: null, key: null });
  });

  it('serves GET /inline from the Code.ZipFile function (IntegrationUri !GetAtt Fn.Arn)', async () => {
    const res = await fetch(`${base}/inline`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { inline: true, route: 'GET /inline' });
  });

  it('guards POST /pets with the JWT authorizer and GET /secret with the Lambda REQUEST authorizer', async () => {
    assert.equal((await fetch(`${base}/pets`, { method: 'POST' })).status, 401);
    const token = await runCli(['token', '--url', server.url, '--issuer', 'pets', '--aud', 'pets-api', '--sub', 'alice']);
    assert.equal(token.code, 0, token.stderr);
    const created = await fetch(`${base}/pets`, { method: 'POST', headers: { authorization: `Bearer ${token.stdout.trim()}` } });
    assert.equal(created.status, 200);
    assert.equal(((await created.json()) as { sub: string }).sub, 'alice');
    assert.equal((await fetch(`${base}/secret`)).status, 401);
    const refused = await fetch(`${base}/secret`, { headers: { 'x-key': 'nope' } });
    assert.equal(refused.status, 403);
    const allowed = await fetch(`${base}/secret`, { headers: { 'x-key': 'letmein' } });
    assert.equal(allowed.status, 200);
    assert.equal(((await allowed.json()) as { key: string }).key, 'letmein');
  });

  it('answers CORS preflights with the Api CorsConfiguration', async () => {
    const res = await fetch(`${base}/pets`, { method: 'OPTIONS', headers: { origin: 'https://app.example.com', 'access-control-request-method': 'GET' } });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-max-age'), '300');
  });

  it('notes the resources it accepts without serving, and a restart writes nothing', async () => {
    assert.match(server.stderr(), /template: EchoPermission \(AWS::Lambda::Permission\) accepted: Gatehouse lets its APIs invoke the template's functions without resource policies/);
    await server.stop();
    server = await startCli(args(), { dataDir });
    assert.match(server.stderr(), /"message":"template applied".*"created":0,"updated":0,"deleted":0/);
    assert.equal((await fetch(`${base}/pets`)).status, 200);
  });
});
