/**
 * Pagination of the Get* list operations: `maxResults` + opaque `nextToken` in, `items` +
 * `nextToken` out (omitted on the last page, so SDK paginators stop).
 */
import type { Page } from '../store/store.js';
import { BadRequestException } from './errors.js';

/** Page size when the caller gives no `maxResults` (AWS leaves it undocumented; larger than any per-API quota). */
export const DEFAULT_PAGE_SIZE = 500;
/** Largest page served. */
export const MAX_PAGE_SIZE = 500;

const TOKEN = /^g1\.(\d{1,15})$/;

/** Reads `maxResults` (a string in the Get* operations, an integer in ListRoutingRules) and `nextToken`. */
export function pageRequest(input: { maxResults?: unknown; nextToken?: unknown }): { limit: number; after?: number } {
  let limit = DEFAULT_PAGE_SIZE;
  if (input.maxResults !== undefined) {
    const text = String(input.maxResults);
    if (!/^\d+$/.test(text) || Number(text) < 1) {
      throw new BadRequestException(`Invalid maxResults '${text}': must be a positive integer`);
    }
    limit = Math.min(Number(text), MAX_PAGE_SIZE);
  }
  if (input.nextToken === undefined) return { limit };
  const decoded = Buffer.from(String(input.nextToken), 'base64url').toString('utf8');
  const m = TOKEN.exec(decoded);
  if (!m) throw new BadRequestException('Invalid nextToken');
  return { limit, after: Number(m[1]) };
}

/** The `nextToken` for a page, or undefined on the last page. */
export function nextToken(page: Page<unknown>): string | undefined {
  return page.next === undefined ? undefined : Buffer.from(`g1.${page.next}`, 'utf8').toString('base64url');
}
