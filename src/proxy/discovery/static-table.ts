// The static discovery table: one logical name per line, `name -> endpoint, endpoint ...`, where an
// endpoint is `host:port` followed by `meshed`, `weight=<n>`, `identity=<name>` (mTLS to it, verifying
// that identity) and `key=value` labels.

import { DiscoveryTableError } from './errors.js';
import { formatHostPort, normalizeName, parseHostPort } from '../../lib/host-port.js';
import type { Endpoint } from './types.js';

const LABEL_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Parses a whole table; throws DiscoveryTableError naming `source:line` on the first problem. */
export function parseDiscoveryTable(text: string, source: string): Map<string, Endpoint[]> {
  const table = new Map<string, Endpoint[]>();
  const declaredOn = new Map<string, number>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = stripComment(lines[i] ?? '');
    if (line === '') continue;
    try {
      const { name, endpoints } = parseLine(line);
      const first = declaredOn.get(name);
      if (first !== undefined) throw problem(`${name} is already declared on line ${first}; list all its endpoints on one line`);
      declaredOn.set(name, lineNo);
      table.set(name, endpoints);
    } catch (err) {
      if (err instanceof LineProblem) throw new DiscoveryTableError(source, lineNo, err.message);
      throw err;
    }
  }
  return table;
}

// Thrown inside one line's parse; the loop adds source and line number.
class LineProblem extends Error {}

function problem(message: string): LineProblem {
  return new LineProblem(message);
}

function stripComment(raw: string): string {
  const hash = raw.indexOf('#');
  return (hash < 0 ? raw : raw.slice(0, hash)).trim();
}

function parseLine(line: string): { name: string; endpoints: Endpoint[] } {
  const arrow = line.indexOf('->');
  if (arrow < 0) throw problem(`"${line}" has no "->"; write name:port -> host:port, host:port`);
  const nameText = line.slice(0, arrow).trim();
  if (nameText === '') throw problem('no name before "->"; write name:port -> host:port');
  if (/\s/.test(nameText)) throw problem(`name "${nameText}" has spaces; write a single host:port before "->"`);
  const parsedName = parseHostPort(nameText, 80);
  if (!parsedName.ok) throw problem(`name ${parsedName.problem}`);
  const name = normalizeName(nameText);

  const list = line.slice(arrow + 2).trim();
  const endpoints: Endpoint[] = [];
  if (list === '') return { name, endpoints };
  const seen = new Set<string>();
  for (const item of list.split(',')) {
    const text = item.trim();
    if (text === '') throw problem(`empty endpoint in "${list}"; remove the extra comma`);
    const endpoint = parseEndpoint(text);
    if (seen.has(endpoint.addr)) throw problem(`${endpoint.addr} is listed twice for ${name}; list it once`);
    seen.add(endpoint.addr);
    endpoints.push(endpoint);
  }
  return { name, endpoints };
}

function parseEndpoint(text: string): Endpoint {
  const [address = '', ...flags] = text.split(/\s+/);
  const parsed = parseHostPort(address);
  if (!parsed.ok) throw problem(parsed.problem);
  const { host, port } = parsed.value;
  let meshed = false;
  let weight: number | undefined;
  let identity: string | undefined;
  // A Map, then fromEntries: a key like __proto__ becomes a plain own property.
  const labels = new Map<string, string>();
  for (const flag of flags) {
    if (flag === 'meshed') {
      meshed = true;
      continue;
    }
    const eq = flag.indexOf('=');
    if (eq < 0) throw problem(`"${flag}" is not a flag; write meshed, weight=<n>, identity=<name> or key=value`);
    const key = flag.slice(0, eq);
    const value = flag.slice(eq + 1);
    if (key === 'weight') {
      if (weight !== undefined) throw problem(`weight is set twice on ${address}; set it once`);
      weight = parseWeight(value);
    } else if (key === 'identity') {
      if (identity !== undefined) throw problem(`identity is set twice on ${address}; set it once`);
      if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(value)) throw problem(`identity "${value}" is not a DNS-style name like web.emojivoto.serviceaccount.identity.loom.cluster.local`);
      identity = value;
    } else if (key === 'meshed') {
      throw problem(`"${flag}": meshed takes no value; write meshed on its own`);
    } else {
      if (!LABEL_KEY.test(key)) throw problem(`label key "${key}" is not allowed; use letters, digits and _ (it becomes the metric label dst_${key})`);
      if (value === '') throw problem(`label ${key} has no value; write ${key}=<value>`);
      if (labels.has(key)) throw problem(`label ${key} is set twice on ${address}; set it once`);
      labels.set(key, value);
    }
  }
  return Object.freeze({
    addr: formatHostPort(host, port),
    host,
    port,
    meshed,
    weight: weight ?? 1,
    ...(identity === undefined ? {} : { identity }),
    labels: Object.freeze(Object.fromEntries(labels)),
  });
}

function parseWeight(value: string): number {
  const weight = value.trim() === '' ? NaN : Number(value);
  if (!(Number.isFinite(weight) && weight > 0)) {
    throw problem(`weight "${value}" is not a positive number; write e.g. weight=1 or weight=0.5`);
  }
  return weight;
}
