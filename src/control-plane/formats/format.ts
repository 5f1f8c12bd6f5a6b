/**
 * A response format of the control plane: how a success and an error are written.
 */
import type { ServerResponse } from 'node:http';
import type { AwsError } from '../errors.js';

/** What a successful operation produced, ready to render. */
export interface SuccessResult {
  readonly status: number;
  /** The output shaped to the model (a JSON object), raw bytes for payload outputs, or nothing (204). */
  readonly body?: Record<string, unknown> | Buffer;
  readonly contentType?: string;
  /** The operation's resource noun (`Route`), used by the envelope to name the `id` member. */
  readonly resource?: string;
  /** Creation time of the resource (and of each listed item, by index), for the envelope's `created_at`. */
  readonly createdAt?: string;
  readonly itemsCreatedAt?: readonly (string | undefined)[];
}

/** Writes results in one wire format. */
export interface ResponseFormat {
  success(res: ServerResponse, result: SuccessResult): void;
  error(res: ServerResponse, error: AwsError): void;
}

/** Writes a JSON body with its length. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
