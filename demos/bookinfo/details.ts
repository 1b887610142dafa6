// details: GET /details/<id> -> the book's details as JSON.
import { readPort, settings } from '../lib/env.js';
import { run, sendJson, serveHttp } from '../lib/serve.js';
import { BOOK, bookId } from './books.js';

const port = settings(readPort);

const DETAILS = {
  id: BOOK.id,
  author: 'William Shakespeare',
  year: 1594,
  type: 'paperback',
  pages: 112,
  publisher: 'Loom Press',
  language: 'English',
};

run(async () => {
  await serveHttp(port, async (_req, res, url) => {
    if (bookId(url.pathname, 'details') === undefined) return sendJson(res, 404, { error: `no details at ${url.pathname}` });
    sendJson(res, 200, DETAILS);
  });
});
