// Replaces (or appends) one "## <heading>" section of a markdown report, leaving the others as they were.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export function writeSection(file, heading, md) {
  const old = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const start = old.indexOf(`\n## ${heading}\n`);
  let next;
  if (start >= 0) {
    const after = old.indexOf('\n## ', start + 1);
    next = old.slice(0, start + 1) + md + (after >= 0 ? `\n${old.slice(after + 1)}` : '');
  } else next = `${old.replace(/\n*$/, '\n\n')}${md}`;
  writeFileSync(file, next);
}
