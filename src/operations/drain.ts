/**
 * Graceful drain of an HTTP listener: it stops accepting connections at once, idle keep-alive
 * connections are closed, each connection is closed as soon as its in-flight request has been
 * answered, and whatever still runs at the deadline is cut off.
 */
import type { Server as HttpServer } from 'node:http';

/** How often connections that became idle are looked for while draining. */
const IDLE_SWEEP_MS = 20;

/**
 * Drains the connections of `server` until `finished` reports that every one is gone; `deadline` is
 * epoch ms. A response finished while draining tells its client the connection closes.
 */
function drainConnections(server: HttpServer, deadline: number, finished: (done: () => void) => void): Promise<void> {
  return new Promise<void>((resolve) => {
    const lastResponse = (_req: unknown, res: { shouldKeepAlive: boolean }) => {
      res.shouldKeepAlive = false;
    };
    server.on('request', lastResponse);
    const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
    const cut = setTimeout(() => server.closeAllConnections(), Math.max(0, deadline - Date.now()));
    finished(() => {
      clearInterval(sweep);
      clearTimeout(cut);
      server.off('request', lastResponse);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/** Closes a listening `server` gracefully; resolves once every connection is gone. */
export function drainListener(server: HttpServer, deadline: number): Promise<void> {
  return drainConnections(server, deadline, (done) => server.close(() => done()));
}

/**
 * Drains an HTTP server that never listens and is handed its connections (the TLS listener's):
 * resolves once every connection in `open` has closed. The caller has stopped handing new ones over.
 */
export function drainInjected(server: HttpServer, open: ReadonlySet<unknown> & { readonly size: number }, deadline: number, onEmpty: (listener: () => void) => void): Promise<void> {
  return drainConnections(server, deadline, (done) => {
    if (open.size === 0) return done();
    onEmpty(done);
  });
}
