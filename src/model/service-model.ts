/**
 * Types of the operation/shape table derived from the AWS apigatewayv2 Smithy model
 * (see `scripts/gen-model.mjs` and `service-model.generated.ts`).
 */
import { OPERATIONS, SHAPES } from './service-model.generated.js';

/** Where an input member travels on the wire (restJson1 bindings). Absent = JSON body. */
export type MemberLocation = 'label' | 'query' | 'payload' | 'header';

/** A member of a structure, keyed by its wire (jsonName) name. */
export interface MemberSpec {
  readonly shape: string;
  readonly location?: MemberLocation;
  /** URI label name or query parameter name, for label/query members. */
  readonly wireName?: string;
  readonly required?: boolean;
  /** Set when AWS documents the member as "Supported only for HTTP|WebSocket APIs". */
  readonly protocol?: 'HTTP' | 'WEBSOCKET';
}

/** A shape of the model with the constraints the model (or its shape names) carries. */
export type ShapeSpec =
  | { readonly type: 'string'; readonly min?: number; readonly max?: number }
  | { readonly type: 'enum'; readonly values: readonly string[] }
  | { readonly type: 'integer' | 'double'; readonly min?: number; readonly max?: number }
  | { readonly type: 'boolean' | 'timestamp' | 'blob' }
  | { readonly type: 'list'; readonly member: string }
  | { readonly type: 'map'; readonly key: string; readonly value: string }
  | { readonly type: 'structure'; readonly members: Readonly<Record<string, MemberSpec>> };

/** One operation of the management API: HTTP binding and shapes. */
export interface OperationSpec {
  readonly name: string;
  readonly method: string;
  readonly uri: string;
  readonly code: number;
  readonly input: string | null;
  readonly output: string | null;
  readonly errors: readonly string[];
}

export { OPERATIONS, SHAPES };

/** Looks a shape up by name; a missing shape is a bug in the generated table. */
export function shape(name: string): ShapeSpec {
  const s = SHAPES[name];
  if (!s) throw new Error(`unknown shape ${name}`);
  return s;
}

/** The members of a structure shape. */
export function membersOf(name: string): Readonly<Record<string, MemberSpec>> {
  const s = shape(name);
  if (s.type !== 'structure') throw new Error(`${name} is not a structure`);
  return s.members;
}
