import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateApiCommand, GetApisCommand, GetTagsCommand } from '@aws-sdk/client-apigatewayv2';
import { signRequest } from '../../../src/auth/sigv4.js';
import { ConfigError, loadConfig } from '../../../src/config.js';
import { rejectsAws } from '../../helpers/assert-aws.js';
import type { TestServer } from '../../helpers/server.js';
import { rawRequest, sdkClient, startServer } from '../../helpers/server.js';

// The SDK marks the credentials objects it is given, so clients get copies.
const FILE_KEY = Object.freeze({ accessKeyId: 'AKIDFILE', secretAccessKey: 'file/secret+Key0' });
const ENV_KEY = Object.freeze({ accessKeyId: 'AKIDENV', secretAccessKey: 'env-secret' });
const MISMATCH =
  /^The request signature we calculated does not match the signature you provided\. Check your AWS Secret Access Key and signing method\. Consult the service documentation for details\.\n\nThe Canonical String for this request should have been\n'POST\n\/v2\/apis\n/;

const tempDir = mkdtempSync(join(tmpdir(), 'gatehouse-sigv4-'));
const write = (name: string, text: string) => {
  const path = join(tempDir, name);
  writeFileSync(path, text);
  return path;
};
const credentialsFile = write('credentials.json', JSON.stringify({ credentials: [FILE_KEY] }));

/** A raw request signed for the management API with signRequest; `tamper` changes the body after signing. */
async function signedRaw(url: string, method: string, path: string, body: string, key = FILE_KEY, tamper?: (body: string) => string) {
  const target = new URL(path, url);
  const headers = { 'content-type': 'application/json' };
  const added = signRequest({ method, url: target, headers, body }, key, { region: 'us-east-1', service: 'apigateway' });
  const sent = tamper ? tamper(body) : body;
  return rawRequest(url, method, path, { headers: { ...headers, ...added }, ...(sent === '' ? {} : { body: sent }) });
}

after(() => rmSync(tempDir, { recursive: true, force: true }));

