// The embedded metrics backend's memory: every scraped sample as a time series (metric name plus
// the proxy's labels plus the labels of the proxy it came from), kept for a bounded window.
import type { Sample } from './prom-text.js';

export interface Series {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Scrape times (ms) and values, oldest first. */
  readonly times: number[];
  readonly values: number[];
}

export class SeriesStore {
  private readonly byName = new Map<string, Map<string, Series>>();

  constructor(private readonly retentionMs: number) {}

  /** Records one scrape of a target; `target` labels (namespace, workload, pod) are added to every sample. */
  append(target: Readonly<Record<string, string>>, samples: readonly Sample[], at: number): void {
    for (const sample of samples) {
      const labels = { ...sample.labels, ...target };
      const key = seriesKey(labels);
      let family = this.byName.get(sample.name);
      if (family === undefined) this.byName.set(sample.name, (family = new Map()));
      let series = family.get(key);
      if (series === undefined) family.set(key, (series = { name: sample.name, labels, times: [], values: [] }));
      series.times.push(at);
      series.values.push(sample.value);
    }
  }

  /** Every series of `name` whose labels pass `match`. */
  select(name: string, match: (labels: Readonly<Record<string, string>>) => boolean = () => true): Series[] {
    const family = this.byName.get(name);
    return family === undefined ? [] : [...family.values()].filter((s) => match(s.labels));
  }

  /** Drops points older than the retention window, and series left empty. */
  prune(now: number): void {
    const cutoff = now - this.retentionMs;
    for (const [name, family] of this.byName) {
      for (const [key, series] of family) {
        let drop = 0;
        while (drop < series.times.length && (series.times[drop] as number) < cutoff) drop++;
        if (drop > 0) {
          series.times.splice(0, drop);
          series.values.splice(0, drop);
        }
        if (series.times.length === 0) family.delete(key);
      }
      if (family.size === 0) this.byName.delete(name);
    }
  }

  get seriesCount(): number {
    let n = 0;
    for (const family of this.byName.values()) n += family.size;
    return n;
  }
}

function seriesKey(labels: Readonly<Record<string, string>>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join('\u0000');
}

/**
 * How much a counter grew within (now - windowMs, now], counting resets (a proxy restart) as
 * starting from zero; undefined with fewer than two points in the window.
 */
export function increase(series: Series, windowMs: number, now: number): number | undefined {
  const from = now - windowMs;
  let first = -1;
  for (let i = 0; i < series.times.length; i++) {
    if ((series.times[i] as number) >= from && (series.times[i] as number) <= now) {
      first = i;
      break;
    }
  }
  if (first < 0) return undefined;
  let total = 0;
  let points = 1;
  for (let i = first + 1; i < series.times.length && (series.times[i] as number) <= now; i++) {
    const previous = series.values[i - 1] as number;
    const current = series.values[i] as number;
    total += current >= previous ? current - previous : current;
    points++;
  }
  return points < 2 ? undefined : total;
}

/** The newest value at or before `now`, if within the window. */
export function latest(series: Series, windowMs: number, now: number): number | undefined {
  for (let i = series.times.length - 1; i >= 0; i--) {
    const t = series.times[i] as number;
    if (t > now) continue;
    return t >= now - windowMs ? series.values[i] : undefined;
  }
  return undefined;
}
