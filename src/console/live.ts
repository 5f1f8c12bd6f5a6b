/**
 * The console's live request log: every finished data-plane request (and WebSocket event) as an
 * entry for the console's subscribers, with the Lambda events the request caused and the answers.
 *
 * It costs nothing while no console listens: the request log step and the function invoker each
 * check one number (`listening`) and return. With a subscriber, the invoker wrapper keeps each
 * call's event and answer by request id until the request's log step picks them up; entries are
 * masked (`Authorization`, cookies, API keys, values named like secrets) and bodies are truncated.
 */
import { invokeThen, payloadValue, type FunctionInvoker, type InvokeResult } from '../data-plane/functions/invoker.js';
import type { Invocation } from '../data-plane/invocation.js';
import type { RequestLog } from '../data-plane/stages/request-log.js';
import { authorizerDecision, requestLogEntry, type RequestLogEntry } from '../data-plane/stages/request-log.js';
import type { LambdaFunctionRef } from '../model/lambda-arn.js';

/** A Lambda call a request made: the event the function received and its answer (masked, truncated). */
export interface LambdaCall {
  readonly functionName: string;
  readonly event: unknown;
  readonly response?: unknown;
  readonly functionError?: string;
  readonly error?: string;
  readonly latencyMs: number;
}

/** One line of the live log: the request log's entry (its authorizer split in two), and more. */
export interface LiveEntry extends Omit<RequestLogEntry, 'authorizer'> {
  readonly id: number;
  readonly time: string;
  readonly accountId?: string;
  readonly region?: string;
  /** `JWT`, `CUSTOM`, `AWS_IAM`; absent for routes without authorization. */
  readonly authorizationType?: string;
  readonly authorizerDecision?: 'allow' | 'deny' | 'error' | 'not evaluated';
  readonly authorizerCacheHit?: boolean;
  readonly lambda: readonly LambdaCall[];
}

/** Longest string kept in an event or answer (bodies, tokens); longer ones end in `… (N more characters)`. */
const MAX_TEXT = 2048;
/** Calls kept per request (an authorizer and an integration, usually). */
const MAX_CALLS = 8;
/** Requests whose calls are kept while waiting for their log step. */
const MAX_PENDING = 1000;

const SECRET_NAME = /authorization|cookie|api[-_]?key|secret|password|passwd|token|credential|signature|session/i;
const MASK = '****';

/** A masked value: a header like `Bearer abc.def` keeps its scheme. */
function masked(value: unknown): unknown {
  if (typeof value === 'string') {
    const scheme = /^(Bearer|Basic|AWS4-HMAC-SHA256|Digest)\s/i.exec(value)?.[1];
    return scheme ? `${scheme} ${MASK}` : MASK;
  }
  if (Array.isArray(value)) return value.map(masked);
  return MASK;
}

/** Parts of a secret text worth cutting out elsewhere: the text, a token without its scheme, cookie values. */
function secretParts(text: string, into: Set<string>): void {
  for (const part of [text, text.replace(/^\S+\s+/, ''), ...text.split(/;\s*/).map((c) => c.slice(c.indexOf('=') + 1))]) {
    if (part.length >= 6) into.add(part);
  }
}

/** The secret values under secret-named members of `value`, so that they can be cut out of any text. */
function collectSecrets(value: unknown, into: Set<string>, depth = 0): void {
  if (value === null || typeof value !== 'object' || depth > 12) return;
  for (const [key, v] of Object.entries(value)) {
    if (SECRET_NAME.test(key) && (typeof v === 'string' || Array.isArray(v))) {
      for (const text of Array.isArray(v) ? v : [v]) if (typeof text === 'string') secretParts(text, into);
    } else collectSecrets(v, into, depth + 1);
  }
}

function scrub(text: string, secrets: ReadonlySet<string>): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(MASK);
  return out.length > MAX_TEXT ? `${out.slice(0, MAX_TEXT)}… (${out.length - MAX_TEXT} more characters)` : out;
}

/**
 * A copy of a JSON value with secret-named members masked, the `secrets` cut out of every string and
 * long strings cut; bounded in depth and width.
 */
