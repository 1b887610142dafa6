// ratings: GET /ratings/<id> -> stars per reviewer as JSON.
import { readPort, settings } from '../lib/env.js';
import { run, sendJson, serveHttp } from '../lib/serve.js';
import { BOOK, bookId } from './books.js';

const port = settings(readPort);

const RATINGS: Record<string, number> = { Reviewer1: 5, Reviewer2: 4 };

run(async () => {
  await serveHttp(port, async (_req, res, url) => {
    if (bookId(url.pathname, 'ratings') === undefined) return sendJson(res, 404, { error: `no ratings at ${url.pathname}` });
    sendJson(res, 200, { id: BOOK.id, ratings: RATINGS });
  });
});
