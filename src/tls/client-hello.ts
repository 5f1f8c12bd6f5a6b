/**
 * Reads the server name (SNI) from a TLS ClientHello before any TLS engine sees the connection,
 * so the listener can pick the domain's whole TLS configuration (certificate, minimum version,
 * client certificate request) rather than only swap the certificate mid-handshake.
 * RFC 8446 §4.1.2 (ClientHello), §5.1 (records, fragmentation); RFC 6066 §3 (server_name).
 */

/** What the bytes read so far say. */
export type ClientHelloState =
  | { readonly kind: 'incomplete' }
  | { readonly kind: 'invalid'; readonly reason: string }
  | { readonly kind: 'complete'; readonly serverName: string | undefined };

/** The largest ClientHello accepted (real ones, post-quantum key shares included, stay under 4 KiB). */
export const MAX_CLIENT_HELLO_BYTES = 32 * 1024;

const HANDSHAKE_RECORD = 0x16;
const CLIENT_HELLO = 0x01;
const SERVER_NAME_EXTENSION = 0x0000;
const HOST_NAME = 0x00;

const INCOMPLETE: ClientHelloState = { kind: 'incomplete' };
const invalid = (reason: string): ClientHelloState => ({ kind: 'invalid', reason });

/** Joins the handshake-record payloads at the start of `data` (a handshake message may span records); `complete` once the first message is whole. */
function handshakeBytes(data: Buffer): { bytes: Buffer; complete: boolean } | string {
  const parts: Buffer[] = [];
  let offset = 0;
  let total = 0;
  while (offset + 5 <= data.length) {
    if (data[offset] !== HANDSHAKE_RECORD) return parts.length === 0 ? 'not a TLS handshake record' : 'the ClientHello is interleaved with another record';
    if (data[offset + 1] !== 0x03) return 'not a TLS record version';
    const length = data.readUInt16BE(offset + 3);
    if (length === 0 || length > 16384 + 2048) return 'a record of invalid length';
    if (offset + 5 + length > data.length) {
      // A partial record still shows the handshake header (type and length) early.
      parts.push(data.subarray(offset + 5));
      break;
    }
    parts.push(data.subarray(offset + 5, offset + 5 + length));
    total += length;
    offset += 5 + length;
    // Stop once the first handshake message is whole: later records may be of other types.
    if (total >= 4) {
      const joined = Buffer.concat(parts);
      if (joined.length >= 4 + joined.readUIntBE(1, 3)) return { bytes: joined, complete: true };
    }
  }
  return { bytes: Buffer.concat(parts), complete: false };
}

/** The host_name of a server_name extension body, or undefined when it names none. */
function hostName(ext: Buffer): string | undefined | Error {
  if (ext.length < 2) return new Error('a truncated server_name extension');
  const end = 2 + ext.readUInt16BE(0);
  if (end > ext.length) return new Error('a truncated server_name list');
  for (let at = 2; at + 3 <= end; ) {
    const type = ext[at] as number;
    const length = ext.readUInt16BE(at + 1);
    if (at + 3 + length > end) return new Error('a truncated server name');
    if (type === HOST_NAME) {
      const name = ext.subarray(at + 3, at + 3 + length).toString('latin1');
      // RFC 6066: an ASCII host name without a trailing dot; anything else names no domain here.
      return /^[A-Za-z0-9_.-]{1,253}$/.test(name) ? name.toLowerCase().replace(/\.$/, '') : undefined;
    }
    at += 3 + length;
  }
  return undefined;
}

/** Parses the start of a connection: the ClientHello's server name once it has arrived whole. */
export function parseClientHello(data: Buffer): ClientHelloState {
  if (data.length === 0) return INCOMPLETE;
  if (data[0] !== HANDSHAKE_RECORD) return invalid('not a TLS handshake record');
  if (data.length >= 2 && data[1] !== 0x03) return invalid('not a TLS record version');
  if (data.length > MAX_CLIENT_HELLO_BYTES + 1024) return invalid('the ClientHello is too large');
  const joined = handshakeBytes(data);
  if (typeof joined === 'string') return invalid(joined);
  const { bytes, complete } = joined;
  if (bytes.length >= 1 && bytes[0] !== CLIENT_HELLO) return invalid('the first handshake message is not a ClientHello');
  if (bytes.length >= 4 && bytes.readUIntBE(1, 3) > MAX_CLIENT_HELLO_BYTES) return invalid('the ClientHello is too large');
  if (!complete) return INCOMPLETE;
  const body = bytes.subarray(4, 4 + bytes.readUIntBE(1, 3));
  let at = 2 + 32;
  if (at + 1 > body.length) return invalid('a truncated ClientHello');
  at += 1 + (body[at] as number);
  if (at + 2 > body.length) return invalid('a truncated ClientHello');
  at += 2 + body.readUInt16BE(at);
  if (at + 1 > body.length) return invalid('a truncated ClientHello');
  at += 1 + (body[at] as number);
  if (at > body.length) return invalid('a truncated ClientHello');
  if (at === body.length) return { kind: 'complete', serverName: undefined };
  if (at + 2 > body.length) return invalid('a truncated extension list');
  const end = at + 2 + body.readUInt16BE(at);
  if (end > body.length) return invalid('a truncated extension list');
  for (at += 2; at + 4 <= end; ) {
    const type = body.readUInt16BE(at);
    const length = body.readUInt16BE(at + 2);
    if (at + 4 + length > end) return invalid('a truncated extension');
    if (type === SERVER_NAME_EXTENSION) {
      const name = hostName(body.subarray(at + 4, at + 4 + length));
      if (name instanceof Error) return invalid(name.message);
      return { kind: 'complete', serverName: name };
    }
    at += 4 + length;
  }
  return { kind: 'complete', serverName: undefined };
}