export function redact(value: unknown, secrets: ReadonlySet<string> = new Set(), depth = 0): unknown {
  if (typeof value === 'string') return scrub(value, secrets);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 12) return '…';
  if (Array.isArray(value)) return value.slice(0, 200).map((v) => redact(v, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  let n = 0;
  for (const [key, v] of Object.entries(value)) {
    if (n++ >= 200) {
      out['…'] = 'more members left out';
      break;
    }
    const secret = SECRET_NAME.test(key) && v !== null && (typeof v !== 'object' || Array.isArray(v));
    Object.defineProperty(out, key, { value: secret ? masked(v) : redact(v, secrets, depth + 1), enumerable: true, writable: true, configurable: true });
  }
  // A 2.0 event's `cookies` is a list of name=value pairs: keep the names only.
  const cookies = (value as { cookies?: unknown }).cookies;
  if (Array.isArray(cookies)) out.cookies = cookies.map((c) => (typeof c === 'string' ? `${c.split('=')[0]}=${MASK}` : MASK));
  return out;
}

/** The secrets of an event: values of its secret-named members and of its cookies. */
function secretsOf(event: unknown): Set<string> {
  const secrets = new Set<string>();
  collectSecrets(event, secrets);
  const cookies = (event as { cookies?: unknown } | null)?.cookies;
  if (Array.isArray(cookies)) for (const c of cookies) if (typeof c === 'string') secretParts(c.slice(c.indexOf('=') + 1), secrets);
  return secrets;
}

/** A function's answer as the console shows it: the event's `secrets` cut out, long strings cut. */
function shownAnswer(result: InvokeResult, secrets: ReadonlySet<string>): unknown {
  let answer: unknown;
  try {
    answer = payloadValue(result);
  } catch {
    answer = result.payload.toString('utf8');
  }
  return redact(answer, secrets);
}

/** A call's event and answer as the console shows them: the event's secrets masked there and cut out of the answer. */
export function shownCall(event: unknown, result: InvokeResult | undefined): { event: unknown; response?: unknown } {
  const secrets = secretsOf(event);
  return { event: redact(event, secrets), ...(result ? { response: shownAnswer(result, secrets) } : {}) };
}

/** Who may see an entry (a subscriber's account and region). */
export type EntryFilter = (entry: LiveEntry) => boolean;

/** The live request log of one server. */
export class LiveRequests {
  readonly #subscribers = new Map<(entry: LiveEntry) => void, EntryFilter>();
  readonly #calls = new Map<string, LambdaCall[]>();
  #seq = 0;

  /** True while a console listens. */
  get listening(): boolean {
    return this.#subscribers.size > 0;
  }

  /** Adds a subscriber that receives the entries `filter` accepts; returns the unsubscribe. */
  subscribe(listener: (entry: LiveEntry) => void, filter: EntryFilter): () => void {
    this.#subscribers.set(listener, filter);
    return () => {
      this.#subscribers.delete(listener);
      if (this.#subscribers.size === 0) this.#calls.clear();
    };
  }

  /** `invoker` with each call recorded for the live log while a console listens. */
  wrapInvoker(invoker: FunctionInvoker): FunctionInvoker {
    const recording: FunctionInvoker = { invoke: (fn, event, options) => this.#recorded(invoker, fn, event, options), close: () => invoker.close() };
    const current = () => (this.#subscribers.size === 0 ? invoker : recording);
    return {
      invoke: (fn, event, options) => current().invoke(fn, event, options),
      invokeThen: (fn, event, options, done) => invokeThen(current(), fn, event, options, done),
      close: () => invoker.close(),
    };
  }

  async #recorded(invoker: FunctionInvoker, fn: LambdaFunctionRef, event: unknown, options: { readonly timeoutMs: number; readonly requestId: string }): Promise<InvokeResult> {
    const started = Date.now();
    const functionName = fn.functionName;
    const record = (call: LambdaCall) => {
      let calls = this.#calls.get(options.requestId);
      if (!calls) {
        if (this.#calls.size >= MAX_PENDING) this.#calls.delete(this.#calls.keys().next().value as string);
        this.#calls.set(options.requestId, (calls = []));
      }
      if (calls.length < MAX_CALLS) calls.push(call);
    };
    // Redacted (a copy) before the call: an in-process handler may change the event it receives.
    const secrets = secretsOf(event);
    const shown = redact(event, secrets);
    try {
      const result = await invoker.invoke(fn, event, options);
      record({ functionName, event: shown, response: shownAnswer(result, secrets), ...(result.functionError ? { functionError: result.functionError } : {}), latencyMs: Date.now() - started });
      return result;
    } catch (error) {
      record({ functionName, event: shown, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error), latencyMs: Date.now() - started });
      throw error;
    }
  }

  /** The request log step's hook: one check when no console listens. */
  readonly requestLog: RequestLog = (inv) => {
    if (this.#subscribers.size === 0) return;
    this.#publish(inv);
  };

  #publish(inv: Invocation): void {
    const line = requestLogEntry(inv);
    const calls = this.#calls.get(inv.requestId) ?? [];
    this.#calls.delete(inv.requestId);
    const type = inv.route?.route?.authorizationType;
    const authorized = type && type !== 'NONE' && !(inv.websocket && inv.websocket.eventType !== 'CONNECT');
    const stage = inv.stage;
    const { authorizer: _line, ...fields } = line;
    const entry: LiveEntry = {
      ...fields,
      id: ++this.#seq,
      time: new Date(inv.responseEnd ?? Date.now()).toISOString(),
      path: line.path.length > 500 ? `${line.path.slice(0, 500)}…` : line.path,
      ...(stage ? { accountId: stage.accountId, region: stage.region } : {}),
      ...(authorized ? { authorizationType: type, authorizerDecision: authorizerDecision(inv, line.status) ?? 'not evaluated' } : {}),
      ...(authorized && inv.authorizerCacheHit ? { authorizerCacheHit: true } : {}),
      lambda: calls,
    };
    for (const [listener, filter] of this.#subscribers) {
      if (filter(entry)) listener(entry);
    }
  }
}
