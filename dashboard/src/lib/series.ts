// Charts over time: each live answer adds a point per line, and a page's history fills in the past
// (in any order); points older than the span drop off.
export interface Point {
  t: number;
  value: number | undefined;
}

export class Series {
  private readonly lines = new Map<string, Point[]>();

  constructor(private readonly spanMs: number) {}

  add(name: string, t: number, value: number | undefined): void {
    const points = this.lines.get(name) ?? [];
    const last = points.at(-1);
    if (last !== undefined && last.t === t) last.value = value;
    else points.push({ t, value });
    if (last !== undefined && last.t > t) points.sort((a, b) => a.t - b.t);
    const newest = (points.at(-1) as Point).t;
    while (points.length > 0 && (points[0] as Point).t < newest - this.spanMs) points.shift();
    this.lines.set(name, points);
  }

  names(): string[] {
    return [...this.lines.keys()];
  }

  /** uPlot's shape: [times in seconds, then one array per line], aligned on the union of times. */
  aligned(names: readonly string[]): [number[], ...(number | null)[][]] {
    const times = [...new Set(names.flatMap((n) => (this.lines.get(n) ?? []).map((p) => p.t)))].sort((a, b) => a - b);
    const columns = names.map((n) => {
      const byTime = new Map((this.lines.get(n) ?? []).map((p) => [p.t, p.value]));
      return times.map((t) => byTime.get(t) ?? null);
    });
    return [times.map((t) => t / 1000), ...columns];
  }
}
