/**
 * One call of an HTTP proxy integration to its backend: an undici dispatch handler that turns the
 * backend's answer into the gateway's response, its body written into the client's response as it
 * arrives (`UpstreamBody`), with the integration's timeout and AWS's error mapping.
 */
import type { ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import { undici } from '../../undici.js';
import { own } from '../../model/own.js';
import { Deadlines, type Deadline } from '../deadlines.js';
import { internalServerError, requestTooLarge, serviceUnavailable } from '../errors.js';
import type { GatewayResponse, IntegrationDone, Invocation, StreamedBody } from '../invocation.js';
import { MAPPING_BODY_LIMIT, type ResponseMapping, type ResponseMappings } from '../parameter-mapping.js';
import { BodyTooLargeError, HOP_BY_HOP } from './http-proxy-request.js';


function parseResponseHeaders(raw: Buffer[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const { util } = undici();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = util.headerNameToString(raw[i] as Buffer);
    if (HOP_BY_HOP.has(name) || name.startsWith('proxy-') || name === '__proto__') continue;
    const value = (raw[i + 1] as Buffer).toString('latin1');
    const prev = own(out, name);
    if (prev === undefined) out[name] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else out[name] = [prev, value];
  }
  return out;
}

/** undici's own failures that are timeouts (its head and body timers are off: ProxyCall keeps those). */
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT']);

/** The largest whole body sent as text with the head (`UpstreamBody.writeTo`): the copy costs less than a second chunk. */
const ONE_WRITE_BYTES = 16 * 1024;

/** How much of a backend body is held while the response waits for the pipeline to send it. */
const HELD_BYTES = 64 * 1024;

/**
 * The backend's response body, written into the client's response as it arrives: no intermediate
 * stream, no pipe. Chunks that arrive before the pipeline sends the response are held (the backend
 * is paused past HELD_BYTES); a body complete by then goes out with the head in one write, as a
 * whole body does. A slow client pauses the backend until its response drains; a client that goes
 * away aborts the backend call.
 */
class UpstreamBody implements StreamedBody {
  #held: Buffer[] = [];
  #heldBytes = 0;
  #res: ServerResponse | null = null;
  #ended = false;
  #failed = false;
  #paused = false;
  #length = 0;

  constructor(readonly call: ProxyCall) {}

  /** A chunk from the backend; false pauses it. */
  push(chunk: Buffer): boolean {
    this.#length += chunk.length;
    const res = this.#res;
    if (res === null) {
      this.#held.push(chunk);
      this.#heldBytes += chunk.length;
      if (this.#heldBytes < HELD_BYTES) return true;
      this.#paused = true;
      return false;
    }
    if (res.write(chunk)) return true;
    this.#paused = true;
    return false;
  }

  /** The backend finished the body. */
  end(): void {
    this.#ended = true;
    this.#res?.end();
  }

  /** The backend failed after its head: the client's response ends abruptly. */
  fail(): void {
    this.#failed = true;
    this.#res?.destroy();
  }

  /** The client's connection is gone: a backend still sending is stopped. */
  #clientGone(): void {
    if (!this.call.completed) this.call.abort?.(new Error('the client went away before the backend finished'));
  }

  writeTo(res: ServerResponse): Promise<number> | number {
    if (res.destroyed) {
      // The client went away while the backend answered: there is nothing to write to, and its 'close' is past.
      this.#clientGone();
      return this.#length;
    }
    this.#res = res;
    if (this.#ended && !this.#failed) {
      // The backend finished before the response went out (the usual case for small bodies): one write,
      // nothing left to pause, resume or abort.
      const held = this.#held;
      this.#held = [];
      if (held.length === 0) res.end();
      else {
        const whole = held.length === 1 ? (held[0] as Buffer) : Buffer.concat(held, this.#heldBytes);
        // A small body as latin1 text (byte for byte the same): Node writes a string body with the head in one
        // write of one chunk, where a Buffer is a second chunk of a corked write.
        if (whole.length <= ONE_WRITE_BYTES) res.end(whole.toString('latin1'), 'latin1');
        else res.end(whole);
      }
      return this.#length;
    }
    return new Promise<number>((resolve) => {
      res.once('close', () => {
        this.#clientGone();
        resolve(this.#length);
      });
      if (this.#failed) return void res.destroy();
      // Still streaming (a whole body went out above): what arrived so far, then the rest as it comes.
      const held = this.#held;
      this.#held = [];
      for (const chunk of held) res.write(chunk);
      res.on('drain', () => {
        if (!this.#paused) return;
        this.#paused = false;
        this.call.resume();
      });
      if (this.#paused && res.writableNeedDrain === false) {
        this.#paused = false;
        this.call.resume();
      }
    });
  }
}

/** The integration timeouts of all proxy calls: one Node timer per distinct `timeoutInMillis` (deadlines.ts). */
const deadlines = new Deadlines();

/**
 * One upstream request: an undici dispatch handler (the callback protocol undici's own `request`/`stream` use in
 * v7; TODO: move to onResponseStart/onResponseData when undici 8 drops it).
 *
 * Its one deadline is the integration's timeout: first for the head (dispatch to headers, the integration timeout of
 * AWS), then for the body. While the body streams, each expiry checks that a chunk came since the one before
 * (or that this call paused the backend, for a slow client or bytes held, as undici's own `bodyTimeout` allows)
 * and waits one more period; a body that stops for a whole period is cut, so a stall is cut within one to two
 * timeouts, with no timer work per chunk. undici's `headersTimeout` and `bodyTimeout` are off for these calls: they would be a second
 * and third timer for the same limits, and undici's are pooled timer objects that live on for up to a second after
 * each request, so every request's were promoted to the old generation (about 2 MB/s of garbage under load).
 * The deadline is an entry in `deadlines` below, not a timer of its own: a Node timer per call is an
 * async resource, and every one pays the function scope's async hooks once an in-process function
 * has run (functions/function-scope.ts).
 */
export class ProxyCall implements Dispatcher.DispatchHandler {
  abort: ((err?: Error) => void) | null = null;
  completed = false;
  #settled = false;
  #timedOut: Error | null = null;
  readonly #timeoutMs: number;
  #deadline: Deadline;
  #resume: (() => void) | null = null;
  /** Chunks received (and resumes), and their count at the timer's last expiry in the body. */
  #chunks = 0;
  #chunksSeen = -1;
  /** Whether this call told undici to pause the backend (onData returned false) and has not resumed it. */
  #upstreamPaused = false;
  #body: UpstreamBody | null = null;
  #response: GatewayResponse | null = null;
  #plan: ResponseMapping | undefined;
  #prefix: Buffer[] | null = null;
  #prefixBytes = 0;

  /**
   * `done` is told once: the response, or a GatewayError whose detail (logged, never sent) names the upstream
   * request: "ECONNREFUSED ... (POST http://127.0.0.1:9/x)" for `method` POST, `origin` http://127.0.0.1:9, `path` /x.
   */
  constructor(
    readonly inv: Invocation,
    readonly started: number,
    readonly mappings: ResponseMappings | undefined,
    readonly done: IntegrationDone,
    readonly method: string,
    readonly origin: string,
    readonly path: string,
    timeoutMs: number,
  ) {
    this.#timeoutMs = timeoutMs;
    this.#deadline = deadlines.add(timeoutMs, this.#expired);
  }

  readonly #expired = (): void => {
    if (this.#body !== null && (this.#upstreamPaused || this.#chunks !== this.#chunksSeen)) {
      this.#chunksSeen = this.#chunks;
      this.#deadline = deadlines.add(this.#timeoutMs, this.#expired);
      return;
    }
    this.#timedOut = new Error(`integration timed out after ${this.#timeoutMs} ms`);
    this.#fail(this.#timedOut);
    this.abort?.(this.#timedOut);
  };

  onConnect(abort: (err?: Error) => void): void {
    if (this.#timedOut !== null) abort(this.#timedOut);
    else this.abort = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    if (statusCode < 200 || this.#settled) return true; // 1xx are not forwarded
    this.#resume = resume;
    const headers = parseResponseHeaders(rawHeaders);
    const requestId = headers['x-amzn-requestid'] ?? headers['x-amz-request-id'];
    this.inv.integration = { status: statusCode, latencyMs: Date.now() - this.started, requestId: typeof requestId === 'string' ? requestId : undefined };
    const body = (this.#body = new UpstreamBody(this));
    const response: GatewayResponse = { statusCode, headers, body };
    const plan = this.mappings?.forStatus(statusCode);
    if (plan?.needsBody === true) {
      // Hold the response until 100 KB (or the end) arrived for `$response.body`; the bytes still stream on after.
      this.#response = response;
      this.#plan = plan;
      this.#prefix = [];
    } else {
      plan?.apply(this.inv, response);
      // Settled now (a later error only cuts the body: onError), told once undici has parsed what arrived with
      // the head: a body in the same packets (the usual small one) is then complete, and the client gets head
      // and body in one write (UpstreamBody.writeTo). One microtask, where the promise form made two promises.
      this.#settled = true;
      queueMicrotask(() => this.done(undefined, response));
    }
    return true;
  }

  /** The paused backend may send again. */
  resume(): void {
    this.#upstreamPaused = false;
    this.#chunks++; // a pause is no stall: the next expiry waits one more period
    this.#resume?.();
  }

  onData(chunk: Buffer): boolean {
    this.#chunks++;
    const body = this.#body as UpstreamBody;
    if (this.#prefix === null) {
      if (body.push(chunk)) return true;
      this.#upstreamPaused = true;
      return false;
    }
    this.#prefix.push(chunk);
    this.#prefixBytes += chunk.length;
    body.push(chunk);
    if (this.#prefixBytes >= MAPPING_BODY_LIMIT) this.#releasePrefix();
    return true;
  }

  onComplete(): void {
    this.#deadline.cancel();
    this.completed = true;
    if (this.#prefix !== null) this.#releasePrefix();
    this.#body?.end();
  }

  onError(err: Error): void {
    this.#deadline.cancel();
    if (this.inv.integration !== undefined) this.inv.integration.error = err.message;
    if (!this.#settled) this.#fail(err);
    // The client's response is already under way: it ends abruptly.
    this.#body?.fail();
  }

  #releasePrefix(): void {
    const prefix = this.#prefix as Buffer[];
    this.#prefix = null;
    const response = this.#response as GatewayResponse;
    (this.#plan as ResponseMapping).apply(this.inv, response, Buffer.concat(prefix, this.#prefixBytes));
    this.#settle(response);
  }

  #settle(response: GatewayResponse): void {
    this.#settled = true;
    this.done(undefined, response);
  }

  #fail(err: Error): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#deadline.cancel();
    const detail = `${(err as { code?: string }).code ?? err.name}: ${err.message}`;
    this.inv.integration = { ...this.inv.integration, latencyMs: Date.now() - this.started, error: err.message };
    if (err instanceof BodyTooLargeError) this.done(requestTooLarge());
    else {
      const timedOut = err === this.#timedOut || TIMEOUT_CODES.has((err as { code?: string }).code ?? '');
      this.done((timedOut ? serviceUnavailable : internalServerError)(`${detail} (${this.method} ${this.origin}${this.path})`));
    }
  }
}
