/**
 * Renders a handler's result as the operation's output shape: only modelled members, by wire
 * name, recursively (so internal fields never leak), and no nulls (AWS omits unset members).
 */
import { shape } from '../model/service-model.js';

/** Projects `value` onto shape `shapeName`. */
export function shapeOutput(shapeName: string, value: unknown): unknown {
  if (value === undefined || value === null) return undefined;
  const s = shape(shapeName);
  switch (s.type) {
    case 'structure': {
      const source = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [name, member] of Object.entries(s.members)) {
        if (member.location !== undefined) continue;
        const v = shapeOutput(member.shape, source[name]);
        if (v !== undefined) out[name] = v;
      }
      return out;
    }
    case 'list':
      return (value as unknown[]).map((item) => shapeOutput(s.member, item)).filter((item) => item !== undefined);
    case 'map':
      return Object.fromEntries(
        Object.entries(value as Record<string, unknown>)
          .map(([k, v]) => [k, shapeOutput(s.value, v)])
          .filter(([, v]) => v !== undefined),
      );
    default:
      return value;
  }
}
