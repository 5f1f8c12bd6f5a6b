/**
 * Turns the README's runnable blocks (a ```sh or ```js fence right after `<!-- runnable -->`) into one
 * bash script that runs them in order, as written, against a server the script starts (first as the
 * Quickstart's `npm start` does):
 *
 * - `npm start [-- args]` (the README's "in one terminal") (re)starts `gatehouse serve args` in the
 *   background on the test's port and data directory, and waits for its health check;
 * - `npx gatehouse-gateway ...` runs the built CLI of this checkout (what npx runs in a clone);
 * - a command whose trailing comment (or the comment line right below it) starts with an HTTP status,
 *   `curl ... # 401`, is checked for that status, and for the body when the rest of the comment is a
 *   whole JSON value (`# 200 {"id":"1"}`);
 * - a command followed by a comment line `# An error occurred (...)` must fail with that text;
 * - `4580` becomes the test's port;
 * - a command the README runs in the background (`node examples/chat/local-table.mjs &`) is ended
 *   when the script ends.
 * Every other line runs unchanged under `set -euo pipefail`.
 */

/** One check the script records for the test to assert. */
export type Check =
  | { readonly kind: 'status'; readonly id: number; readonly line: string; readonly status: number; readonly body?: unknown }
  | { readonly kind: 'fails'; readonly id: number; readonly line: string; readonly text: string };

/** A runnable block of the README. */
export interface Block {
  readonly lang: 'sh' | 'js';
  readonly text: string;
  /** 1-based line of the fence in the README. */
  readonly line: number;
}

/** Every runnable block, in order. */
export function runnableBlocks(readme: string): Block[] {
  const lines = readme.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    if ((lines[i] as string).trim() !== '<!-- runnable -->') continue;
    const fence = /^```(sh|js)\s*$/.exec(lines[i + 1] ?? '');
    if (!fence) throw new Error(`README line ${i + 1}: <!-- runnable --> must be followed by a \`\`\`sh or \`\`\`js fence`);
    const end = lines.indexOf('```', i + 2);
    if (end === -1) throw new Error(`README line ${i + 2}: unterminated fence`);
    blocks.push({ lang: fence[1] as 'sh' | 'js', text: lines.slice(i + 2, end).join('\n'), line: i + 2 });
  }
  return blocks;
}

/** Splits a shell line into its code and its trailing comment (a `#` after whitespace, outside quotes). */
export function splitComment(line: string): { code: string; comment: string | undefined } {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"') i++;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '\\') i++;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1] as string))) return { code: line.slice(0, i).trimEnd(), comment: line.slice(i + 1).trim() };
  }
  return { code: line, comment: undefined };
}

/** The expected status (and body) a comment states, if it starts with a status. */
function expectation(comment: string | undefined): { status: number; body?: unknown } | undefined {
  const m = comment ? /^([1-5]\d\d)\b\s*(.*)$/.exec(comment) : null;
  if (!m) return undefined;
  const rest = (m[2] as string).trim();
  try {
    return rest.startsWith('{') || rest.startsWith('[') ? { status: Number(m[1]), body: JSON.parse(rest) } : { status: Number(m[1]) };
  } catch {
    return { status: Number(m[1]) };
  }
}

const PRELUDE = String.raw`set -euo pipefail
__pid=''
__stop() { if [ -n "$__pid" ]; then kill "$__pid" 2>/dev/null || true; wait "$__pid" 2>/dev/null || true; __pid=''; fi; }
__end() { __stop; local j; for j in $(jobs -p); do kill "$j" 2>/dev/null || true; wait "$j" 2>/dev/null || true; done; }
trap __end EXIT
__serve() {
  __stop
  node "$README_CLI" serve "$@" >>"$README_CHECKS/server.log" 2>&1 &
  __pid=$!
  for _ in $(seq 1 200); do
    if curl -s -o /dev/null "http://127.0.0.1:$README_PORT/_gatehouse/health"; then return 0; fi
    if ! kill -0 "$__pid" 2>/dev/null; then echo "gatehouse serve $* exited" >&2; cat "$README_CHECKS/server.log" >&2; return 1; fi
    sleep 0.05
  done
  echo "gatehouse serve $* did not become healthy" >&2; return 1
}
__gatehouse() { node "$README_CLI" "$@"; }
__status() { local id=$1; shift; "$@" -s -o "$README_CHECKS/$id.body" -w '%{http_code}' >"$README_CHECKS/$id.status"; }
__fails() { local id=$1; shift; if "$@" >"$README_CHECKS/$id.out" 2>&1; then echo 0 >"$README_CHECKS/$id.exit"; else echo $? >"$README_CHECKS/$id.exit"; fi; }
`;

/** The bash script of all runnable blocks, and the checks it records. */
export function readmeScript(blocks: readonly Block[], port: number): { script: string; checks: Check[] } {
  const checks: Check[] = [];
  // The Quickstart's `npm start` (a block that is not runnable: it also installs) runs first.
  let script = `${PRELUDE}__serve\n`;
  let jsCount = 0;
  for (const block of blocks) {
    script += `\n# --- README line ${block.line}\n`;
    if (block.lang === 'js') {
      const file = `"$README_CHECKS/block-${++jsCount}.mjs"`;
      script += `cat >${file} <<'__README_JS__'\n${block.text.replace(/\b4580\b/g, String(port))}\n__README_JS__\n(cd "$README_ROOT" && node --input-type=module <${file})\n`;
      continue;
    }
    const physical = block.text.replace(/\b4580\b/g, String(port)).split('\n');
    for (let i = 0; i < physical.length; i++) {
      // A logical command: physical lines joined while they end with a backslash.
      const start = i;
      while ((physical[i] as string).trimEnd().endsWith('\\') && i + 1 < physical.length) i++;
      const lines = physical.slice(start, i + 1);
      const last = splitComment(lines[lines.length - 1] as string);
      const code = [...lines.slice(0, -1), last.code].join('\n');
      if (code.trim() === '') continue;
      // The comment lines right below a command (an expected output), joined.
      const belowLines: string[] = [];
      for (let j = i + 1; j < physical.length; j++) {
        const below = splitComment(physical[j] as string);
        if (below.code.trim() !== '' || below.comment === undefined) break;
        belowLines.push(below.comment);
      }
      const belowComment = belowLines.length > 0 ? belowLines.join(' ') : undefined;
      const shown = code.replace(/\\\n\s*/g, ' ');
      let command = code.replace(/\bnpx gatehouse-gateway\b/g, '__gatehouse');
      const npmStart = /^npm start(?: -- (.*))?$/s.exec(command.trim());
      if (npmStart) {
        script += `__serve ${npmStart[1] ?? ''}\n`;
        continue;
      }
      const expected = expectation(last.comment) ?? expectation(belowComment);
      if (expected && /^curl\s/.test(command.trim())) {
        const id = checks.length;
        checks.push({ kind: 'status', id, line: shown, status: expected.status, ...(expected.body !== undefined ? { body: expected.body } : {}) });
        command = `__status ${id} ${command.trim()}`;
      } else if (belowComment?.startsWith('An error occurred')) {
        const id = checks.length;
        checks.push({ kind: 'fails', id, line: shown, text: belowComment });
        command = `__fails ${id} ${command.trim()}`;
      }
      script += `${command}\n`;
    }
  }
  return { script, checks };
}
