// Unit tests of the benchmark's child processes (run by `npm test`: scripts/test.mjs lists bench/**/*.test.mjs too).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const PROCS = new URL('./procs.mjs', import.meta.url).href;

/** Whether a process with `pid` is still running: in /proc and not a zombie (killed, not yet reaped by init). */
function alive(pid) {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

/** A script that starts a long `sleep` through `start`, calls stopOnSignals on `work`, and prints the sleep's PID. */
function script(work) {
  return `
    import { start, stopOnSignals } from ${JSON.stringify(PROCS)};
    stopOnSignals(${JSON.stringify(work)});
    const child = start('sleep', ['30']);
    console.log(child.pid);
    setInterval(() => {}, 1000);
  `;
}

describe('benchmark child processes: a script stopped by a signal', () => {
  for (const signal of ['SIGINT', 'SIGTERM']) {
    it(`on ${signal}, kills the children it started, removes its work directory and exits with 130`, async () => {
      const work = mkdtempSync(join(tmpdir(), 'gh-procs-test-'));
      const parent = spawn(process.execPath, ['--input-type=module', '-e', script(work)], { stdio: ['ignore', 'pipe', 'inherit'] });
      const childPid = await new Promise((resolve, reject) => {
        parent.stdout.once('data', (chunk) => resolve(Number(String(chunk).trim())));
        parent.once('exit', (code) => reject(new Error(`the script exited with ${code} before starting its child`)));
      });
      assert.ok(alive(childPid), 'the child runs');
      const exited = new Promise((resolve) => parent.once('exit', (code, sig) => resolve({ code, sig })));
      parent.kill(signal);
      assert.deepEqual(await exited, { code: 130, sig: null });
      // SIGKILL is delivered at once, but the kernel reaps the child a moment later.
      for (let i = 0; i < 50 && alive(childPid); i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(alive(childPid), false, `the child ${childPid} was left running`);
      assert.equal(existsSync(work), false, 'the work directory was removed');
    });
  }

  it('the cleanUp it returns does the same at a normal end: the children killed and the work directory removed', async () => {
    const work = mkdtempSync(join(tmpdir(), 'gh-procs-test-'));
    const ended = spawn(process.execPath, ['--input-type=module', '-e', `
      import { start, stopOnSignals } from ${JSON.stringify(PROCS)};
      const cleanUp = stopOnSignals(${JSON.stringify(work)});
      const child = start('sleep', ['30']);
      console.log(child.pid);
      setTimeout(cleanUp, 200);
    `], { stdio: ['ignore', 'pipe', 'inherit'] });
    const childPid = await new Promise((resolve) => ended.stdout.once('data', (chunk) => resolve(Number(String(chunk).trim()))));
    assert.equal(await new Promise((resolve) => ended.once('exit', (code) => resolve(code))), 0, 'the script ends by itself once its child is gone');
    for (let i = 0; i < 50 && alive(childPid); i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(alive(childPid), false, `the child ${childPid} was left running`);
    assert.equal(existsSync(work), false, 'the work directory was removed');
  });
});
