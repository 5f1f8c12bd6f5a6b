#!/usr/bin/env node
/**
 * Top self-time functions of a V8 CPU profile (`node --cpu-prof`, e.g. from `npm run bench -- --cpu-prof <dir>`).
 *
 *   node bench/profile-top.mjs <file.cpuprofile> [--top 25] [--filter dist/bundle] [--callers randomFillSync]
 *
 * Self time is attributed to the function running when sampled; locations are `path:line` of the code that
 * ran (dist/bundle/cli/*.js for the gatehouse command; the name finds the TypeScript). `--filter` keeps only functions whose
 * location contains the text, percentages stay relative to the whole profile (idle excluded). `--callers`
 * lists the call paths (5 frames up) that spent self time in functions of that name. `--inclusive` ranks by
 * total time instead (the function and everything it called, each sample counted once per function).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  options: { top: { type: 'string', default: '25' }, filter: { type: 'string' }, callers: { type: 'string' }, inclusive: { type: 'boolean' } },
  allowPositionals: true,
});
if (positionals.length !== 1) {
  process.stderr.write('usage: node bench/profile-top.mjs <file.cpuprofile> [--top 25] [--filter dist/bundle]\n');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(positionals[0], 'utf8'));
const root = fileURLToPath(new URL('..', import.meta.url));

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parentOf = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
const selfMs = new Map();
const deltas = profile.timeDeltas;
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  selfMs.set(id, (selfMs.get(id) ?? 0) + (deltas[i] ?? 0) / 1000);
}

const where = (cf) => {
  const url = cf.url.startsWith('file://') ? fileURLToPath(cf.url) : cf.url;
  const path = url.startsWith(root) ? url.slice(root.length) : url;
  return path ? `${path}:${cf.lineNumber + 1}` : '(native)';
};
const keyOf = (cf) => `${cf.functionName || '(anonymous)'}  ${where(cf)}`;
const totals = new Map();
let busy = 0;
for (const [id, ms] of selfMs) {
  const cf = byId.get(id).callFrame;
  if (cf.functionName === '(idle)') continue;
  busy += ms;
  if (!values.inclusive) {
    totals.set(keyOf(cf), (totals.get(keyOf(cf)) ?? 0) + ms);
    continue;
  }
  const seen = new Set();
  for (let p = id; p !== undefined; p = parentOf.get(p)) seen.add(keyOf(byId.get(p).callFrame));
  for (const key of seen) totals.set(key, (totals.get(key) ?? 0) + ms);
}
const rows = [...totals].filter(([k]) => !values.filter || k.includes(values.filter)).sort((x, y) => y[1] - x[1]).slice(0, Number(values.top));
process.stdout.write(`busy ${busy.toFixed(0)} ms sampled (idle excluded); ${values.inclusive ? 'total (inclusive)' : 'self'} time:\n`);
for (const [key, ms] of rows) process.stdout.write(`${((ms / busy) * 100).toFixed(1).padStart(5)}%  ${ms.toFixed(0).padStart(6)} ms  ${key}\n`);

if (values.callers) {
  const paths = new Map();
  for (const [id, ms] of selfMs) {
    if (byId.get(id).callFrame.functionName !== values.callers) continue;
    const frames = [];
    for (let p = parentOf.get(id); p !== undefined && frames.length < 5; p = parentOf.get(p)) {
      const cf = byId.get(p).callFrame;
      frames.push(`${cf.functionName || '(anonymous)'} ${where(cf)}`);
    }
    const key = frames.join(' < ');
    paths.set(key, (paths.get(key) ?? 0) + ms);
  }
  process.stdout.write(`\ncallers of ${values.callers}:\n`);
  for (const [key, ms] of [...paths].sort((x, y) => y[1] - x[1]).slice(0, 10)) process.stdout.write(`${((ms / busy) * 100).toFixed(1).padStart(5)}%  ${key}\n`);
}
