/**
 * Graceful drain of an HTTP listener: it stops accepting connections at once, idle keep-alive
 * connections are closed, each connection is closed as soon as its in-flight request has been
 * answered, and whatever still runs at the deadline is cut off.
 */
import type { Server as HttpServer } from 'node:http';

/** How often connections that became idle are looked for while draining. */
const IDLE_SWEEP_MS = 20;

/** Closes `server` gracefully; resolves once every connection is gone. `deadline` is epoch ms. */
export function drainListener(server: HttpServer, deadline: number): Promise<void> {
  return new Promise<void>((resolve) => {
    // A response finished while draining tells its client the connection closes.
    const lastResponse = (_req: unknown, res: { shouldKeepAlive: boolean }) => {
      res.shouldKeepAlive = false;
    };
    server.on('request', lastResponse);
    const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
    const cut = setTimeout(() => server.closeAllConnections(), Math.max(0, deadline - Date.now()));
    server.close(() => {
      clearInterval(sweep);
      clearTimeout(cut);
      server.off('request', lastResponse);
      resolve();
    });
    server.closeIdleConnections();
  });
}
