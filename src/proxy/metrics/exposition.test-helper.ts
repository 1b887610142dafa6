// A strict reader of text exposition format 0.0.4 for tests: it throws on anything Prometheus would reject.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface ParsedFamily {
  name: string;
  type: string;
  help: string | undefined;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

export function parseExposition(text: string): Map<string, ParsedFamily> {
  if (text !== '' && !text.endsWith('\n')) throw new Error('exposition must end with a newline');
  const families = new Map<string, ParsedFamily>();
  const helps = new Map<string, string>();
  const seen = new Set<string>();
  let current: ParsedFamily | undefined;
  for (const line of text.slice(0, -1).split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta) {
      const [, kind, name = '', rest = ''] = meta;
      if (kind === 'HELP') helps.set(name, unescapeHelp(rest));
      else {
        if (families.has(name)) throw new Error(`second TYPE line for ${name}`);
        if (!TYPES.has(rest)) throw new Error(`unknown type ${rest}`);
        current = { name, type: rest, help: helps.get(name), samples: [] };
        families.set(name, current);
      }
      continue;
    }
    if (line.startsWith('#')) continue;
    const sample = parseSample(line);
    if (!current || !belongsTo(sample.name, current)) throw new Error(`sample ${sample.name} outside its family`);
    const id = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`;
    if (seen.has(id)) throw new Error(`duplicate series ${id}`);
    seen.add(id);
    current.samples.push(sample);
  }
  for (const family of families.values()) if (family.type === 'histogram') checkHistogram(family);
  return families;
}

/** The value of the one sample with this name whose labels include `labels`. */
export function valueOf(families: Map<string, ParsedFamily>, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const family of families.values()) {
    const hits = family.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
    if (hits.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} matches ${hits.length} series`);
    if (hits[0]) return hits[0].value;
  }
  return undefined;
}

function belongsTo(name: string, family: ParsedFamily): boolean {
  if (family.type !== 'histogram') return name === family.name;
  return ['_bucket', '_sum', '_count'].some((suffix) => name === family.name + suffix);
}

function parseSample(line: string): Sample {
  const name = NAME.exec(line)?.[0];
  if (!name) throw new Error(`bad sample line: ${line}`);
  let i = name.length;
  const labels: Record<string, string> = {};
  if (line[i] === '{') {
    i++;
    while (line[i] !== '}') {
      const label = /^([a-zA-Z_][a-zA-Z0-9_]*)="/.exec(line.slice(i));
      if (!label?.[1]) throw new Error(`bad label at ${i}: ${line}`);
      i += label[0].length;
      let value = '';
      for (;;) {
        const c = line[i++];
        if (c === undefined) throw new Error(`unterminated label value: ${line}`);
        if (c === '"') break;
        if (c === '\\') {
          const e = line[i++];
          if (e === 'n') value += '\n';
          else if (e === '\\' || e === '"') value += e;
          else throw new Error(`bad escape \\${e}: ${line}`);
        } else value += c;
      }
      if (Object.hasOwn(labels, label[1])) throw new Error(`repeated label ${label[1]}`);
      labels[label[1]] = value;
      if (line[i] === ',') i++;
      else if (line[i] !== '}') throw new Error(`expected , or } at ${i}: ${line}`);
    }
    i++;
  }
  const rest = /^ (\S+)(?: -?\d+)?$/.exec(line.slice(i));
  if (!rest?.[1]) throw new Error(`bad value: ${line}`);
  return { name, labels, value: parseValue(rest[1]) };
}

function parseValue(raw: string): number {
  if (raw === '+Inf') return Infinity;
  if (raw === '-Inf') return -Infinity;
  if (raw === 'NaN') return NaN;
  const v = Number(raw);
  if (raw === '' || Number.isNaN(v)) throw new Error(`bad number ${raw}`);
  return v;
}

function unescapeHelp(raw: string): string {
  return raw.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === '\\' ? '\\' : `\\${c}`));
}

function checkHistogram(family: ParsedFamily): void {
  const series = new Map<string, { les: number[]; counts: number[]; count?: number }>();
  for (const s of family.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const entry = series.get(key) ?? { les: [], counts: [] };
    series.set(key, entry);
    if (s.name.endsWith('_bucket')) {
      if (le === undefined) throw new Error(`${family.name} bucket without le`);
      entry.les.push(parseValue(le));
      entry.counts.push(s.value);
    } else if (s.name.endsWith('_count')) entry.count = s.value;
  }
  for (const [key, { les, counts, count }] of series) {
    if (les.at(-1) !== Infinity) throw new Error(`${family.name}${key} lacks the +Inf bucket`);
    les.forEach((le, i) => {
      if (i > 0 && (le <= (les[i - 1] ?? 0) || (counts[i] ?? 0) < (counts[i - 1] ?? 0))) {
        throw new Error(`${family.name}${key} buckets are not ascending and cumulative`);
      }
    });
    if (counts.at(-1) !== count) throw new Error(`${family.name}${key}: +Inf bucket differs from _count`);
  }
}
