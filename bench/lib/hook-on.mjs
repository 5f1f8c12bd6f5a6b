// A preload (`node --import ./bench/lib/hook-on.mjs`, from the checkout) that keeps the async hook of Gatehouse's hook
// scopes (src/async-scope.ts) running for the life of the process, as function code holding a timer would. Since the
// hook stops about 2 s after the last invocation, a server that served one function request no longer shows its cost;
// this is how to measure it: `node bench/ab.mjs --base . --path /proxy --node-args='--import ./bench/lib/hook-on.mjs'`.
// The hook is this module's copy of the scope code (dist/src), not the bundle's: the same code, one hook and one slot.
import { hookScope } from '../../dist/src/async-scope.js';

hookScope('bench.hookOn').run(true, () => setInterval(() => undefined, 60_000).unref());
