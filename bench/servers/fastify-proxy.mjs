// Optional comparison for row (c): fastify + @fastify/http-proxy (undici underneath), installed outside the repo
// (BENCH_FASTIFY_DIR, default /tmp/gh-bench-fastify; see bench/README.md). No logger, defaults otherwise.
import { createRequire } from 'node:module';
import { join } from 'node:path';

const dir = process.env.BENCH_FASTIFY_DIR ?? '/tmp/gh-bench-fastify';
const require = createRequire(join(dir, 'package.json'));
const { default: Fastify } = await import(require.resolve('fastify'));
const { default: proxy } = await import(require.resolve('@fastify/http-proxy'));

const app = Fastify({ logger: false, keepAliveTimeout: 65_000 });
await app.register(proxy, { upstream: process.env.BENCH_UPSTREAM });
const address = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`${JSON.stringify({ port: Number(new URL(address).port) })}\n`);
const stop = () => app.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
