/**
 * Resource identifiers shaped as AWS's: lowercase alphanumerics of a fixed length per resource
 * (api 10 `6ldrvk5tk5`, route/integration/authorizer 7 `72jz1wk`, deployment 6 `53lz9l`).
 */
import { randomBytes } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** The kinds of generated identifiers and their lengths. */
export const ID_LENGTHS = {
  api: 10,
  route: 7,
  integration: 7,
  authorizer: 7,
  routeResponse: 7,
  integrationResponse: 7,
  model: 7,
  deployment: 6,
  apiMapping: 10,
  vpcLink: 6,
  routingRule: 10,
} as const;

/** Kind of a generated identifier. */
export type IdKind = keyof typeof ID_LENGTHS;

/** Produces new identifiers; injectable so tests can make them predictable. */
export type IdGenerator = (kind: IdKind) => string;

/** Random identifiers from the OS CSPRNG (rejection sampling keeps the alphabet uniform). */
export const randomIds: IdGenerator = (kind) => {
  const length = ID_LENGTHS[kind];
  let id = '';
  while (id.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 252 && id.length < length) id += ALPHABET[byte % 36];
    }
  }
  return id;
};

/** Produces timestamps; injectable for tests. */
export type Clock = () => Date;

/** The system clock. */
export const systemClock: Clock = () => new Date();

/** RFC 3339 UTC with whole seconds, as AWS sends `createdDate` (`2020-04-08T19:05:45Z`). */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
