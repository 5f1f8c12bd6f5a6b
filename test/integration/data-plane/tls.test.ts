/**
 * The TLS listener (`--tls-port`): certificates chosen by SNI from the `certificates` section, the
 * default certificate for execute-api hosts, rotation without a restart, securityPolicy, and the
 * management API kept off it. Certificates are made by `openssl` in the test.
 */
import assert from 'node:assert/strict';
import { readFileSync, renameSync } from 'node:fs';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { connect as tcpConnect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from 'node:tls';
import { CreateApiCommand, CreateApiMappingCommand, CreateDomainNameCommand, CreateIntegrationCommand, CreateRouteCommand, CreateStageCommand } from '@aws-sdk/client-apigatewayv2';
import { hookScopesRunning, storageUsesAsyncHooks } from '../../../src/async-scope.js';
import { fixture, lambdaArn } from '../../helpers/data-plane.js';
import type { TestServer } from '../../helpers/server.js';
import { startServer } from '../../helpers/server.js';
import { startUpstream } from '../../helpers/upstream.js';
import type { Issued } from '../../helpers/tls.js';
import { hasOpenssl, recordingLogger, TestPki, tlsCall } from '../../helpers/tls.js';
import WebSocket from 'ws';
import { createWsApi, HANDLERS } from '../websocket/ws-helpers.js';

/** The client's error when the server answers its ClientHello with a protocol_version alert (RFC 8446 §6.2, alert 70). */
const PROTOCOL_VERSION_ALERT = (err: Error) => /alert protocol version/.test(err.message) && /alert number 70/.test(err.message);

const ARN = (id: string) => `arn:aws:acm:us-east-1:123456789012:certificate/${id}`;

/** Whether this platform's OpenSSL still completes a TLS 1.0 handshake (at security level 0) with a server that allows it. */
function tls10Handshake(port: number, servername: string, ca: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, servername, ca, minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=0' }, () => {
      const protocol = socket.getProtocol() ?? undefined;
      socket.destroy();
      resolve(protocol);
    });
    socket.on('error', () => resolve(undefined));
  });
}

