// Turns the measured rounds into rows, checks against the targets, and the one table `npm run bench` prints.

/** Median of numbers (the lower middle for an even count, so it is always a measured value). */
export const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor((xs.length - 1) / 2)];

/** P(X ≤ k) for X ~ Binomial(n, 1/2). */
function binomialHalfCdf(n, k) {
  let term = 1; // C(n, 0)
  let sum = 0;
  for (let i = 0; i <= k; i++) {
    sum += term;
    term = (term * (n - i)) / (i + 1);
  }
  return sum / 2 ** n;
}

/**
 * A distribution-free confidence interval for the median of what `xs` sample (order statistics): the k-th
 * smallest and k-th largest value, for the largest k whose coverage, 1 − 2·P(Binomial(n, ½) ≤ k − 1), is at
 * least `level`. It assumes nothing of the noise but that the rounds are independent. Undefined when even the
 * smallest and largest value cover less than `level` (fewer than 5 rounds at 0.9).
 */
export function medianInterval(xs, level = 0.9) {
  const sorted = [...xs].sort((x, y) => x - y);
  const n = sorted.length;
  let best;
  for (let k = 1; 2 * k <= n; k++) {
    const coverage = 1 - 2 * binomialHalfCdf(n, k - 1);
    if (coverage < level) break;
    best = { low: sorted[k - 1], high: sorted[n - k], coverage, rounds: n };
  }
  return best;
}

/** Print order; (h0) is the unprotected twin of (h), measured right before it. */
const ORDER = ['a', 'b', 'c', "c'", 'd', 'e', 'f', 'h0', 'h', 'g0', 'g'];

/**
 * One row per id from its rounds: medians of req/s, p50 and p99, peak RSS, summed errors.
 * `samples`: id → { what, process, rounds: [load result | undefined per round] }.
 */
export function aggregate(samples) {
  const rows = new Map();
  for (const [id, s] of samples) {
    const runs = s.rounds.filter(Boolean);
    rows.set(id, {
      id,
      what: s.what,
      process: s.process,
      rps: median(runs.map((r) => r.rps)),
      p50Ms: median(runs.map((r) => r.p50Ms)),
      p99Ms: median(runs.map((r) => r.p99Ms)),
      rssMb: Math.max(...runs.map((r) => r.rssMb)),
      cpuShare: median(runs.map((r) => r.cpuShare)),
      cpuUsPerRequest: median(runs.map((r) => r.cpuUsPerRequest)),
      errors: runs.reduce((n, r) => n + r.errors, 0),
      rounds: s.rounds,
    });
  }
  return rows;
}

/**
 * The rounds of several runs as one sample (`bench/pool.mjs`): each row's rounds, run after run, as `checksOf`
 * takes them. A run that did not measure a row gives it as many empty rounds as its longest row had, so that a
 * round of one row stays paired with the same round of its baseline. `runs`: the `rows` of each results file.
 */
export function pooledSamples(runs) {
  const samples = new Map();
  for (const rows of runs) for (const r of rows) if (!samples.has(r.id)) samples.set(r.id, { what: r.what, process: r.process, rounds: [] });
  for (const rows of runs) {
    const length = Math.max(0, ...rows.map((r) => r.rounds?.length ?? 0));
    const byId = new Map(rows.map((r) => [r.id, r.rounds ?? []]));
    for (const [id, s] of samples) {
      const rounds = byId.get(id) ?? [];
      for (let i = 0; i < length; i++) s.rounds.push(rounds[i]);
    }
  }
  return samples;
}

/** `f(num round, den round)` for each round that measured both rows. */
function paired(samples, num, den, f) {
  const a = samples.get(num)?.rounds ?? [];
  const b = samples.get(den)?.rounds ?? [];
  return a.flatMap((x, i) => (x && b[i] ? [f(x, b[i])] : []));
}

/** A Gatehouse row's ratio to its baseline by CPU per request (what req/s would show on CPUs nobody else uses). */
const byCpu = (n, d) => d.cpuUsPerRequest / n.cpuUsPerRequest;

/** Median over rounds of `f(num round, den round)`, using only rounds that measured both rows. */
function pairedMedian(samples, num, den, f) {
  const values = paired(samples, num, den, f);
  return values.length ? median(values) : undefined;
}

