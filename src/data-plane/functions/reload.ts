/**
 * Hot reload of local functions: the files a function loaded (its handler and the project-local
 * modules it imports, transitively; `node_modules` excepted) are watched, and a change makes the
 * next invocation run the new code, without a restart.
 *
 * - `inprocess`: the handler is imported again under a new generation (`?gen=N`, see
 *   `module-hooks.ts`), which loads a fresh graph of its project-local modules; CommonJS modules
 *   are dropped from the `require` cache. Node never frees an ES module, so every earlier
 *   generation stays in memory until the server restarts (the reload log line counts them).
 * - `worker`: the function's idle workers are replaced; running invocations finish on the old
 *   ones, which are then discarded (see `local.ts`). A fresh worker loads everything fresh.
 *
 * The reload is logged through the server logger: which function, which file.
 */
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Logger } from '../../logger.js';
import { outsideScopes } from '../../async-scope.js';
import { loadHandler, type LambdaHandler } from './handler-runtime.js';
import { moduleLoader } from './module-loader.js';
import { TYPESCRIPT } from './module-files.js';

/**
 * Watches files through one `fs.watch` per directory: a directory watch survives editors that
 * save by writing a new file and renaming it over the old one (a watch on the file would not).
 */
export class FileWatcher {
  readonly #dirs = new Map<string, { readonly watcher: FSWatcher; readonly files: Map<string, Set<() => void>> }>();

  /** Calls `listener` on every change of `file` until the returned function is called. */
  watch(file: string, listener: () => void): () => void {
    const dir = dirname(file);
    const name = basename(file);
    let entry = this.#dirs.get(dir);
    if (!entry) {
      const files = new Map<string, Set<() => void>>();
      let watcher: FSWatcher;
      try {
        // Not persistent: watching must not keep the server (or a test) alive. Made outside every scope (the
        // first watch happens while a function's module loads, maybe within a TLS connection's handshake): the
        // watcher is the gateway's, its events are not function code, and a resource carrying a scope for as long
        // as the server lives would keep the scopes' async hook running for every request (src/async-scope.ts).
        watcher = outsideScopes(() =>
          watch(dir, { persistent: false }, (_event, changed) => {
            for (const l of [...(files.get(String(changed)) ?? [])]) l();
          }),
        );
      } catch {
        return () => {};
      }
      watcher.on('error', () => {
        watcher.close();
        this.#dirs.delete(dir);
      });
      entry = { watcher, files };
      this.#dirs.set(dir, entry);
    }
    let listeners = entry.files.get(name);
    if (!listeners) entry.files.set(name, (listeners = new Set()));
    const own = () => listener();
    listeners.add(own);
    const { files, watcher } = entry;
    return () => {
      const set = files.get(name);
      if (!set?.delete(own) || set.size > 0) return;
      files.delete(name);
      if (files.size === 0 && this.#dirs.get(dir)?.watcher === watcher) {
        watcher.close();
        this.#dirs.delete(dir);
      }
    };
  }

  close(): void {
    for (const { watcher } of this.#dirs.values()) watcher.close();
    this.#dirs.clear();
  }
}

/** The watched files of one function; the first change after a (re)load calls `onChange` once. */
export class ReloadWatch {
  readonly #name: string;
  readonly #watcher: FileWatcher;
  readonly #onChange: (file: string) => void;
  readonly #unwatch = new Map<string, () => void>();
  #closed = false;

  constructor(name: string, watcher: FileWatcher, onChange: (file: string) => void) {
    this.#name = name;
    this.#watcher = watcher;
    this.#onChange = onChange;
  }

  get name(): string {
    return this.#name;
  }

  /** Watches `file` too (a file the current generation loaded). */
  add(file: string): void {
    if (this.#closed || this.#unwatch.has(file)) return;
    this.#unwatch.set(file, this.#watcher.watch(file, () => this.#changed(file)));
  }

  #changed(file: string): void {
    // Files are watched again as the next generation loads them.
    this.#clear();
    this.#onChange(file);
  }

  #clear(): void {
    for (const unwatch of this.#unwatch.values()) unwatch();
    this.#unwatch.clear();
  }

  close(): void {
    this.#closed = true;
    this.#clear();
  }
}

/** A file path as the log shows it: relative to the working directory when inside it. */
export function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') || rel === '' ? file : rel;
}

/** Logs a reload (see the module comment). */
export function logReload(logger: Logger, name: string, file: string, fields: Record<string, unknown>): void {
  logger.info(`function ${name}: ${displayPath(file)} changed, the next invocation runs the new code`, { function: name, file, ...fields });
}

/**
 * In-process loading with hot reload: `load()` imports the current generation of a handler and
 * watches what it loaded; a change calls `onStale` (the invoker then drops its loaded handler) and
 * moves the function to a new generation.
 */
export class InProcessModules {
  readonly #logger: Logger;
  readonly #watcher = new FileWatcher();
  /** Function name → stops watching its current generation. */
  readonly #watches = new Map<string, () => void>();
  readonly #generations = new Map<string, number>();
  #nextGeneration = 1;
  /** Generations loaded and superseded: they stay in memory (Node never frees an ES module). */
  #retained = 0;
  /** The generation functions changed by the file event being handled move to (see below). */
  #current: number | undefined;

  readonly #reload: boolean;

  constructor(logger: Logger, reload = true) {
    this.#logger = logger;
    this.#reload = reload;
  }

  async load(name: string, file: string, exportName: string, onStale: () => void): Promise<LambdaHandler> {
    const loader = moduleLoader();
    const generation = this.#generations.get(name);
    // The first generation of JavaScript loads without the hooks unless its imports show TypeScript
    // (module-loader.ts); TypeScript and a new generation need them.
    if (generation !== undefined || TYPESCRIPT.test(file)) loader.useHooks();
    const url = `${pathToFileURL(file).href}${generation === undefined ? '' : `?gen=${generation}`}`;
    // Hot reload off: nothing is watched; the sources still decide whether the hooks are needed.
    if (!this.#reload) {
      await loader.readImports(url);
      return loadHandler(file, exportName, url);
    }
    this.#watches.get(name)?.();
    const watch = new ReloadWatch(name, this.#watcher, (changed) => {
      graph.close();
      loader.forgetRequired(graph.files);
      const next = this.#generationOfThisChange();
      this.#generations.set(name, next);
      logReload(this.#logger, name, changed, { isolation: 'inprocess', generation: next, retainedGenerations: this.#retained });
      onStale();
    });
    // `watch` exists before anything is reported; `graph` before any change is.
    const graph = loader.track(url, (f) => watch.add(f));
    this.#watches.set(name, () => (watch.close(), graph.close()));
    // Without the hooks nothing reports what the load imports: it is read from the sources first.
    await loader.readImports(url);
    try {
      const handler = await loadHandler(file, exportName, url);
      graph.addRequired();
      return handler;
    } catch (error) {
      // Node keeps a failed module's error under its URL: the retry (next invocation) takes a new
      // generation. A fix of any file the failed load reached also reloads.
      graph.addRequired();
      this.#generations.set(name, this.#nextGeneration++);
      throw error;
    }
  }

  /**
   * Functions that reload because of one change (a module several of them import) share the new
   * generation, so that module is loaded again once, not once per function.
   */
  #generationOfThisChange(): number {
    if (this.#current === undefined) {
      this.#current = this.#nextGeneration++;
      this.#retained++;
      queueMicrotask(() => (this.#current = undefined));
    }
    return this.#current;
  }

  close(): void {
    for (const stop of this.#watches.values()) stop();
    this.#watches.clear();
    this.#watcher.close();
  }
}