describe('data plane: the TLS listener', { skip: hasOpenssl() ? false : 'openssl is not installed' }, () => {
  let pki: TestPki;
  let ca: Issued;
  let siteA: Issued;
  let s: TestServer;
  let apiId: string;
  const logger = recordingLogger();
  const https = (servername: string, options: { host?: string; path?: string } = {}) => tlsCall(s.gatehouse.tlsPort as number, { servername, ca: ca.pem, ...options });

  before(async () => {
    pki = new TestPki();
    ca = pki.ca('ca', '/O=Gatehouse Tests/CN=Test Root CA');
    siteA = pki.issue(ca, 'a', '/CN=api.a.test', { dns: ['api.a.test', 'legacy.a.test'], serial: '1001' });
    const siteB = pki.issue(ca, 'b', '/CN=api.b.test', { dns: ['api.b.test'], serial: '1002' });
    pki.issue(ca, 'default', '/CN=execute-api', { dns: ['localhost', '*.execute-api.localhost'], serial: '1003' });
    const config = pki.write('gatehouse.json', JSON.stringify({
      functions: { echo: `${fixture('echo.mjs')}#handler` },
      defaultCertificate: { cert: './default.pem', key: './default.key' },
      certificates: { [ARN('a')]: { cert: './a.pem', key: './a.key' }, [ARN('b')]: { cert: siteB.cert, key: siteB.key } },
    }));
    s = await startServer({ args: ['--config', config, '--tls-port', '0'], logger, server: { tls: { reloadIntervalMs: 50 } } });
    apiId = (await s.client.send(new CreateApiCommand({ Name: 'tls', ProtocolType: 'HTTP' }))).ApiId as string;
    const { IntegrationId } = await s.client.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationUri: lambdaArn('echo'), PayloadFormatVersion: '2.0' }));
    await s.client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: '$default', Target: `integrations/${IntegrationId}` }));
    await s.client.send(new CreateStageCommand({ ApiId: apiId, StageName: '$default', AutoDeploy: true }));
    const domains = [['api.a.test', 'a', 'TLS_1_2'], ['api.b.test', 'b', 'TLS_1_2'], ['api.c.test', 'c', 'TLS_1_2'], ['legacy.a.test', 'a', 'TLS_1_0']] as const;
    for (const [name, certificate, policy] of domains) {
      await s.client.send(new CreateDomainNameCommand({ DomainName: name, DomainNameConfigurations: [{ CertificateArn: ARN(certificate), EndpointType: 'REGIONAL', SecurityPolicy: policy }] }));
      // HTTP APIs map to TLS_1_2 domains only (control-plane/domain-names.ts endpointProblem).
      if (policy === 'TLS_1_2') await s.client.send(new CreateApiMappingCommand({ DomainName: name, ApiId: apiId, Stage: '$default' }));
    }
  });
  after(async () => {
    await s?.close();
    pki?.remove();
  });

  it('SNI: two custom domains are each served their own certificate, verified by the client with the test CA', async () => {
    for (const [name, serial] of [['api.a.test', '03E9'], ['api.b.test', '03EA']] as const) {
      const res = await https(name, { path: '/hello' });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.peer.subject.CN, name);
      assert.equal(res.peer.serialNumber, serial);
      assert.equal(res.protocol, 'TLSv1.3');
      const event = res.json<{ rawPath: string; requestContext: { domainName: string; apiId: string; http: { sourceIp: string } } }>();
      assert.equal(event.requestContext.domainName, name);
      assert.equal(event.requestContext.apiId, apiId);
      assert.equal(event.rawPath, '/hello');
      assert.equal(event.requestContext.http.sourceIp, '127.0.0.1', 'the client address reaches the data plane through the TLS engine');
    }
  });

  it("an open keep-alive TLS connection does not keep the function scope's hook running", { skip: storageUsesAsyncHooks ? false : 'AsyncLocalStorage runs no async hooks on this Node.js' }, async () => {
    // The listener once matched a verified TLS socket to its connection through an async scope run around the
    // handshake: the connection's resources carried that scope's value while it stayed open, and so every
    // request of the process paid the hook (src/async-scope.ts). Now it matches them by their addresses.
    const agent = new HttpsAgent({ keepAlive: true, maxSockets: 1, ca: ca.pem, servername: 'api.a.test' });
    try {
      const call = () =>
        new Promise<{ status: number; localPort: number | undefined; sourceIp: string }>((resolve, reject) => {
          const req = httpsRequest({ host: '127.0.0.1', port: s.gatehouse.tlsPort as number, path: '/kept', headers: { host: 'api.a.test' }, agent }, (res) => {
            const chunks: Buffer[] = [];
            // Read now: at the end the agent has taken the socket back.
            const localPort = res.socket.localPort;
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { requestContext: { http: { sourceIp: string } } };
              resolve({ status: res.statusCode ?? 0, localPort, sourceIp: event.requestContext.http.sourceIp });
            });
          });
          req.on('error', reject);
          req.end();
        });
      const first = await call();
      assert.equal(first.status, 200);
      assert.equal(first.sourceIp, '127.0.0.1');
      assert.equal(hookScopesRunning(), true, 'the function ran: its hook is on');
      const deadline = Date.now() + 10_000;
      while (hookScopesRunning() && Date.now() < deadline) await sleep(50);
      assert.equal(hookScopesRunning(), false, 'the hook stops while the TLS connection stays open');
      const second = await call();
      assert.equal(second.status, 200);
      assert.equal(second.localPort, first.localPort, 'the same keep-alive connection served both requests');
    } finally {
      agent.destroy();
    }
  });

  it('execute-api hosts and path-style requests get the default certificate', async () => {
    const res = await https(`${apiId}.execute-api.localhost`, { path: '/x' });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.peer.subject.CN, 'execute-api');
    const pathStyle = await https('localhost', { path: `/_aws/execute-api/${apiId}/y` });
    assert.equal(pathStyle.status, 200, pathStyle.text);
    assert.equal(pathStyle.json<{ rawPath: string }>().rawPath, '/y');
  });

  it('a domain whose certificateArn has no local certificate is served the default one (the client refuses it), and that is logged', async () => {
    await assert.rejects(https('api.c.test'), (err: NodeJS.ErrnoException) => err.code === 'ERR_TLS_CERT_ALTNAME_INVALID');
    const warning = logger.lines.find((l) => l.message.startsWith("tls: a custom domain's certificate is not configured"));
    assert.ok(warning, JSON.stringify(logger.lines));
    assert.equal(warning.fields.domainName, 'api.c.test');
    assert.equal(warning.fields.certificateArn, ARN('c'));
  });

  it('HTTP proxy integrations see the TLS listener in x-forwarded-proto, -port and forwarded', async (t) => {
    const upstream = await startUpstream();
    t.after(() => upstream.close());
    const proxied = (await s.client.send(new CreateApiCommand({ Name: 'proxied', ProtocolType: 'HTTP', Target: `${upstream.origin}/` }))).ApiId as string;
    const res = await https(`${proxied}.execute-api.localhost`, { path: '/items' });
    assert.equal(res.status, 200, res.text);
    const headers = upstream.requests.at(-1)?.headers ?? {};
    assert.equal(headers['x-forwarded-proto'], 'https');
    assert.equal(headers['x-forwarded-port'], String(s.gatehouse.tlsPort));
    assert.equal(headers['x-forwarded-for'], '127.0.0.1');
    assert.equal(headers.forwarded, `for=127.0.0.1;host=${proxied}.execute-api.localhost;proto=https`);
  });

  it('the management API and the server endpoints are not served on the TLS listener', async () => {
    const res = await https('localhost', { path: '/v2/apis' });
    assert.equal(res.status, 404);
    assert.deepEqual(res.json(), { message: 'The TLS listener serves APIs only; the management API is on --port or --admin-port' });
  });

  it('securityPolicy TLS_1_2 refuses a TLS 1.0 or 1.1 client during the handshake; TLS_1_0 admits it', async (t) => {
    for (const version of ['TLSv1', 'TLSv1.1'] as const) {
      await assert.rejects(
        tlsCall(s.gatehouse.tlsPort as number, { servername: 'api.a.test', ca: ca.pem, minVersion: 'TLSv1', maxVersion: version }),
        PROTOCOL_VERSION_ALERT,
        `${version} to a TLS_1_2 domain`,
      );
    }
    await assert.rejects(
      tlsCall(s.gatehouse.tlsPort as number, { servername: `${apiId}.execute-api.localhost`, ca: ca.pem, minVersion: 'TLSv1', maxVersion: 'TLSv1.1' }),
      PROTOCOL_VERSION_ALERT,
      'execute-api hosts are TLS 1.2+',
    );
    const legacy = await tls10Handshake(s.gatehouse.tlsPort as number, 'legacy.a.test', ca.pem);
    if (legacy === undefined) return t.skip('this platform\'s OpenSSL no longer completes TLS 1.0 handshakes, even at security level 0');
    assert.equal(legacy, 'TLSv1');
    const modern = await tlsCall(s.gatehouse.tlsPort as number, { servername: 'legacy.a.test', ca: ca.pem });
    assert.equal(modern.protocol, 'TLSv1.3', 'TLS_1_0 is a minimum');
  });

  it('a certificate replaced on disk is served to new connections without a restart; a broken replacement keeps the old one', async () => {
    assert.equal((await https('api.a.test')).peer.serialNumber, '03E9');
    // A new pair written beside the old one, then renamed over it (how certbot and secret mounts swap files).
    const next = pki.issue(ca, 'a-next', '/CN=api.a.test', { dns: ['api.a.test'], serial: '2001' });
    renameSync(next.key, siteA.key);
    renameSync(next.cert, siteA.cert);
    let serial = '';
    for (let i = 0; i < 100 && serial !== '07D1'; i++) {
      await sleep(50);
      serial = (await https('api.a.test')).peer.serialNumber;
    }
    assert.equal(serial, '07D1', 'the renewed certificate is served');
    assert.ok(logger.lines.some((l) => l.message === 'tls: reloaded' && JSON.stringify(l.fields).includes('a.pem')));

    // A certificate whose key is not there: the renewed pair stays in service and the error is logged.
    const stray = pki.issue(ca, 'stray', '/CN=api.a.test', { dns: ['api.a.test'], serial: '3001' });
    renameSync(stray.cert, siteA.cert);
    for (let i = 0; i < 100 && !logger.lines.some((l) => l.level === 'error' && l.message.startsWith('tls: a changed file does not load')); i++) await sleep(50);
    const failure = logger.lines.find((l) => l.level === 'error' && l.message.startsWith('tls: a changed file does not load'));
    assert.ok(failure, 'the failed reload is logged');
    assert.match(String(failure.fields.error), /are not a certificate and its key/);
    assert.equal((await https('api.a.test')).peer.serialNumber, '07D1');
    const other = await https('api.b.test');
    assert.equal(other.peer.serialNumber, '03EA', 'other domains are untouched');
  });
});

