// The autocannon load generator as its own process (so it can be pinned apart from the server under test).
// argv[2]: JSON {url, connections, duration, headers}; prints the run's summary as one JSON line.
import autocannon from 'autocannon';

const { url, connections, duration, headers } = JSON.parse(process.argv[2]);
const result = await autocannon({ url, connections, duration, headers, pipelining: 1 });
process.stdout.write(
  `${JSON.stringify({
    requests: result.requests.total,
    durationUs: Math.round(result.duration * 1e6),
    bytes: result.throughput.total,
    p50Us: Math.round(result.latency.p50 * 1000),
    p90Us: Math.round(result.latency.p90 * 1000),
    p99Us: Math.round(result.latency.p99 * 1000),
    maxUs: Math.round(result.latency.max * 1000),
    meanUs: result.latency.mean * 1000,
    errors: { connect: 0, read: result.errors, write: 0, status: result.non2xx, timeout: result.timeouts },
  })}\n`,
);
