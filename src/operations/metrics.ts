/**
 * `/_gatehouse/metrics`: the gateway's metrics in the Prometheus text format, named after API
 * Gateway's CloudWatch metrics where they have one (`Count`, `4xx`, `5xx`, `Latency`,
 * `IntegrationLatency`, `ConnectCount`, `MessageCount`, `ClientError`, `IntegrationError`, `ExecutionError`; dimensions ApiId, Stage, Route →
 * labels api_id, stage, route).
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-metrics.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-logging.html
 *
 * The hot path only adds numbers: every finished invocation (the access-log step) finds the cells
 * of its compiled route in a WeakMap (one lookup, no string built) and increments them. Label
 * values are interned once per compiled route, so a redeployed route keeps its series. prom-client
 * renders the cells at scrape time (subclasses whose `get()` reads them) and adds the process
 * metrics (`process_*`, `nodejs_*`).
 *
 * Cardinality is bounded by the deployed routes: a request that matched no route counts under
 * `route="-"` of its stage, one that reached no stage under `api_id="-",stage="-",route="-"` (as
 * AWS access logs write `-` for a missing value); raw paths are never labels.
 */
import { createRequire } from 'node:module';
import type { Metric, Registry } from 'prom-client';

/** prom-client, loaded at the first scrape: counting needs none of it, and start-up stays ~70 ms shorter. */
let promClient: typeof import('prom-client') | undefined;
const prom = (): typeof import('prom-client') => (promClient ??= createRequire(import.meta.url)('prom-client') as typeof import('prom-client'));
import type { CompiledRoute, CompiledStage, Invocation } from '../data-plane/invocation.js';
import { authorizerDecision } from '../data-plane/stages/request-log.js';

/** Latency buckets in seconds (AWS's integration timeout is 30 s). */
export const LATENCY_BUCKETS: readonly number[] = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

const DECISIONS = ['allow', 'deny', 'error'] as const;
const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;

type RouteLabels = { readonly api_id: string; readonly stage: string; readonly route: string };
/** One sample as prom-client's registry renders it. */
type Sample = { labels: Readonly<Record<string, string | number>>; value: number; metricName?: string };

/** Bucket counts (not cumulative; the last is +Inf), sum in seconds and count of one histogram series. */
class HistogramCells {
  readonly buckets = new Float64Array(LATENCY_BUCKETS.length + 1);
  sum = 0;
  count = 0;

  observe(ms: number): void {
    const seconds = ms / 1000;
    let i = 0;
    while (i < LATENCY_BUCKETS.length && seconds > (LATENCY_BUCKETS[i] as number)) i++;
    (this.buckets[i] as number)++;
    this.sum += seconds;
    this.count++;
  }
}

/** The numbers of one api/stage/route. */
class RouteCells {
  /** HTTP requests by status class 1xx..5xx. */
  readonly count = new Float64Array(5);
  throttled = 0;
  readonly decisions = new Float64Array(3);
  authorizerCacheHits = 0;
  connects = 0;
  messages = 0;
  /** WebSocket: refused by the gateway before any integration ran (CloudWatch ClientError). */
  clientErrors = 0;
  /** WebSocket: the integration answered 4XX/5XX (CloudWatch IntegrationError). */
  integrationErrors = 0;
  /** WebSocket: calling the integration failed, or the gateway failed (CloudWatch ExecutionError). */
  executionErrors = 0;
  readonly latency = new HistogramCells();
  readonly integrationLatency = new HistogramCells();
  /** HTTP routes have requests, WebSocket routes events: each series is written for the kind it has. */
  http = false;
  websocket = false;

  constructor(readonly labels: RouteLabels) {}
}

const NONE = '-';

/** The metrics of one server. */
export interface GatewayMetrics {
  /** Counts one finished data-plane request or WebSocket event (the access-log step). */
  observe(inv: Invocation): void;
  /** The text exposition of every metric. */
  render(): Promise<string>;
  /** Every metric as prom-client's JSON (what the workers of a `--workers` group send to be summed). */
  json(): Promise<unknown[]>;
  readonly contentType: string;
}

/** Process metrics are one set per process, however many servers it runs (tests run several). */
let processRegistry: Registry | undefined;
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new (prom().Registry)();
    prom().collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/** Creates a server's metrics; `gauges` are read at scrape time. */
