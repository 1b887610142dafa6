// Proof that a Loom shape took the mTLS path: A's response_total{tls="true",server_id=B} grows by every request.
import http from 'node:http';

function get(url) {
  return new Promise((resolve, reject) => {
    http.get(url, { agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`${url}: HTTP ${res.statusCode}`))));
    }).on('error', reject).on('timeout', function timeout() {
      this.destroy(new Error(`${url}: no answer within 5 s`));
    });
  });
}

/** Sum of outbound response_total{tls="true",server_id="<serverId>"} on the proxy's admin port. */
export async function mtlsResponses(adminPort, serverId) {
  const text = await get(`http://127.0.0.1:${adminPort}/metrics`);
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith('response_total{')) continue;
    if (line.includes('direction="outbound"') && line.includes('tls="true"') && line.includes(`server_id="${serverId}"`)) {
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return sum;
}

/** A shape's `mtlsCount` hook: reads the counter of `proxy` (a started Loom proxy). */
export const mtlsCounter = (proxy, serverId) => () => mtlsResponses(proxy.admin, serverId);

/** Runs `load`; for a shape with an mtlsCount hook, fails unless its every request went over mTLS. */
export async function overMtls(inst, what, load) {
  if (!inst.mtlsCount) return load();
  const before = await inst.mtlsCount();
  const result = await load();
  const grew = (await inst.mtlsCount()) - before;
  const expected = result?.requests ?? 1;
  if (grew < expected * 0.99) {
    throw new Error(`${what}: response_total{tls="true"} on the outbound proxy grew by ${grew} for ${expected} request(s): the requests did not take the mTLS path`);
  }
  return result;
}
