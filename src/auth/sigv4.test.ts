import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ApiGatewayManagementApiClient, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { ApiGatewayV2Client, CreateApiCommand, GetApisCommand, GetRouteCommand, TagResourceCommand, UntagResourceCommand } from '@aws-sdk/client-apigatewayv2';
import type { IncomingSignedRequest, SigV4Failure, SigV4Success, VerifyOptions } from './sigv4.js';
import {
  canonicalHeaderValue,
  canonicalQuery,
  canonicalUri,
  computeSignature,
  EMPTY_SHA256,
  headersFromRaw,
  presignUrl,
  queryPairs,
  sha256Hex,
  signedRequestOf,
  signRequest,
  verifyRequest,
} from './sigv4.js';

// AWS's published SigV4 test suite (aws-sig-v4-test-suite): this key, this instant, us-east-1, service `service`.
const SUITE = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const SUITE_NOW = new Date('2015-08-30T12:36:00Z');
const SUITE_SCOPE = 'AKIDEXAMPLE/20150830/us-east-1/service/aws4_request';
const suiteOptions: VerifyOptions = { service: 'service', lookup: (id) => (id === SUITE.accessKeyId ? SUITE.secretAccessKey : undefined), now: SUITE_NOW };

interface Vector {
  name: string;
  method: string;
  /** The request-target path exactly as the suite's `.req` file writes it. */
  path: string;
  query?: string;
  headers?: Record<string, string | string[]>;
  body?: string;
  signedHeaders: string;
  signature: string;
}

const VECTORS: Vector[] = [
  { name: 'get-vanilla', method: 'GET', path: '/', signedHeaders: 'host;x-amz-date', signature: '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31' },
  { name: 'get-relative-relative', method: 'GET', path: '/example1/example2/../..', signedHeaders: 'host;x-amz-date', signature: '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31' },
  { name: 'get-slashes', method: 'GET', path: '//example//', signedHeaders: 'host;x-amz-date', signature: '9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84' },
  { name: 'get-space', method: 'GET', path: '/example space/', signedHeaders: 'host;x-amz-date', signature: '652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741' },
  { name: 'get-utf8', method: 'GET', path: '/ሴ', signedHeaders: 'host;x-amz-date', signature: '8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85' },
  {
    name: 'get-unreserved',
    method: 'GET',
    path: '/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
    signedHeaders: 'host;x-amz-date',
    signature: '07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f',
  },
  { name: 'get-vanilla-empty-query-key', method: 'GET', path: '/', query: 'Param1=value1', signedHeaders: 'host;x-amz-date', signature: 'a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb' },
  {
    name: 'get-vanilla-query-order-key-case',
    method: 'GET',
    path: '/',
    query: 'Param2=value2&Param1=value1',
    signedHeaders: 'host;x-amz-date',
    signature: 'b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500',
  },
  { name: 'get-vanilla-utf8-query', method: 'GET', path: '/', query: 'ሴ=bar', signedHeaders: 'host;x-amz-date', signature: '2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04' },
  {
    name: 'get-vanilla-query-unreserved',
    method: 'GET',
    path: '/',
    query: '-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
    signedHeaders: 'host;x-amz-date',
    signature: '9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197',
  },
  {
    name: 'get-header-key-duplicate',
    method: 'GET',
    path: '/',
    headers: { 'My-Header1': ['value2', 'value2', 'value1'] },
    signedHeaders: 'host;my-header1;x-amz-date',
    signature: 'c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea',
  },
  { name: 'post-vanilla', method: 'POST', path: '/', signedHeaders: 'host;x-amz-date', signature: '5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b' },
  { name: 'post-vanilla-query', method: 'POST', path: '/', query: 'Param1=value1', signedHeaders: 'host;x-amz-date', signature: '28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11' },
  {
    name: 'post-header-key-sort',
    method: 'POST',
    path: '/',
    headers: { 'My-Header1': 'value1' },
    signedHeaders: 'host;my-header1;x-amz-date',
    signature: 'c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c',
  },
  {
    name: 'post-header-value-case',
    method: 'POST',
    path: '/',
    headers: { 'My-Header1': 'VALUE1' },
    signedHeaders: 'host;my-header1;x-amz-date',
    signature: 'cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d',
  },
  {
    name: 'post-x-www-form-urlencoded',
    method: 'POST',
    path: '/',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'Param1=value1',
    signedHeaders: 'content-type;host;x-amz-date',
    signature: 'ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a',
  },
  {
    name: 'post-x-www-form-urlencoded-parameters',
    method: 'POST',
    path: '/',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf8' },
    body: 'Param1=value1',
    signedHeaders: 'content-type;host;x-amz-date',
    signature: '1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe',
  },
];

