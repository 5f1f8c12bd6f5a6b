/** Small network helpers for tests that need a port before the server that will use it starts. */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

/** A port free on 127.0.0.1 right now (the OS picks it; it is released before this resolves). */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', resolve);
  });
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
