/**
 * `gatehouse serve --template` on SAM HttpApis: a Lambda authorizer (FunctionArn, Identity, simple
 * responses) as the DefaultAuthorizer, an AWS_IAM route and a NONE route (test/fixtures/sam/auth.yaml);
 * an HttpApi imported from its DefinitionBody with an event merged in (test/fixtures/sam/definition.yaml).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { signRequest } from '../../../src/auth/sigv4.js';
import { apiIds } from '../../../src/serverless/resources.js';
import type { CliServer } from '../../helpers/cli.js';
import { ROOT, startCli } from '../../helpers/cli.js';

describe('gatehouse serve --template: SAM Lambda and IAM authorization', () => {
  let server: CliServer;
  let base: string;
  before(async () => {
    server = await startCli(['--template', join(ROOT, 'test/fixtures/sam/auth.yaml'), '--log-format', 'json'], { env: { GATEHOUSE_CREDENTIALS: 'AKIDSAMTEST:sam-secret' } });
    base = `${server.url}/_aws/execute-api/${apiIds('sam-app', '$default').http}`;
  });
  after(() => server.stop());

  it('the DefaultAuthorizer (a Lambda authorizer of the template) guards GET /secret', async () => {
    assert.equal((await fetch(`${base}/secret`)).status, 401);
    const refused = await fetch(`${base}/secret`, { headers: { 'x-key': 'wrong' } });
    assert.equal(refused.status, 403);
    assert.deepEqual(await refused.json(), { message: 'Forbidden' });
    const allowed = await fetch(`${base}/secret`, { headers: { 'x-key': 'letmein' } });
    assert.equal(allowed.status, 200);
    assert.equal(((await allowed.json()) as { key: string }).key, 'letmein');
  });

  it('Authorizer: NONE opens GET /open; AWS_IAM checks the SigV4 signature on GET /signed', async () => {
    assert.equal((await fetch(`${base}/open`)).status, 200);
    assert.equal((await fetch(`${base}/signed`)).status, 403);
    const url = new URL(`${base}/signed`);
    const headers = signRequest({ method: 'GET', url, headers: { host: url.host }, body: '' }, { accessKeyId: 'AKIDSAMTEST', secretAccessKey: 'sam-secret' }, { region: 'us-east-1', service: 'execute-api' });
    const signed = await fetch(url, { headers });
    assert.equal(signed.status, 200, await signed.clone().text());
    assert.equal(((await signed.json()) as { route: string }).route, 'GET /signed');
  });
});

describe('gatehouse serve --template: SAM DefinitionBody', () => {
  let server: CliServer;
  let base: string;
  let apiId: string;
  before(async () => {
    server = await startCli(['--template', join(ROOT, 'test/fixtures/sam/definition.yaml'), '--log-format', 'json']);
    apiId = apiIds('sam-app', 'v1').http;
    base = `${server.url}/_aws/execute-api/${apiId}/v1`;
  });
  after(() => server.stop());

  it('serves the route of the definition and the route of the HttpApi event merged into it', async () => {
    const hello = await fetch(`${base}/hello`);
    assert.equal(hello.status, 200);
    assert.equal(((await hello.json()) as { route: string }).route, 'GET /hello');
    const pets = await fetch(`${base}/pets`);
    assert.equal(pets.status, 200);
    assert.equal(((await pets.json()) as { route: string }).route, 'GET /pets');
    const api = (await (await fetch(`${server.url}/v2/apis/${apiId}`)).json()) as { name: string; tags: Record<string, string> };
    assert.equal(api.name, 'sam-app');
    assert.match(api.tags['gatehouse:definition-sha256'] ?? '', /^[0-9a-f]{64}$/);
  });
});