const suiteRequest = (v: Vector): IncomingSignedRequest => ({
  method: v.method,
  rawPath: v.path,
  rawQuery: v.query ?? '',
  headers: {
    Host: 'example.amazonaws.com',
    'X-Amz-Date': '20150830T123600Z',
    ...v.headers,
    Authorization: `AWS4-HMAC-SHA256 Credential=${SUITE_SCOPE}, SignedHeaders=${v.signedHeaders}, Signature=${v.signature}`,
  },
  body: v.body ?? '',
});

const ok = (result: SigV4Success | SigV4Failure): SigV4Success => {
  assert.ok(result.ok, result.ok ? '' : `${result.code}: ${result.message}`);
  return result;
};
const refused = (result: SigV4Success | SigV4Failure, code: SigV4Failure['code'], message?: string | RegExp): SigV4Failure => {
  assert.equal(result.ok, false, 'expected a refusal');
  const failure = result as SigV4Failure;
  assert.equal(failure.code, code, failure.message);
  if (typeof message === 'string') assert.equal(failure.message, message);
  else if (message) assert.match(failure.message, message);
  return failure;
};
const MISMATCH = /^The request signature we calculated does not match the signature you provided\. Check your AWS Secret Access Key and signing method\. Consult the service documentation for details\.\n\nThe Canonical String for this request should have been\n'/;

describe('AWS SigV4 test suite vectors', () => {
  for (const v of VECTORS) {
    it(`${v.name} verifies`, () => {
      const result = ok(verifyRequest(suiteRequest(v), suiteOptions));
      assert.equal(result.accessKeyId, 'AKIDEXAMPLE');
      assert.equal(result.region, 'us-east-1');
      assert.equal(result.presigned, false);
    });
  }

  it('get-vanilla: the canonical request and string to sign are the published ones', () => {
    const computed = computeSignature(
      { method: 'GET', uri: '/', query: '', headers: { host: 'example.amazonaws.com', 'x-amz-date': '20150830T123600Z' }, signedHeaders: ['host', 'x-amz-date'], payloadHash: EMPTY_SHA256 },
      SUITE.secretAccessKey,
      '20150830T123600Z',
      { region: 'us-east-1', service: 'service' },
    );
    assert.equal(computed.canonicalRequest, `GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n${EMPTY_SHA256}`);
    assert.equal(
      computed.stringToSign,
      'AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\nbb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63',
    );
    assert.equal(computed.signature, '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31');
  });

  it('post-x-www-form-urlencoded: the payload hash is the body\'s', () => {
    assert.equal(sha256Hex('Param1=value1'), '9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e');
  });

  it('a vector with its body altered no longer verifies', () => {
    const v = VECTORS.find((x) => x.name === 'post-x-www-form-urlencoded') as Vector;
    refused(verifyRequest({ ...suiteRequest(v), body: 'Param1=value2' }, suiteOptions), 'InvalidSignature', MISMATCH);
  });
});

