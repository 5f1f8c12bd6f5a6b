/**
 * Raw HTTP/1.1 over node:net, for what fetch and node:http will not send: dot segments as written, absolute-form
 * targets, conflicting framing headers, obs-fold, and requests written a byte at a time.
 */
import { connect } from 'node:net';

/** One response read off the wire. */
export interface RawResponse {
  readonly status: number;
  /** Lower-cased names; a repeated header keeps its last value. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** What a connection saw. */
export interface RawExchange {
  /** Every response, in order (bodies framed by content-length). */
  readonly responses: RawResponse[];
  /** Everything received, verbatim. */
  readonly text: string;
  /** Whether the server closed the connection before `waitMs`. */
  readonly closed: boolean;
  /** Milliseconds from connecting to the close (or to giving up). */
  readonly elapsedMs: number;
}

/** A chunked body starting at `text[0]`: its data and the length it took on the wire, or undefined if incomplete. */
function readChunked(text: string): { body: string; used: number } | undefined {
  let at = 0;
  let body = '';
  for (;;) {
    const eol = text.indexOf('\r\n', at);
    if (eol === -1) return undefined;
    const size = parseInt(text.slice(at, eol), 16);
    if (size === 0) {
      const end = text.indexOf('\r\n\r\n', eol);
      return end === -1 ? undefined : { body, used: end + 4 };
    }
    if (text.length < eol + 2 + size + 2) return undefined;
    body += text.slice(eol + 2, eol + 2 + size);
    at = eol + 2 + size + 2;
  }
}

/** Parses consecutive responses (content-length or chunked bodies); a trailing incomplete one is left out. */
export function parseResponses(text: string): RawResponse[] {
  const out: RawResponse[] = [];
  let rest = text;
  for (;;) {
    const end = rest.indexOf('\r\n\r\n');
    if (end === -1) return out;
    const [statusLine, ...lines] = rest.slice(0, end).split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const status = Number((statusLine ?? '').split(' ')[1]);
    const bodyStart = end + 4;
    if (headers['transfer-encoding']?.toLowerCase() === 'chunked') {
      const chunked = readChunked(rest.slice(bodyStart));
      if (chunked === undefined) return out;
      out.push({ status, headers, body: chunked.body });
      rest = rest.slice(bodyStart + chunked.used);
      continue;
    }
    const length = Number(headers['content-length'] ?? 0);
    if (rest.length - bodyStart < length) return out;
    out.push({ status, headers, body: rest.slice(bodyStart, bodyStart + length) });
    rest = rest.slice(bodyStart + length);
  }
}

/**
 * Connects to 127.0.0.1:`port`, writes `parts` (`gapMs` apart), and collects what comes back until the server
 * closes, `expect` responses arrived (then closes itself), or `waitMs` passed.
 */
export function exchange(
  port: number,
  parts: string | Buffer | readonly (string | Buffer)[],
  options: { gapMs?: number; waitMs?: number; expect?: number } = {},
): Promise<RawExchange> {
  const list = typeof parts === 'string' || Buffer.isBuffer(parts) ? [parts] : parts;
  const { gapMs = 0, waitMs = 5000, expect } = options;
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let closed = false;
    let settled = false;
    const timers: NodeJS.Timeout[] = [];
    const finish = (): void => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      const elapsedMs = Date.now() - started;
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      resolve({ responses: parseResponses(text), text, closed, elapsedMs });
    };
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      if (expect !== undefined && parseResponses(Buffer.concat(chunks).toString('latin1')).length >= expect) finish();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      closed = true;
      finish();
    });
    socket.on('connect', () => {
      list.forEach((part, i) => {
        timers.push(
          setTimeout(() => {
            if (!socket.destroyed) socket.write(part);
          }, i * gapMs),
        );
      });
    });
    timers.push(setTimeout(finish, waitMs));
  });
}
