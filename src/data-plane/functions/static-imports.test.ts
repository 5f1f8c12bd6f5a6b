import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { LambdaFunctionRef } from '../../model/lambda-arn.js';
import { eventually } from './eventually.test-support.js';
import { createLocalInvoker } from './local.js';
import { moduleLoader } from './module-loader.js';
import type { ModuleEdge } from './module-hooks.js';
import { importSpecifiers, readImportGraph } from './static-imports.js';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-imports-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const url = (name: string) => pathToFileURL(join(dir, name)).href;

/** Writes each file of `tree` (path below `dir` → text), making its folders. */
function writeTree(tree: Record<string, string>): void {
  for (const [path, text] of Object.entries(tree)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

describe('importSpecifiers', () => {
  it('finds every form of literal import and re-export once, and nothing else', () => {
    const source = [
      "import a from './a.js';",
      "import { b, c as d } from '../b.mjs'",
      "import e, * as f from \"/abs/e.js\";",
      "import './side-effect.js';",
      'import {\n  g,\n  h,\n} from "./multi-line.js";',
      "export * from './star.js';",
      "export * as ns from './star-ns.js';",
      "export { x } from './named.js';",
      "const later = await import('./dynamic.js');",
      "const withOptions = import(\"./json.json\", { with: { type: 'json' } });",
      "import data from './data.json' with { type: 'json' };",
      "import lodash from 'lodash';",
      "import a2 from './a.js';",
      "import {\n  commented, // a comment in the clause\n  /* another */ also,\n} from './commented.js';",
      "import { grüße as hello } from './unicode.js';",
      "import util from '#lib/util.js';",
      // Not imports: a computed specifier, a property named import, a variable named from.
      'const computed = import(`./tpl-${name}.js`);',
      "obj.import('./not-a-module.js');",
      "export const from = './not-either.js';",
    ].join('\n');
    assert.deepEqual(importSpecifiers(source), [
      './a.js',
      '../b.mjs',
      '/abs/e.js',
      './side-effect.js',
      './multi-line.js',
      './star.js',
      './star-ns.js',
      './named.js',
      './dynamic.js',
      './json.json',
      './data.json',
      'lodash',
      './commented.js',
      './unicode.js',
      '#lib/util.js',
    ]);
  });
});

/** The edges `readImportGraph` reports from `entry` (a path under the fixture directory), and its verdict. */
async function graphOf(entry: string): Promise<{ edges: ModuleEdge[]; typescript: boolean }> {
  const edges: ModuleEdge[] = [];
  const { typescript } = await readImportGraph(url(entry), (e) => edges.push(e));
  return { edges, typescript };
}

describe('readImportGraph', () => {
  it('reports each project-local import that exists, transitively, through cycles; not packages or missing files', async () => {
    writeTree({
      'graph/entry.mjs': "import { a } from './lib/a.mjs';\nimport pkg from './node_modules/pkg/index.js';\nimport gone from './missing.mjs';\nimport 'pkg';\nexport const handler = () => a;\n",
      'graph/lib/a.mjs': "import { b } from './b.mjs?query#hash';\nexport const a = b;\n",
      'graph/lib/b.mjs': "import { a } from './a.mjs';\nexport const b = 1;\n",
      'graph/node_modules/pkg/index.js': "import './deep.js';\n",
    });
    const { edges, typescript } = await graphOf('graph/entry.mjs');
    assert.equal(typescript, false);
    assert.deepEqual(edges, [
      { parent: url('graph/entry.mjs'), url: url('graph/lib/a.mjs') },
      { parent: url('graph/lib/a.mjs'), url: url('graph/lib/b.mjs') },
      { parent: url('graph/lib/b.mjs'), url: url('graph/lib/a.mjs') },
    ]);
  });

  it('follows subpath imports and workspace packages linked into node_modules to their real files', async () => {
    writeTree({
      'ws/app/package.json': JSON.stringify({ type: 'module', imports: { '#lib/*': './lib/*' } }),
      'ws/shared/package.json': JSON.stringify({ name: '@acme/shared', main: 'index.js' }),
      'ws/shared/index.js': 'export const shared = 1;\n',
      'ws/app/lib/util.js': 'export const util = 1;\n',
      'ws/app/h.js': "import { util } from '#lib/util.js';\nimport { shared } from '@acme/shared';\nexport const handler = () => util + shared;\n",
    });
    mkdirSync(join(dir, 'ws/app/node_modules/@acme'), { recursive: true });
    symlinkSync(join(dir, 'ws/shared'), join(dir, 'ws/app/node_modules/@acme/shared'));
    const { edges } = await graphOf('ws/app/h.js');
    assert.deepEqual(edges, [
      { parent: url('ws/app/h.js'), url: url('ws/app/lib/util.js') },
      { parent: url('ws/app/h.js'), url: url('ws/shared/index.js') },
    ]);
  });

  it('says when the load needs the hooks: a .ts import, ./x.js standing for x.ts, or a computed import()', async () => {
    writeTree({
      'ts/util.ts': 'export const u = 1;\n',
      'ts/twin.mjs': "export const handler = async () => (await import('./util.js')).u;\n",
      'ts/plain.mjs': "import './other.mjs';\n",
      'ts/other.mjs': 'export {};\n',
      'ts/computed.mjs': "export const handler = async (name) => (await import(`./${name}.js`)).u;\n",
    });
    assert.deepEqual(await graphOf('ts/twin.mjs'), { edges: [{ parent: url('ts/twin.mjs'), url: url('ts/util.ts') }], typescript: true });
    assert.equal((await graphOf('ts/plain.mjs')).typescript, false);
    assert.equal((await graphOf('ts/computed.mjs')).typescript, true, 'a computed import() may load TypeScript');
  });
});

// This file's process: nothing has registered the module hooks before these tests.
describe('in-process loading without the module hooks', () => {
  const ref = (name: string): LambdaFunctionRef => ({ region: 'us-east-1', accountId: '123456789012', functionName: name, functionArn: `arn:aws:lambda:us-east-1:123456789012:function:${name}` });

  it('names the original source in the stack of a handler shipped with a source map', async () => {
    const { transform } = await import('esbuild');
    const original = join(dir, 'orig.ts');
    const { code } = await transform("export const handler = async (): Promise<string> => {\n  const e: Error = new Error('mapped');\n  return e.stack ?? '';\n};\n", {
      loader: 'ts',
      format: 'esm',
      sourcemap: 'inline',
      sourcefile: original,
    });
    writeFileSync(join(dir, 'mapped.mjs'), code);
    const invoker = createLocalInvoker({ functions: { mapped: './mapped.mjs' }, baseDir: dir, isolation: 'inprocess', logger: { info: () => {}, warn: () => {}, error: () => {} }, reload: false });
    try {
      const stack = JSON.parse((await invoker.invoke(ref('mapped'), {}, { timeoutMs: 5000, requestId: 'r' })).payload.toString()) as string;
      assert.equal(moduleLoader().hooked, false, 'no hooks: source maps do not depend on them');
      assert.match(stack.split('\n')[1]!, new RegExp(`${original.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2:\\d+`));
    } finally {
      await invoker.close();
    }
  });

  it('loads a JavaScript handler without them, watches what it imports, and uses them from the first reload on', async () => {
    writeFileSync(join(dir, 'word.mjs'), "export const word = 'one';\n");
    writeFileSync(join(dir, 'greet.mjs'), "import { word } from './word.mjs';\nexport const handler = async () => `hello ${word}`;\n");
    const logged: Record<string, unknown>[] = [];
    const logger = { info: (message: string, fields?: Record<string, unknown>) => logged.push({ message, ...fields }), warn: () => {}, error: () => {} };
    const invoker = createLocalInvoker({ functions: { greet: './greet.mjs' }, baseDir: dir, isolation: 'inprocess', logger });
    const call = async () => JSON.parse((await invoker.invoke(ref('greet'), {}, { timeoutMs: 5000, requestId: 'r' })).payload.toString()) as string;
    try {
      assert.equal(await call(), 'hello one');
      assert.equal(moduleLoader().hooked, false, 'a first load of JavaScript does not start the hooks thread');
      // The imported module was read from the source: its edit reloads.
      writeFileSync(join(dir, 'word.mjs'), "export const word = 'two';\n");
      await eventually('the reload', () => logged.length >= 1);
      assert.equal(logged[0]!.file, join(dir, 'word.mjs'));
      assert.equal(await call(), 'hello two');
      assert.equal(moduleLoader().hooked, true, 'a new generation loads through the hooks');
    } finally {
      await invoker.close();
    }
  });


});