describe('canonical form', () => {
  it('encodes each path segment once more, as the SDKs do for every service but S3', () => {
    assert.equal(canonicalUri('/v2/tags/arn%3Aaws%3Aapigateway%3Aus-east-1%3A%3A%2Fapis%2Fabc'), '/v2/tags/arn%253Aaws%253Aapigateway%253Aus-east-1%253A%253A%252Fapis%252Fabc');
    assert.equal(canonicalUri('/prod/@connections/L0SM9cOFvHcCIhw%3D'), '/prod/%40connections/L0SM9cOFvHcCIhw%253D');
    assert.equal(canonicalUri(''), '/');
    assert.equal(canonicalUri('/a/./b/../c/'), '/a/c/');
    assert.equal(canonicalUri('/a/.'), '/a');
  });

  it('decodes, re-encodes and sorts the query by name then value, leaving X-Amz-Signature out', () => {
    assert.equal(canonicalQuery(queryPairs('b=2&a=z&a=a&X-Amz-Signature=x&c')), 'a=a&a=z&b=2&c=');
    assert.equal(canonicalQuery(queryPairs('k=a%20b&k2=a+b&k3=%7E%2a')), 'k=a%20b&k2=a%2Bb&k3=~%2A');
    assert.equal(canonicalQuery(queryPairs('bad=%E0%A4%A')), 'bad=%25E0%25A4%25A');
  });

  it('trims header values, collapses inner whitespace and joins repeats with commas', () => {
    assert.equal(canonicalHeaderValue('  a   b \t c  '), 'a b c');
    assert.equal(canonicalHeaderValue('"a   b   c"'), '"a b c"');
    assert.equal(canonicalHeaderValue(['x', ' y ']), 'x,y');
    assert.equal(canonicalHeaderValue(undefined), '');
  });

  it('keeps every occurrence of a header from rawHeaders, names lower-cased', () => {
    assert.deepEqual(headersFromRaw(['Host', 'h', 'My-H', 'a', 'my-h', 'b']), { host: ['h'], 'my-h': ['a', 'b'] });
  });
});

const CREDS = { accessKeyId: 'AKIDGATEHOUSE', secretAccessKey: 'c2VjcmV0/+key' };
const NOW = new Date('2026-03-01T10:00:00.456Z');
const options: VerifyOptions = { service: 'execute-api', lookup: (id) => (id === CREDS.accessKeyId ? CREDS.secretAccessKey : undefined), now: NOW };

/** Signs with `signRequest` and returns the request as a server receives it. */
function signed(
  init: { method?: string; url?: string; headers?: Record<string, string>; body?: string; service?: string; region?: string; at?: Date; sessionToken?: string } = {},
): IncomingSignedRequest {
  const url = new URL(init.url ?? 'https://abc123.execute-api.us-east-1.amazonaws.com/prod/@connections/L0SM9cOFvHcCIhw%3D?b=1&a=x%20y');
  const headers = { 'content-type': 'application/json', ...init.headers };
  const body = init.body ?? '{"hello":"world"}';
  const added = signRequest(
    { method: init.method ?? 'POST', url, headers, body },
    { ...CREDS, ...(init.sessionToken ? { sessionToken: init.sessionToken } : {}) },
    { region: init.region ?? 'us-east-1', service: init.service ?? 'execute-api' },
    init.at ?? NOW,
  );
  return { method: init.method ?? 'POST', rawPath: url.pathname, rawQuery: url.search.slice(1), headers: { host: url.host, ...headers, ...added }, body };
}

describe('signRequest', () => {
  it('returns authorization, x-amz-date and x-amz-content-sha256, signing host and the given headers', () => {
    const url = new URL('https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/f/invocations');
    const added = signRequest({ method: 'POST', url, headers: { 'Content-Type': 'application/json', 'User-Agent': 'gatehouse' }, body: '{}' }, CREDS, { region: 'us-east-1', service: 'lambda' }, NOW);
    assert.deepEqual(Object.keys(added).sort(), ['authorization', 'x-amz-content-sha256', 'x-amz-date']);
    assert.equal(added['x-amz-date'], '20260301T100000Z');
    assert.equal(added['x-amz-content-sha256'], sha256Hex('{}'));
    assert.match(added.authorization as string, /^AWS4-HMAC-SHA256 Credential=AKIDGATEHOUSE\/20260301\/us-east-1\/lambda\/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$/);
  });

  it('matches the AWS SDK signer byte for byte (Lambda Invoke of an ARN, qualifier in the query)', () => {
    // Authorization computed by @smithy/signature-v4 (the signer of AWS SDK for JavaScript v3) for this request.
    const added = signRequest(
      {
        method: 'POST',
        url: new URL('https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123%3Afunction%3Af/invocations?Qualifier=%24LATEST'),
        headers: { 'content-type': 'application/json', 'user-agent': 'x' },
        body: '{"a":1}',
      },
      SUITE,
      { region: 'us-east-1', service: 'lambda' },
      SUITE_NOW,
    );
    assert.equal(
      added.authorization,
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/lambda/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date, ' +
        'Signature=6e65ecec193006912c3e4a8ca65da89d3b08e7324f8ae3795f541e568a488bec',
    );
  });

  it('adds and signs x-amz-security-token for temporary credentials', () => {
    const request = signed({ sessionToken: 'FQoGZXIvYXdzEJr//token' });
    assert.equal(request.headers['x-amz-security-token'], 'FQoGZXIvYXdzEJr//token');
    assert.match(String(request.headers.authorization), /SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token,/);
    assert.equal(ok(verifyRequest(request, options)).sessionToken, 'FQoGZXIvYXdzEJr//token');
  });

  it('uses a given x-amz-content-sha256 (UNSIGNED-PAYLOAD) as the payload hash', () => {
    const request = signed({ headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } });
    assert.equal(request.headers['x-amz-content-sha256'], 'UNSIGNED-PAYLOAD');
    refused(verifyRequest(request, options), 'InvalidSignature', MISMATCH);
    ok(verifyRequest({ ...request, body: 'anything at all' }, { ...options, allowUnsignedPayload: true }));
  });
});

