/**
 * Time limits of many concurrent calls with one Node timer per distinct duration instead of one per
 * call. Calls with the same limit expire in the order they started, so each duration keeps a queue in
 * deadline order and one timer armed for the first call still running; a call that finishes only
 * marks its entry, and finished entries leave the queue from its front. On the Lambda path this
 * replaces a setTimeout and a clearTimeout per request.
 */
import { performance } from 'node:perf_hooks';

/** One call's limit: `cancel()` when the call settles first. */
export interface Deadline {
  cancel(): void;
}

/** One call's place in its duration's queue (a class, not a literal with a closure: one object per call). */
class Entry implements Deadline {
  constructor(
    readonly queue: Queue,
    readonly at: number,
    /**
     * What runs at the entry's time; undefined once it ran or was cancelled, so that the queue, which
     * holds finished entries for a while, does not hold the call they belonged to.
     */
    public expire: (() => void) | undefined,
  ) {}

  cancel(): void {
    if (this.expire === undefined) return;
    this.expire = undefined;
    this.queue.finished();
  }
}

/** The queue of one duration. */
class Queue {
  readonly #ms: number;
  /** In deadline order from `#head`; slots before it are emptied as it passes, so finished entries die young. */
  #entries: (Entry | undefined)[] = [];
  #head = 0;
  #live = 0;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(ms: number) {
    this.#ms = ms;
  }

  get live(): number {
    return this.#live;
  }

  /** Entries held (running and finished but not yet dropped). */
  get held(): number {
    return this.#entries.length - this.#head;
  }

  add(expire: () => void): Deadline {
    const entry = new Entry(this, performance.now() + this.#ms, expire);
    this.#entries.push(entry);
    if (this.#live++ === 0 && !this.#closed) this.#timer?.ref();
    if (this.#timer === undefined) this.#arm(entry.at);
    return entry;
  }

  /** A running entry was cancelled. */
  finished(): void {
    this.#live--;
    this.#trim();
  }

  /**
   * Drops finished entries from the front. An empty queue keeps its timer (it finds nothing when it
   * fires): under load the queue empties and refills many times a second, and a timer per refill is
   * what this module saves.
   */
  #trim(): void {
    const entries = this.#entries;
    while (this.#head < entries.length && (entries[this.#head] as Entry).expire === undefined) entries[this.#head++] = undefined;
    if (this.#head === entries.length) {
      // Nothing runs: the timer no longer keeps the process running.
      this.#timer?.unref();
      if (entries.length > 64) this.#entries = [];
      else entries.length = 0;
      this.#head = 0;
    } else if ((this.#head > 1024 && this.#head * 2 > entries.length) || entries.length - this.#head > 2 * this.#live + 1024) {
      // Now and then, not on every finish: the slots before the front, and finished entries behind a long-running call.
      this.#entries = entries.slice(this.#head).filter((e) => e?.expire !== undefined);
      this.#head = 0;
    }
  }

  /** Lets the process exit while entries are pending; they still expire if it lives on. */
  close(): void {
    this.#closed = true;
    this.#timer?.unref();
  }

  #arm(at: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    // Referenced while calls run (a pending limit keeps the process running, as a call's own timer
    // would), unless closed: then no timer, the first or a re-armed one, holds the process.
    this.#timer = setTimeout(() => this.#fire(), Math.max(0, Math.ceil(at - performance.now())));
    if (this.#closed) this.#timer.unref();
  }

  #fire(): void {
    this.#timer = undefined;
    const now = performance.now();
    const entries = this.#entries;
    const expired: (() => void)[] = [];
    // Every running entry whose time has come (within a millisecond: timers round).
    while (this.#head < entries.length) {
      const entry = entries[this.#head] as Entry;
      if (entry.expire !== undefined) {
        if (entry.at > now + 1) break;
        expired.push(entry.expire);
        entry.expire = undefined;
        this.#live--;
      }
      entries[this.#head++] = undefined;
    }
    if (this.#head >= entries.length) this.#trim();
    else this.#arm((entries[this.#head] as Entry).at);
    // Last: an expiry may start or finish other calls.
    for (const expire of expired) expire();
  }
}

/** Deadlines by duration. */
export class Deadlines {
  readonly #queues = new Map<number, Queue>();

  /** Calls `expire` after `ms` unless the returned deadline is cancelled first. */
  add(ms: number, expire: () => void): Deadline {
    let queue = this.#queues.get(ms);
    if (!queue) {
      queue = new Queue(ms);
      this.#queues.set(ms, queue);
    }
    return queue.add(expire);
  }

  /** Calls whose deadline is pending (tests and diagnostics). */
  get pending(): number {
    let n = 0;
    for (const q of this.#queues.values()) n += q.live;
    return n;
  }

  /** Entries held, running or finished but not yet dropped (bounded: see Queue's trim; tests and diagnostics). */
  get held(): number {
    let n = 0;
    for (const q of this.#queues.values()) n += q.held;
    return n;
  }

  /**
   * The invoker is closing: the timers no longer keep the process running, but calls still in flight
   * keep their limit (they time out as before instead of never settling).
   */
  close(): void {
    for (const q of this.#queues.values()) q.close();
  }
}