describe('data plane: the TLS listener without a defaultCertificate', () => {
  let s: TestServer;
  let selfSigned: string;
  const logger = recordingLogger();
  before(async () => {
    s = await startServer({ args: ['--tls-port', '0', '--headers-timeout', '800', '--request-timeout', '5000', '--function', `ws=${HANDLERS}#handler`], logger });
    selfSigned = readFileSync(join(s.dataDir, 'tls', 'self-signed.pem'), 'utf8');
  });
  after(() => s?.close());

  it('generates a self-signed certificate in the data dir and says so', async () => {
    const warning = logger.lines.find((l) => l.message.startsWith('tls: no defaultCertificate is configured'));
    assert.ok(warning, JSON.stringify(logger.lines));
    assert.equal(warning.fields.cert, join(s.dataDir, 'tls', 'self-signed.pem'));
    const res = await tlsCall(s.gatehouse.tlsPort as number, { servername: 'nosuchapi.execute-api.localhost', ca: selfSigned });
    assert.equal(res.status, 404, 'verified with the generated certificate as the only trust anchor');
    assert.equal(res.peer.subject.CN, 'Gatehouse self-signed');
    assert.equal(s.gatehouse.tlsUrl, `https://127.0.0.1:${s.gatehouse.tlsPort}`);
  });

  it('WebSocket APIs are served over TLS (wss) on execute-api hosts', async () => {
    const apiId = await createWsApi(s.client, [{ key: '$connect' }, { key: '$default', twoWay: true }]);
    const host = `${apiId}.execute-api.localhost`;
    // `ws` hands TLS options (servername, ca) to https.request.
    const tlsOptions: WebSocket.ClientOptions = { headers: { host }, ca: selfSigned, ...{ servername: host } };
    const ws = new WebSocket(`wss://127.0.0.1:${s.gatehouse.tlsPort}/prod`, tlsOptions);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const reply = new Promise<string>((resolve) => ws.once('message', (data: Buffer) => resolve(data.toString())));
    ws.send('{"action":"anything"}');
    assert.deepEqual(JSON.parse(await reply), { routeKey: '$default', body: '{"action":"anything"}' });
    ws.close();
  });

  it('a client that sends no ClientHello, or no complete request, is cut off after the headers timeout', async () => {
    const started = Date.now();
    const silent = tcpConnect({ host: '127.0.0.1', port: s.gatehouse.tlsPort as number });
    silent.on('error', () => undefined);
    await new Promise((resolve) => silent.once('close', resolve));
    assert.ok(Date.now() - started >= 700, 'not before the timeout');

    const slow = connect({ host: '127.0.0.1', port: s.gatehouse.tlsPort as number, servername: 'localhost', ca: selfSigned });
    await new Promise((resolve, reject) => slow.once('secureConnect', resolve).once('error', reject));
    slow.write('GET / HTTP/1.1\r\nHost: abc.execute-api.localhost\r\n');
    let answer = '';
    slow.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    await new Promise((resolve) => slow.once('close', resolve));
    assert.match(answer, /^HTTP\/1\.1 408 Request Timeout\r\n/);
    assert.match(answer, /\{"message":"Request Timeout"\}$/);
  });
});

