#!/usr/bin/env node
/**
 * The rounds of several benchmark runs pooled, for the issue's target ratios: each run's results file (`npm run
 * bench -- --out <file>`), their rounds taken together, each round paired with its baseline's round of the same
 * run. It prints what a run's notes say for its own rounds (the median of the rounds' ratios, by req/s and by CPU
 * per request, with its distribution-free interval and whether that decides the target), over every round.
 *
 *   node bench/pool.mjs <results.json> [<results.json> ...]
 *
 * On a shared VM one run's 15 rounds rarely decide a ratio near its target; runs of the same code pooled give
 * an interval about half as wide for four times the rounds. Pool only runs of the same code, command and host.
 */
import { readFileSync } from 'node:fs';
import { checksOf, intervalNotes, pooledSamples } from './lib/report.mjs';

const files = process.argv.slice(2);
if (files.length === 0 || files.some((f) => f.startsWith('-'))) {
  process.stderr.write('usage: node bench/pool.mjs <results.json> [<results.json> ...]   (files written by npm run bench -- --out <file>)\n');
  process.exit(2);
}
const runs = files.map((file) => {
  const results = JSON.parse(readFileSync(file, 'utf8'));
  if (!Array.isArray(results.rows)) {
    process.stderr.write(`pool: ${file} has no rows: not a results file of npm run bench\n`);
    process.exit(2);
  }
  return results;
});
const commits = [...new Set(runs.map((r) => r.machine?.git ?? 'unknown'))];
process.stdout.write(`${runs.length} runs pooled (commits ${commits.join(', ')})\n`);
for (const note of intervalNotes(checksOf(pooledSamples(runs.map((r) => r.rows))), 'these runs')) process.stdout.write(`pooled ${note}\n`);
