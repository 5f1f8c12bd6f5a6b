/**
 * `/_gatehouse/ready`: whether this process should receive traffic. Every check runs (each bounded
 * by a short timeout) so the answer names all that failed: 200 when all pass, else 503.
 */

/** One readiness check: resolves to undefined when it passes, or to the reason it fails. */
export interface ReadinessCheck {
  readonly name: string;
  run(): Promise<string | undefined> | string | undefined;
  /** Reported, but the process stays ready when it fails (it still serves, degraded). */
  readonly advisory?: boolean;
}

/** How long one check may take before it counts as failed. */
export const READINESS_CHECK_TIMEOUT_MS = 1000;

/** The answer of `/_gatehouse/ready`. */
export interface Readiness {
  readonly ready: boolean;
  readonly body: { readonly status: 'ready' | 'not ready'; readonly failed?: readonly string[]; readonly checks: Readonly<Record<string, string>> };
}

async function outcome(check: ReadinessCheck, timeoutMs: number): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs);
  });
  try {
    return await Promise.race([Promise.resolve().then(() => check.run()), timeout]);
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs every check. */
export async function readiness(checks: readonly ReadinessCheck[], timeoutMs = READINESS_CHECK_TIMEOUT_MS): Promise<Readiness> {
  const results = await Promise.all(checks.map((c) => outcome(c, timeoutMs)));
  const failed = checks.filter((c, i) => results[i] !== undefined && c.advisory !== true).map((c) => c.name);
  const report = Object.fromEntries(checks.map((c, i) => [c.name, results[i] ?? 'ok']));
  return failed.length === 0 ? { ready: true, body: { status: 'ready', checks: report } } : { ready: false, body: { status: 'not ready', failed, checks: report } };
}
