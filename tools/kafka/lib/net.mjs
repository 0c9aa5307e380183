// Loopback ports: a free one for a new broker, and whether something already answers on one.
import { createConnection, createServer } from 'node:net';

/** A free TCP port on 127.0.0.1 (the kernel picks it; a race with another binder is unlikely). */
export function findFreePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/** True when something accepts a TCP connection on 127.0.0.1:`port` within a second. */
export function canConnect(port) {
  return new Promise((resolveConnect) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (ok) => {
      socket.destroy();
      resolveConnect(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
