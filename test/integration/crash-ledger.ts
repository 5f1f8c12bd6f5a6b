/**
 * The crash-safety test's record of what Gatehouse answered, and its check of a store dump
 * against it. Every write carries a unique token (a route's operationName, an integration's or
 * deployment's description, an API's name, a stage's name, an API mapping's key, a tag's value),
 * so a write is found in the store whether or not its answer arrived. Each resource is changed
 * by the one writer that created it, one request at a time, so its state after a crash is the last
 * acknowledged one or that of the request in flight at the kill; writers share APIs, so changes
 * of one API (and their auto-deployments) race each other.
 */
import { AUTO_DEPLOY_DESCRIPTION } from '../../src/control-plane/deployments.js';
import type { Dump, Row } from './crash-store.js';

/** How a request ended: 2xx; 4xx; connection refused (it never reached the server); connection lost at the kill; 5xx. */
export type Outcome = 'acked' | 'refused' | 'unsent' | 'unknown' | 'failed';

/** The top-level scope of the default account (12-digit-less access keys) in us-east-1. */
export const TOP_SCOPE = '000000000000:us-east-1';

/** A resource a writer created (or tried to), followed across crashes. */
export interface Tracked {
  readonly kind: 'api' | 'route' | 'integration' | 'authorizer' | 'stage' | 'deployment' | 'apiMapping' | 'tag';
  /** The writer that created it and alone changes it (-1: made at set-up, never changed). */
  readonly owner: number;
  /** The token of the request that created it. */
  readonly token: string;
  /** Its API (an API's own id once known). */
  apiId: string;
  id: string | undefined;
  /** 'yes': its creation (or last change) was acknowledged; 'no': its deletion was; 'maybe': in flight at a kill. */
  exists: 'yes' | 'no' | 'maybe';
  /** The tokens its tracked member may hold now: the last acknowledged one, and any in flight at the kill. */
  allowed: Set<string>;
  /** route: its key; apiMapping: its domain name. */
  readonly routeKey?: string;
  readonly domain?: string;
  /** stage: whether it auto-deploys (as last acknowledged). */
  autoDeploy?: boolean;
  /**
   * stage: the deployments it may point at: `auto` (an auto-deployment), `none`, or the token
   * (description) of a CreateDeployment that named it.
   */
  pointer?: Set<string>;
  /** Changed in the current round (data-plane probes after the restart). */
  touched: boolean;
}

/** Counts of outcomes, refusals by reason, and what should not have happened. */
export class Ledger {
  readonly tracked: Tracked[] = [];
  /** Route targets by the token of the write that set them. */
  readonly targets = new Map<string, string>();
  /** Stages' autoDeploy by the token (description) of the write that set it. */
  readonly autoDeploys = new Map<string, boolean>();
  /** Tokens of writes answered 4xx or never sent: nothing in the store may carry them. */
  readonly forbidden = new Map<string, string>();
  readonly outcomes: Record<Outcome, number> = { acked: 0, refused: 0, unsent: 0, unknown: 0, failed: 0 };
  readonly refusals = new Map<string, number>();
  /** 5xx answers and intentionally invalid writes that were acknowledged. */
  readonly failures: string[] = [];
  /** The last CreateRoute acknowledged in this round, and when (to tell how close to the kill it was). */
  lastRoute: { tracked: Tracked; at: number } | undefined;
  #next = 0;
  readonly #run: string;

  constructor(run: string) {
    this.#run = run;
  }

  /** A token found nowhere else (letters and digits, so it fits route paths, stage names and tags). */
  token(): string {
    return `c${this.#run}n${this.#next++}z`;
  }

  /** APIs writers may change: those made at set-up and quick-created ones known to exist. */
  pool(): string[] {
    return this.tracked.filter((t) => t.kind === 'api' && t.exists === 'yes' && t.id !== undefined).map((t) => t.id as string);
  }

  track(entry: Omit<Tracked, 'allowed' | 'touched'>, value: string = entry.token): Tracked {
    const tracked: Tracked = { ...entry, allowed: new Set([value]), touched: true };
    this.tracked.push(tracked);
    return tracked;
  }

  /** Records that a write's answer `outcome` applies `value` to `t` (or deletes it, with `value` undefined). */
  settle(t: Tracked, outcome: Outcome, value: string | undefined): void {
    t.touched = true;
    if (outcome === 'acked') {
      t.exists = value === undefined ? 'no' : 'yes';
      if (value !== undefined) t.allowed = new Set([value]);
    } else if (outcome === 'unknown' || outcome === 'failed') {
      if (t.exists === 'yes' && value === undefined) t.exists = 'maybe';
      if (value !== undefined && t.exists === 'no') {
        // Set again after an acknowledged deletion (TagResource on a key UntagResource removed), and in flight at
        // the kill: present with this value, or absent; never with the value the deletion removed.
        t.exists = 'maybe';
        t.allowed = new Set([value]);
      } else if (value !== undefined) t.allowed.add(value);
    }
  }