describe('data plane: the TLS listener drains on close', () => {
  it('a request in flight over TLS when the server closes completes; a new TLS connection is refused', async () => {
    const upstream = await startUpstream();
    const s = await startServer({ args: ['--tls-port', '0', '--drain-timeout', '5000'] });
    try {
      const selfSigned = readFileSync(join(s.dataDir, 'tls', 'self-signed.pem'), 'utf8');
      const apiId = (await s.client.send(new CreateApiCommand({ Name: 'tls-drain', ProtocolType: 'HTTP' }))).ApiId as string;
      const { IntegrationId } = await s.client.send(
        new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'HTTP_PROXY', IntegrationMethod: 'ANY', IntegrationUri: `${upstream.origin}/slow`, PayloadFormatVersion: '1.0' }),
      );
      await s.client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /slow', Target: `integrations/${IntegrationId}` }));
      await s.client.send(new CreateStageCommand({ ApiId: apiId, StageName: '$default', AutoDeploy: true }));
      const port = s.gatehouse.tlsPort as number;
      const host = `${apiId}.execute-api.localhost`;
      // Served once the stage is compiled.
      for (let i = 0; i < 100; i++) {
        if ((await tlsCall(port, { servername: host, ca: selfSigned, path: '/slow' })).status === 200) break;
        await sleep(20);
      }
      const inFlight = tlsCall(port, { servername: host, ca: selfSigned, path: '/slow', headers: { 'x-upstream-delay': '800' } });
      while (upstream.requests.filter((r) => r.path === '/slow').length < 2) await sleep(5);
      const closed = s.gatehouse.close();
      await sleep(50);
      const refused = await new Promise<string>((resolve) => {
        const socket = tcpConnect({ host: '127.0.0.1', port });
        socket.once('connect', () => {
          socket.destroy();
          resolve('connected');
        });
        socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
      });
      assert.equal(refused, 'ECONNREFUSED', 'the TLS port stops accepting at once');
      const res = await inFlight;
      assert.equal(res.status, 200, 'the request in flight completes (it was cut at once before)');
      assert.equal(JSON.parse(res.text).path, '/slow');
      await closed;
    } finally {
      await s.close().catch(() => undefined);
      await upstream.close();
    }
  });
});
