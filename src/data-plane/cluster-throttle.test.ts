import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { RedisLink } from '../cluster/redis.js';
import type { Logger } from '../logger.js';
import { clusterThrottles } from './cluster-throttle.js';

const REDIS = process.env.GATEHOUSE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A logger that keeps what it is told. */
function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (message: string, fields?: object) => void lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  return { lines, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') } as unknown as Logger & { lines: string[] };
}

describe('cluster throttle (Redis)', () => {
  const links: RedisLink[] = [];
  const node = async () => {
    // A loaded machine may take more than the default 100 ms to answer: this test is about the shared bucket, not the fallback.
    const link = new RedisLink({ url: REDIS, logger: recordingLogger(), commandTimeoutMs: 2_000 });
    links.push(link);
    assert.equal(await link.ready(), true, `Redis at ${REDIS} must be running for this test`);
    return clusterThrottles(link);
  };
  after(async () => {
    await Promise.all(links.map((l) => l.close()));
  });

  it('three nodes share one bucket: burst 10 at rate 0 admits exactly 10 requests in all', async () => {
    const scope = `test:${randomBytes(6).toString('hex')}:$default:GET /x`;
    const nodes = await Promise.all([node(), node(), node()]);
    const buckets = nodes.map((throttles) => throttles(scope, { throttlingRateLimit: 0, throttlingBurstLimit: 10 }));
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => buckets[i % 3]?.take()));
    assert.equal(answers.filter((a) => a === true).length, 10);
    assert.equal(answers.filter((a) => a === false).length, 20);
  });

  it('refills at the rate, on Redis time: 2 s at 20 requests/s over three nodes admits the burst and 40 more, ± 10%', async () => {
    const scope = `test:${randomBytes(6).toString('hex')}:$default:GET /rate`;
    const nodes = await Promise.all([node(), node(), node()]);
    const buckets = nodes.map((throttles) => throttles(scope, { throttlingRateLimit: 20, throttlingBurstLimit: 5 }));
    let admitted = 0;
    let attempts = 0;
    const started = Date.now();
    // Demand well over the rate: every round asks all three nodes at once, without pausing.
    while (Date.now() - started < 2_000) {
      const answers = await Promise.all(buckets.map((b) => b?.take()));
      attempts += answers.length;
      admitted += answers.filter((a) => a === true).length;
    }
    const elapsed = (Date.now() - started) / 1000;
    // A burst above 1 so that refills are not capped between two asks (a bucket of 1 loses what overflows it).
    const expected = 5 + 20 * elapsed;
    assert.ok(admitted <= expected * 1.1, `never over the rate: admitted ${admitted}, expected about ${expected.toFixed(1)}`);
    // On a machine too loaded to ask three times the rate, fewer asks are all the bucket can answer.
    if (attempts >= 3 * expected) assert.ok(admitted >= expected * 0.9, `admitted ${admitted} of ${attempts} asks, expected about ${expected.toFixed(1)}`);
  });

  it('routes without limits get no throttle; changed limits start a fresh bucket', async () => {
    const throttles = await node();
    assert.equal(throttles('test:x', {}), undefined);
    const scope = `test:${randomBytes(6).toString('hex')}:s:GET /y`;
    const first = throttles(scope, { throttlingRateLimit: 0, throttlingBurstLimit: 1 });
    assert.equal(await first?.take(), true);
    assert.equal(await first?.take(), false);
    const raised = throttles(scope, { throttlingRateLimit: 0, throttlingBurstLimit: 2 });
    assert.equal(await raised?.take(), true);
  });

  it('while Redis is unreachable, each node falls back to its own bucket at once (synchronously), and says so once', async () => {
    const logger = recordingLogger();
    const link = new RedisLink({ url: 'redis://127.0.0.1:1', logger });
    links.push(link);
    assert.equal(await link.ready(300), false);
    const bucket = clusterThrottles(link)('test:down', { throttlingRateLimit: 0, throttlingBurstLimit: 2 });
    assert.deepEqual([bucket?.take(), bucket?.take(), bucket?.take()], [true, true, false]);
    assert.equal(logger.lines.filter((l) => l.startsWith('warn redis: unreachable')).length, 1);
  });

  it('a failed command sends requests to the local bucket for a second, then Redis is asked again (and the recovery is logged)', async () => {
    const logger = recordingLogger();
    const link = new RedisLink({ url: REDIS, logger, commandTimeoutMs: 2_000 });
    links.push(link);
    assert.equal(await link.ready(), true);
    const bucket = clusterThrottles(link)(`test:${randomBytes(6).toString('hex')}:s:GET /z`, { throttlingRateLimit: 0, throttlingBurstLimit: 1 });
    link.down('a command timed out', false);
    assert.equal(link.healthy, false);
    assert.equal(bucket?.take(), true, 'answered by the local bucket, synchronously');
    await new Promise((r) => setTimeout(r, 1_050));
    assert.equal(link.healthy, true);
    const answer = bucket?.take();
    assert.ok(answer instanceof Promise, 'Redis is asked again');
    assert.equal(await answer, true, "Redis's own bucket still has its token");
    assert.deepEqual(
      logger.lines.filter((l) => l.includes('redis:')).map((l) => l.split(' {')[0]),
      ["warn redis: unreachable; throttling falls back to per-node limits, and @connections reaches only this node's connections, until it returns", 'info redis: reachable again; cluster-wide throttling and @connections resumed'],
    );
  });
});
