// web: the emoji-voting front end (HTTP). It calls emoji and voting over gRPC through its sidecar.
//   GET /                         the page: emoji to vote for and the leaderboard
//   GET /vote?choice=:shortcode:  votes from the page, then back to it (an error page if the vote fails)
//   GET /api/list                 emoji.ListAll
//   GET /api/vote?choice=...      emoji.FindByShortcode, then voting.Vote<Name>: 200, 400 unknown, 500 failed
//   GET /api/leaderboard          voting.Results with each emoji looked up
import * as grpc from '@grpc/grpc-js';
import { readOutbound, readService, readPort, settings } from '../lib/env.js';
import { contextHeaders } from '../lib/mesh-http.js';
import { isServiceError, meshGrpcClient, unary } from '../lib/mesh-grpc.js';
import { escapeHtml, run, sendHtml, sendJson, serveHttp } from '../lib/serve.js';
import { voteMethod, type Emoji } from './emojis.js';
import { EmojiService, VotingService, type ListAllResponse, type ResultsResponse } from './protos.js';

const config = settings(() => ({
  port: readPort(),
  outbound: readOutbound(),
  emojiSvc: readService('EMOJI_SVC', 'emoji.emojivoto.svc:8080'),
  votingSvc: readService('VOTING_SVC', 'voting.emojivoto.svc:8080'),
}));

const emoji = meshGrpcClient(EmojiService, config.outbound, config.emojiSvc);
const voting = meshGrpcClient(VotingService, config.outbound, config.votingSvc);

type Headers = Record<string, string>;

interface VoteOutcome {
  status: 200 | 400 | 500;
  body: { ok: true; choice: Emoji } | { error: string; grpcStatus?: number };
}

function rpcError(service: string, method: string, err: unknown): { error: string; grpcStatus?: number } {
  if (!isServiceError(err)) return { error: `${service} ${method}: ${String(err)}` };
  return { error: `${service} ${method}: ${grpc.status[err.code] ?? err.code} ${err.details}`, grpcStatus: err.code };
}

async function vote(choice: string, headers: Headers): Promise<VoteOutcome> {
  if (choice === '') return { status: 400, body: { error: "missing 'choice', e.g. /api/vote?choice=:joy:" } };
  let found: Emoji;
  try {
    found = await unary<Emoji>(emoji, 'FindByShortcode', { shortcode: choice }, { headers });
  } catch (err) {
    if (isServiceError(err) && err.code === grpc.status.NOT_FOUND) return { status: 400, body: { error: `unknown choice '${choice}'` } };
    return { status: 500, body: rpcError(config.emojiSvc, 'FindByShortcode', err) };
  }
  const method = voteMethod(found.shortcode);
  try {
    await unary(voting, method, {}, { headers });
  } catch (err) {
    return { status: 500, body: rpcError(config.votingSvc, method, err) };
  }
  return { status: 200, body: { ok: true, choice: found } };
}

async function list(headers: Headers): Promise<Emoji[]> {
  return (await unary<ListAllResponse>(emoji, 'ListAll', {}, { headers })).list;
}

interface Standing extends Emoji {
  votes: number;
}

async function leaderboard(headers: Headers): Promise<Standing[]> {
  const { results } = await unary<ResultsResponse>(voting, 'Results', {}, { headers });
  return Promise.all(
    results.map(async (r) => {
      const e = await unary<Emoji>(emoji, 'FindByShortcode', { shortcode: r.shortcode }, { headers });
      return { ...e, votes: r.votes };
    }),
  );
}

function page(emojis: Emoji[], standings: Standing[] | string): string {
  const links = emojis
    .map((e) => `<a class="emoji" href="/vote?choice=${encodeURIComponent(e.shortcode)}" title="${escapeHtml(e.shortcode)}">${e.unicode}</a>`)
    .join('\n');
  const board =
    typeof standings === 'string'
      ? `<p class="error">The leaderboard is unavailable: ${escapeHtml(standings)}</p>`
      : standings.length === 0
        ? '<p>No votes yet.</p>'
        : `<ol>${standings.map((s) => `<li>${s.unicode} ${escapeHtml(s.shortcode)} ${s.votes}</li>`).join('')}</ol>`;
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Emoji Vote</title>
<style>body{font-family:sans-serif;max-width:40em;margin:2em auto}.emoji{font-size:2em;text-decoration:none;margin:.1em}.error{color:#b00}</style>
</head><body>
<h1>🗳 Emoji Vote</h1>
<p>Pick your favourite:</p>
<div>${links}</div>
<h2>Leaderboard</h2>
${board}
</body></html>
`;
}

function errorPage(message: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Vote failed</title></head><body>
<h1>Your vote did not count</h1><p>${escapeHtml(message)}</p><p><a href="/">Back</a></p></body></html>
`;
}

run(async () => {
  await serveHttp(config.port, async (req, res, url) => {
    const headers = contextHeaders(req.headers);
    const choice = url.searchParams.get('choice') ?? '';
    switch (url.pathname) {
      case '/': {
        const emojis = await list(headers);
        const standings = await leaderboard(headers).catch((err: unknown) => (err instanceof Error ? err.message : String(err)));
        return sendHtml(res, 200, page(emojis, standings));
      }
      case '/vote': {
        const outcome = await vote(choice, headers);
        if (outcome.status === 200) {
          res.writeHead(303, { location: '/' }).end();
          return;
        }
        return sendHtml(res, outcome.status, errorPage('error' in outcome.body ? outcome.body.error : ''));
      }
      case '/api/list':
        return sendJson(res, 200, await list(headers));
      case '/api/vote': {
        const outcome = await vote(choice, headers);
        return sendJson(res, outcome.status, outcome.body);
      }
      case '/api/leaderboard':
        return sendJson(res, 200, await leaderboard(headers));
      default:
        return sendJson(res, 404, { error: `no route for ${url.pathname}` });
    }
  });
});