describe('SigV4 enforced (credentials configured)', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer({ args: ['--credentials', credentialsFile], env: { GATEHOUSE_CREDENTIALS: `${ENV_KEY.accessKeyId}:${ENV_KEY.secretAccessKey}` } });
  });
  after(() => s.close());

  it('CreateApi and GetApis succeed with a configured key from the file or the environment, signed for any region (which scopes what they see)', async () => {
    const fromFile = sdkClient(s.url, { credentials: { ...FILE_KEY } });
    const fromEnv = sdkClient(s.url, { credentials: { ...ENV_KEY } });
    const fromEnvElsewhere = sdkClient(s.url, { credentials: { ...ENV_KEY }, region: 'eu-central-1' });
    try {
      const api = await fromFile.send(new CreateApiCommand({ Name: 'signed', ProtocolType: 'HTTP' }));
      const apis = await fromEnv.send(new GetApisCommand({}));
      assert.ok(apis.Items?.some((a) => a.ApiId === api.ApiId));
      const elsewhere = await fromEnvElsewhere.send(new GetApisCommand({}));
      assert.ok(!elsewhere.Items?.some((a) => a.ApiId === api.ApiId), 'an API of us-east-1 is not listed to an eu-central-1 caller');
    } finally {
      fromFile.destroy();
      fromEnv.destroy();
      fromEnvElsewhere.destroy();
    }
  });

  it('GetApis with an unknown access key: UnrecognizedClientException', async () => {
    // The helper's default client signs with AKIDEXAMPLE, which is not configured.
    await rejectsAws(s.client.send(new GetApisCommand({})), 'UnrecognizedClientException', 'The security token included in the request is invalid.', 403);
  });

  it('GetApis with the wrong secret: InvalidSignatureException', async () => {
    const client = sdkClient(s.url, { credentials: { accessKeyId: FILE_KEY.accessKeyId, secretAccessKey: 'wrong' } });
    try {
      const err = await rejectsAws(client.send(new GetApisCommand({})), 'InvalidSignatureException', /^The request signature we calculated does not match the signature you provided\./, 403);
      assert.match(err.message, /\n\nThe String-to-Sign should have been\n'AWS4-HMAC-SHA256\n\d{8}T\d{6}Z\n\d{8}\/us-east-1\/apigateway\/aws4_request\n[0-9a-f]{64}'\n$/);
    } finally {
      client.destroy();
    }
  });

  it('GetApis signed 20 minutes ago (client clock behind): InvalidSignatureException "Signature expired"', async () => {
    const client = sdkClient(s.url, { credentials: { ...FILE_KEY }, systemClockOffset: -20 * 60_000 });
    try {
      await rejectsAws(
        client.send(new GetApisCommand({})),
        'InvalidSignatureException',
        /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)$/,
        403,
      );
    } finally {
      client.destroy();
    }
  });

  it('GetApis signed 20 minutes ahead: InvalidSignatureException "Signature not yet current"', async () => {
    const client = sdkClient(s.url, { credentials: { ...FILE_KEY }, systemClockOffset: 20 * 60_000 });
    try {
      await rejectsAws(
        client.send(new GetApisCommand({})),
        'InvalidSignatureException',
        /^Signature not yet current: \d{8}T\d{6}Z is still later than \d{8}T\d{6}Z \(\d{8}T\d{6}Z \+ 5 min\.\)$/,
        403,
      );
    } finally {
      client.destroy();
    }
  });

  it('CreateApi with the body changed after signing: InvalidSignatureException, nothing created', async () => {
    const good = await signedRaw(s.url, 'POST', '/v2/apis', '{"name":"raw-signed","protocolType":"HTTP"}');
    assert.equal(good.status, 201, good.text);
    const res = await signedRaw(s.url, 'POST', '/v2/apis', '{"name":"original","protocolType":"HTTP"}', FILE_KEY, (b) => b.replace('original', 'tampered'));
    assert.equal(res.status, 403);
    assert.equal(res.headers.get('x-amzn-errortype'), 'InvalidSignatureException');
    assert.match((res.json as { message: string }).message, MISMATCH);
    const client = sdkClient(s.url, { credentials: { ...FILE_KEY } });
    try {
      const names = (await client.send(new GetApisCommand({}))).Items?.map((a) => a.Name);
      assert.ok(names?.includes('raw-signed'));
      assert.ok(!names?.includes('tampered') && !names?.includes('original'));
    } finally {
      client.destroy();
    }
  });

  it('an unsigned request: 403 MissingAuthenticationTokenException', async () => {
    const res = await rawRequest(s.url, 'GET', '/v2/apis');
    assert.equal(res.status, 403);
    assert.equal(res.headers.get('x-amzn-errortype'), 'MissingAuthenticationTokenException');
    assert.deepEqual(res.json, { message: 'Missing Authentication Token' });
    assert.ok(res.headers.get('x-amzn-requestid'));
  });

  it('a header named like an inherited property (constructor) is an ordinary header: 403 unsigned, 200 signed', async () => {
    const unsigned = await rawRequest(s.url, 'GET', '/v2/apis', { headers: { constructor: '1' } });
    assert.equal(unsigned.status, 403, unsigned.text);
    assert.equal(unsigned.headers.get('x-amzn-errortype'), 'MissingAuthenticationTokenException');
    assert.deepEqual(unsigned.json, { message: 'Missing Authentication Token' });
    const target = new URL('/v2/apis', s.url);
    const headers = { constructor: '1', 'x-amz-meta': '2' };
    const added = signRequest({ method: 'GET', url: target, headers, body: '' }, FILE_KEY, { region: 'us-east-1', service: 'apigateway' });
    const signed = await rawRequest(s.url, 'GET', '/v2/apis', { headers: { ...headers, ...added } });
    assert.equal(signed.status, 200, signed.text);
  });

  it('an unsigned request to an unknown path is refused before routing (no 404 to the unauthenticated)', async () => {
    const unsigned = await rawRequest(s.url, 'GET', '/v2/nothing-here');
    assert.equal(unsigned.status, 403);
    assert.equal(unsigned.headers.get('x-amzn-errortype'), 'MissingAuthenticationTokenException');
    const signed = await signedRaw(s.url, 'GET', '/v2/nothing-here', '');
    assert.equal(signed.status, 404, signed.text);
  });

  it('a non-SigV4 Authorization header: IncompleteSignatureException', async () => {
    const res = await rawRequest(s.url, 'GET', '/v2/apis', { headers: { authorization: 'Bearer abc' } });
    assert.equal(res.status, 403);
    assert.equal(res.headers.get('x-amzn-errortype'), 'IncompleteSignatureException');
    assert.deepEqual(res.json, { message: "'abc' not a valid key=value pair (missing equal-sign) in Authorization header: 'Bearer abc'." });
  });

  it('a signature for another service (execute-api): InvalidSignatureException naming apigateway', async () => {
    const target = new URL('/v2/apis', s.url);
    const added = signRequest({ method: 'GET', url: target, headers: {}, body: '' }, FILE_KEY, { region: 'us-east-1', service: 'execute-api' });
    const res = await rawRequest(s.url, 'GET', '/v2/apis', { headers: added });
    assert.equal(res.status, 403);
    assert.equal(res.headers.get('x-amzn-errortype'), 'InvalidSignatureException');
    assert.deepEqual(res.json, { message: "Credential should be scoped to correct service: 'apigateway'. " });
  });

  it('the envelope format reports ACCESS_DENIED with the AWS type', async () => {
    const res = await rawRequest(s.url, 'GET', '/v2/apis', { headers: { 'x-gatehouse-response-format': 'envelope' } });
    assert.equal(res.status, 403);
    assert.deepEqual(res.json, {
      success: false,
      error: { code: 'ACCESS_DENIED', type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' },
    });
  });

  it('GetTags on an ARN label (percent-encoded in the path) passes the signature check', async () => {
    const client = sdkClient(s.url, { credentials: { ...FILE_KEY } });
    const bad = sdkClient(s.url, { credentials: { accessKeyId: FILE_KEY.accessKeyId, secretAccessKey: 'wrong' } });
    try {
      // Signed correctly: the request reaches GetTags, which does not know the API.
      await rejectsAws(client.send(new GetTagsCommand({ ResourceArn: 'arn:aws:apigateway:us-east-1::/apis/abcdef1234' })), 'NotFoundException', /abcdef1234/, 404);
      await rejectsAws(
        bad.send(new GetTagsCommand({ ResourceArn: 'arn:aws:apigateway:us-east-1::/apis/abcdef1234' })),
        'InvalidSignatureException',
        /^The request signature we calculated does not match/,
        403,
      );
    } finally {
      client.destroy();
      bad.destroy();
    }
  });

  it('the health endpoint needs no signature', async () => {
    const res = await rawRequest(s.url, 'GET', '/_gatehouse/health');
    assert.equal(res.status, 200);
  });
});

