/**
 * undici, loaded when the first upstream call is made (an HTTP proxy, a Lambda Invoke API call, a
 * service integration, a JWKS fetch), not at start-up, where it took ~180 ms of a cold start.
 */
import { createRequire } from 'node:module';

let loaded: typeof import('undici') | undefined;

export const undici = (): typeof import('undici') => (loaded ??= createRequire(import.meta.url)('undici') as typeof import('undici'));
