/**
 * Calls to AWS services for service integrations: the endpoint (`--aws-endpoint`: `aws` for the
 * real regional endpoints, or one origin such as a local emulator for every service), the
 * credentials (the integration's `credentialsArn` assumed through STS AssumeRole, else the
 * server's own), SigV4 signing and one keep-alive undici Agent for every origin.
 */
import type { Agent } from 'undici';
import { undici } from '../../undici.js';
import type { AwsCredentials } from '../../auth/sigv4.js';
import { signRequest } from '../../auth/sigv4.js';
import type { Logger } from '../../logger.js';
import type { ServiceCall } from './aws-subtypes.js';

/** What the client needs. */
export interface AwsServiceClientOptions {
  /** `aws`, an origin, or undefined (not configured: every call fails, naming the setting). */
  readonly endpoint: string | undefined;
  /** The server's AWS credentials (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN). */
  readonly credentials: AwsCredentials | undefined;
  readonly logger: Logger;
  /** Epoch ms; tests move time (assumed-role expiry). */
  readonly clock?: () => number;
}

/** A service's answer. */
export interface ServiceAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/** A call that could not be made or answered: `timeout` (503 on the data plane) or `failed` (500). */
export class ServiceCallError extends Error {
  override name = 'ServiceCallError';
  constructor(
    readonly kind: 'timeout' | 'failed',
    message: string,
  ) {
    super(message);
  }
}

/** The setting to add when no endpoint is configured. */
export const NO_ENDPOINT =
  'AWS service integrations need --aws-endpoint (GATEHOUSE_AWS_ENDPOINT): "aws" to call the real AWS endpoints, or the origin of a local emulator such as http://localhost:4566';

/** Assumed-role credentials are renewed this long before they expire. */
const RENEW_MS = 5 * 60_000;
const ROLE = /^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/;

