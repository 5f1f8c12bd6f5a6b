/**
 * `gatehouse serve --template` on a plain CloudFormation template (test/fixtures/sam/http-api.yaml):
 * an HTTP API of AWS::ApiGatewayV2 resources (routes, Lambda proxy integrations, a JWT and a Lambda
 * REQUEST authorizer, a $default stage with stage variables) over AWS::Lambda::Functions (a local
 * folder and inline ZipFile code), called over HTTP; the resources are ordinary management-API state
 * with the ids `Ref` gives; a restart writes nothing.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CliServer } from '../../helpers/cli.js';
import { ROOT, runCli, startCli } from '../../helpers/cli.js';
import { freePort } from '../../helpers/net.js';
import { startUpstream } from '../../helpers/upstream.js';
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

describe('gatehouse serve --template reloads AWS::ApiGatewayV2 resources', () => {
  let dir: string;
  let server: CliServer | undefined;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-cfn-reload-'));
    cpSync(join(ROOT, 'test/fixtures/sam/src'), join(dir, 'src'), { recursive: true });
    cpSync(TEMPLATE, join(dir, 'template.yaml'));
  });
  after(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a changed RouteKey is updated in place under the same route id; a route the file no longer has is deleted; so are a stage variable, the authorizer of a route and the description of the API', async () => {
    const file = join(dir, 'template.yaml');
    const running = await startCli(['--template', file, '--log-format', 'json']);
    server = running;
    const apiId = physicalId('sam-app', 'AWS::ApiGatewayV2::Api', 'HttpApi');
    const url = `${running.url}/_aws/execute-api/${apiId}`;
    assert.equal((await fetch(`${url}/pets`)).status, 200);
    assert.equal((await fetch(`${url}/secret`)).status, 401, 'GET /secret has the Lambda authorizer');
    const from = running.stderr().length;
    const stageOf = async () => (await (await fetch(`${running.url}/v2/apis/${apiId}/stages`)).json()) as { items: { stageName: string; stageVariables?: Record<string, string> }[] };
    assert.deepEqual((await stageOf()).items.map((s) => s.stageVariables), [{ color: 'blue' }]);
    // The route renamed (with its route settings, which must name an existing route), one route dropped, and the stage's variables removed from the file.
    const text = readFileSync(file, 'utf8')
      .replace('RouteKey: GET /pets', 'RouteKey: GET /animals')
      .replace('        GET /pets:', '        GET /animals:')
      .replace(/ {6}StageVariables:\n {8}color: [^\n]*\n/, '')
      .replace(/ {6}AuthorizationType: CUSTOM\n {6}AuthorizerId: !GetAtt KeyAuthorizer\.AuthorizerId\n/, '')
      .replace(/ {6}Description: Pets, by CloudFormation resources\n/, '');
    writeFileSync(file, text.slice(0, text.indexOf('  InlineRoute:')) + text.slice(text.indexOf('  SecretRoute:')));
    await running.waitFor(/"message":"template reloaded"/, from);
    const routes = (await (await fetch(`${running.url}/v2/apis/${apiId}/routes`)).json()) as { items: { routeId: string; routeKey: string }[] };
    assert.deepEqual(routes.items.map((r) => [r.routeKey, r.routeId]).sort(), [
      ['GET /animals', physicalId('sam-app', 'AWS::ApiGatewayV2::Route', 'ListPets')],
      ['GET /secret', physicalId('sam-app', 'AWS::ApiGatewayV2::Route', 'SecretRoute')],
      ['POST /pets', physicalId('sam-app', 'AWS::ApiGatewayV2::Route', 'CreatePet')],
    ]);
    assert.equal((await fetch(`${url}/animals`)).status, 200);
    assert.equal((await fetch(`${url}/pets`)).status, 404);
    assert.equal((await fetch(`${url}/inline`)).status, 404);
    assert.deepEqual((await stageOf()).items.map((s) => s.stageVariables ?? {}), [{}], 'a stage variable the file no longer has is removed');
    assert.equal((await fetch(`${url}/secret`)).status, 200, 'the authorizer the file no longer names is gone from the route');
    const api = (await (await fetch(`${running.url}/v2/apis/${apiId}`)).json()) as { description?: string };
    assert.equal(api.description, undefined, 'the description the file no longer has is cleared');
  });
});

describe('gatehouse serve --template: an AWS_IAM Route needs access keys', () => {
  it('stops start-up with one line naming the route', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-cfn-iam-'));
    try {
      const file = join(dir, 'template.yaml');
      writeFileSync(file, readFileSync(TEMPLATE, 'utf8').replace('      AuthorizationType: JWT\n      AuthorizerId: !Ref JwtAuthorizer\n', '      AuthorizationType: AWS_IAM\n'));
      cpSync(join(ROOT, 'test/fixtures/sam/src'), join(dir, 'src'), { recursive: true });
      const result = await runCli(['serve', '--port', '0', '--data-dir', join(dir, 'data'), '--template', file]);
      assert.equal(result.code, 2);
      assert.equal(result.stderr.trim(), `gatehouse: ${file}: route POST /pets uses AuthorizationType AWS_IAM, which checks SigV4 signatures against the server's access keys; configure them with --credentials <file> or GATEHOUSE_CREDENTIALS=AKID:SECRET`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('gatehouse serve --template: a reload removes the request parameter mappings the file dropped', () => {
  it('an HTTP_PROXY integration loses the header mapping taken out of its RequestParameters (UpdateIntegration with "")', async () => {
    const upstream = await startUpstream();
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-cfn-mappings-'));
    const file = join(dir, 'template.yaml');
    const template = (mappings: string) =>
      [
        'Resources:',
        '  Api:',
        '    Type: AWS::ApiGatewayV2::Api',
        '    Properties: { Name: mappings, ProtocolType: HTTP }',
        '  Backend:',
        '    Type: AWS::ApiGatewayV2::Integration',
        '    Properties:',
        '      ApiId: !Ref Api',
        '      IntegrationType: HTTP_PROXY',
        '      IntegrationMethod: GET',
        `      IntegrationUri: ${upstream.origin}/seen`,
        '      PayloadFormatVersion: "1.0"',
        `      RequestParameters: { ${mappings} }`,
        '  Seen:',
        '    Type: AWS::ApiGatewayV2::Route',
        '    Properties: { ApiId: !Ref Api, RouteKey: GET /seen, Target: !Sub "integrations/${Backend}" }',
        '  Stage:',
        '    Type: AWS::ApiGatewayV2::Stage',
        '    Properties: { ApiId: !Ref Api, StageName: $default, AutoDeploy: true }',
        '',
      ].join('\n');
    writeFileSync(file, template(`"append:header.x-one": "one", "append:header.x-two": "two"`));
    const running = await startCli(['--template', file, '--stack-name', 'mappings', '--log-format', 'json']);
    try {
      const url = `${running.url}/_aws/execute-api/${physicalId('mappings', 'AWS::ApiGatewayV2::Api', 'Api')}/seen`;
      assert.equal((await fetch(url)).status, 200);
      assert.deepEqual([upstream.requests.at(-1)?.headers['x-one'], upstream.requests.at(-1)?.headers['x-two']], ['one', 'two']);
      const from = running.stderr().length;
      writeFileSync(file, template(`"append:header.x-one": "one"`));
      await running.waitFor(/"message":"template reloaded"/, from);
      assert.equal((await fetch(url)).status, 200);
      assert.deepEqual([upstream.requests.at(-1)?.headers['x-one'], upstream.requests.at(-1)?.headers['x-two']], ['one', undefined], 'x-two is no longer mapped');
    } finally {
      await running.stop();
      await upstream.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
