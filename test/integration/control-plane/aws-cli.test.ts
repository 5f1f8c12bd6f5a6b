import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { TestServer } from '../../helpers/server.js';
import { startServer } from '../../helpers/server.js';

const run = promisify(execFile);

/** AWS CLI binaries on this machine (v1 from pip, v2 from Debian); botocore parses differently from the JS SDK. */
const CLIS = [...new Set(['/usr/bin/aws', '/usr/local/bin/aws', `${process.env.HOME}/.pyenv/shims/aws`].filter((p) => existsSync(p)))];

for (const cli of CLIS.length > 0 ? CLIS : ['aws']) {
  describe(`AWS CLI (${cli})`, { skip: CLIS.length === 0 ? 'no AWS CLI installed on this machine' : false }, () => {
    let s: TestServer;
    const env = { ...process.env, AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y', AWS_DEFAULT_REGION: 'us-east-1', AWS_PAGER: '' };
    const aws = async (...args: string[]) => (await run(cli, ['apigatewayv2', '--endpoint-url', s.url, '--output', 'json', ...args], { env })).stdout;
    const awsFails = async (...args: string[]) => {
      try {
        await aws(...args);
      } catch (err) {
        return String((err as { stderr?: string }).stderr).trim();
      }
      assert.fail(`aws ${args.join(' ')} succeeded`);
    };
    before(async () => {
      s = await startServer();
    });
    after(() => s.close());

    it('parses resources, errors, percent-encoded labels and pages', { timeout: 180_000 }, async () => {
      const api = JSON.parse(await aws('create-api', '--name', 'pets', '--protocol-type', 'HTTP', '--target', 'https://example.com')) as { ApiId: string; CreatedDate: string };
      assert.match(api.ApiId, /^[a-z0-9]{10}$/);
      const route = JSON.parse(await aws('create-route', '--api-id', api.ApiId, '--route-key', 'GET /pets/{id}')) as { RouteKey: string; AuthorizationType: string };
      assert.deepEqual([route.RouteKey, route.AuthorizationType], ['GET /pets/{id}', 'NONE']);
      assert.match(await awsFails('create-route', '--api-id', api.ApiId, '--route-key', 'GET /pets/{id}'), /\(ConflictException\) when calling the CreateRoute operation: Route with key GET \/pets\/\{id\} already exists for this API$/);
      assert.match(await awsFails('get-api', '--api-id', 'nope123456'), /\(NotFoundException\) when calling the GetApi operation: Invalid API identifier specified 000000000000:nope123456$/);
      await aws('create-stage', '--api-id', api.ApiId, '--stage-name', 'dev', '--route-settings', '{"GET /pets/{id}":{"ThrottlingBurstLimit":5}}');
      await aws('delete-route-settings', '--api-id', api.ApiId, '--stage-name', 'dev', '--route-key', 'GET /pets/{id}');
      const arn = `arn:aws:apigateway:us-east-1::/apis/${api.ApiId}`;
      await aws('tag-resource', '--resource-arn', arn, '--tags', 'team=pets');
      assert.deepEqual(JSON.parse(await aws('get-tags', '--resource-arn', arn)), { Tags: { team: 'pets' } });
      const paged = JSON.parse(await aws('get-routes', '--api-id', api.ApiId, '--max-items', '1')) as { Items: unknown[]; NextToken?: string };
      assert.equal(paged.Items.length, 1);
      assert.ok(paged.NextToken, 'botocore paginators see the next page');
      await aws('delete-api', '--api-id', api.ApiId);
    });
  });
}
