// reviews: GET /reviews/<id> -> the book's reviews as JSON. REVIEWS_VERSION picks the behaviour:
// v1 shows no ratings; v2 asks ratings (through the sidecar) and shows black stars; v3 red stars.
import { readChoice, readOutbound, readPort, readService, settings } from '../lib/env.js';
import { contextHeaders, meshHttpClient } from '../lib/mesh-http.js';
import { run, sendJson, serveHttp } from '../lib/serve.js';
import { BOOK, bookId } from './books.js';

const config = settings(() => ({
  port: readPort(),
  outbound: readOutbound(),
  version: readChoice('REVIEWS_VERSION', ['v1', 'v2', 'v3'], 'v1'),
  ratings: readService('RATINGS_SVC', 'ratings.bookinfo.svc:9080'),
}));

const mesh = meshHttpClient(config.outbound);
const STAR_COLOR = { v1: undefined, v2: 'black', v3: 'red' }[config.version];

const REVIEWS = [
  { reviewer: 'Reviewer1', text: 'Fast, silly and tightly built: every misunderstanding sets up the next one. Best read aloud.' },
  { reviewer: 'Reviewer2', text: 'The shortest of the plays and it shows; still, the final scene pays off every confusion.' },
];

type Rating = { stars: number; color: string } | { error: string };

async function ratings(headers: Record<string, string>): Promise<Record<string, number> | string> {
  try {
    return (await mesh.getJson<{ ratings: Record<string, number> }>(config.ratings, `/ratings/${BOOK.id}`, headers)).ratings;
  } catch (err) {
    return `Ratings service is currently unavailable (${err instanceof Error ? err.message : String(err)})`;
  }
}

run(async () => {
  await serveHttp(config.port, async (req, res, url) => {
    if (bookId(url.pathname, 'reviews') === undefined) return sendJson(res, 404, { error: `no reviews at ${url.pathname}` });
    let reviews: { reviewer: string; text: string; rating?: Rating }[] = REVIEWS;
    if (STAR_COLOR !== undefined) {
      const stars = await ratings(contextHeaders(req.headers));
      reviews = REVIEWS.map((r) => {
        const n = typeof stars === 'string' ? undefined : stars[r.reviewer];
        const rating: Rating = typeof stars === 'string' ? { error: stars } : n === undefined ? { error: 'not rated' } : { stars: n, color: STAR_COLOR };
        return { ...r, rating };
      });
    }
    sendJson(res, 200, { id: BOOK.id, version: config.version, reviews });
  });
});
