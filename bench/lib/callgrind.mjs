// Reading a callgrind dump (valgrind's `callgrind_control -d`) for bench/instructions.mjs.

/** V8's optimizing compilers (TurboFan, Maglev), by the names of their C++ functions. */
const COMPILER = /v8::internal::(compiler|maglev)::/;

/**
 * A dump's total instructions, and those run in V8's compilers' own functions (their callees' not counted), or
 * undefined when the text is no dump. Function names are compressed (`fn=(12) name` once, `fn=(12)` after; `cfn=`
 * lines name callees the same way), and the cost line after `calls=` is the call's inclusive cost, not the
 * function's own.
 */
export function readDump(text) {
  const total = /^(?:summary|totals): (\d+)/m.exec(text);
  if (!total) return undefined;
  const names = new Map();
  let inCompiler = false;
  let callCost = false;
  let compilerInstructions = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('fn=') || line.startsWith('cfn=')) {
      const callee = line.startsWith('cfn=');
      const m = /^c?fn=\((\d+)\)(?: (.*))?$/.exec(line);
      const name = m ? (m[2] ?? names.get(m[1]) ?? '') : line.slice(callee ? 4 : 3);
      if (m?.[2] !== undefined) names.set(m[1], m[2]);
      if (!callee) inCompiler = COMPILER.test(name);
    } else if (line.startsWith('calls=')) callCost = true;
    else if (/^[0-9+*-]/.test(line)) {
      if (callCost) callCost = false;
      else if (inCompiler) compilerInstructions += Number(line.split(' ')[1] ?? 0);
    }
  }
  return { instructions: Number(total[1]), compilerInstructions };
}
