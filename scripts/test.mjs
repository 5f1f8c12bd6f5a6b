#!/usr/bin/env node
/**
 * `npm test`'s runner: every compiled test file (`dist/**` `*.test.js`, the bundle aside) and the benchmark's
 * own (`bench/**` `*.test.mjs`, plain JavaScript) under node's built-in runner, two files at a time. Node 20
 * searches a directory it is given for test files; Node 22 and later take files and globs only and read
 * `dist/` as one file that cannot load, failing the run. So the list is made here, the same on every version. Options go to `node --test`
 * (`node scripts/test.mjs --test-name-pattern=ImportApi`, in the `--option=value` form); files named as
 * arguments run instead of the whole list (`node scripts/test.mjs dist/src/config.test.js`).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');

/** The files under `dir` whose names end in `suffix`, in a stable order. */
function testFiles(dir, suffix = '.test.js') {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (path !== join(dist, 'bundle') && entry.name !== 'node_modules') found.push(...testFiles(path, suffix));
    } else if (entry.name.endsWith(suffix)) found.push(relative(root, path));
  }
  return found;
}

const args = process.argv.slice(2);
const options = args.filter((a) => a.startsWith('-'));
const named = args.filter((a) => !a.startsWith('-')).map((file) => resolve(file));
let files = named;
try {
  // The benchmark's own modules are JavaScript, not built: their tests run from bench/.
  if (named.length === 0) files = [...testFiles(dist), ...testFiles(join(root, 'bench'), '.test.mjs')];
} catch (error) {
  process.stderr.write(`test: cannot read ${dist} (${error.code ?? error}); build first: npm run build\n`);
  process.exit(2);
}
if (files.length === 0) {
  process.stderr.write(`test: no *.test.js under ${dist}; build first: npm run build\n`);
  process.exit(2);
}
const run = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...options, ...files], { cwd: root, stdio: 'inherit' });
if (run.error) {
  process.stderr.write(`test: cannot start node --test: ${run.error.message}\n`);
  process.exit(2);
}
// Ended by a signal (Ctrl-C): end the same way, so npm and the shell see it.
if (run.signal) process.kill(process.pid, run.signal);
process.exit(run.status ?? 1);