/**
 * A ratio check's `interval` (medianInterval of the rounds' ratios, named `label`, against the target `min`), when
 * there is a target and there are rounds enough for one.
 */
function withInterval(label, ratios, min) {
  const interval = min === undefined ? undefined : medianInterval(ratios);
  return interval ? { interval: { ...interval, label, min } } : {};
}

/**
 * The targets, each as a check `{ row, what, value, text, target, ok }`; `ok` undefined is informational, and
 * `hint` is the verdict the CPU-time ratio would give (printed in parentheses: not the target's measure).
 */
export function checksOf(samples, startup, startupRuns) {
  const checks = [];
  const throughput = (num, den, min) => {
    const ratios = paired(samples, num, den, (n, d) => n.rps / d.rps);
    if (ratios.length === 0) return;
    const v = median(ratios);
    const target = min === undefined ? '(info)' : `≥ ${min.toFixed(2)}`;
    checks.push({ row: num, what: `${num}/${den} req/s`, value: v, text: v.toFixed(2), target, ok: min === undefined ? undefined : v >= min, ...withInterval(`${num}/${den} req/s`, ratios, min) });
    // The same ratio from CPU time per request: what req/s would show on CPUs nobody else uses.
    const byCpuRatios = paired(samples, num, den, byCpu);
    const c = median(byCpuRatios);
    checks.push({ row: num, what: `  by CPU/req`, value: c, text: c.toFixed(2), target, ok: undefined, hint: min === undefined ? undefined : c >= min, ...withInterval(`${num}/${den} by CPU/req`, byCpuRatios, min) });
  };
  const p99 = (num, den, max) => {
    const v = pairedMedian(samples, num, den, (n, d) => n.p99Ms / d.p99Ms);
    if (v !== undefined) checks.push({ row: num, what: `p99 ${num}/${den}`, value: v, text: `${v.toFixed(2)}×`, target: `< ${max}×`, ok: v < max });
  };
  // Issue 11's targets.
  throughput('c', 'b', 0.9);
  p99('c', 'b', 2);
  throughput("c'", 'b');
  throughput('e', 'd', 0.75);
  p99('e', 'd', 2);
  throughput('f', 'e', 0.95);
  // The resident memory of Gatehouse after a load row (its peak over the row, sampled every 250 ms).
  const e = samples.get('e');
  if (e) {
    const peak = Math.max(...e.rounds.filter(Boolean).map((r) => r.rssMb));
    checks.push({ row: 'e', what: 'RSS after load', value: peak, text: `${peak.toFixed(0)} MB`, target: '≤ 100 MB', ok: peak <= 100 });
  }
  const cost = pairedMedian(samples, 'h', 'h0', (n, d) => 1 - n.rps / d.rps);
  if (cost !== undefined) {
    checks.push({ row: 'h', what: 'cost vs h0', value: cost, text: `${(cost * 100).toFixed(1)}%`, target: '< 15%', ok: cost < 0.15 });
    const c = pairedMedian(samples, 'h', 'h0', (n, d) => 1 - d.cpuUsPerRequest / n.cpuUsPerRequest);
    checks.push({ row: 'h', what: '  by CPU/req', value: c, text: `${(c * 100).toFixed(1)}%`, target: '< 15%', ok: undefined, hint: c < 0.15 });
  }
  if (startup) {
    const of = `median of ${startupRuns}`;
    checks.push({ row: 'g0', what: of, value: startup.node, text: `${startup.node.toFixed(0)} ms`, target: '(info)', ok: undefined });
    checks.push({ row: 'g', what: `health, ${of}`, value: startup.health, text: `${startup.health.toFixed(0)} ms`, target: '< 350 ms', ok: startup.health < 350 });
    checks.push({ row: 'g', what: `data plane, ${of}`, value: startup.dataPlane, text: `${startup.dataPlane.toFixed(0)} ms`, target: '< 350 ms', ok: startup.dataPlane < 350 });
  }
  return checks;
}

/** The ratios by CPU per request whose rounds `steadiness` lists: issue 11's, Gatehouse row over its baseline. */
const PAIRS = [['c', 'b'], ['e', 'd'], ['h', 'h0']];

