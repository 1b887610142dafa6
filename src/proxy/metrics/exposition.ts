// Prometheus text exposition format 0.0.4: the escaping and number rules, kept apart from the registry.

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export type Labels = Readonly<Record<string, string>>;

export function checkMetricName(name: string): void {
  if (!METRIC_NAME.test(name)) throw new Error(`"${name}" is not a valid metric name`);
}

export function checkLabelName(name: string, reserved: readonly string[] = []): void {
  if (!LABEL_NAME.test(name) || name.startsWith('__')) throw new Error(`"${name}" is not a valid label name`);
  if (reserved.includes(name)) throw new Error(`label "${name}" is reserved by this metric type`);
}

export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

export function escapeHelp(help: string): string {
  return help.replace(/[\\\n]/g, (c) => (c === '\n' ? '\\n' : '\\\\'));
}

export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** `a="1",b="2"` (no braces) in the given name order, so callers can append more pairs such as `le`. */
export function labelPairs(labels: Labels, names: readonly string[]): string {
  let out = '';
  for (const name of names) {
    if (out !== '') out += ',';
    out += `${name}="${escapeLabelValue(labels[name] ?? '')}"`;
  }
  return out;
}

/** An order-independent identity for a label set: equal sets give equal keys however they were spelled. */
export function labelKey(labels: Labels): string {
  return labelPairs(labels, Object.keys(labels).sort());
}

export function braces(pairs: string): string {
  return pairs === '' ? '' : `{${pairs}}`;
}
