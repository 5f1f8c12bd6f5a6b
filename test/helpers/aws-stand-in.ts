/**
 * A local stand-in for AWS service endpoints (SQS, EventBridge, Kinesis, Step Functions, AppConfig,
 * STS) on 127.0.0.1: records every request it receives, checks its SigV4 signature with
 * src/auth/sigv4.ts verifyRequest, and answers with what the test scripts (by default a plausible
 * answer of the service). Bounded: it only ever listens on loopback and closes with the test.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { headersFromRaw, verifyRequest, type SigV4Failure, type SigV4Success } from '../../src/auth/sigv4.js';

/** One request the stand-in received. */
export interface RecordedCall {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly headers: Record<string, string[]>;
  readonly body: string;
  /** The signing name of the credential scope (`sqs`, `events`, ...), from the Authorization header. */
  readonly service: string | undefined;
  /** `x-amz-target`, or the query protocol's `Action`. */
  readonly action: string | undefined;
  /** The signature check against the stand-in's known keys. */
  readonly signature: SigV4Success | SigV4Failure;
}

/** What the stand-in answers. */
export interface ScriptedAnswer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** Milliseconds to wait before answering (timeouts). */
  readonly delayMs?: number;
}

/** A running stand-in. */
export interface AwsStandIn {
  readonly url: string;
  readonly calls: RecordedCall[];
  /** Access keys the stand-in recognises (the server's and any issued by its STS). */
  readonly keys: Map<string, string>;
  /** Replaces the answer to calls of a service (by signing name). */
  answer(service: string, respond: (call: RecordedCall) => ScriptedAnswer): void;
  close(): Promise<void>;
}

const serviceOf = (authorization: string | undefined) => /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\//.exec(authorization ?? '')?.[1];

/** The default answers: what each service says to a successful call. */
function defaultAnswer(call: RecordedCall, keys: Map<string, string>): ScriptedAnswer {
  const id = 'f3b1c2d4-0000-4000-8000-000000000001';
  switch (call.service) {
    case 'sts': {
      keys.set('ASIATEMPORARY', 'temporary-secret');
      const expiration = new Date(Date.now() + 3600_000).toISOString();
      return {
        status: 200,
        headers: { 'content-type': 'text/xml' },
        body: `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>ASIATEMPORARY</AccessKeyId><SecretAccessKey>temporary-secret</SecretAccessKey><SessionToken>token&amp;1</SessionToken><Expiration>${expiration}</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>`,
      };
    }
    case 'sqs':
      return {
        status: 200,
        headers: { 'content-type': 'text/xml', 'x-amzn-requestid': id },
        body: `<?xml version="1.0"?><${call.action}Response xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><ResponseMetadata><RequestId>${id}</RequestId></ResponseMetadata></${call.action}Response>`,
      };
    case 'appconfig':
      return { status: 200, headers: { 'content-type': 'application/json', 'configuration-version': '3' }, body: '{"feature":true}' };
    default:
      return { status: 200, headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': id }, body: '{"ok":true}' };
  }
}

/** Starts a stand-in knowing the `keys` (access key id -> secret). */
export async function startAwsStandIn(keys: Record<string, string>): Promise<AwsStandIn> {
  const known = new Map(Object.entries(keys));
  const calls: RecordedCall[] = [];
  const scripted = new Map<string, (call: RecordedCall) => ScriptedAnswer>();
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const headers = headersFromRaw(req.rawHeaders);
      const signature = verifyRequest(
        { method: req.method ?? 'GET', rawPath: q === -1 ? url : url.slice(0, q), rawQuery: q === -1 ? '' : url.slice(q + 1), headers, body },
        { service: serviceOf(headers.authorization?.[0]) ?? 'none', lookup: (id) => known.get(id) },
      );
      const target = headers['x-amz-target']?.[0];
      const action = target ?? new URLSearchParams(body).get('Action') ?? undefined;
      const call: RecordedCall = { method: req.method ?? 'GET', path: q === -1 ? url : url.slice(0, q), query: q === -1 ? '' : url.slice(q + 1), headers, body, service: serviceOf(headers.authorization?.[0]), action, signature };
      calls.push(call);
      const answer = scripted.get(call.service ?? '')?.(call) ?? defaultAnswer(call, known);
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(answer.status, answer.headers ?? {});
        res.end(answer.body ?? '');
      };
      if (answer.delayMs) setTimeout(send, answer.delayMs).unref();
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    keys: known,
    answer: (service, respond) => void scripted.set(service, respond),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
