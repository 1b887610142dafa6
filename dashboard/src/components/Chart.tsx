// A time-series chart (uPlot) of what is on screen; the page adds a point per live answer.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Series } from '../lib/series.js';

export interface Line {
  name: string;
  label: string;
  color: string;
}

export function Chart({ title, series, lines, unit, version }: { title: string; series: Series; lines: readonly Line[]; unit: (v: number) => string; version: number }) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  useEffect(() => {
    if (!host.current) return;
    const opts: uPlot.Options = {
      width: host.current.clientWidth || 360,
      height: 160,
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true } },
      axes: [{ stroke: '#667085', grid: { stroke: '#eef0f4' } }, { stroke: '#667085', grid: { stroke: '#eef0f4' }, size: 64, values: (_u, values) => values.map(unit) }],
      series: [{}, ...lines.map((l) => ({ label: l.label, stroke: l.color, width: 2, spanGaps: true, value: (_u: uPlot, v: number | null) => (v === null ? '-' : unit(v)) }))],
    };
    plot.current = new uPlot(opts, series.aligned(lines.map((l) => l.name)) as uPlot.AlignedData, host.current);
    const resize = new ResizeObserver(() => plot.current?.setSize({ width: host.current?.clientWidth ?? 360, height: 160 }));
    resize.observe(host.current);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
    // Built once per set of lines; new points arrive through setData below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [lines.map((l) => l.name).join()]);
  useEffect(() => {
    plot.current?.setData(series.aligned(lines.map((l) => l.name)) as uPlot.AlignedData);
  }, [version, series, lines]);
  const first = lines[0]?.name;
  const points = first === undefined ? 0 : (series.aligned([first])[1] ?? []).filter((v) => v !== null && v !== undefined).length;
  return (
    <figure className="chart" data-points={points}>
      <figcaption>{title}</figcaption>
      <div ref={host} />
    </figure>
  );
}