export function createMetrics(gauges: { readonly openConnections: () => number }): GatewayMetrics {
  const byRoute = new WeakMap<CompiledRoute, RouteCells>();
  const byStage = new WeakMap<CompiledStage, RouteCells>();
  const interned = new Map<string, RouteCells>();
  const intern = (apiId: string, stage: string, route: string): RouteCells => {
    const key = `${apiId}\u0000${stage}\u0000${route}`;
    let cells = interned.get(key);
    if (!cells) {
      cells = new RouteCells({ api_id: apiId, stage, route });
      interned.set(key, cells);
    }
    return cells;
  };
  const nowhere = intern(NONE, NONE, NONE);

  const cellsOf = (inv: Invocation): RouteCells => {
    const stage = inv.stage;
    if (!stage) return nowhere;
    const route = inv.route;
    if (route) {
      let cells = byRoute.get(route);
      if (!cells) {
        cells = intern(stage.apiId, stage.stageName, route.routeKey);
        byRoute.set(route, cells);
      }
      return cells;
    }
    let cells = byStage.get(stage);
    if (!cells) {
      cells = intern(stage.apiId, stage.stageName, NONE);
      byStage.set(stage, cells);
    }
    return cells;
  };

  const observe = (inv: Invocation): void => {
    const cells = cellsOf(inv);
    const status = inv.response?.statusCode ?? 500;
    const event = inv.websocket?.eventType;
    if (event === undefined) {
      cells.http = true;
      const cls = (status / 100) | 0;
      if (cls >= 1 && cls <= 5) (cells.count[cls - 1] as number)++;
      cells.latency.observe((inv.responseEnd ?? Date.now()) - inv.requestTimeEpoch);
      const integrationMs = inv.integration?.latencyMs;
      if (integrationMs !== undefined) cells.integrationLatency.observe(integrationMs);
    } else {
      cells.websocket = true;
      if (event === 'CONNECT') cells.connects++;
      else if (event === 'MESSAGE') cells.messages++;
      const integration = inv.integration;
      if (integration === undefined) {
        if (status >= 400 && status < 500) cells.clientErrors++;
        else if (status >= 500) cells.executionErrors++;
      } else {
        if (integration.latencyMs !== undefined) cells.integrationLatency.observe(integration.latencyMs);
        if (integration.error !== undefined && integration.status === undefined) cells.executionErrors++;
        else if (integration.status !== undefined && integration.status >= 400) cells.integrationErrors++;
      }
    }
    if (inv.error?.responseType === 'THROTTLED') cells.throttled++;
    const decision = authorizerDecision(inv, status);
    if (decision !== undefined) (cells.decisions[DECISIONS.indexOf(decision)] as number)++;
    if (inv.authorizerCacheHit === true) cells.authorizerCacheHits++;
  };

  /** The registry the cells are rendered through, built at the first scrape. */
  let built: Registry | undefined;
  const registryOf = (): Registry => (built ??= buildRegistry());
  function buildRegistry(): Registry {
    const registry = new (prom().Registry)();
    /**
     * A metric whose samples are read from the cells when scraped. The registry renders any object
     * with prom-client's `get()` contract (name, help, type, values), so the hot path never touches
     * prom-client's label hashing.
     */
    const cellMetric = (name: string, help: string, type: 'counter' | 'histogram', values: (cells: RouteCells, out: Sample[]) => void) => {
      const metric = {
        name,
        help,
        type,
        aggregator: 'sum' as const,
        get: async () => {
          const out: Sample[] = [];
          for (const cells of interned.values()) values(cells, out);
          return { name, help, type, aggregator: 'sum' as const, values: out };
        },
      };
      registry.registerMetric(metric as unknown as Metric);
    };
    const counter = (name: string, help: string, values: (cells: RouteCells, out: Sample[]) => void) => cellMetric(name, help, 'counter', values);
    const histogram = (name: string, help: string, of: (cells: RouteCells) => HistogramCells | undefined) =>
      cellMetric(name, help, 'histogram', (cells, out) => {
        const h = of(cells);
        if (!h || h.count === 0) return;
        let cumulative = 0;
        for (let i = 0; i < LATENCY_BUCKETS.length; i++) {
          cumulative += h.buckets[i] as number;
          out.push({ labels: { ...cells.labels, le: LATENCY_BUCKETS[i] as number }, value: cumulative, metricName: `${name}_bucket` });
        }
        out.push({ labels: { ...cells.labels, le: '+Inf' }, value: h.count, metricName: `${name}_bucket` });
        out.push({ labels: cells.labels, value: h.sum, metricName: `${name}_sum` });
        out.push({ labels: cells.labels, value: h.count, metricName: `${name}_count` });
      });

    counter('gatehouse_count', 'HTTP API requests (CloudWatch Count), by status class', (cells, out) => {
      for (let i = 0; i < 5; i++) {
        const n = cells.count[i] as number;
        if (n > 0) out.push({ labels: { ...cells.labels, status_class: STATUS_CLASSES[i] as string }, value: n });
      }
    });
    counter('gatehouse_4xx', 'HTTP API requests answered with a 4XX status (CloudWatch 4xx)', (cells, out) => {
      if (cells.http) out.push({ labels: cells.labels, value: cells.count[3] as number });
    });
    counter('gatehouse_5xx', 'HTTP API requests answered with a 5XX status (CloudWatch 5xx)', (cells, out) => {
      if (cells.http) out.push({ labels: cells.labels, value: cells.count[4] as number });
    });
    histogram('gatehouse_latency_seconds', 'From the request received to the response sent, in seconds (CloudWatch Latency)', (cells) => (cells.http ? cells.latency : undefined));
    histogram('gatehouse_integration_latency_seconds', 'From the integration called to its response, in seconds (CloudWatch IntegrationLatency)', (cells) =>
      cells.http || cells.websocket ? cells.integrationLatency : undefined,
    );
    counter('gatehouse_throttled_total', 'Requests and WebSocket messages refused with 429 by stage or route throttling', (cells, out) => {
      if (cells.throttled > 0) out.push({ labels: cells.labels, value: cells.throttled });
    });
    counter('gatehouse_authorizer_decisions_total', 'Authorizer decisions: allow, deny (401/403) or error (500)', (cells, out) => {
      for (let i = 0; i < DECISIONS.length; i++) {
        const n = cells.decisions[i] as number;
        if (n > 0) out.push({ labels: { ...cells.labels, decision: DECISIONS[i] as string }, value: n });
      }
    });
    counter('gatehouse_authorizer_cache_hits_total', 'Requests a Lambda authorizer decided from its result cache, without calling the function', (cells, out) => {
      if (cells.authorizerCacheHits > 0) out.push({ labels: cells.labels, value: cells.authorizerCacheHits });
    });
    counter('gatehouse_connect_count', 'WebSocket $connect attempts, accepted or refused (CloudWatch ConnectCount)', (cells, out) => {
      if (cells.websocket && cells.connects > 0) out.push({ labels: cells.labels, value: cells.connects });
    });
    counter('gatehouse_message_count', 'WebSocket messages received from clients, by the route they selected (CloudWatch MessageCount)', (cells, out) => {
      if (cells.websocket && cells.messages > 0) out.push({ labels: cells.labels, value: cells.messages });
    });
    counter('gatehouse_client_error', 'WebSocket events refused with a 4XX by the gateway before any integration ran (CloudWatch ClientError)', (cells, out) => {
      if (cells.websocket) out.push({ labels: cells.labels, value: cells.clientErrors });
    });
    counter('gatehouse_integration_error', 'WebSocket events whose integration answered 4XX/5XX (CloudWatch IntegrationError)', (cells, out) => {
      if (cells.websocket) out.push({ labels: cells.labels, value: cells.integrationErrors });
    });
    counter('gatehouse_execution_error', 'WebSocket events whose integration could not be called, or that the gateway failed (CloudWatch ExecutionError)', (cells, out) => {
      if (cells.websocket) out.push({ labels: cells.labels, value: cells.executionErrors });
    });
    new (prom().Gauge)({
      name: 'gatehouse_websocket_connections',
      help: 'WebSocket connections open on this process',
      registers: [registry],
      collect() {
        this.set(gauges.openConnections());
      },
    });
    return registry;
  }

  return {
    observe,
    get contentType() {
      return registryOf().contentType;
    },
    async render() {
      const [own, process] = await Promise.all([registryOf().metrics(), processMetrics().metrics()]);
      return `${own}\n${process}`;
    },
    async json() {
      const [own, process] = await Promise.all([registryOf().getMetricsAsJSON(), processMetrics().getMetricsAsJSON()]);
      return [...own, ...process];
    },
  };
}

/**
 * The text exposition of a `--workers` group: every worker's metrics (as `json()` gives them), summed
 * series by series (counters and histograms add up; each process metric follows prom-client's own rule).
 */
export async function renderSummed(parts: readonly unknown[][]): Promise<string> {
  const { AggregatorRegistry } = prom();
  return AggregatorRegistry.aggregate(parts as Parameters<typeof AggregatorRegistry.aggregate>[0]).metrics();
}
