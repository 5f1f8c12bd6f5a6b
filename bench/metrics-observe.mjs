#!/usr/bin/env node
/**
 * The cost of counting one finished request in the metrics (src/operations/metrics.ts `observe`),
 * measured alone: `node bench/metrics-observe.mjs` (after `npm run build`). A matched HTTP route with
 * an integration and a JWT authorizer that allowed, as the access-log step sees it.
 */
import { performance } from 'node:perf_hooks';
import { createMetrics } from '../dist/src/operations/metrics.js';

const metrics = createMetrics({ openConnections: () => 0 });
const stage = { apiId: 'abc123', stageName: '$default' };
const routes = Array.from({ length: 8 }, (_, i) => ({ routeKey: `GET /items/${i}`, route: { authorizationType: i % 2 ? 'JWT' : 'NONE' } }));
const invocations = routes.map((route, i) => ({
  requestTimeEpoch: 1_000,
  responseEnd: 1_003 + i,
  stage,
  route,
  response: { statusCode: i === 7 ? 404 : 200 },
  integration: { latencyMs: 2 },
  ...(route.route.authorizationType === 'JWT' ? { authorizer: { jwt: { claims: {}, scopes: null } } } : {}),
}));

const N = 2_000_000;
for (let i = 0; i < 200_000; i++) metrics.observe(invocations[i & 7]);
let best = Infinity;
for (let round = 0; round < 5; round++) {
  const started = performance.now();
  for (let i = 0; i < N; i++) metrics.observe(invocations[i & 7]);
  best = Math.min(best, ((performance.now() - started) * 1e6) / N);
}
const text = await metrics.render();
if (!text.includes('gatehouse_count{api_id="abc123",stage="$default",route="GET /items/0",status_class="2xx"}')) throw new Error('the counts are missing');
process.stdout.write(`metrics observe: ${best.toFixed(1)} ns per request (best of 5 rounds of ${N})\n`);
