import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { storageUsesAsyncHooks } from '../../async-scope.js';

const LOCAL = new URL('./local.js', import.meta.url).href;
const ASYNC_SCOPE = new URL('../../async-scope.js', import.meta.url).href;
const FIXTURE = new URL('../../../../test/fixtures/devloop/handlers.mjs', import.meta.url).pathname;

/** Runs `body` in a fresh Node process that has an in-process local invoker (the guards installed). */
function withGuards(body: string): { status: number | null; stderr: string; stdout: string } {
  const script = `
    const { createLocalInvoker } = await import(${JSON.stringify(LOCAL)});
    const invoker = createLocalInvoker({ functions: { timer: ${JSON.stringify(`${FIXTURE}#timer`)}, ok: ${JSON.stringify(`${FIXTURE}#ok`)}, exits: ${JSON.stringify(`${FIXTURE}#exits`)}, exitsLater: ${JSON.stringify(`${FIXTURE}#exitsLater`)} }, baseDir: '/', isolation: 'inprocess' });
    const ref = (name) => ({ region: 'us-east-1', accountId: '123456789012', functionName: name, functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:' + name });
    ${body}
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 10_000 });
  return { status: r.status, stderr: r.stderr, stdout: r.stdout };
}

describe('crash guard (in-process functions)', () => {
  it('an error thrown from a function timer is logged with the function and its count; the process lives on', () => {
    const r = withGuards(`
      await invoker.invoke(ref('timer'), {}, { timeoutMs: 1000, requestId: 'r' });
      await new Promise((res) => setTimeout(res, 100));
      const after = await invoker.invoke(ref('ok'), {}, { timeoutMs: 1000, requestId: 'r' });
      console.log(after.payload.toString());
      await invoker.close();
    `);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '{"statusCode":200,"body":"ok"}\n');
    const line = JSON.parse(r.stderr.split('\n').find((l) => l.startsWith('{')) ?? '{}') as Record<string, unknown>;
    assert.equal(line.message, 'function timer crashed (uncaught exception): Error: thrown from a timer in timer');
    assert.equal(line.function, 'timer');
    assert.equal(line.crashes, 1);
  });

  it('process.exit in a handler fails the invocation as a Runtime.ExitError, is logged once, and the process lives on', () => {
    const r = withGuards(`
      const exited = await invoker.invoke(ref('exits'), { queryStringParameters: { code: '3' } }, { timeoutMs: 1000, requestId: 'r' });
      console.log(exited.functionError, exited.payload.toString());
      const later = await invoker.invoke(ref('exitsLater'), {}, { timeoutMs: 1000, requestId: 'r' });
      console.log(later.payload.toString());
      await new Promise((res) => setTimeout(res, 100));
      const after = await invoker.invoke(ref('ok'), {}, { timeoutMs: 1000, requestId: 'r' });
      console.log(after.payload.toString());
      await invoker.close();
      console.log(process.exit.name, process.exitCode ?? 'unset');
    `);
    assert.equal(r.status, 0, r.stderr);
    const [exited, later, after, exit] = r.stdout.split('\n');
    assert.match(exited ?? '', /^Unhandled \{"errorType":"Runtime\.ExitError","errorMessage":"RequestId: [0-9a-f-]{36} Error: Runtime exited with error: exit status 3","trace":\[.*\]\}$/);
    assert.equal(later, '{"statusCode":200,"body":"exit scheduled"}');
    assert.equal(after, '{"statusCode":200,"body":"ok"}');
    assert.equal(exit, 'exit unset', 'process.exit is Node\'s own again once the invoker closed; no exit code left behind');
    const lines = r.stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(
      lines.map((l) => [l.message, l.function, l.crashes]),
      [
        ['function exits crashed (process.exit): Error: Runtime exited with error: exit status 3', 'exits', 1],
        ['function exitsLater crashed (process.exit): Error: Runtime exited with error: exit status 4', 'exitsLater', 1],
      ],
    );
  });

  it('process.exit outside function code still exits', () => {
    const r = withGuards(`
      await invoker.invoke(ref('ok'), {}, { timeoutMs: 1000, requestId: 'r' });
      process.exit(7);
    `);
    assert.equal(r.status, 7);
  });

  it("an error outside function code keeps Node's default: the stack on stderr, exit status 1", () => {
    const r = withGuards(`
      setTimeout(() => { throw new Error('a gateway bug'); }, 10);
      await new Promise((res) => setTimeout(res, 1000));
      console.log('still running');
    `);
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^Error: a gateway bug\n\s+at Timeout\._onTimeout/);
  });

  it('an unhandled rejection outside function code too', () => {
    const r = withGuards(`
      Promise.reject(new Error('a rejected gateway promise'));
      await new Promise((res) => setTimeout(res, 1000));
      console.log('still running');
    `);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^Error: a rejected gateway promise\n/);
  });
});

describe("the function scope's hook (in-process functions, hot reload on)", () => {
  it('stops once the invocations are over: nothing of the gateway made while a module loaded (its file watcher) keeps it on', () => {
    const r = withGuards(`
      const { hookScopesRunning } = await import(${JSON.stringify(ASYNC_SCOPE)});
      (await import('node:v8')).setFlagsFromString('--expose-gc');
      const gc = (await import('node:vm')).runInNewContext('gc');
      for (let i = 0; i < 3; i++) await invoker.invoke(ref('ok'), {}, { timeoutMs: 1000, requestId: 'r' });
      const during = hookScopesRunning();
      const end = Date.now() + 5000;
      while (hookScopesRunning() && Date.now() < end) {
        gc();
        await new Promise((res) => setTimeout(res, 50));
      }
      console.log(JSON.stringify({ during, after: hookScopesRunning() }));
      await invoker.close();
    `);
    assert.equal(r.status, 0, r.stderr);
    // Where AsyncLocalStorage runs without hooks (Node 24) the scope is AsyncLocalStorage: no hook of Gatehouse's ever runs.
    assert.deepEqual(JSON.parse(r.stdout.trim()), { during: storageUsesAsyncHooks, after: false });
  });
});
