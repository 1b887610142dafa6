// A success rate as a coloured badge: red when failing, amber when worth a look, grey with no traffic.
import { percent, successHealth } from '../lib/format.js';

export function SuccessBadge({ rate }: { rate: number | undefined }) {
  return <span className={`badge ${successHealth(rate)}`}>{percent(rate)}</span>;
}
