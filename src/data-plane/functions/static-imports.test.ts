import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
    ]);
  });
});

describe('readImportGraph', () => {
  it('reports each project-local import that exists, transitively, through cycles; not packages or missing files', async () => {
    mkdirSync(join(dir, 'graph/lib'), { recursive: true });
    mkdirSync(join(dir, 'graph/node_modules/pkg'), { recursive: true });
    writeFileSync(join(dir, 'graph/entry.mjs'), "import { a } from './lib/a.mjs';\nimport pkg from './node_modules/pkg/index.js';\nimport gone from './missing.mjs';\nimport 'pkg';\nexport const handler = () => a;\n");
    writeFileSync(join(dir, 'graph/lib/a.mjs'), "import { b } from './b.mjs?query#hash';\nexport const a = b;\n");
    writeFileSync(join(dir, 'graph/lib/b.mjs'), "import { a } from './a.mjs';\nexport const b = 1;\n");
    writeFileSync(join(dir, 'graph/node_modules/pkg/index.js'), "import './deep.js';\n");
    const edges: ModuleEdge[] = [];
    await readImportGraph(url('graph/entry.mjs'), (e) => edges.push(e));
    assert.deepEqual(edges, [
      { parent: url('graph/entry.mjs'), url: url('graph/lib/a.mjs') },
      { parent: url('graph/lib/a.mjs'), url: url('graph/lib/b.mjs') },
      { parent: url('graph/lib/b.mjs'), url: url('graph/lib/a.mjs') },
    ]);
  });
});


// This file's process: nothing has registered the module hooks before these tests.
describe('in-process loading without the module hooks', () => {
  const ref = (name: string): LambdaFunctionRef => ({ region: 'us-east-1', accountId: '123456789012', functionName: name, functionArn: `arn:aws:lambda:us-east-1:123456789012:function:${name}` });

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