  /** The tracked member of `t` as the dump holds it, and the row holding it. */
  #observe(dump: Dump, t: Tracked): { row: Row | undefined; value: string | undefined } {
    const find = (kind: string, scope: string, matches: (r: Row) => boolean) =>
      t.id !== undefined ? dump.get(kind, scope, t.id) : dump.children(kind, scope).find(matches);
    switch (t.kind) {
      case 'api': {
        const row = t.id !== undefined ? dump.get('api', TOP_SCOPE, t.id) : dump.children('api', TOP_SCOPE).find((r) => r.data.name === t.token);
        return { row, value: row?.data.name as string | undefined };
      }
      case 'route': {
        const row = find('route', t.apiId, (r) => r.data.operationName === t.token);
        return { row, value: row?.data.operationName as string | undefined };
      }
      case 'integration':
      case 'stage':
      case 'deployment': {
        const row = t.kind === 'stage' ? dump.get('stage', t.apiId, t.id as string) : find(t.kind, t.apiId, (r) => r.data.description === t.token);
        return { row, value: row?.data.description as string | undefined };
      }
      case 'authorizer': {
        const row = find('authorizer', t.apiId, (r) => r.data.name === t.token);
        return { row, value: row?.data.name as string | undefined };
      }
      case 'apiMapping': {
        const row = find('apiMapping', `domainnames/${TOP_SCOPE}/${t.domain as string}`, (r) => r.key === t.token);
        return { row, value: row?.key ?? undefined };
      }
      case 'tag': {
        const api = dump.get('api', TOP_SCOPE, t.apiId);
        const value = (api?.data.tags as Record<string, string> | undefined)?.[`w${t.owner}`];
        return { row: value === undefined ? undefined : api, value };
      }
    }
  }

  /**
   * Checks the dump against every acknowledged and refused write, then adopts what it shows for
   * the writes whose outcome was unknown (they are settled now: nothing is in flight after a kill).
   */
  reconcile(dump: Dump): string[] {
    const problems: string[] = [];
    const text = dump.rows.map((r) => JSON.stringify(r)).join('\n');
    for (const [token, what] of this.forbidden) if (text.includes(token)) problems.push(`${what} was refused or never sent, yet ${token} is stored`);
    for (const t of this.tracked) {
      const name = `${t.kind} ${t.id ?? t.token}${t.kind === 'api' ? '' : ` of API ${t.apiId}`}`;
      // A resource of a deleted API is gone with it (the dangling-reference check finds leftovers).
      if (t.kind !== 'api' && !dump.get('api', TOP_SCOPE, t.apiId)) {
        t.exists = 'no';
        continue;
      }
      const { row, value } = this.#observe(dump, t);
      if (t.exists === 'yes' && !row) problems.push(`acknowledged ${name} is missing`);
      if (t.exists === 'no' && row) problems.push(`${name} is present after its deletion was acknowledged`);
      if (row && (value === undefined || !t.allowed.has(value))) problems.push(`${name} holds ${value}, expected ${[...t.allowed].join(' or ')}`);
      if (row && t.kind === 'route' && value !== undefined && this.targets.has(value) && row.data.target !== this.targets.get(value)) {
        problems.push(`${name} targets ${String(row.data.target)}, but the write that set ${value} targeted ${this.targets.get(value)}`);
      }
      if (row && t.kind === 'api') problems.push(...quickCreateProblems(dump, row, t.token));
      if (row && t.kind === 'stage') problems.push(...this.#stageProblems(dump, t, row, name));
      t.exists = row ? 'yes' : 'no';
      t.id = row && t.kind !== 'tag' ? row.id : t.id;
      if (t.kind === 'api' && row) t.apiId = row.id;
      if (value !== undefined) t.allowed = new Set([value]);
    }
    return problems;
  }

  /** A stage's autoDeploy is the one its last write set, and it points at a deployment it may point at. */
  #stageProblems(dump: Dump, t: Tracked, row: Row, name: string): string[] {
    const problems: string[] = [];
    const autoDeploy = row.data.autoDeploy === true;
    if (autoDeploy !== this.autoDeploys.get(row.data.description as string)) problems.push(`${name} has autoDeploy ${autoDeploy}, not what the write that set its description sent`);
    const deploymentId = row.data.deploymentId as string | undefined;
    const description = deploymentId === undefined ? undefined : dump.get('deployment', t.apiId, deploymentId)?.data.description;
    const pointer = deploymentId === undefined ? 'none' : description === AUTO_DEPLOY_DESCRIPTION ? 'auto' : String(description);
    if (!t.pointer?.has(pointer)) problems.push(`${name} points at deployment ${deploymentId} (${pointer}), expected ${[...(t.pointer ?? [])].join(' or ')}`);
    t.pointer = new Set([pointer]);
    t.autoDeploy = autoDeploy;
    return problems;
  }

  /** Forgets resources known to be gone, and starts a new round. */
  nextRound(): void {
    for (let i = this.tracked.length - 1; i >= 0; i--) if ((this.tracked[i] as Tracked).exists === 'no') this.tracked.splice(i, 1);
    for (const t of this.tracked) t.touched = false;
    this.lastRoute = undefined;
  }
}

/** An API created with quick create is whole: its route and its auto-deploy `$default` stage came with it. */
function quickCreateProblems(dump: Dump, api: Row, token: string): string[] {
  const routeKey = quickRouteKey(token);
  const problems: string[] = [];
  if (!dump.children('route', api.id).some((r) => r.data.routeKey === routeKey)) problems.push(`quick-created API ${api.id} lacks its route ${routeKey}`);
  if (dump.get('stage', api.id, '$default')?.data.autoDeploy !== true) problems.push(`quick-created API ${api.id} lacks its auto-deploy $default stage`);
  return problems;
}

/** The route key quick create gives an API named `token`. */
export const quickRouteKey = (token: string) => `GET /q/${token}`;
