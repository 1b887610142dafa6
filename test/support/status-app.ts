// A meshed test app with a known answer for every request: after DELAY_MS it answers /fail with 500
// and anything else with 200, so whoever sends the requests knows exactly which ones failed.
import http from 'node:http';

const port = Number(process.env['PORT']);
const delayMs = Number(process.env['DELAY_MS'] ?? '0');

const server = http.createServer((req, res) => {
  const status = req.url === '/fail' ? 500 : 200;
  setTimeout(() => {
    res.writeHead(status, { 'content-type': 'text/plain', 'content-length': '2' });
    res.end(status === 200 ? 'ok' : 'no');
  }, delayMs);
});

server.listen(port, '127.0.0.1', () => console.log(`status-app listening on 127.0.0.1:${port}`));
process.once('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
