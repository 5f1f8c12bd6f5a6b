/**
 * The management API's router: (method, raw path) -> operation of the AWS model + its URI labels.
 * Paths are matched on their raw, still-encoded form split on `/`, and each label is then
 * percent-decoded, because the SDKs encode `/` inside labels (a tag ARN, a route key in
 * DeleteRouteSettings). Decoding first would split those labels.
 */
import type { OperationSpec } from '../model/service-model.js';
import { OPERATIONS } from '../model/service-model.js';
import { BadRequestException } from './errors.js';

type Segment = { readonly literal: string } | { readonly label: string };

interface CompiledOperation {
  readonly spec: OperationSpec;
  readonly segments: readonly Segment[];
}

/** A matched operation with its decoded URI labels, keyed by the model's label name (`ApiId`). */
export interface OperationMatch {
  readonly spec: OperationSpec;
  readonly labels: Readonly<Record<string, string>>;
}

const compile = (spec: OperationSpec): CompiledOperation => ({
  spec,
  segments: spec.uri
    .split('/')
    .slice(1)
    .map((s) => (s.startsWith('{') && s.endsWith('}') ? { label: s.slice(1, -1) } : { literal: s })),
});

const BY_METHOD = new Map<string, CompiledOperation[]>();
for (const spec of OPERATIONS) {
  const list = BY_METHOD.get(spec.method) ?? [];
  list.push(compile(spec));
  BY_METHOD.set(spec.method, list);
}

function decodeLabel(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new BadRequestException(`Invalid percent-encoding in path segment '${raw}'`);
  }
}

/** Finds the operation for a request; undefined when no operation of the model matches. */
export function matchOperation(method: string, rawPath: string): OperationMatch | undefined {
  const candidates = BY_METHOD.get(method);
  if (!candidates) return undefined;
  const parts = rawPath.split('/').slice(1);
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  outer: for (const op of candidates) {
    if (op.segments.length !== parts.length) continue;
    for (let i = 0; i < parts.length; i++) {
      const seg = op.segments[i] as Segment;
      const part = parts[i] as string;
      if ('literal' in seg ? seg.literal !== part : part === '') continue outer;
    }
    const labels: Record<string, string> = {};
    op.segments.forEach((seg, i) => {
      if ('label' in seg) labels[seg.label] = decodeLabel(parts[i] as string);
    });
    return { spec: op.spec, labels };
  }
  return undefined;
}

/** The methods some operation answers on this path (for a helpful error on a wrong method). */
export function methodsForPath(rawPath: string): string[] {
  return [...BY_METHOD.keys()].filter((m) => matchOperation(m, rawPath) !== undefined);
}
