/**
 * A serverless.yml document and its variables (Serverless Framework v3/v4 syntax): `${self:path}`,
 * `${env:NAME}`, `${opt:stage}`, `${sls:stage}`, `${aws:region}`, `${aws:accountId}` (the region and
 * account the project is served in) and `${file(./other.yml):path}` (a YAML or JSON file next to it,
 * its own variables resolved), each with an optional fallback after a comma (`${env:PORT, '3000'}`,
 * `${opt:stage, 'dev'}`, `${env:A, ${env:B}}`). Any other source (`ssm`, `cf`, `s3`, `param`, ...)
 * cannot be resolved without AWS and is an error naming the variable and its line and column.
 */
import type { Tags, Node as YamlNode } from 'yaml';
import { readFileSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { ConfigError } from '../config.js';
import { DEFAULT_ACCOUNT_ID } from '../model/account-region.js';
import { yaml } from '../model/yaml.js';

/** A loader error: names the file, the line when known, the key path and what to do (fatal at start-up). */
export class ServerlessError extends ConfigError {
  override name = 'ServerlessError';
}

/** A key path inside the document: `functions.hello.events[0].httpApi`. */
export type KeyPath = readonly (string | number)[];

/** Renders a key path the way the messages show it. */
export function showPath(path: KeyPath): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out === '' ? part : `.${part}`;
  return out === '' ? '(top level)' : out;
}

/** A parsed document: its plain value and the line/column of every node, by key path. */
export interface SourceDocument {
  readonly file: string;
  readonly value: unknown;
  /** `file:line:col` of the node at `path` (or of its nearest ancestor that has a position). */
  where(path: KeyPath): string;
}

/** Parses YAML (or JSON, a subset) text, keeping the position of every node. */
export function parseSource(file: string, text: string, customTags?: Tags): SourceDocument {
  const { parseDocument, LineCounter, isMap, isSeq, isScalar } = yaml();
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, ...(customTags ? { customTags } : {}) });
  const first = doc.errors[0];
  if (first) {
    const pos = first.linePos?.[0];
    throw new ServerlessError(`${file}${pos ? `:${pos.line}:${pos.col}` : ''}: not valid YAML: ${(first.message.split('\n')[0] as string).replace(/ at line \d+, column \d+:?$/, '')}`);
  }
  const positions = new Map<string, number>();
  const walk = (node: unknown, path: KeyPath): void => {
    const n = node as YamlNode | null;
    if (n?.range) positions.set(JSON.stringify(path), n.range[0]);
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        const keyNode = pair.key as YamlNode | null;
        if (keyNode?.range) positions.set(JSON.stringify([...path, key]), keyNode.range[0]);
        // The value's own position wins for scalars and collections that have one.
        if (pair.value) walk(pair.value, [...path, key]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => walk(item, [...path, i]));
    }
  };
  walk(doc.contents, []);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    throw new ServerlessError(`${file}: cannot read the document: ${(err as Error).message}`);
  }
  return {
    file,
    value,
    where(path) {
      for (let n = path.length; n >= 0; n--) {
        const offset = positions.get(JSON.stringify(path.slice(0, n)));
        if (offset !== undefined) {
          const { line, col } = lines.linePos(offset);
          return `${file}:${line}:${col}`;
        }
      }
      return file;
    },
  };
}

/** What variables resolve against. */
export interface VariableSources {
  /** The process environment (`${env:...}`). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Command-line options (`${opt:stage}`); an option not given takes the fallback. */
  readonly options: Readonly<Record<string, string | undefined>>;
  /** `${aws:region}` and `${aws:accountId}`: where the project is served (default us-east-1 and Gatehouse's default account). */
  readonly region?: string;
  readonly accountId?: string;
}

/**
 * What a `${file(...)}` document resolves against besides the sources: the service file's `self:` and
 * stage (the Framework's `self` is always the service configuration), and the files being included,
 * outermost first (a file that includes itself is an error).
 */
