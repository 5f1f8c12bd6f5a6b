import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeInvocation } from '../../../test/fixtures/lambda/invocation.js';
import { createIamDirectory } from '../../auth/iam-callers.js';
import { parseIamPolicy } from '../../auth/iam-policy.js';
import { signRequest } from '../../auth/sigv4.js';
import { GatewayError } from '../errors.js';
import { compileIamAuthorizer } from './iam.js';

const NOW = new Date('2024-05-01T12:00:00Z');
const KEY = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const credentials = (id: string) => (id === KEY.accessKeyId ? KEY.secretAccessKey : undefined);
const HOST = 'abc123.execute-api.localhost:4580';

function signed(options: { path?: string; region?: string; body?: string; key?: typeof KEY; tamper?: (h: [string, string][]) => void } = {}) {
  const path = options.path ?? '/dev/pets';
  const body = options.body ?? '';
  const added = signRequest(
    { method: 'POST', url: new URL(`http://${HOST}${path}?x=1`), headers: { host: HOST, 'content-type': 'application/json' }, body },
    options.key ?? KEY,
    { region: options.region ?? 'us-east-1', service: 'execute-api' },
    NOW,
  );
  const headers: [string, string][] = [['Host', HOST], ['Content-Type', 'application/json'], ...Object.entries(added)];
  options.tamper?.(headers);
  return makeInvocation({ method: 'POST', path, rawQueryString: 'x=1', headers, body });
}

async function forbiddenWith(promise: Promise<unknown>, detail: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof GatewayError);
    assert.equal(error.statusCode, 403);
    assert.equal(error.message, 'Forbidden');
    assert.match(error.detail ?? '', detail);
    return true;
  });
}

describe('AWS_IAM authorizer', () => {
  const authorizer = compileIamAuthorizer({ credentials, clock: () => NOW.getTime() });

  it('a request signed for execute-api with a configured key: the caller identity (the default account for a non-numeric key)', async () => {
    assert.deepEqual(await authorizer.authorize(signed({ body: '{"a":1}' })), {
      iam: {
        accessKey: 'AKIDEXAMPLE',
        accountId: '000000000000',
        callerId: 'AKIDEXAMPLE',
        cognitoIdentity: null,
        principalOrgId: null,
        userArn: 'arn:aws:iam::000000000000:user/AKIDEXAMPLE',
        userId: 'AKIDEXAMPLE',
      },
    });
  });

  it('a 12-digit access key id is the caller account', async () => {
    const key = { accessKeyId: '111122223333', secretAccessKey: 'other' };
    const byAccount = compileIamAuthorizer({ credentials: (id) => (id === key.accessKeyId ? key.secretAccessKey : undefined), clock: () => NOW.getTime() });
    const result = await byAccount.authorize(signed({ key }));
    assert.equal(result.iam?.accountId, '111122223333');
    assert.equal(result.iam?.userArn, 'arn:aws:iam::111122223333:user/111122223333');
  });

  it("verifies the signature against the API's region", async () => {
    const inv = signed({ region: 'eu-west-1' });
    (inv as { stage: unknown }).stage = { ...inv.stage, region: 'eu-west-1' };
    assert.equal((await authorizer.authorize(inv)).iam?.accessKey, 'AKIDEXAMPLE');
  });

  it('unsigned: 403 Forbidden', async () => {
    await forbiddenWith(authorizer.authorize(makeInvocation({ path: '/dev/pets', headers: [['Host', HOST]] })), /MissingAuthenticationToken/);
  });

  it('tampered path, body or header: 403', async () => {
    const inv = signed({ body: '{"a":1}' });
    inv.body = Buffer.from('{"a":2}');
    await forbiddenWith(authorizer.authorize(inv), /InvalidSignature/);
    await forbiddenWith(authorizer.authorize(signed({ tamper: (h) => (h[1] = ['Content-Type', 'text/plain']) })), /InvalidSignature/);
    const moved = signed();
    (moved.request as { path: string }).path = '/dev/admin';
    await forbiddenWith(authorizer.authorize(moved), /InvalidSignature/);
  });

  it('unknown key or another region: 403', async () => {
    await forbiddenWith(authorizer.authorize(signed({ key: { ...KEY, accessKeyId: 'AKIDOTHER' } })), /UnrecognizedClient/);
    await forbiddenWith(authorizer.authorize(signed({ region: 'eu-west-1' })), /region/);
  });

  it('an old signature: 403', async () => {
    const late = compileIamAuthorizer({ credentials, clock: () => NOW.getTime() + 16 * 60_000 });
    await forbiddenWith(late.authorize(signed()), /SignatureExpired/);
  });

  it('without configured credentials every request fails with 500', async () => {
    const none = compileIamAuthorizer({ });
    await assert.rejects(none.authorize(signed()), (e: GatewayError) => e.statusCode === 500 && e.detail === 'AWS_IAM authorization needs configured credentials');
  });

  it('a verify hook replaces the built-in check', async () => {
    const hooked = compileIamAuthorizer({ verify: async () => ({ iam: { userArn: 'x' } }) });
    assert.deepEqual(await hooked.authorize(signed()), { iam: { userArn: 'x' } });
  });

  describe('with policies (execute-api:Invoke on the route ARN)', () => {
    const policy = (statements: unknown[]) => parseIamPolicy({ Version: '2012-10-17', Statement: statements });
    const withPolicies = (statements: unknown[]) =>
      compileIamAuthorizer({ directory: createIamDirectory([{ ...KEY, userName: 'ann', policies: [policy(statements)] }]), clock: () => NOW.getTime() });
    const ARN = 'arn:aws:execute-api:us-east-1:000000000000:abc123/$default/POST/dev/pets';

    it('an Allow on the route ARN: the caller identity names the user', async () => {
      const result = await withPolicies([{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: 'arn:aws:execute-api:*:*:abc123/*/POST/*' }]).authorize(signed());
      assert.equal(result.iam?.userArn, 'arn:aws:iam::000000000000:user/ann');
      assert.equal(result.iam?.accessKey, KEY.accessKeyId);
    });

    it("no Allow: 403 Forbidden, IAM's sentence in $context.authorizer.error", async () => {
      const denied = withPolicies([{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: 'arn:aws:execute-api:*:*:abc123/*/GET/*' }]);
      await forbiddenWith(
        denied.authorize(signed()),
        new RegExp(`^User: arn:aws:iam::000000000000:user/ann is not authorized to perform: execute-api:Invoke on resource: ${ARN.replace('000000000000', '\\*{8}0000').replace(/\$/g, '\\$')}$`),
      );
    });

    it('an explicit Deny (a source-IP condition) wins', async () => {
      const denied = withPolicies([
        { Effect: 'Allow', Action: '*', Resource: '*' },
        { Effect: 'Deny', Action: 'execute-api:Invoke', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '127.0.0.0/8' } } },
      ]);
      await forbiddenWith(denied.authorize(signed()), / with an explicit deny$/);
    });

    it('the signature is still checked first', async () => {
      const open = withPolicies([{ Effect: 'Allow', Action: '*', Resource: '*' }]);
      await forbiddenWith(open.authorize(signed({ key: { ...KEY, secretAccessKey: 'wrong' } })), /InvalidSignature/);
    });
  });
});
