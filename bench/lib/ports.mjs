// Free TCP ports on 127.0.0.1, handed out once each so two listeners in one run never collide.
// Scans below the kernel's ephemeral range (32768+) so that the many client connections of a load
// test cannot take a port between our probe and the listener's bind.
import net from 'node:net';

const FIRST = 20000 + Math.floor(Math.random() * 5000);
let next = FIRST;

function bindable(port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.on('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

export async function freePort() {
  while (next < 32000) {
    const port = next++;
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port between ${FIRST} and 32000`);
}
