// Top self-time functions of a V8 .cpuprofile: node lib/cpuprofile-top.mjs <file> [count] [--by-file].
import { readFileSync } from 'node:fs';

const [file, countArg = '30'] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const byFile = process.argv.includes('--by-file');
const profile = JSON.parse(readFileSync(file, 'utf8'));

const selfUs = new Map(profile.nodes.map((n) => [n.id, 0]));
for (let i = 0; i < profile.samples.length; i++) selfUs.set(profile.samples[i], selfUs.get(profile.samples[i]) + (profile.timeDeltas[i] ?? 0));

const short = (url) => url.replace(/^file:\/\//, '').replace(/^.*\/(dist|node_modules)\//, '$1/');
const totals = new Map();
let busy = 0;
for (const n of profile.nodes) {
  const us = selfUs.get(n.id);
  const { functionName, url, lineNumber } = n.callFrame;
  if (functionName === '(idle)' || us === 0) continue;
  busy += us;
  const key = byFile ? short(url) || functionName : `${functionName || '(anonymous)'} ${short(url)}${url ? `:${lineNumber + 1}` : ''}`;
  totals.set(key, (totals.get(key) ?? 0) + us);
}
console.log(`busy ${(busy / 1e6).toFixed(2)} s of ${((profile.endTime - profile.startTime) / 1e6).toFixed(2)} s`);
for (const [key, us] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, Number(countArg))) {
  console.log(`${((us / busy) * 100).toFixed(1).padStart(5)} %  ${key}`);
}