describe('verifyRequest: round trip and tampering', () => {
  it('accepts what signRequest signed and reports the scope', () => {
    const result = ok(verifyRequest(signed(), options));
    assert.deepEqual(
      { id: result.accessKeyId, region: result.region, service: result.service, at: result.signedAt.toISOString(), presigned: result.presigned },
      { id: 'AKIDGATEHOUSE', region: 'us-east-1', service: 'execute-api', at: '2026-03-01T10:00:00.000Z', presigned: false },
    );
    assert.deepEqual(result.signedHeaders, ['content-type', 'host', 'x-amz-content-sha256', 'x-amz-date']);
  });

  it('accepts a Buffer body, a precomputed payload hash, and any well-formed region', () => {
    const request = signed({ region: 'ap-southeast-2' });
    ok(verifyRequest({ ...request, body: Buffer.from(request.body as string) }, options));
    const { body: _body, ...withoutBody } = request;
    ok(verifyRequest({ ...withoutBody, payloadHash: sha256Hex(request.body as string) }, options));
    assert.equal(ok(verifyRequest(request, options)).region, 'ap-southeast-2');
  });

  it('refuses a tampered body, even though the declared x-amz-content-sha256 still matches the signature', () => {
    refused(verifyRequest({ ...signed(), body: '{"hello":"mallory"}' }, options), 'InvalidSignature', MISMATCH);
  });

  it('refuses a tampered signed header, path, query or method', () => {
    const request = signed();
    refused(verifyRequest({ ...request, headers: { ...request.headers, 'content-type': 'text/plain' } }, options), 'InvalidSignature', MISMATCH);
    refused(verifyRequest({ ...request, rawPath: '/prod/@connections/OTHER%3D' }, options), 'InvalidSignature', MISMATCH);
    refused(verifyRequest({ ...request, rawQuery: 'b=2&a=x%20y' }, options), 'InvalidSignature', MISMATCH);
    refused(verifyRequest({ ...request, rawQuery: '' }, options), 'InvalidSignature', MISMATCH);
    refused(verifyRequest({ ...request, method: 'DELETE' }, options), 'InvalidSignature', MISMATCH);
  });

  it('ignores unsigned headers and the order of query parameters', () => {
    const request = signed();
    ok(verifyRequest({ ...request, headers: { ...request.headers, 'user-agent': 'other', 'x-forwarded-for': '10.0.0.1' } }, options));
    ok(verifyRequest({ ...request, rawQuery: 'a=x%20y&b=1' }, options));
  });

  it('puts the canonical request and string to sign it expected in the mismatch message', () => {
    const failure = refused(verifyRequest({ ...signed(), body: 'x' }, options), 'InvalidSignature', MISMATCH);
    assert.ok(failure.message.includes(`/prod/%40connections/L0SM9cOFvHcCIhw%253D\na=x%20y&b=1\n`), failure.message);
    assert.ok(failure.message.endsWith(`'\n`));
    assert.ok(failure.message.includes("\n\nThe String-to-Sign should have been\n'AWS4-HMAC-SHA256\n20260301T100000Z\n20260301/us-east-1/execute-api/aws4_request\n"));
  });

  it('refuses the right key id with the wrong secret, and an unknown key id', () => {
    refused(verifyRequest(signed(), { ...options, lookup: () => 'not-the-secret' }), 'InvalidSignature', MISMATCH);
    refused(verifyRequest(signed(), { ...options, lookup: () => undefined }), 'UnrecognizedClient', 'The security token included in the request is invalid.');
  });

  it('compares signatures of another length without throwing', () => {
    const request = signed();
    const auth = String(request.headers.authorization).replace(/Signature=\w+/, 'Signature=abc');
    refused(verifyRequest({ ...request, headers: { ...request.headers, authorization: auth } }, options), 'InvalidSignature', MISMATCH);
  });
});

