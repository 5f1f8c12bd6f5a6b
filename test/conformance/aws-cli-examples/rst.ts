/**
 * Reads the AWS CLI's example files (`awscli/examples/apigatewayv2/*.rst`): each `aws apigatewayv2 ...`
 * command, the `Output::` block recorded after it, and `Contents of ``file``::` blocks (inputs for `file://`).
 */
import { splitShellWords } from './shell.js';

/** One command of an example file and what AWS answered to it. */
export interface ExampleCommand {
  /** 1-based position in the file. */
  readonly index: number;
  /** The bold title of the example the command belongs to (`To create an HTTP API`). */
  readonly title: string;
  /** The operation, e.g. `create-api`. */
  readonly operation: string;
  /** The arguments after the operation, as a POSIX shell would pass them. */
  readonly args: readonly string[];
  /** The recorded output's text, or undefined when the example says the command produces no output. */
  readonly output: string | undefined;
}

/** A parsed example file. */
export interface ExampleFile {
  readonly commands: readonly ExampleCommand[];
  /** File name -> contents, from `Contents of ``name``::` blocks. */
  readonly files: ReadonlyMap<string, string>;
}

/** A reStructuredText literal block: the paragraph line that introduced it (ending in `::`) and its dedented text. */
interface LiteralBlock {
  readonly intro: string;
  readonly title: string;
  readonly text: string;
}

function literalBlocks(source: string): LiteralBlock[] {
  const lines = source.replace(/\r\n/g, '\n').split('\n');
  const blocks: LiteralBlock[] = [];
  let title = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const bold = /^\*\*(.+)\*\*\s*$/.exec(line);
    if (bold) title = bold[1] ?? '';
    if (!/::\s*$/.test(line) || /^\s/.test(line)) continue;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && (/^\s*$/.test(lines[j] ?? '') || /^\s/.test(lines[j] ?? ''))) body.push(lines[j++] ?? '');
    const indent = Math.min(...body.filter((l) => l.trim() !== '').map((l) => /^\s*/.exec(l)?.[0].length ?? 0));
    blocks.push({ intro: line.trim(), title, text: body.map((l) => l.slice(indent).trimEnd()).join('\n').trim() });
    i = j - 1;
  }
  return blocks;
}

/** Parses one example file. Commands keep their shell quoting semantics; `\` line continuations are joined first (also inside quotes, as the docs intend). */
export function parseExampleFile(source: string): ExampleFile {
  const commands: { title: string; operation: string; args: string[]; output: string | undefined }[] = [];
  const files = new Map<string, string>();
  for (const block of literalBlocks(source)) {
    const file = /^Contents of ``(.+)``::$/.exec(block.intro);
    if (file) {
      files.set(file[1] ?? '', `${block.text}\n`);
    } else if (block.intro === 'Output::') {
      const last = commands.at(-1);
      if (!last) throw new Error('Output:: block before any command');
      if (last.output !== undefined) throw new Error(`two Output:: blocks for ${last.operation}`);
      last.output = block.text;
    } else if (block.text.startsWith('aws apigatewayv2 ')) {
      const words = splitShellWords(block.text.replace(/\\\n/g, ' '));
      const [, , operation, ...args] = words;
      if (operation === undefined) throw new Error(`no operation in ${block.text}`);
      commands.push({ title: block.title, operation, args, output: undefined });
    }
  }
  return { commands: commands.map((c, i) => ({ ...c, index: i + 1 })), files };
}

/**
 * Parses a recorded output. A few recordings were edited by hand and lost commas (`"myApi"` followed by
 * `"Stage"` on the next line, `}` followed by `{`) or gained trailing ones; those are repaired, and the
 * repair is reported so it stays visible.
 */
export function parseRecordedJson(text: string): { value: unknown; repaired: boolean } {
  try {
    return { value: JSON.parse(text), repaired: false };
  } catch {
    // A value's end followed by a line break and the start of a member or element needs a comma; `,` before `]`/`}` must go.
    const fixed = text.replace(/(["\d\]}]|true|false|null)(\s*\n\s*)(["{[])/g, '$1,$2$3').replace(/,(\s*[\]}])/g, '$1');
    return { value: JSON.parse(fixed), repaired: true };
  }
}
