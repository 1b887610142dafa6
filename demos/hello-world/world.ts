// world: answers every request with its text (WORLD_TEXT, default "world"; v2 says "earth") and its
// own address, as JSON: {"text":"world","addr":"127.0.0.1:7778"}.
import { readPort, readString, settings } from '../lib/env.js';
import { run, sendJson, serveHttp } from '../lib/serve.js';

const config = settings(() => ({ port: readPort(), text: readString('WORLD_TEXT', 'world') }));

run(async () => {
  let addr = '';
  addr = await serveHttp(config.port, async (_req, res) => sendJson(res, 200, { text: config.text, addr }));
});
