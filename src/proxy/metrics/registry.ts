// A small Prometheus registry for the proxy's hot path: children are created once per label set and
// then updated with plain number arithmetic; all string work happens at creation or at scrape time.
import {
  braces,
  checkLabelName,
  checkMetricName,
  escapeHelp,
  formatValue,
  labelKey,
  labelPairs,
  type Labels,
} from './exposition.js';

export interface FamilyOptions {
  name: string;
  help: string;
  /** Fixed label names, enforced on every child; omit to let each child bring its own names. */
  labelNames?: readonly string[];
}

export interface HistogramOptions extends FamilyOptions {
  /** Upper bounds, ascending; the +Inf bucket is implicit. */
  buckets: readonly number[];
}

export class CounterChild {
  value = 0;
  inc(n = 1): void {
    if (!(n >= 0)) throw new RangeError(`a counter only goes up; inc(${n}) refused`);
    this.value += n;
  }
}

export class GaugeChild {
  value = 0;
  set(v: number): void {
    this.value = v;
  }
  inc(n = 1): void {
    this.value += n;
  }
  dec(n = 1): void {
    this.value -= n;
  }
}

export class HistogramChild {
  /** Per-bucket (not cumulative) counts; render() accumulates them. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  constructor(readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length);
  }
  observe(v: number): void {
    if (v !== v) return; // NaN would poison _sum forever
    let i = 0;
    for (const bound of this.bounds) {
      if (v <= bound) break;
      i++;
    }
    if (i < this.counts.length) this.counts[i] = (this.counts[i] ?? 0) + 1;
    this.sum += v;
    this.count++;
  }
}

type MetricType = 'counter' | 'gauge' | 'histogram';

abstract class Family<C> {
  abstract readonly type: MetricType;
  readonly name: string;
  readonly help: string;
  private readonly labelNames: readonly string[] | undefined;
  private readonly children = new Map<string, { pairs: string; child: C }>();

  constructor(opts: FamilyOptions, private readonly reserved: readonly string[] = []) {
    checkMetricName(opts.name);
    opts.labelNames?.forEach((n) => checkLabelName(n, reserved));
    this.name = opts.name;
    this.help = opts.help;
    this.labelNames = opts.labelNames;
  }

  /** The child for this label set, created on first use; callers keep the handle for the hot path. */
  labels(values: Labels = {}): C {
    const key = labelKey(values);
    const found = this.children.get(key);
    if (found) return found.child;
    const names = this.labelNames ?? Object.keys(values);
    if (this.labelNames) this.checkFixed(values);
    else names.forEach((n) => checkLabelName(n, this.reserved));
    const child = this.createChild();
    this.children.set(key, { pairs: labelPairs(values, names), child });
    return child;
  }

  render(): string {
    let out = `# HELP ${this.name} ${escapeHelp(this.help)}\n# TYPE ${this.name} ${this.type}\n`;
    for (const { pairs, child } of this.children.values()) out += this.renderChild(pairs, child);
    return out;
  }

  protected abstract createChild(): C;
  protected abstract renderChild(pairs: string, child: C): string;

  private checkFixed(values: Labels): void {
    const fixed = this.labelNames ?? [];
    const given = Object.keys(values);
    if (given.length !== fixed.length || !fixed.every((n) => Object.hasOwn(values, n))) {
      throw new Error(`${this.name} takes labels [${fixed.join(', ')}], got [${given.join(', ')}]`);
    }
  }
}

export class Counter extends Family<CounterChild> {
  readonly type = 'counter';
  protected createChild(): CounterChild {
    return new CounterChild();
  }
  protected renderChild(pairs: string, child: CounterChild): string {
    return `${this.name}${braces(pairs)} ${formatValue(child.value)}\n`;
  }
}

export class Gauge extends Family<GaugeChild> {
  readonly type = 'gauge';
  protected createChild(): GaugeChild {
    return new GaugeChild();
  }
  protected renderChild(pairs: string, child: GaugeChild): string {
    return `${this.name}${braces(pairs)} ${formatValue(child.value)}\n`;
  }
}

export class Histogram extends Family<HistogramChild> {
  readonly type = 'histogram';
  private readonly bounds: readonly number[];
  private readonly les: readonly string[];

  constructor(opts: HistogramOptions) {
    super(opts, ['le']);
    const bounds = opts.buckets.filter((b) => b !== Infinity);
    if (bounds.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= (bounds[i - 1] ?? -Infinity)))) {
      throw new Error(`${opts.name}: buckets must be finite and strictly ascending`);
    }
    this.bounds = bounds;
    this.les = bounds.map(formatValue);
  }

  protected createChild(): HistogramChild {
    return new HistogramChild(this.bounds);
  }

  protected renderChild(pairs: string, child: HistogramChild): string {
    const bucket = `${this.name}_bucket{${pairs === '' ? '' : `${pairs},`}le="`;
    let out = '';
    let cumulative = 0;
    this.les.forEach((le, i) => {
      cumulative += child.counts[i] ?? 0;
      out += `${bucket}${le}"} ${cumulative}\n`;
    });
    out += `${bucket}+Inf"} ${child.count}\n`;
    out += `${this.name}_sum${braces(pairs)} ${formatValue(child.sum)}\n`;
    return out + `${this.name}_count${braces(pairs)} ${child.count}\n`;
  }
}

export class Registry {
  private readonly families = new Map<string, Family<unknown>>();

  counter(opts: FamilyOptions): Counter {
    return this.add(new Counter(opts));
  }

  gauge(opts: FamilyOptions): Gauge {
    return this.add(new Gauge(opts));
  }

  histogram(opts: HistogramOptions): Histogram {
    return this.add(new Histogram(opts));
  }

  /** Text exposition format 0.0.4; families without children still print HELP and TYPE. */
  render(): string {
    let out = '';
    for (const family of this.families.values()) out += family.render();
    return out;
  }

  private add<F extends Family<unknown>>(family: F): F {
    if (this.families.has(family.name)) throw new Error(`metric ${family.name} is already registered`);
    this.families.set(family.name, family);
    return family;
  }
}
