// Micro-benchmark, not a test: node --import tsx src/routing/dtab/dtab.bench.ts
import { readDtab } from './parser.js';
import { pickBound } from './picker.js';
import { resolve } from './resolver.js';

const dtab = readDtab(`
  /ph => /$/io.buoyant.rinet;
  /svc => /ph/80;
  /svc/api => /#/loom.svc/prod/8080/api;
  /svc/books => /#/loom.svc/prod/7000/books;
  /svc/authors => /#/loom.svc/prod/7001/authors | /#/loom.svc/staging/7001/authors;
  /svc/web => 0.9 * /#/loom.svc/prod/80/web & 0.1 * /#/loom.svc/canary/80/web;
  /http/1.1/* => /svc;
  /http/2/* => /svc;
  /grpc => /svc;
  /svc/legacy => ~;
`);
const paths = [['http', '1.1', 'GET', 'web'], ['http', '2', 'POST', 'books', 'x'], ['grpc', 'authors'], ['http', '1.1', 'GET', 'nowhere']];

function bench(name: string, n: number, body: (i: number) => void): void {
  for (let i = 0; i < n / 10; i++) body(i); // warm up
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) body(i);
  const ns = Number(process.hrtime.bigint() - start) / n;
  console.log(`${name.padEnd(34)} ${ns.toFixed(0).padStart(7)} ns/op`);
}

let sink = 0;
bench('resolve (10 dentries)', 200_000, (i) => {
  sink += resolve(dtab, paths[i & 3] ?? []).tree.kind.length;
});
bench('resolve + pick', 200_000, (i) => {
  const p = pickBound(resolve(dtab, paths[i & 3] ?? []).tree, (i % 1000) / 1000);
  sink += p.kind.length;
});
bench('resolve with trace', 100_000, (i) => {
  sink += resolve(dtab, paths[i & 3] ?? [], { trace: true }).trace.length;
});
const web = resolve(dtab, ['http', '1.1', 'GET', 'web']).tree;
bench('pick only (cached tree)', 1_000_000, (i) => {
  sink += pickBound(web, (i % 1000) / 1000).kind.length;
});
bench('parse the 10-dentry dtab', 20_000, () => {
  sink += readDtab(`/svc/web => 0.9 * /#/loom.svc/prod/80/web & 0.1 * /#/loom.svc/canary/80/web;`.repeat(10)).length;
});
if (sink === 0) console.log(sink);
