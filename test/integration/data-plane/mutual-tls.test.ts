/**
 * Mutual TLS on custom domain names (`mutualTlsAuthentication.truststoreUri` -> the config's
 * `truststores`): clients are refused during the handshake without a certificate the truststore
 * verifies, and the verified certificate reaches Lambda events, authorizers and access logs in
 * AWS's shape. Certificates are made by `openssl` in the test; the expected DN, serial and validity
 * texts come from `openssl x509` itself.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-mutual-tls.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateApiCommand,
  CreateApiMappingCommand,
  CreateAuthorizerCommand,
  CreateDomainNameCommand,
  CreateIntegrationCommand,
  CreateRouteCommand,
  CreateStageCommand,
} from '@aws-sdk/client-apigatewayv2';
import { rejectsAws } from '../../helpers/assert-aws.js';
import { call, fixture, lambdaArn } from '../../helpers/data-plane.js';
import type { TestServer } from '../../helpers/server.js';
import { startServer } from '../../helpers/server.js';
import type { Issued } from '../../helpers/tls.js';
import { hasOpenssl, opensslFields, recordingLogger, TestPki, tlsCall } from '../../helpers/tls.js';

const SITE_ARN = 'arn:aws:acm:us-east-1:123456789012:certificate/site';
const TRUSTSTORE = 's3://truststores/clients.pem';
const MISSING_TRUSTSTORE = 's3://truststores/not-configured.pem';
const LOG_FORMAT =
  '$context.requestId|$context.identity.clientCert.subjectDN|$context.identity.clientCert.issuerDN|$context.identity.clientCert.serialNumber' +
  '|$context.identity.clientCert.validity.notBefore|$context.identity.clientCert.validity.notAfter|$context.identity.clientCert.clientCertPem';

interface ClientCert {
  clientCertPem: string;
  subjectDN: string;
  issuerDN: string;
  serialNumber: string;
  validity: { notBefore: string; notAfter: string };
}

describe('data plane: mutual TLS on custom domain names', { skip: hasOpenssl() ? false : 'openssl is not installed' }, () => {
  let pki: TestPki;
  let serverCa: Issued;
  let clientOne: Issued;
  let clientTwo: Issued;
  let rogue: Issued;
  let expired: Issued;
  let s: TestServer;
  const logger = recordingLogger();
  const accessLog: string[] = [];
  const https = (servername: string, options: { client?: Issued; path?: string; host?: string; maxVersion?: 'TLSv1.2' | 'TLSv1.3' } = {}) =>
    tlsCall(s.gatehouse.tlsPort as number, { servername, ca: serverCa.pem, ...options });

  /** The clientCert AWS documents for a certificate, from `openssl x509`'s own reading of it. */
  const expectedCert = (issued: Issued, serialNumber: string): ClientCert => {
    const fields = opensslFields(issued.cert);
    return { clientCertPem: issued.pem, subjectDN: fields.subject, issuerDN: fields.issuer, serialNumber, validity: { notBefore: fields.notBefore, notAfter: fields.notAfter } };
  };

  before(async () => {
    pki = new TestPki();
    serverCa = pki.ca('server-ca', '/O=Gatehouse Tests/CN=Server CA');
    pki.issue(serverCa, 'site', '/CN=mtls.test', { dns: ['mtls.test', 'open.test', 'nostore.test'] });
    const clientsCa = pki.ca('clients-ca', '/C=US/ST=Washington/O=Gatehouse Tests/OU=Security/CN=Clients CA');
    // A 16-byte serial (what CAs issue today) and a small one: AWS prints them differently.
    clientOne = pki.issue(clientsCa, 'client-one', '/C=US/ST=Washington/O=Gatehouse Tests/CN=client one', { serial: '0x7f0a1b2c3d4e5f60718293a4b5c6d7e8' });
    clientTwo = pki.issue(clientsCa, 'client-two', '/C=US/O=Gatehouse Tests/CN=client two', { serial: '4242' });
    expired = pki.issue(clientsCa, 'expired', '/C=US/O=Gatehouse Tests/CN=client one', { days: -1 });
    const rogueCa = pki.ca('rogue-ca', '/O=Elsewhere/CN=Rogue CA');
    rogue = pki.issue(rogueCa, 'rogue', '/O=Elsewhere/CN=client one');
    pki.write('truststore.pem', clientsCa.pem);
    const config = pki.write('gatehouse.yaml', [
      'certificates:',
      `  "${SITE_ARN}": {cert: ./site.pem, key: ./site.key}`,
      'truststores:',
      `  "${TRUSTSTORE}": ./truststore.pem`,
    ].join('\n'));
    s = await startServer({
      args: ['--config', config, '--tls-port', '0', '--function', `echo=${fixture('echo.mjs')}`, '--function', `mtls=${fixture('authorizers.mjs')}#clientCert`],
      logger,
      server: { accessLog: (_arn, line) => void accessLog.push(line) },
    });
    const apiId = (await s.client.send(new CreateApiCommand({ Name: 'mtls', ProtocolType: 'HTTP' }))).ApiId as string;
    const integration = async (version: '1.0' | '2.0') =>
      (await s.client.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationUri: lambdaArn('echo'), PayloadFormatVersion: version }))).IntegrationId as string;
    const authorizer = async (version: '1.0' | '2.0') =>
      (await s.client.send(new CreateAuthorizerCommand({
        ApiId: apiId, Name: `mtls-${version.replace('.', '')}`, AuthorizerType: 'REQUEST', AuthorizerUri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${lambdaArn('mtls')}/invocations`,
        AuthorizerPayloadFormatVersion: version, AuthorizerResultTtlInSeconds: 0, IdentitySource: [], ...(version === '2.0' ? { EnableSimpleResponses: true } : {}),
      }))).AuthorizerId as string;
    const v2 = await integration('2.0');
    const v1 = await integration('1.0');
    await s.client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /v2', Target: `integrations/${v2}` }));
    await s.client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /v1', Target: `integrations/${v1}` }));
    await s.client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /auth', Target: `integrations/${v2}`, AuthorizationType: 'CUSTOM', AuthorizerId: await authorizer('2.0') }));
    await s.client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /auth-v1', Target: `integrations/${v1}`, AuthorizationType: 'CUSTOM', AuthorizerId: await authorizer('1.0') }));
    await s.client.send(new CreateStageCommand({
      ApiId: apiId, StageName: '$default', AutoDeploy: true,
      AccessLogSettings: { DestinationArn: 'arn:aws:logs:us-east-1:123456789012:log-group:mtls', Format: LOG_FORMAT },
    }));
    for (const [name, truststoreUri] of [['mtls.test', TRUSTSTORE], ['open.test', undefined], ['nostore.test', MISSING_TRUSTSTORE]] as const) {
      await s.client.send(new CreateDomainNameCommand({
        DomainName: name,
        DomainNameConfigurations: [{ CertificateArn: SITE_ARN, EndpointType: 'REGIONAL', SecurityPolicy: 'TLS_1_2' }],
        ...(truststoreUri ? { MutualTlsAuthentication: { TruststoreUri: truststoreUri } } : {}),
      }));
      await s.client.send(new CreateApiMappingCommand({ DomainName: name, ApiId: apiId, Stage: '$default' }));
    }
  });
  after(async () => {
    await s?.close();
    pki?.remove();
  });

  it('a client certificate the truststore verifies is served; the 2.0 event carries requestContext.authentication.clientCert', async () => {
    const res = await https('mtls.test', { client: clientOne, path: '/v2' });
    assert.equal(res.status, 200, res.text);
    const event = res.json<{ requestContext: { authentication: { clientCert: ClientCert }; domainName: string } }>();
    assert.equal(event.requestContext.domainName, 'mtls.test');
    // The developer guide's 16-byte serial reads "a1:a1:...:a1".
    assert.deepEqual(event.requestContext.authentication, { clientCert: expectedCert(clientOne, '7f:0a:1b:2c:3d:4e:5f:60:71:82:93:a4:b5:c6:d7:e8') });
    assert.equal(event.requestContext.authentication.clientCert.subjectDN, 'C=US,ST=Washington,O=Gatehouse Tests,CN=client one');
    assert.equal(event.requestContext.authentication.clientCert.issuerDN, 'C=US,ST=Washington,O=Gatehouse Tests,OU=Security,CN=Clients CA');
    assert.match(event.requestContext.authentication.clientCert.validity.notAfter, /^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4} GMT$/);
  });

  it('the 1.0 event carries requestContext.identity.clientCert; a small serial is decimal, as in AWS\'s recorded event', async () => {
    const res = await https('mtls.test', { client: clientTwo, path: '/v1' });
    assert.equal(res.status, 200, res.text);
    const identity = res.json<{ requestContext: { identity: { clientCert: ClientCert; sourceIp: string } } }>().requestContext.identity;
    assert.deepEqual(identity.clientCert, expectedCert(clientTwo, '4242'));
    assert.equal(identity.sourceIp, '127.0.0.1');
  });

  it('Lambda authorizers receive the client certificate (2.0 simple responses and 1.0 policies)', async () => {
    const allowed = await https('mtls.test', { client: clientOne, path: '/auth' });
    assert.equal(allowed.status, 200, allowed.text);
    const event = allowed.json<{ requestContext: { authorizer: { lambda: Record<string, string> } } }>();
    assert.deepEqual(event.requestContext.authorizer.lambda, { subjectDN: 'C=US,ST=Washington,O=Gatehouse Tests,CN=client one', serialNumber: '7f:0a:1b:2c:3d:4e:5f:60:71:82:93:a4:b5:c6:d7:e8' });
    const refused = await https('mtls.test', { client: clientTwo, path: '/auth' });
    assert.equal(refused.status, 403, 'the authorizer decides on the certificate it was given');
    assert.equal((await https('mtls.test', { client: clientOne, path: '/auth-v1' })).status, 200);
    assert.equal((await https('mtls.test', { client: clientTwo, path: '/auth-v1' })).status, 403);
  });

  it('access logs carry $context.identity.clientCert.*; requests without mutual TLS log "-"', async () => {
    accessLog.length = 0;
    await https('mtls.test', { client: clientOne, path: '/v2' });
    await https('open.test', { path: '/v2' });
    const fields = opensslFields(clientOne.cert);
    const [mtls, open] = accessLog;
    assert.ok(mtls && open, JSON.stringify(accessLog));
    const [, ...parts] = mtls.split('|');
    assert.deepEqual(parts, [fields.subject, fields.issuer, '7f:0a:1b:2c:3d:4e:5f:60:71:82:93:a4:b5:c6:d7:e8', fields.notBefore, fields.notAfter, clientOne.pem]);
    assert.deepEqual(open.split('|').slice(1), ['-', '-', '-', '-', '-', '-']);
  });

  it('a client without a certificate is refused during the handshake (TLS 1.3 certificate_required, TLS 1.2 handshake_failure)', async () => {
    await assert.rejects(https('mtls.test', { path: '/v2' }), (err: Error) => /alert certificate required/.test(err.message));
    await assert.rejects(https('mtls.test', { path: '/v2', maxVersion: 'TLSv1.2' }), (err: Error) => /alert handshake failure/.test(err.message));
    assert.ok(logger.lines.some((l) => l.message === 'tls: mutual TLS handshake refused' && l.fields.domainName === 'mtls.test'));
  });

  it('a certificate from a CA the truststore does not hold, or an expired one, is refused before any request is read', async () => {
    for (const [client, reason] of [[rogue, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'], [expired, 'CERT_HAS_EXPIRED']] as const) {
      for (const maxVersion of ['TLSv1.3', 'TLSv1.2'] as const) {
        // Node verifies the chain once the handshake is done and ends the connection before reading anything.
        await assert.rejects(https('mtls.test', { client, path: '/v2', maxVersion }), (err: NodeJS.ErrnoException) => err.code === 'ECONNRESET', `${reason} over ${maxVersion}`);
      }
      assert.ok(logger.lines.some((l) => l.message === 'tls: mutual TLS handshake refused' && l.fields.reason === reason), `${reason} is logged`);
    }
  });

  it('a domain whose truststore is not configured locally refuses every handshake, and says why in the log', async () => {
    await assert.rejects(https('nostore.test', { client: clientOne, path: '/v2' }), (err: Error) => /alert handshake failure/.test(err.message));
    const logged = logger.lines.find((l) => l.level === 'error' && l.message === 'tls: a mutual TLS domain cannot be served');
    assert.ok(logged, JSON.stringify(logger.lines));
    assert.equal(logged.fields.domainName, 'nostore.test');
    assert.equal(logged.fields.set, `truststores: {"${MISSING_TRUSTSTORE}": ./bundle.pem} in --config`);
  });

  it('a mutual TLS domain is not reached through a handshake made for another name, nor on the plain listener (403)', async () => {
    const viaOther = await https('open.test', { client: clientOne, host: 'mtls.test', path: '/v2' });
    assert.equal(viaOther.status, 403);
    assert.equal(viaOther.text, '{"message":"Forbidden"}');
    const plain = await call(s.gatehouse.port, '', 'GET', '/v2', { host: 'mtls.test' });
    assert.equal(plain.status, 403);
    assert.equal(plain.text, '{"message":"Forbidden"}');
    const openPlain = await call(s.gatehouse.port, '', 'GET', '/v2', { host: 'open.test' });
    assert.equal(openPlain.status, 200, 'domains without mutual TLS stay on the plain listener too');
  });
});

describe('--strict: mutual TLS is acted on once its truststore is configured for the TLS listener', { skip: hasOpenssl() ? false : 'openssl is not installed' }, () => {
  let pki: TestPki;
  let s: TestServer;
  before(async () => {
    pki = new TestPki();
    pki.write('truststore.pem', pki.ca('clients-ca', '/CN=Clients CA').pem);
    const config = pki.write('gatehouse.json', JSON.stringify({ truststores: { [TRUSTSTORE]: './truststore.pem' } }));
    s = await startServer({ args: ['--strict', '--config', config, '--tls-port', '0'] });
  });
  after(async () => {
    await s?.close();
    pki?.remove();
  });

  it('CreateDomainName with a configured truststore is accepted; with another one it is refused, naming why', async () => {
    const created = await s.client.send(new CreateDomainNameCommand({ DomainName: 'mtls.strict.test', MutualTlsAuthentication: { TruststoreUri: TRUSTSTORE } }));
    assert.equal(created.MutualTlsAuthentication?.TruststoreUri, TRUSTSTORE);
    await rejectsAws(
      s.client.send(new CreateDomainNameCommand({ DomainName: 'other.strict.test', MutualTlsAuthentication: { TruststoreUri: MISSING_TRUSTSTORE } })),
      'BadRequestException',
      `Gatehouse runs with --strict and does not act on domain name other.strict.test mutualTlsAuthentication: no local truststore is configured for ${MISSING_TRUSTSTORE} (config truststores): the TLS listener refuses the domain's handshakes`,
    );
  });
});
