/**
 * WebSocket connection ids in AWS's shape: 16 characters, 11 random bytes in the URL-safe base64
 * alphabet (`A-Z a-z 0-9 - _`) with its `=` pad, e.g. `L0SM9cOFvHcCIhw=` or `HEJGadx-IAMCJPQ=`. Never
 * `/` or `+`, so a client can put an id in a `@connections/{id}` path as it is. The shape of request
 * ids too: one generator (request-id.ts).
 */
import { awsIdPool } from '../data-plane/request-id.js';

/** A well-formed connection id (the shape Gatehouse issues). */
export const CONNECTION_ID = /^[A-Za-z0-9_-]{15}=$/;

/** A new random connection id. */
export const newConnectionId: () => string = awsIdPool();
