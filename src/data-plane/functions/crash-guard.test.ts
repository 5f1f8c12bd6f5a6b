import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';

const LOCAL = new URL('./local.js', import.meta.url).href;
const FIXTURE = new URL('../../../../test/fixtures/devloop/handlers.mjs', import.meta.url).pathname;

/** Runs `body` in a fresh Node process that has an in-process local invoker (the guards installed). */
function withGuards(body: string): { status: number | null; stderr: string; stdout: string } {
  const script = `
    const { createLocalInvoker } = await import(${JSON.stringify(LOCAL)});
    const invoker = createLocalInvoker({ functions: { timer: ${JSON.stringify(`${FIXTURE}#timer`)}, ok: ${JSON.stringify(`${FIXTURE}#ok`)} }, baseDir: '/', isolation: 'inprocess' });
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
