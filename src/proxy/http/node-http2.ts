// node:http2, loaded the first time a plain HTTP/2 client or upstream appears. Peer proxies use the
// lean link in h2/, so many sidecars never need it, and loading it costs ~2 MB of resident memory.
import { createRequire } from 'node:module';

type NodeHttp2 = typeof import('node:http2');
let loaded: NodeHttp2 | undefined;

export function nodeHttp2(): NodeHttp2 {
  return (loaded ??= createRequire(import.meta.url)('node:http2') as NodeHttp2);
}
