// How numbers read on screen: "-" for no data (never a pretend zero), as the CLI prints them.
export const NO_DATA = '-';

export function percent(rate: number | undefined): string {
  return rate === undefined ? NO_DATA : `${(rate * 100).toFixed(2)}%`;
}

export function rps(value: number | undefined): string {
  if (value === undefined) return NO_DATA;
  return value >= 100 ? `${value.toFixed(0)} rps` : `${value.toFixed(1)} rps`;
}

export function ms(value: number | undefined): string {
  if (value === undefined) return NO_DATA;
  if (value >= 1000) return `${(value / 1000).toFixed(2)} s`;
  return value >= 10 ? `${value.toFixed(0)} ms` : `${value.toFixed(1)} ms`;
}

export type Health = 'good' | 'warn' | 'bad' | 'idle';

/** Success under 95% is bad and under 99.5% worth a look, as the CLI colours it. */
export function successHealth(rate: number | undefined): Health {
  if (rate === undefined) return 'idle';
  if (rate < 0.95) return 'bad';
  return rate < 0.995 ? 'warn' : 'good';
}

/** "3 s ago", "2 min ago": how old an answer is. */
export function age(thenMs: number, nowMs: number): string {
  const s = Math.max(0, Math.round((nowMs - thenMs) / 1000));
  return s < 90 ? `${s} s ago` : `${Math.round(s / 60)} min ago`;
}
