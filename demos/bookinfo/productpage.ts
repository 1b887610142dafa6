// productpage: the book shop's page (HTTP). It calls details and reviews through its sidecar; a
// service that fails leaves its part of the page saying so, and the page still renders.
//   GET /                  a link to the product page
//   GET /productpage       the HTML page
//   GET /api/products      the product list
//   GET /api/products/0    the product with its details and reviews, as JSON
import { readOutbound, readPort, readService, settings } from '../lib/env.js';
import { contextHeaders, meshHttpClient } from '../lib/mesh-http.js';
import { escapeHtml, run, sendHtml, sendJson, serveHttp } from '../lib/serve.js';
import { BOOK, bookId } from './books.js';

const config = settings(() => ({
  port: readPort(),
  outbound: readOutbound(),
  details: readService('DETAILS_SVC', 'details.bookinfo.svc:9080'),
  reviews: readService('REVIEWS_SVC', 'reviews.bookinfo.svc:9080'),
}));

const mesh = meshHttpClient(config.outbound);

type Failed = { error: string };
type Details = Record<string, string | number>;
interface Reviews {
  version: string;
  reviews: { reviewer: string; text: string; rating?: { stars: number; color: string } | Failed }[];
}

interface Product {
  id: number;
  title: string;
  summary: string;
  details: Details | Failed;
  reviews: Reviews | Failed;
}

function isFailed(value: object): value is Failed {
  return typeof (value as Partial<Failed>).error === 'string';
}

function failed(service: string, err: unknown): Failed {
  return { error: `Sorry, ${service.split('.')[0]} are currently unavailable: ${err instanceof Error ? err.message : String(err)}` };
}

async function product(headers: Record<string, string>): Promise<Product> {
  const [details, reviews] = await Promise.all([
    mesh.getJson<Details>(config.details, `/details/${BOOK.id}`, headers).catch((err: unknown) => failed(config.details, err)),
    mesh.getJson<Reviews>(config.reviews, `/reviews/${BOOK.id}`, headers).catch((err: unknown) => failed(config.reviews, err)),
  ]);
  return { ...BOOK, details, reviews };
}

function stars(rating: { stars: number; color: string } | Failed | undefined): string {
  if (rating === undefined) return '';
  if ('error' in rating) return `<p class="error">${escapeHtml(rating.error)}</p>`;
  const n = Math.max(0, Math.min(5, rating.stars));
  return `<p class="stars" style="color:${escapeHtml(rating.color)}">${'★'.repeat(n)}${'☆'.repeat(5 - n)}</p>`;
}

function page(p: Product): string {
  const details =
    isFailed(p.details)
      ? `<p class="error">${escapeHtml(p.details.error)}</p>`
      : `<dl>${Object.entries(p.details)
          .filter(([k]) => k !== 'id')
          .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(String(v))}</dd>`)
          .join('')}</dl>`;
  const reviews =
    isFailed(p.reviews)
      ? `<p class="error">${escapeHtml(p.reviews.error)}</p>`
      : `${p.reviews.reviews
          .map((r) => `<blockquote><p>${escapeHtml(r.text)}</p><small>${escapeHtml(r.reviewer)}</small>${stars(r.rating)}</blockquote>`)
          .join('\n')}<p class="served-by">reviews ${escapeHtml(p.reviews.version)}</p>`;
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${escapeHtml(p.title)}</title>
<style>body{font-family:sans-serif;max-width:48em;margin:2em auto}.error{color:#b00}.stars{font-size:1.4em;margin:0}
main{display:flex;gap:3em}section{flex:1}</style>
</head><body>
<h1>${escapeHtml(p.title)}</h1>
<p>${escapeHtml(p.summary)}</p>
<main><section><h2>Book details</h2>${details}</section>
<section><h2>Book reviews</h2>${reviews}</section></main>
</body></html>
`;
}

run(async () => {
  await serveHttp(config.port, async (req, res, url) => {
    const headers = contextHeaders(req.headers);
    if (url.pathname === '/') return sendHtml(res, 200, '<!doctype html><meta charset="utf-8"><title>Bookinfo</title><p><a href="/productpage">The product page</a></p>\n');
    if (url.pathname === '/productpage') return sendHtml(res, 200, page(await product(headers)));
    if (url.pathname === '/api/products') return sendJson(res, 200, [{ id: BOOK.id, title: BOOK.title }]);
    if (bookId(url.pathname, 'api/products') !== undefined) return sendJson(res, 200, await product(headers));
    sendJson(res, 404, { error: `no route for ${url.pathname}` });
  });
});
