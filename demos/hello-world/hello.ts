// hello: calls world through its sidecar and answers "Hello (<hello's addr>) <world's text> (<world's addr>)!!".
import { readOutbound, readPort, readService, settings } from '../lib/env.js';
import { contextHeaders, meshHttpClient } from '../lib/mesh-http.js';
import { run, sendText, serveHttp } from '../lib/serve.js';

const config = settings(() => ({
  port: readPort(),
  outbound: readOutbound(),
  world: readService('WORLD_SVC', 'world.hello.svc'),
}));

const mesh = meshHttpClient(config.outbound);

interface WorldAnswer {
  text: string;
  addr: string;
}

run(async () => {
  let addr = '';
  addr = await serveHttp(config.port, async (req, res) => {
    let world: WorldAnswer;
    try {
      world = await mesh.getJson<WorldAnswer>(config.world, '/', contextHeaders(req.headers));
    } catch (err) {
      return sendText(res, 502, `Hello (${addr}) ... no answer: ${err instanceof Error ? err.message : String(err)}\n`);
    }
    sendText(res, 200, `Hello (${addr}) ${world.text} (${world.addr})!!\n`);
  });
});