describe('SigV4 not enforced (no credentials configured)', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer();
  });
  after(() => s.close());

  it('accepts any key, a skewed clock, a bad signature or none at all', async () => {
    const skewed = sdkClient(s.url, { credentials: { accessKeyId: 'anything', secretAccessKey: 'whatever' }, systemClockOffset: -60 * 60_000 });
    try {
      await skewed.send(new CreateApiCommand({ Name: 'open', ProtocolType: 'HTTP' }));
    } finally {
      skewed.destroy();
    }
    assert.equal((await rawRequest(s.url, 'GET', '/v2/apis')).status, 200);
    assert.equal((await rawRequest(s.url, 'GET', '/v2/apis', { headers: { authorization: 'AWS4-HMAC-SHA256 garbage' } })).status, 200);
    assert.equal((await signedRaw(s.url, 'POST', '/v2/apis', '{"name":"a","protocolType":"HTTP"}', FILE_KEY, () => '{"name":"b","protocolType":"HTTP"}')).status, 201);
  });
});

describe('credentials configuration', () => {
  const FILE_SETTING = '--credentials / GATEHOUSE_CREDENTIALS_FILE';
  const throwsConfig = (fn: () => unknown, message: string | RegExp) =>
    assert.throws(fn, (err: unknown) => {
      assert.ok(err instanceof ConfigError, String(err));
      if (typeof message === 'string') assert.equal(err.message, message);
      else assert.match(err.message, message);
      return true;
    });

  it('leaves credentials out by default (SigV4 not enforced)', () => {
    assert.equal(loadConfig([], {}).credentials, undefined);
    assert.equal('credentials' in loadConfig([], {}), false);
  });

  it('reads the JSON file, the environment list, and their union', () => {
    assert.deepEqual(loadConfig(['--credentials', credentialsFile], {}).credentials, [FILE_KEY]);
    assert.deepEqual(loadConfig([], { GATEHOUSE_CREDENTIALS: 'A1:s1, A2:s:2' }).credentials, [
      { accessKeyId: 'A1', secretAccessKey: 's1' },
      { accessKeyId: 'A2', secretAccessKey: 's:2' },
    ]);
    assert.deepEqual(loadConfig([], { GATEHOUSE_CREDENTIALS_FILE: credentialsFile, GATEHOUSE_CREDENTIALS: 'A1:s1' }).credentials, [
      FILE_KEY,
      { accessKeyId: 'A1', secretAccessKey: 's1' },
    ]);
  });

  it('reads the AWS shared-credentials INI format, skipping profiles without keys', () => {
    const ini = write(
      'credentials.ini',
      '# comment\n[default]\naws_access_key_id = AKIDINI\naws_secret_access_key = ini/secret\n\n[sso]\nregion = us-east-1\n[ci]\naws_access_key_id=AKIDCI\naws_secret_access_key=ci\n',
    );
    assert.deepEqual(loadConfig(['--credentials', ini], {}).credentials, [
      { accessKeyId: 'AKIDINI', secretAccessKey: 'ini/secret' },
      { accessKeyId: 'AKIDCI', secretAccessKey: 'ci' },
    ]);
  });

  it('rejects an unreadable, malformed or empty file, naming the setting', () => {
    const missing = join(tempDir, 'missing.json');
    throwsConfig(() => loadConfig(['--credentials', missing], {}), new RegExp(`^${FILE_SETTING} \\(${missing}\\): cannot read the file: `));
    const bad = write('bad.json', '{"credentials": [');
    throwsConfig(() => loadConfig(['--credentials', bad], {}), new RegExp(`^${FILE_SETTING} \\(${bad}\\): invalid JSON: `));
    const shape = write('shape.json', '{"keys": []}');
    throwsConfig(() => loadConfig(['--credentials', shape], {}), `${FILE_SETTING} (${shape}): expected {"credentials":[{"accessKeyId":"...","secretAccessKey":"..."}]}`);
    const empty = write('empty.json', '{"credentials": []}');
    throwsConfig(() => loadConfig(['--credentials', empty], {}), `${FILE_SETTING} (${empty}): the file holds no credentials`);
    const noSecret = write('nosecret.json', '{"credentials": [{"accessKeyId": "AKID"}]}');
    throwsConfig(() => loadConfig(['--credentials', noSecret], {}), `${FILE_SETTING} (${noSecret}): the secret access key of AKID must be 1-256 printable characters without spaces`);
    const ini = write('half.ini', '[default]\naws_access_key_id = AKID\n');
    throwsConfig(() => loadConfig(['--credentials', ini], {}), `${FILE_SETTING} (${ini}) [default]: the secret access key of AKID must be 1-256 printable characters without spaces`);
    const junk = write('junk.txt', 'hello\n');
    throwsConfig(() => loadConfig(['--credentials', junk], {}), `${FILE_SETTING} (${junk}): line 1 is neither JSON, a [profile] nor a key = value line`);
  });

  it('rejects a malformed GATEHOUSE_CREDENTIALS and a key configured twice with different secrets', () => {
    throwsConfig(() => loadConfig([], { GATEHOUSE_CREDENTIALS: 'AKIDONLY' }), 'GATEHOUSE_CREDENTIALS takes AKID:SECRET[,AKID2:SECRET2], got an entry without ":"');
    throwsConfig(() => loadConfig([], { GATEHOUSE_CREDENTIALS: 'AK/ID:x' }), 'GATEHOUSE_CREDENTIALS: access key id must be 1-128 letters, digits or _.+=@-, got "AK/ID"');
    throwsConfig(() => loadConfig([], { GATEHOUSE_CREDENTIALS: 'A:1,A:2' }), 'access key A is configured twice with different secrets');
    assert.equal(loadConfig([], { GATEHOUSE_CREDENTIALS: 'A:1,A:1' }).credentials?.length, 1);
  });
});
