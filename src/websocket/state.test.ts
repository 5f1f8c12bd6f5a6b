import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createGatewayState, running, whenIdle, type WebSocketGatewayOptions } from './state.js';

describe('running and whenIdle (what shutdown waits for)', () => {
  it('counts work until its continuation ran, logs what a continuation throws, and wakes the waiters at zero', async () => {
    const logged: string[] = [];
    const logger = { info: () => {}, warn: () => {}, error: (message: string) => logged.push(message) };
    const state = createGatewayState({ logger } as unknown as WebSocketGatewayOptions);
    let finish!: (v: string) => void;
    let fail!: (e: Error) => void;
    const seen: string[] = [];
    running(state, new Promise<string>((resolve) => (finish = resolve)), (v) => seen.push(`done ${v}`), () => seen.push('error'));
    running(state, new Promise<string>((_, reject) => (fail = reject)), () => seen.push('done'), () => {
      throw new Error('the error handler failed');
    });
    assert.equal(state.running, 2);
    let idle = false;
    const waiting = whenIdle(state).then(() => (idle = true));
    finish('a');
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual([seen, state.running, idle], [['done a'], 1, false]);
    fail(new Error('x'));
    await waiting;
    assert.equal(state.running, 0);
    assert.deepEqual(logged, ['websocket: handling a message failed']);
    let again = false;
    void whenIdle(state).then(() => (again = true));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(again, true, 'with nothing running, whenIdle resolves at once');
  });
});