/**
 * How steady the machine was while the rows ran, as notes for under the table. On a shared VM the neighbours'
 * load moves every row from round to round (2026-12-07: one build's Lambda row cost 47 to 70 µs per request
 * in three rounds), and a ratio from rounds that disagree that much says more about the machine than about
 * Gatehouse. So: each Gatehouse ratio by CPU per request round by round, and every row whose CPU per request
 * varied by more than `limit` (largest over smallest) across its rounds.
 */
export function steadiness(samples, limit = 1.2) {
  const notes = [];
  const perRound = [];
  for (const [num, den] of PAIRS) {
    // The checks' `by CPU/req`, before its median.
    const ratios = paired(samples, num, den, byCpu);
    if (ratios.length > 1) perRound.push(`${num}/${den} ${ratios.map((r) => r.toFixed(2)).join(' ')}`);
  }
  if (perRound.length > 0) notes.push(`by CPU/req, round by round: ${perRound.join('; ')}`);
  const unsteady = [];
  for (const [id, s] of samples) {
    const cpu = s.rounds.filter(Boolean).map((r) => r.cpuUsPerRequest);
    if (cpu.length < 2) continue;
    const low = Math.min(...cpu);
    const high = Math.max(...cpu);
    if (high > low * limit) unsteady.push(`(${id}) ${low.toFixed(1)} to ${high.toFixed(1)}`);
  }
  if (unsteady.length > 0) {
    notes.push(
      `not steady: CPU µs/req varied by more than ${limit}× across rounds in ${unsteady.join(', ')}; other load on the machine moved ` +
        'these rows, so a ratio from this run is conclusive only where the interval of its median clears the target (5 or more rounds give ' +
        'one; bench/ab.mjs runs two builds side by side through the same noise)',
    );
  }
  return notes;
}

/**
 * For each target ratio with an interval (`medianInterval` of its rounds' ratios): whether the rounds decide it. A
 * target below the whole interval is met beyond the rounds' noise, one above it missed; one inside it is not
 * decided by this run, whatever the median's verdict. `source` names where the rounds came from: one run, or the
 * runs `bench/pool.mjs` pooled.
 */
export function intervalNotes(checks, source = 'this run') {
  return checks.flatMap((c) => {
    if (!c.interval) return [];
    const { low, high, coverage, rounds, label, min } = c.interval;
    const decided = low >= min ? "met beyond the rounds' noise" : high < min ? "missed beyond the rounds' noise" : `not decided by ${source} (the target ${c.target} lies inside it)`;
    return [`${label}: median ${c.text} of ${rounds} rounds, ${Math.floor(coverage * 100)}% interval ${low.toFixed(3)} to ${high.toFixed(3)}: ${decided}`];
  });
}

/** The table: one line per row, continuation lines for its further checks. */
export function renderTable(rows, checks) {
  const int = (n) => Math.round(n).toLocaleString('en-US');
  const header = ['row', 'what', 'req/s', 'p50 ms', 'p99 ms', 'RSS MB', 'CPU %', 'CPU µs/req', 'errors', 'check', 'value', 'target', 'verdict'];
  const lines = [];
  for (const id of ORDER) {
    const r = rows.get(id);
    if (!r) continue;
    const cells =
      r.rps === undefined
        ? [`(${id})`, r.what, '', '', '', '', '', '', '']
        : [
            `(${id})`, r.what, int(r.rps), r.p50Ms.toFixed(2), r.p99Ms.toFixed(2), r.rssMb.toFixed(1),
            (r.cpuShare * 100).toFixed(0), r.cpuUsPerRequest.toFixed(1), String(r.errors),
          ];
    const own = checks.filter((c) => c.row === id);
    if (own.length === 0) lines.push([...cells, '', '', '', '']);
    const verdict = (c) => (c.ok !== undefined ? (c.ok ? 'ok' : 'MISS') : c.hint !== undefined ? (c.hint ? '(ok)' : '(miss)') : '');
    own.forEach((c, i) => lines.push([...(i === 0 ? cells : cells.map(() => '')), c.what, c.text, c.target, verdict(c)]));
  }
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const numeric = new Set([2, 3, 4, 5, 6, 7, 8, 10]);
  const fmt = (cells) => cells.map((c, i) => (numeric.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(fmt)].join('\n');
}
