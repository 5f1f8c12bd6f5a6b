#!/usr/bin/env node
/**
 * `npm run build`'s second step: bundles what `tsc` wrote for the `gatehouse` command into
 * `dist/bundle/cli/` with esbuild (a runtime dependency already, for TypeScript handlers).
 *
 * Why: loading ~130 ES modules one by one (resolve, stat, read, compile, link each) was about a
 * fifth of the start-up time (`npm run bench -- --rows g`). One module graph of a few chunks loads
 * in a fraction of that. What the code loads lazily stays lazy: every dynamic `import()` becomes a
 * chunk of its own (`--splitting`), loaded at first use as before.
 *
 * Layout: every file is flat in `dist/bundle/cli/`, three levels below the package root like
 * `dist/src/cli/`, so paths the code resolves against `import.meta.url` still hold:
 * `../../../package.json` (the version), `./module-hooks.js` (`module.register`) and
 * `./local-worker.js` (worker threads), the last two being entry points of their own.
 * Packages in `node_modules` stay imports (`--packages=external`), as do Node's built-ins.
 *
 * The tests run the bundle wherever they start the command (`test/helpers/cli.ts`), and the
 * modules of `dist/src/` everywhere else.
 */
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'dist/bundle/cli');

rmSync(OUT, { recursive: true, force: true });
await build({
  absWorkingDir: ROOT,
  entryPoints: ['dist/src/cli/main.js', 'dist/src/data-plane/functions/module-hooks.js', 'dist/src/data-plane/functions/local-worker.js'],
  outdir: OUT,
  entryNames: '[name]',
  chunkNames: 'chunk-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  // Maps back to tsc's output and its maps, for stack traces once source maps are on (Node turns
  // them on with --enable-source-maps; Gatehouse does with the first local function).
  sourcemap: 'linked',
  // Mappings only: Node reads a chunk's map when it loads with source maps on, and the sources are not shipped.
  sourcesContent: false,
  logLevel: 'warning',
});