describe('verifyRequest: time window', () => {
  const minutes = (n: number) => new Date(NOW.getTime() + n * 60_000);

  it('accepts a signature up to 5 minutes old or early', () => {
    ok(verifyRequest(signed({ at: minutes(-4.9) }), options));
    ok(verifyRequest(signed({ at: minutes(4.9) }), options));
  });

  it('refuses an expired signature with AWS\'s message', () => {
    refused(
      verifyRequest(signed({ at: minutes(-20) }), options),
      'SignatureExpired',
      'Signature expired: 20260301T094000Z is now earlier than 20260301T095500Z (20260301T100000Z - 5 min.)',
    );
  });

  it('refuses a signature from the future with AWS\'s message', () => {
    refused(
      verifyRequest(signed({ at: minutes(6) }), options),
      'SignatureExpired',
      'Signature not yet current: 20260301T100600Z is still later than 20260301T100500Z (20260301T100000Z + 5 min.)',
    );
  });

  it('takes another allowed skew', () => {
    ok(verifyRequest(signed({ at: minutes(-14) }), { ...options, clockSkewMs: 15 * 60_000 }));
    refused(verifyRequest(signed({ at: minutes(-1) }), { ...options, clockSkewMs: 30_000 }), 'SignatureExpired', /\(20260301T100000Z - 0\.5 min\.\)$/);
  });

  it('reads the Date header when there is no x-amz-date', () => {
    const headers = { host: 'h.example', date: 'Sun, 01 Mar 2026 10:00:00 GMT' };
    const { signature, credentialScope } = computeSignature(
      { method: 'GET', uri: '/', query: '', headers, signedHeaders: ['date', 'host'], payloadHash: EMPTY_SHA256 },
      CREDS.secretAccessKey,
      '20260301T100000Z',
      { region: 'us-east-1', service: 'execute-api' },
    );
    const authorization = `AWS4-HMAC-SHA256 Credential=${CREDS.accessKeyId}/${credentialScope}, SignedHeaders=date;host, Signature=${signature}`;
    const request = { method: 'GET', rawPath: '/', rawQuery: '', headers: { ...headers, authorization }, body: '' };
    assert.equal(ok(verifyRequest(request, options)).signedAt.toISOString(), '2026-03-01T10:00:00.000Z');
    refused(verifyRequest({ ...request, headers: { ...request.headers, date: 'Sun, 01 Mar 2026 10:00:01 GMT' } }, options), 'InvalidSignature', MISMATCH);
    refused(verifyRequest({ ...request, headers: { ...request.headers, date: 'yesterday' } }, options), 'IncompleteSignature', /^Date must be in ISO-8601 'basic format'\. Got 'yesterday'/);
  });
});

