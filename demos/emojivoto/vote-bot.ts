// vote-bot: votes through web every VOTE_INTERVAL_MS, for a random emoji and ~15% of the time for
// the doughnut (whose vote always fails). Logs one line per vote; GET / on PORT reports its counts.
import { readInt, readOutbound, readPort, readService, settings } from '../lib/env.js';
import { meshHttpClient, ServiceCallError } from '../lib/mesh-http.js';
import { onShutdown, run, sendJson, serveHttp } from '../lib/serve.js';
import { DOUGHNUT, type Emoji } from './emojis.js';

const DOUGHNUT_SHARE = 0.15;

const config = settings(() => ({
  port: readPort(),
  outbound: readOutbound(),
  web: readService('WEB_HOST', 'web.emojivoto.svc:80'),
  intervalMs: readInt('VOTE_INTERVAL_MS', 500, 1, 3_600_000),
}));

const web = meshHttpClient(config.outbound);
const counts = { succeeded: 0, failed: 0 };
let choices: string[] = [];
let timer: NodeJS.Timeout | undefined;
let stopped = false;

function pick(): string {
  if (Math.random() < DOUGHNUT_SHARE) return DOUGHNUT;
  const others = choices.filter((c) => c !== DOUGHNUT);
  return others[Math.floor(Math.random() * others.length)] ?? DOUGHNUT;
}

async function tick(): Promise<void> {
  if (choices.length === 0) {
    try {
      choices = (await web.getJson<Emoji[]>(config.web, '/api/list')).map((e) => e.shortcode);
    } catch (err) {
      console.log(`list failed: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
  }
  const choice = pick();
  try {
    await web.getJson(config.web, `/api/vote?choice=${encodeURIComponent(choice)}`);
    counts.succeeded++;
    console.log(`vote ${choice} ok`);
  } catch (err) {
    counts.failed++;
    const status = err instanceof ServiceCallError && err.status !== 0 ? String(err.status) : 'error';
    console.log(`vote ${choice} failed ${status}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function schedule(): void {
  if (stopped) return;
  timer = setTimeout(() => {
    void tick().finally(schedule);
  }, config.intervalMs);
}

onShutdown(async () => {
  stopped = true;
  clearTimeout(timer);
});

run(async () => {
  await serveHttp(config.port, async (_req, res) => sendJson(res, 200, { web: config.web, votes: counts.succeeded + counts.failed, ...counts }));
  schedule();
});
