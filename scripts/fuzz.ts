/**
 * `npm run fuzz`: a longer run of the management API fuzzer (management-fuzz.ts) in both response
 * formats. `--runs N` (or FUZZ_RUNS, default 3000) calls per format, `--seed S` (or FUZZ_SEED, default
 * random) to replay a run, `--only I` (or FUZZ_ONLY) to replay one call, `--formats aws` (or FUZZ_FORMATS: aws, envelope, and
 * sigv4 = a server with credentials and every call signed) for some of the three,
 * `--trace` (or FUZZ_TRACE=true) to print every call. Exits 1 on a broken invariant.
 */
import { fuzzManagementApi, summarize } from '../test/fuzz/management-fuzz.js';

function option(name: string, env: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at !== -1 ? process.argv[at + 1] : process.env[env];
}

function integer(name: string, env: string, fallback: number): number {
  const text = option(name, env);
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) {
    console.error(`fuzz: --${name} (${env}) must be a whole number, got ${text}`);
    process.exit(2);
  }
  return n;
}

const runs = integer('runs', 'FUZZ_RUNS', 3000);
const seed = integer('seed', 'FUZZ_SEED', Math.floor(Math.random() * 2 ** 31));
const onlyText = option('only', 'FUZZ_ONLY');
const only = onlyText === undefined || onlyText === '' ? undefined : integer('only', 'FUZZ_ONLY', 0);
/** `sigv4`: the aws format on a server with credentials, every call signed. */
const formats = (option('formats', 'FUZZ_FORMATS') ?? 'aws,envelope,sigv4').split(',');
const KEY = { accessKeyId: 'AKIDFUZZ', secretAccessKey: 'fuzz-secret' };

console.log(`fuzz: seed ${seed}, ${only === undefined ? `${runs} calls` : `call ${only}`} per server (${formats.join(', ')}); replay with npm run fuzz -- --seed ${seed} --runs ${runs}`);
let failed = 0;
for (const format of formats) {
  const started = Date.now();
  const report = await fuzzManagementApi({
    runs,
    seed,
    args: ['--response-format', format === 'envelope' ? 'envelope' : 'aws'],
    ...(format === 'sigv4' ? { credentials: KEY } : {}),
    ...(only === undefined ? {} : { only }),
    trace: process.argv.includes('--trace') || process.env.FUZZ_TRACE === 'true',
    log: (line) => console.log(`[${format}] ${line}`),
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`[${format}] ${report.calls} calls in ${seconds} s; statuses ${JSON.stringify(report.statuses)}; 2xx by operation: ${Object.keys(report.successes).length} operations`);
  for (const line of summarize(report.failures)) console.log(`[${format}] ${line}`);
  failed += report.failures.length;
}
console.log(failed === 0 ? `fuzz: no broken invariant (seed ${seed})` : `fuzz: ${failed} broken invariants (seed ${seed})`);
process.exit(failed === 0 ? 0 : 1);