interface ServiceContext {
  readonly self: (address: string, from: KeyPath, variable: string) => unknown;
  readonly stage: (path: KeyPath, variable: string) => string;
  readonly including: readonly string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An innermost variable: `${...}` without another `${` inside. */
const INNERMOST = /\$\{([^${}]*)\}/;

/** Splits `source:address, fallback` at the first comma outside quotes. */
function splitFallback(body: string): { ref: string; fallback?: string } {
  let quote: string | undefined;
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === ',') return { ref: body.slice(0, i).trim(), fallback: body.slice(i + 1).trim() };
  }
  return { ref: body.trim() };
}

/** A fallback's value: a quoted string, a number, true/false/null, or the bare text. */
function literal(text: string): unknown {
  const quoted = /^'(.*)'$|^"(.*)"$/s.exec(text);
  if (quoted) return quoted[1] ?? quoted[2];
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (text === 'true' || text === 'false') return text === 'true';
  if (text === 'null') return null;
  return text;
}

const SUPPORTED = '${self:...}, ${env:...}, ${opt:stage}, ${sls:stage}, ${aws:region}, ${aws:accountId}, ${file(./x.yml):path}, each with an optional fallback such as ${env:NAME, \'default\'}';

/**
 * Resolves every variable of `doc`, returning a plain value without `${...}`. `stageOf` gives the
 * stage `${sls:stage}` stands for (it may itself need `${self:provider.stage}` resolved).
 */
