/**
 * The module loader of local functions, one per thread (the server's, or a function's worker):
 * registers `module-hooks.ts` (TypeScript, `?gen=N` generations) when first needed, turns on source
 * maps, and keeps the graph of project-local imports the hooks report, so the files a function
 * loaded (transitively) are known and can be watched for hot reload.
 *
 * The hooks are registered on demand (`useHooks`), not at the first load: registering starts Node's
 * hooks thread and blocks this one until it is up (50 to 90 ms on the bench machine), and from then
 * on every import of the thread, Gatehouse's own lazy ones included, is a round trip to it. The
 * in-process invoker loads the first generation of a JavaScript handler without them, and a worker
 * its handler, and reads its imports from the source instead (`readImports`, `static-imports.ts`);
 * TypeScript and an in-process reload (a new generation) use the hooks.
 */
import * as nodeModule from 'node:module';
import { fileURLToPath } from 'node:url';
import { MessageChannel } from 'node:worker_threads';
import type { ModuleEdge, ModuleHooksData } from './module-hooks.js';
import { projectFile } from './module-files.js';
import { readImportGraph } from './static-imports.js';

const require = nodeModule.createRequire(import.meta.url);

/** The project-local modules reached from one entry URL; grows as the hooks report imports. */
export interface ModuleGraph {
  /** File paths reached so far. */
  readonly files: ReadonlySet<string>;
  /** Adds CommonJS modules the CJS loader required (the hooks do not see `require`). */
  addRequired(): void;
  /** Stops reporting files. */
  close(): void;
}

class Graph implements ModuleGraph {
  readonly urls = new Set<string>();
  readonly files = new Set<string>();
  readonly #loader: ModuleLoader;
  readonly #onFile: (file: string) => void;

  constructor(loader: ModuleLoader, onFile: (file: string) => void) {
    this.#loader = loader;
    this.#onFile = onFile;
  }

  add(url: string): void {
    if (this.urls.has(url)) return;
    this.urls.add(url);
    this.#file(fileURLToPath(url));
    for (const child of this.#loader.edges.get(url) ?? []) this.add(child);
  }

  #file(file: string): void {
    if (this.files.has(file)) return;
    this.files.add(file);
    this.#onFile(file);
  }

  addRequired(): void {
    const seen = new Set<string>();
    const walk = (m: NodeJS.Module | undefined) => {
      if (!m || seen.has(m.filename) || !projectFile(m.filename)) return;
      seen.add(m.filename);
      this.#file(m.filename);
      for (const child of m.children) walk(child);
    };
    for (const file of [...this.files]) walk(require.cache[file]);
  }

  close(): void {
    this.#loader.graphs.delete(this);
  }
}

/** See the module comment. Use `moduleLoader()`: there is one per thread. */
export class ModuleLoader {
  /** parent URL → URLs it imported (project-local only). */
  readonly edges = new Map<string, Set<string>>();
  readonly graphs = new Set<Graph>();
  #hooked = false;

  constructor() {
    // Stack traces name the sources of functions shipped with source maps (tsc, esbuild, CDK
    // assets), and of transpiled TypeScript (inline maps), from the first load on.
    process.setSourceMapsEnabled(true);
  }

  /** Whether the module hooks are registered in this thread (they cannot be taken back). */
  get hooked(): boolean {
    return this.#hooked;
  }

  /** Registers the module hooks in this thread, once; imports from now on go through them. */
  useHooks(): void {
    if (this.#hooked) return;
    // `register` is Node 20.6+ (package.json engines); a namespace import keeps older versions starting.
    const register = (nodeModule as Partial<typeof nodeModule>).register;
    if (!register) throw new Error(`local functions need Node.js 20.6 or later (module hooks), this is ${process.version}`);
    const { port1, port2 } = new MessageChannel();
    port1.on('message', (edge: ModuleEdge) => this.#edge(edge));
    // Reports must not keep the process (or a worker) alive.
    port1.unref();
    const data: ModuleHooksData = { port: port2 };
    register('./module-hooks.js', import.meta.url, { data, transferList: [port2] });
    this.#hooked = true;
  }

  /**
   * Before a first load of `url` while the hooks are off: adds its imports read from the sources
   * (nothing else would report them), and registers the hooks when those show TypeScript.
   */
  async readImports(url: string): Promise<void> {
    if (this.#hooked) return;
    const { typescript } = await readImportGraph(url, (edge) => this.#edge(edge));
    if (typescript) this.useHooks();
  }

  #edge({ parent, url }: ModuleEdge): void {
    if (parent === undefined) return;
    let children = this.edges.get(parent);
    if (!children) this.edges.set(parent, (children = new Set()));
    children.add(url);
    for (const graph of this.graphs) if (graph.urls.has(parent)) graph.add(url);
  }

  /** Tracks the files reached from `url` (before importing it, so no report is missed). */
  track(url: string, onFile: (file: string) => void): ModuleGraph {
    const graph = new Graph(this, onFile);
    this.graphs.add(graph);
    graph.add(url);
    return graph;
  }

  /** Drops CommonJS modules from the `require` cache, so the next load reads them again. */
  forgetRequired(files: Iterable<string>): void {
    for (const file of files) delete require.cache[file];
  }
}

let instance: ModuleLoader | undefined;

/** This thread's loader (without the hooks until `useHooks`). */
export function moduleLoader(): ModuleLoader {
  instance ??= new ModuleLoader();
  return instance;
}