const xmlField = (xml: string, name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
const unescapeXml = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');

/** Signs and sends service calls; one per server. */
export class AwsServiceClient {
  readonly #options: AwsServiceClientOptions;
  /** Created with the first call: a server without service integrations never loads undici for it. */
  #agentValue: Agent | undefined;
  get #agent(): Agent {
    return (this.#agentValue ??= new (undici().Agent)({ keepAliveTimeout: 10_000, connections: 32 }));
  }
  readonly #roles = new Map<string, Promise<{ credentials: AwsCredentials; expiresAt: number }>>();
  /** Origins whose STS does not answer AssumeRole: the server's credentials are used there. */
  readonly #noSts = new Set<string>();
  readonly #now: () => number;

  constructor(options: AwsServiceClientOptions) {
    this.#options = options;
    this.#now = options.clock ?? Date.now;
  }

  /** Why calls cannot be made at all, or undefined when they can. */
  get unavailable(): string | undefined {
    if (this.#options.endpoint === undefined) return NO_ENDPOINT;
    if (!this.#options.credentials) return 'AWS service integrations sign their calls with the server\'s AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary ones)';
    return undefined;
  }

  /** The URL of a call in `region`. */
  urlOf(call: ServiceCall, region: string): URL {
    const endpoint = this.#options.endpoint ?? '';
    const origin = endpoint === 'aws' ? `https://${call.hostPrefix ?? ''}${call.service}.${region}.amazonaws.com` : endpoint;
    return new URL(`${origin}${call.path}${call.query ? `?${call.query}` : ''}`);
  }

  /** Makes the call with the credentials of `roleArn` (or the server's); rejects with ServiceCallError. */
  async send(call: ServiceCall, region: string, roleArn: string | undefined, timeoutMs: number): Promise<ServiceAnswer> {
    const problem = this.unavailable;
    if (problem) throw new ServiceCallError('failed', problem);
    const deadline = this.#now() + timeoutMs;
    const credentials = roleArn === undefined ? (this.#options.credentials as AwsCredentials) : await this.#assume(roleArn, region, timeoutMs);
    return this.#signedCall(call, region, credentials, Math.max(1, deadline - this.#now()));
  }

  async #signedCall(call: ServiceCall, region: string, credentials: AwsCredentials, timeoutMs: number): Promise<ServiceAnswer> {
    const url = this.urlOf(call, region);
    const headers: Record<string, string> = { host: url.host, ...call.headers };
    Object.assign(headers, signRequest({ method: call.method, url, headers: { ...headers }, body: call.body }, credentials, { region, service: call.service }));
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), timeoutMs);
    try {
      const res = await this.#agent.request({
        origin: url.origin,
        method: call.method,
        path: `${url.pathname}${url.search}`,
        headers,
        ...(call.method === 'GET' ? {} : { body: call.body }),
        signal: abort.signal,
      });
      const body = Buffer.from(await res.body.arrayBuffer());
      const out: Record<string, string> = {};
      for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
      return { status: res.statusCode, headers: out, body };
    } catch (error) {
      if (abort.signal.aborted) throw new ServiceCallError('timeout', `${call.service} did not answer within ${timeoutMs} ms (${url.origin})`);
      throw new ServiceCallError('failed', `cannot reach ${call.service} at ${url.origin}: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The role's credentials, from the cache or STS AssumeRole; the server's where the endpoint has no STS. */
  async #assume(roleArn: string, region: string, timeoutMs: number): Promise<AwsCredentials> {
    const server = this.#options.credentials as AwsCredentials;
    const origin = this.urlOf({ service: 'sts', method: 'POST', path: '/', headers: {}, body: '' }, region).origin;
    if (this.#noSts.has(origin)) return server;
    if (!ROLE.test(roleArn)) throw new ServiceCallError('failed', `credentialsArn ${roleArn} is not an IAM role ARN (arn:aws:iam::{account}:role/{name})`);
    const key = `${origin} ${region} ${roleArn}`;
    const cached = this.#roles.get(key);
    if (cached) {
      const entry = await cached.catch(() => undefined);
      if (entry && entry.expiresAt - RENEW_MS > this.#now()) return entry.credentials;
      if (this.#roles.get(key) === cached) this.#roles.delete(key);
    }
    const pending = this.#assumeRole(roleArn, region, origin, timeoutMs);
    this.#roles.set(key, pending);
    pending.catch(() => this.#roles.delete(key));
    try {
      return (await pending).credentials;
    } catch (error) {
      if (error instanceof StsUnsupported) {
        this.#noSts.add(origin);
        this.#options.logger.warn('service integrations: the endpoint does not answer STS AssumeRole; calls use the server\'s credentials instead of credentialsArn', { origin, detail: error.message });
        return server;
      }
      throw error;
    }
  }

  async #assumeRole(roleArn: string, region: string, origin: string, timeoutMs: number): Promise<{ credentials: AwsCredentials; expiresAt: number }> {
    const body = new URLSearchParams({ Action: 'AssumeRole', Version: '2011-06-15', RoleArn: roleArn, RoleSessionName: 'gatehouse-integration', DurationSeconds: '3600' }).toString();
    const call: ServiceCall = { service: 'sts', method: 'POST', path: '/', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body };
    const answer = await this.#signedCall(call, region, this.#options.credentials as AwsCredentials, timeoutMs).catch((error: unknown) => {
      // A local emulator without STS: nothing listens for it, or something else answers.
      if (this.#options.endpoint !== 'aws' && error instanceof ServiceCallError && error.kind === 'failed') throw new StsUnsupported(error.message);
      throw error;
    });
    const xml = answer.body.toString('utf8');
    const accessKeyId = xmlField(xml, 'AccessKeyId');
    const secretAccessKey = xmlField(xml, 'SecretAccessKey');
    if (answer.status === 200 && accessKeyId && secretAccessKey) {
      const token = xmlField(xml, 'SessionToken');
      const expires = Date.parse(xmlField(xml, 'Expiration') ?? '');
      return {
        credentials: { accessKeyId, secretAccessKey: unescapeXml(secretAccessKey), ...(token ? { sessionToken: unescapeXml(token) } : {}) },
        expiresAt: Number.isNaN(expires) ? this.#now() + 15 * 60_000 : expires,
      };
    }
    const code = xmlField(xml, 'Code');
    const message = `STS AssumeRole of ${roleArn} answered ${answer.status}${code ? ` ${code}` : ''}${xmlField(xml, 'Message') ? `: ${unescapeXml(xmlField(xml, 'Message') as string)}` : ''}`;
    const unsupported = answer.status === 404 || answer.status === 501 || (!code && answer.status !== 403) || code === 'InvalidAction' || code === 'UnknownOperationException' || code === 'NotImplemented';
    if (unsupported && this.#options.endpoint !== 'aws') throw new StsUnsupported(message);
    throw new ServiceCallError('failed', message);
  }

  /** Closes the connections. */
  async close(): Promise<void> {
    await this.#agentValue?.close();
  }
}

class StsUnsupported extends Error {}