export function resolveVariables(doc: SourceDocument, sources: VariableSources, service?: ServiceContext): unknown {
  const root = doc.value;
  const done = new Map<string, unknown>();
  const resolving = new Set<string>();

  const lookup = (address: string, from: KeyPath, variable: string): unknown => {
    const path: (string | number)[] = [];
    let node: unknown = root;
    for (const part of address === '' ? [] : address.split('.')) {
      if (Array.isArray(node) && /^\d+$/.test(part)) {
        node = node[Number(part)];
        path.push(Number(part));
      } else if (isObject(node) && Object.hasOwn(node, part)) {
        node = node[part];
        path.push(part);
      } else return undefined;
    }
    const key = JSON.stringify(path);
    if (done.has(key)) return done.get(key);
    if (resolving.has(key)) throw new ServerlessError(`${doc.where(from)}: ${showPath(from)}: the variable ${variable} refers to itself (through ${showPath(path)}); break the cycle`);
    resolving.add(key);
    try {
      const value = resolve(node, path);
      done.set(key, value);
      return value;
    } finally {
      resolving.delete(key);
    }
  };

  const stage = (path: KeyPath, variable: string): string => {
    const fromOption = sources.options.stage;
    if (fromOption) return fromOption;
    const provider = isObject(root) ? root.provider : undefined;
    if (isObject(provider) && provider.stage !== undefined) {
      const value = lookup('provider.stage', path, variable);
      if (typeof value === 'string' && value !== '') return value;
    }
    return 'dev';
  };

  /** `${file(./other.yml):a.b}`: the other document (its variables resolved with the same sources), or the value at `a.b` in it. */
  const fileValue = (ref: string, path: KeyPath, variable: string): unknown => {
    const m = /^file\(\s*([^)]*?)\s*\)\s*(?::\s*(.*))?$/.exec(ref);
    const name = m?.[1]?.replace(/^(['"])(.*)\1$/, '$2');
    if (!m || !name) throw new ServerlessError(`${doc.where(path)}: ${showPath(path)}: the variable ${variable} is not a file reference: write \${file(./other.yml)} or \${file(./other.yml):key.path}`);
    const target = resolvePath(dirname(doc.file), name);
    if (/\.(js|cjs|mjs|ts)$/.test(target)) {
      throw new ServerlessError(`${doc.where(path)}: ${showPath(path)}: the variable ${variable} names a program (${name}): Gatehouse does not run JavaScript from a serverless.yml; put the values in a YAML or JSON file`);
    }
    const including = service?.including ?? [doc.file];
    if (including.includes(target)) throw new ServerlessError(`${doc.where(path)}: ${showPath(path)}: the variable ${variable} includes ${name}, which is already being included (${including.join(' → ')}); break the cycle`);
    let text: string;
    try {
      text = readFileSync(target, 'utf8');
    } catch (err) {
      // Like the Framework, a file that does not exist has no value (a fallback applies).
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new ServerlessError(`${doc.where(path)}: ${showPath(path)}: the variable ${variable}: cannot read ${target}: ${(err as Error).message}`);
    }
    const value = resolveVariables(parseSource(target, text), sources, { self: service?.self ?? lookup, stage: service?.stage ?? stage, including: [...including, target] });
    let node: unknown = value;
    for (const part of m[2] ? m[2].split('.') : []) {
      if (Array.isArray(node) && /^\d+$/.test(part)) node = node[Number(part)];
      else if (isObject(node) && Object.hasOwn(node, part)) node = node[part];
      else return undefined;
    }
    return node;
  };

  /** The value of one variable (without nested `${`), or undefined when its source has none. */
  const variableValue = (ref: string, path: KeyPath, variable: string): unknown => {
    if (/^file\s*\(/.test(ref)) return fileValue(ref, path, variable);
    const colon = ref.indexOf(':');
    const source = colon === -1 ? ref : ref.slice(0, colon).trim();
    const address = colon === -1 ? '' : ref.slice(colon + 1).trim();
    switch (source) {
      case 'self':
        return (service?.self ?? lookup)(address, path, variable);
      case 'env':
        return sources.env[address];
      case 'opt':
        return address === 'stage' ? sources.options.stage : sources.options[address];
      case 'sls':
        if (address === 'stage') return (service?.stage ?? stage)(path, variable);
        throw new ServerlessError(`${doc.where(path)}: ${showPath(path)}: the variable ${variable} is not supported: of the sls source Gatehouse resolves only \${sls:stage}`);
      case 'aws':
        if (address === 'region') return sources.region ?? 'us-east-1';
        if (address === 'accountId') return sources.accountId ?? DEFAULT_ACCOUNT_ID;
        throw new ServerlessError(`${doc.where(path)}: ${showPath(path)}: the variable ${variable} is not supported: of the aws source Gatehouse resolves \${aws:region} and \${aws:accountId}`);
      default:
        throw new ServerlessError(
          `${doc.where(path)}: ${showPath(path)}: the variable ${variable} cannot be resolved: Gatehouse does not read the "${source.replace(/\(.*$/, '')}" variable source (it needs AWS or the Framework); replace it with a literal or \${env:NAME} (supported: ${SUPPORTED})`,
        );
    }
  };

  const resolveString = (text: string, path: KeyPath): unknown => {
    let current = text;
    for (;;) {
      const m = INNERMOST.exec(current);
      if (!m) return current;
      const variable = m[0];
      const { ref, fallback } = splitFallback(m[1] as string);
      let value = variableValue(ref, path, variable);
      if (value === undefined || value === null) {
        if (fallback === undefined) {
          const option = ref.startsWith('opt:') ? ref.slice(4).trim() : undefined;
          const hint = ref.startsWith('env:')
            ? `set the environment variable ${ref.slice(4).trim()}`
            : option === 'stage'
              ? 'pass --stage'
              : option !== undefined
                ? `Gatehouse passes only --stage to \${opt:...}; give ${variable} a fallback`
                : 'define it';
          throw new ServerlessError(`${doc.where(path)}: ${showPath(path)}: the variable ${variable} has no value; ${hint} or give a fallback such as ${variable.slice(0, -1)}, 'default'}`);
        }
        // `${opt:stage, self:provider.stage}`: a bare reference to a known source is a variable too.
        value = /^(self|env|opt|sls|aws):|^file\(/.test(fallback) ? resolveString(`\${${fallback}}`, path) : literal(fallback);
      }
      // A variable that is the whole string keeps its type (an object, a number, a list).
      if (m.index === 0 && variable.length === current.length) return value;
      if (typeof value === 'object' && value !== null) {
        throw new ServerlessError(`${doc.where(path)}: ${showPath(path)}: the variable ${variable} is an object or a list and cannot be part of a string; use it as the whole value`);
      }
      current = current.slice(0, m.index) + String(value) + current.slice(m.index + variable.length);
    }
  };

  const resolve = (node: unknown, path: KeyPath): unknown => {
    if (typeof node === 'string') return node.includes('${') ? resolveString(node, path) : node;
    if (Array.isArray(node)) return node.map((item, i) => resolve(item, [...path, i]));
    if (isObject(node)) {
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(node)) out[key] = resolve(value, [...path, key]);
      return out;
    }
    return node;
  };

  return resolve(root, []);
}
