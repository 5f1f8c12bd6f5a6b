// Shared by the bench servers: listen on 127.0.0.1 (port 0 unless given) and tell the parent the port on stdout.
export function listen(server, port = Number(process.env.BENCH_PORT ?? 0)) {
  server.keepAliveTimeout = 65_000;
  server.listen(port, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`));
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
