/**
 * Turning a Lambda proxy function's result into the client's response (SPEC §E.3 "Interpreting
 * the function result"). Anything unusable is a 500, as HTTP APIs answer (not REST's 502).
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html#http-api-develop-integrations-lambda.response
 */
import { payloadValue, type InvokeResult } from '../functions/invoker.js';
import { internalServerError, payloadTrace, withTrace } from '../errors.js';
import type { GatewayResponse } from '../invocation.js';
import { setOwn } from '../../model/own.js';

/** Headers a function may not set: the gateway frames the response itself. */
const FRAMING_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection']);

/** Interprets `result` per payload format `version`; throws a 500 GatewayError (with detail) when it is unusable. */
export function interpretLambdaResult(result: InvokeResult, version: '1.0' | '2.0'): GatewayResponse {
  if (result.functionError !== undefined) {
    const text = result.payload.toString('utf8');
    throw withTrace(internalServerError(`Lambda function error (${result.functionError}): ${errorSummary(text)}`), payloadTrace(parsed(text)));
  }
  let value: unknown;
  try {
    value = payloadValue(result);
  } catch {
    throw internalServerError(`Malformed Lambda proxy response: not JSON: ${truncate(result.payload.toString('utf8'))}`);
  }
  if (version === '2.0' && !(isObject(value) && 'statusCode' in value)) {
    // Inference: a returned string is the body itself; any other JSON is its own text.
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: typeof value === 'string' ? value : result.payload.toString('utf8') };
  }
  if (!isObject(value)) throw internalServerError('Malformed Lambda proxy response: not an object');
  const { statusCode } = value;
  if (typeof statusCode !== 'number' || !Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) {
    throw internalServerError(`Malformed Lambda proxy response: statusCode ${JSON.stringify(statusCode)}`);
  }
  const headers = readHeaders(value.headers);
  if (version === '1.0') mergeMultiValueHeaders(headers, value.multiValueHeaders);
  if (version === '2.0' && value.cookies !== undefined && value.cookies !== null) addCookies(headers, value.cookies);
  return { statusCode, headers, body: readBody(value.body, value.isBase64Encoded === true) };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function headerValue(name: string, v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw internalServerError(`Malformed Lambda proxy response: header ${name} is not a string`);
}

function readHeaders(raw: unknown): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  if (raw === undefined || raw === null) return out;
  if (!isObject(raw)) throw internalServerError('Malformed Lambda proxy response: headers is not an object');
  // Object.keys, not Object.entries: no [name, value] pair per header (a runtime call on this path).
  for (const name of Object.keys(raw)) {
    const lower = name.toLowerCase();
    const value = headerValue(name, raw[name]);
    if (value !== undefined && !FRAMING_HEADERS.has(lower)) setOwn(out, lower, value);
  }
  return out;
}

/** AWS: both maps merge; a name in multiValueHeaders takes its values from there only. */
function mergeMultiValueHeaders(headers: Record<string, string | string[]>, raw: unknown): void {
  if (raw === undefined || raw === null) return;
  if (!isObject(raw)) throw internalServerError('Malformed Lambda proxy response: multiValueHeaders is not an object');
  for (const name of Object.keys(raw)) {
    const list = raw[name];
    const lower = name.toLowerCase();
    if (FRAMING_HEADERS.has(lower) || list === null || list === undefined) continue;
    if (!Array.isArray(list)) throw internalServerError(`Malformed Lambda proxy response: multiValueHeaders.${name} is not a list`);
    const values = list.map((v) => headerValue(name, v)).filter((v): v is string => v !== undefined);
    if (values.length > 0) setOwn(headers, lower, values.length === 1 ? (values[0] as string) : values);
  }
}

/** Each `cookies[]` entry is its own `set-cookie` header, after any the function put in `headers`. */
function addCookies(headers: Record<string, string | string[]>, raw: unknown): void {
  if (!Array.isArray(raw)) throw internalServerError('Malformed Lambda proxy response: cookies is not a list');
  const cookies = raw.map((c) => headerValue('set-cookie', c)).filter((c): c is string => c !== undefined);
  if (cookies.length === 0) return;
  const existing = headers['set-cookie'];
  headers['set-cookie'] = existing === undefined ? cookies : [...(Array.isArray(existing) ? existing : [existing]), ...cookies];
}

function readBody(raw: unknown, isBase64Encoded: boolean): Buffer | string | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'string') throw internalServerError('Malformed Lambda proxy response: body is not a string');
  return isBase64Encoded ? Buffer.from(raw, 'base64') : raw;
}

function parsed(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** `errorType: errorMessage` of a Lambda error payload, or the payload text. */
function errorSummary(text: string): string {
  try {
    const e = JSON.parse(text) as unknown;
    if (isObject(e) && typeof e.errorMessage === 'string') return `${typeof e.errorType === 'string' ? `${e.errorType}: ` : ''}${e.errorMessage}`;
  } catch {
    // not JSON: the text is the best description there is
  }
  return truncate(text);
}

function truncate(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
