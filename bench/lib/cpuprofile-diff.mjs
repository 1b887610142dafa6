// What one profile spends per request beyond another, by function: self time in µs per request of
// `profile` minus that of `base`, largest first. For two proxies loaded alike but for one feature
// (bench/routed with BENCH_LOOM_NODE_ARGS=--cpu-prof: the plain and the routed client proxy).
//   node lib/cpuprofile-diff.mjs <base.cpuprofile> <base requests> <profile.cpuprofile> <requests> [count]
// Requests are what each proxy served while profiled (bench/work/routed.json has the measured loads'
// counts; warm-ups add a little to both). Profiling slows a proxy, so read the µs as relative.
import { readFileSync } from 'node:fs';

const [baseFile, baseRequests, file, requests, count = '30'] = process.argv.slice(2);
if (!file || !(Number(baseRequests) > 0) || !(Number(requests) > 0)) {
  console.error('usage: node lib/cpuprofile-diff.mjs <base.cpuprofile> <base requests> <profile.cpuprofile> <requests> [count]');
  process.exit(2);
}

function selfTimes(path) {
  const profile = JSON.parse(readFileSync(path, 'utf8'));
  const selfUs = new Map(profile.nodes.map((n) => [n.id, 0]));
  for (let i = 0; i < profile.samples.length; i++) selfUs.set(profile.samples[i], selfUs.get(profile.samples[i]) + (profile.timeDeltas[i] ?? 0));
  const totals = new Map();
  let busy = 0;
  for (const n of profile.nodes) {
    const { functionName, url, lineNumber } = n.callFrame;
    if (functionName === '(idle)') continue;
    const us = selfUs.get(n.id);
    busy += us;
    const key = `${functionName || '(anonymous)'} ${url.replace(/^file:\/\//, '').replace(/^.*\/(dist|node_modules)\//, '$1/')}${url ? `:${lineNumber + 1}` : ''}`;
    totals.set(key, (totals.get(key) ?? 0) + us);
  }
  return { totals, busy };
}

const base = selfTimes(baseFile);
const other = selfTimes(file);
const [nb, n] = [Number(baseRequests), Number(requests)];
console.log(`busy µs per request: base ${(base.busy / nb).toFixed(1)}, profile ${(other.busy / n).toFixed(1)} (+${(other.busy / n - base.busy / nb).toFixed(1)})`);
const rows = [...new Set([...base.totals.keys(), ...other.totals.keys()])].map((key) => {
  const mine = (other.totals.get(key) ?? 0) / n;
  return { key, mine, more: mine - (base.totals.get(key) ?? 0) / nb };
});
for (const r of rows.sort((a, b) => b.more - a.more).slice(0, Number(count))) {
  console.log(`${r.more.toFixed(2).padStart(7)} µs/req more (${r.mine.toFixed(2).padStart(6)} in all)  ${r.key}`);
}
