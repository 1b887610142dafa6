// One resource's golden signals as cards, and their charts over time: the recent past asked once
// from the metrics API's history, then a point from each live answer.
import { useEffect, useRef, useState } from 'react';
import type { StatHistoryPoint, StatRow } from '../api/types.js';
import { ms, percent, rps, successHealth } from '../lib/format.js';
import { Series } from '../lib/series.js';
import { Chart } from './Chart.js';

const SPAN_MS = 15 * 60_000;

const SUCCESS = [{ name: 'success', label: 'success', color: '#12b76a' }];
const RPS = [{ name: 'rps', label: 'rps', color: '#5b6cff' }];
const LATENCY = [
  { name: 'p50', label: 'p50', color: '#5b6cff' },
  { name: 'p95', label: 'p95', color: '#f79009' },
  { name: 'p99', label: 'p99', color: '#f04438' },
];

function addRow(series: Series, t: number, row: StatRow | undefined): void {
  series.add('success', t, row?.successRate === undefined ? undefined : row.successRate * 100);
  series.add('rps', t, row?.rps);
  series.add('p50', t, row?.latencyMs?.p50);
  series.add('p95', t, row?.latencyMs?.p95);
  series.add('p99', t, row?.latencyMs?.p99);
}

/**
 * A Series and a version that changes with each point, for a page to feed from its live stat of one
 * resource (`statPath`, an /api/stat query naming it); the span before the page opened is filled in.
 */
export function useSignalSeries(statPath: string): { series: Series; version: number; add: (row: StatRow | undefined) => void } {
  const series = useRef(new Series(SPAN_MS)).current;
  const [version, setVersion] = useState(0);
  useEffect(() => {
    const abort = new AbortController();
    fetch(`${statPath}&history=${SPAN_MS / 60_000}m`, { signal: abort.signal })
      .then(async (res) => {
        if (!res.ok) return; // the live stream says what is wrong
        const { history } = (await res.json()) as { history: StatHistoryPoint[] };
        for (const point of history) addRow(series, point.at, point.rows[0]);
        setVersion((v) => v + 1);
      })
      .catch(() => undefined); // no past to show: the charts fill from now on
    return () => abort.abort();
  }, [series, statPath]);
  const add = (row: StatRow | undefined): void => {
    addRow(series, Date.now(), row);
    setVersion((v) => v + 1);
  };
  return { series, version, add };
}

export function SignalCards({ row }: { row: StatRow | undefined }) {
  return (
    <div className="cards" data-testid="signals">
      <div className={`stat-card ${successHealth(row?.successRate)}`}>
        <div className="label">Success rate</div>
        <div className="value" data-testid="success-rate">
          {percent(row?.successRate)}
        </div>
      </div>
      <div className="stat-card">
        <div className="label">Requests</div>
        <div className="value">{rps(row?.rps)}</div>
      </div>
      <div className="stat-card">
        <div className="label">Latency p50 / p95 / p99</div>
        <div className="value small">
          {ms(row?.latencyMs?.p50)} / {ms(row?.latencyMs?.p95)} / {ms(row?.latencyMs?.p99)}
        </div>
      </div>
      <div className="stat-card">
        <div className="label">Meshed</div>
        <div className="value">{row ? `${row.meshed.up}/${row.meshed.total}` : '-'}</div>
      </div>
    </div>
  );
}

export function SignalCharts({ series, version }: { series: Series; version: number }) {
  return (
    <div className="charts">
      <Chart title="Success rate (%)" series={series} lines={SUCCESS} unit={(v) => `${v.toFixed(1)}%`} version={version} />
      <Chart title="Requests per second" series={series} lines={RPS} unit={(v) => v.toFixed(1)} version={version} />
      <Chart title="Latency (ms)" series={series} lines={LATENCY} unit={(v) => v.toFixed(0)} version={version} />
    </div>
  );
}
