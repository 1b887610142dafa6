// Parses the Prometheus text exposition format (0.0.4) the proxies serve: one sample per line,
// `name{label="value",...} value [timestamp]`, comments and TYPE/HELP lines skipped.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export class PromTextError extends Error {}

export function parsePromText(text: string): Sample[] {
  const samples: Sample[] = [];
  let lineNo = 0;
  for (const raw of text.split('\n')) {
    lineNo++;
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    try {
      samples.push(parseLine(line));
    } catch (err) {
      throw new PromTextError(`line ${lineNo}: ${(err as Error).message}: ${line.slice(0, 120)}`);
    }
  }
  return samples;
}

function parseLine(line: string): Sample {
  const brace = line.indexOf('{');
  const space = line.indexOf(' ');
  if (space < 0) throw new Error('no value');
  let name: string;
  let labels: Record<string, string> = {};
  let rest: string;
  if (brace >= 0 && brace < space) {
    name = line.slice(0, brace);
    const end = parseLabels(line, brace + 1, (parsed) => (labels = parsed));
    rest = line.slice(end + 1).trim();
  } else {
    name = line.slice(0, space);
    rest = line.slice(space + 1).trim();
  }
  if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) throw new Error(`bad metric name "${name}"`);
  const valueText = rest.split(/\s+/, 1)[0] ?? '';
  const value = parseValue(valueText);
  return { name, labels, value };
}

/** Parses `a="x",b="y"}` from `start`; returns the index of the closing brace. */
function parseLabels(line: string, start: number, done: (labels: Record<string, string>) => void): number {
  const labels: Record<string, string> = {};
  let i = start;
  while (i < line.length) {
    if (line[i] === '}') {
      done(labels);
      return i;
    }
    const eq = line.indexOf('=', i);
    if (eq < 0) break;
    if (line[eq + 1] !== '"') throw new Error('a label value must be quoted');
    const key = line.slice(i, eq).trim();
    let value = '';
    let j = eq + 2;
    for (; j < line.length && line[j] !== '"'; j++) {
      if (line[j] === '\\') {
        const next = line[++j];
        value += next === 'n' ? '\n' : (next ?? '');
      } else value += line[j];
    }
    if (j >= line.length) throw new Error('unterminated label value');
    labels[key] = value;
    i = j + 1;
    if (line[i] === ',') i++;
  }
  throw new Error('unterminated label set');
}

function parseValue(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  const value = Number(text);
  if (text === '' || Number.isNaN(value)) throw new Error(`bad value "${text}"`);
  return value;
}
