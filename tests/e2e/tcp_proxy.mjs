// A TCP proxy the test controls, between one replica and PostgreSQL (a network that can
// fail on demand): cut() drops every open connection and from then on closes each new one
// as soon as it is accepted, as a broken path does; restore() lets connections through
// again. Listens on 127.0.0.1 on a free port.
import { createServer, connect } from 'node:net';

export async function startTcpProxy(targetPort) {
  const open = new Set();
  let cut = false;
  const server = createServer((client) => {
    if (cut) {
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, '127.0.0.1');
    const pair = { client, upstream };
    open.add(pair);
    const end = () => {
      open.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    cut() {
      cut = true;
      for (const { client, upstream } of open) {
        client.destroy();
        upstream.destroy();
      }
      open.clear();
    },
    restore() { cut = false; },
    close: () => new Promise((resolve) => {
      for (const { client, upstream } of open) { client.destroy(); upstream.destroy(); }
      server.close(() => resolve());
    }),
  };
}