describe('verifyRequest: malformed and missing signatures', () => {
  const base = signed();
  const withAuth = (authorization: string | undefined, extra: Record<string, string | undefined> = {}) => {
    const headers: Record<string, string | readonly string[] | undefined> = { ...base.headers, ...extra };
    if (authorization === undefined) delete headers.authorization;
    else headers.authorization = authorization;
    return { ...base, headers };
  };
  const auth = String(base.headers.authorization);

  it('no signature at all: MissingAuthenticationToken', () => {
    refused(verifyRequest(withAuth(undefined), options), 'MissingAuthenticationToken', 'Missing Authentication Token');
  });

  it('a header and a presigned query at once', () => {
    refused(
      verifyRequest({ ...base, rawQuery: 'X-Amz-Algorithm=AWS4-HMAC-SHA256' }, options),
      'InvalidSignature',
      "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.",
    );
  });

  it('an Authorization header that is not SigV4 lists every missing part', () => {
    refused(
      verifyRequest(withAuth('eyJhbGciOiJIUzI1NiJ9.e30.sig', { 'x-amz-date': undefined }), options),
      'IncompleteSignature',
      "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. " +
        "Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. " +
        'Authorization=eyJhbGciOiJIUzI1NiJ9.e30.sig',
    );
  });

  it('a part without an equal sign', () => {
    const bad = auth.replace('Credential=', 'Credential= ');
    refused(verifyRequest(withAuth(bad), options), 'IncompleteSignature', `'AKIDGATEHOUSE/20260301/us-east-1/execute-api/aws4_request' not a valid key=value pair (missing equal-sign) in Authorization header: '${bad}'.`);
  });

  it('a date that is not ISO-8601 basic', () => {
    refused(verifyRequest(withAuth(auth, { 'x-amz-date': '2026-03-01T10:00:00Z' }), options), 'IncompleteSignature', "Date must be in ISO-8601 'basic format'. Got '2026-03-01T10:00:00Z'. See http://en.wikipedia.org/wiki/ISO_8601");
  });

  it('host not among the signed headers', () => {
    refused(verifyRequest(withAuth(auth.replace('host;', '')), options), 'InvalidSignature', "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  });

  it('another algorithm', () => {
    refused(verifyRequest(withAuth(auth.replace('AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA512')), options), 'IncompleteSignature', "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512' (only AWS4-HMAC-SHA256 for now). ");
  });

  it('a credential without its five parts', () => {
    refused(
      verifyRequest(withAuth(auth.replace('/execute-api/aws4_request', '/execute-api')), options),
      'IncompleteSignature',
      "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKIDGATEHOUSE/20260301/us-east-1/execute-api'",
    );
  });

  it('a scope naming another service, a bad region, terminator or date lists each problem', () => {
    refused(verifyRequest(signed({ service: 'apigateway' }), options), 'InvalidSignature', "Credential should be scoped to correct service: 'execute-api'. ");
    refused(verifyRequest(signed({ region: 'local' }), options), 'InvalidSignature', "Credential should be scoped to a valid region, not 'local'. ");
    refused(verifyRequest(signed({ region: 'eu-west-1' }), { ...options, region: 'us-east-1' }), 'InvalidSignature', "Credential should be scoped to a valid region, not 'eu-west-1'. ");
    refused(
      verifyRequest(withAuth(auth.replace('AKIDGATEHOUSE/20260301/us-east-1/execute-api/aws4_request', 'AKIDGATEHOUSE/20260228/moon/s3/aws5_request')), options),
      'InvalidSignature',
      "Credential should be scoped to a valid region, not 'moon'. Credential should be scoped to correct service: 'execute-api'. " +
        "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. " +
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20260228' != '20260301', from '20260301T100000Z'.",
    );
  });
});

describe('verifyRequest: presigned URLs', () => {
  const presigned = (expiresIn: number, at = NOW, url = 'https://abc123.execute-api.us-east-1.amazonaws.com/prod?stage=a b&x=1'): IncomingSignedRequest => {
    const signedUrl = presignUrl({ method: 'GET', url: new URL(url) }, CREDS, { region: 'us-east-1', service: 'execute-api' }, expiresIn, at);
    return { method: 'GET', rawPath: signedUrl.pathname, rawQuery: signedUrl.search.slice(1), headers: { host: signedUrl.host } };
  };

  it('accepts a presigned URL within its validity and reports it as presigned', () => {
    const result = ok(verifyRequest(presigned(300, new Date(NOW.getTime() - 200_000)), options));
    assert.equal(result.presigned, true);
    assert.deepEqual(result.signedHeaders, ['host']);
  });

  it('writes the signature parameters AWS expects into the URL', () => {
    const url = presignUrl({ method: 'GET', url: new URL('https://h.example/p') }, CREDS, { region: 'us-east-1', service: 'execute-api' }, 60, NOW);
    assert.deepEqual(
      [...url.searchParams.keys()],
      ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature'],
    );
    assert.equal(url.searchParams.get('X-Amz-Credential'), 'AKIDGATEHOUSE/20260301/us-east-1/execute-api/aws4_request');
  });

  it('refuses one past X-Amz-Expires', () => {
    refused(
      verifyRequest(presigned(60, new Date(NOW.getTime() - 61_000)), options),
      'SignatureExpired',
      'Signature expired: 20260301T095859Z is now earlier than 20260301T095900Z (20260301T100000Z - 60 sec.)',
    );
  });

  it('refuses an X-Amz-Expires beyond 7 days', () => {
    refused(verifyRequest(presigned(604_801), options), 'IncompleteSignature', "X-Amz-Expires must be a number of seconds from 0 to 604800, got '604801'.");
  });

  it('refuses a changed query parameter or a missing signature parameter', () => {
    const request = presigned(60);
    refused(verifyRequest({ ...request, rawQuery: request.rawQuery.replace('x=1', 'x=2') }, options), 'InvalidSignature', MISMATCH);
    refused(
      verifyRequest({ ...request, rawQuery: request.rawQuery.replace(/&X-Amz-Signature=\w+/, '').replace(/X-Amz-Date=\w+&/, '') }, options),
      'IncompleteSignature',
      "AWS query-string parameters must include 'X-Amz-Signature'. AWS query-string parameters must include 'X-Amz-Date'. Re-examine the query-string parameters.",
    );
  });
});

describe('verifyRequest against requests signed by the AWS SDK for JavaScript v3', () => {
  const secret = 'wJalrXUtnFEMI/K7MDENG+bPx/SDK+test';
  const results: { method: string; url: string; verdict: SigV4Success | SigV4Failure }[] = [];
  let service = 'apigateway';
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const verdict = verifyRequest(signedRequestOf(req, Buffer.concat(chunks)), { service, lookup: (id) => (id === 'AKIDSDK' ? secret : undefined) });
      results.push({ method: req.method ?? '', url: req.url ?? '', verdict });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  let endpoint = '';
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('apigatewayv2: percent-encoded ARN labels, repeated and reserved query values, JSON bodies', async () => {
    service = 'apigateway';
    results.length = 0;
    const client = new ApiGatewayV2Client({ endpoint, region: 'eu-west-3', credentials: { accessKeyId: 'AKIDSDK', secretAccessKey: secret }, maxAttempts: 1 });
    const arn = 'arn:aws:apigateway:eu-west-3::/apis/abc123';
    try {
      await client.send(new TagResourceCommand({ ResourceArn: arn, Tags: { 'a b': 'c/d', 'x:y': 'ü' } }));
      await client.send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: ['a b', 'x:y', 'p+q', 'r&s=t', "~*()!'"] }));
      await client.send(new GetApisCommand({ MaxResults: '5', NextToken: 'a+b/c=d e%f' }));
      await client.send(new GetRouteCommand({ ApiId: 'abc', RouteId: 'r:/ x' }));
      await client.send(new CreateApiCommand({ Name: 'pets ü', ProtocolType: 'HTTP' }));
    } finally {
      client.destroy();
    }
    assert.equal(results.length, 5);
    assert.equal(results[0]?.url, '/v2/tags/arn%3Aaws%3Aapigateway%3Aeu-west-3%3A%3A%2Fapis%2Fabc123');
    for (const { method, url, verdict } of results) assert.ok(verdict.ok, `${method} ${url}: ${verdict.ok ? '' : verdict.message}`);
    assert.equal((results[0]?.verdict as SigV4Success).region, 'eu-west-3');
  });

  it('apigatewaymanagementapi (@connections, service execute-api): connection ids with = and a stage prefix', async () => {
    service = 'execute-api';
    results.length = 0;
    const client = new ApiGatewayManagementApiClient({ endpoint: `${endpoint}/prod`, region: 'us-east-1', credentials: { accessKeyId: 'AKIDSDK', secretAccessKey: secret }, maxAttempts: 1 });
    try {
      await client.send(new PostToConnectionCommand({ ConnectionId: 'L0SM9cOFvHcCIhw=', Data: Buffer.from('hello') }));
    } finally {
      client.destroy();
    }
    assert.equal(results[0]?.url, '/prod/@connections/L0SM9cOFvHcCIhw%3D');
    const verdict = results[0]?.verdict;
    assert.ok(verdict?.ok, verdict && !verdict.ok ? verdict.message : 'no request');
  });
});
