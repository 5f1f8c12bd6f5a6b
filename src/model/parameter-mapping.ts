/**
 * Parameter mapping keys of HTTP API integrations (`overwrite:header.x`, `append:querystring.q`,
 * `remove:header.y`, `overwrite:path`; response side `overwrite:statuscode`) and the headers
 * AWS reserves from mapping.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-parameter-mapping.html
 */

/** A parsed mapping key. */
export type MappingKey =
  | { readonly action: 'append' | 'overwrite' | 'remove'; readonly location: 'header' | 'querystring'; readonly name: string }
  | { readonly action: 'overwrite'; readonly location: 'path' | 'statuscode' };

const RESERVED_EXACT = new Set([
  'authorization', 'connection', 'content-encoding', 'content-length', 'content-location', 'forwarded', 'keep-alive',
  'origin', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailers', 'transfer-encoding', 'upgrade',
  'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'via',
]);
const RESERVED_PREFIXES = ['access-control-', 'apigw-', 'x-amz-', 'x-amzn-'];

/** Whether AWS forbids mapping this header. */
export function isReservedHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return RESERVED_EXACT.has(lower) || RESERVED_PREFIXES.some((p) => lower.startsWith(p));
}

const KEY = /^(append|overwrite|remove):(header|querystring)\.([^\s]+)$/;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Parses a mapping key for the request (`side: 'request'`) or response side; throws Error with the reason. */
export function parseMappingKey(key: string, side: 'request' | 'response'): MappingKey {
  if (key === 'overwrite:path' && side === 'request') return { action: 'overwrite', location: 'path' };
  if (key === 'overwrite:statuscode' && side === 'response') return { action: 'overwrite', location: 'statuscode' };
  const m = KEY.exec(key);
  if (!m || (side === 'response' && m[2] !== 'header')) {
    const forms = side === 'request'
      ? 'append|overwrite|remove:header.{name}, append|overwrite|remove:querystring.{name} or overwrite:path'
      : 'append|overwrite|remove:header.{name} or overwrite:statuscode';
    throw new Error(`invalid mapping key ${key}: must be ${forms}`);
  }
  const name = m[3] as string;
  if (m[2] === 'header') {
    if (!TOKEN.test(name)) throw new Error(`invalid header name in mapping key ${key}`);
    if (isReservedHeader(name)) throw new Error(`the header ${name} is reserved and cannot be mapped`);
  }
  return { action: m[1] as 'append' | 'overwrite' | 'remove', location: m[2] as 'header' | 'querystring', name };
}
