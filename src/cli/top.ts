// `loom top <target>`: the busiest paths through a workload right now, from its tap stream — a table
// refreshed every second on a terminal, printed once when it stops otherwise (e.g. piped to a file).
import type { TapLine } from '../control/tap/tap-line.js';
import { TopRows } from '../control/tap/top-rows.js';
import type { CliIO } from './io.js';
import { formatTable } from './table.js';
import { openTapStream, type TapRequest } from './tap-stream.js';

export interface TopOptions extends TapRequest {
  /** How often a terminal's table is redrawn. */
  refreshMs?: number;
  /** Rows shown, busiest first. */
  limit?: number;
}

const CLEAR_SCREEN = '\x1b[H\x1b[2J';

export async function runTop(opts: TopOptions, io: CliIO, signal: AbortSignal): Promise<number> {
  const stream = await openTapStream(opts, io, 'top', signal);
  if (typeof stream === 'number') return stream;
  const table = new TopTable();
  // Piped, the table comes once at the end: say so, so nobody waits on a silent command.
  if (!io.tty) io.err(`loom top: watching ${opts.target}; press Ctrl-C to print the table\n`);
  const redraw = io.tty ? setInterval(() => io.out(`${CLEAR_SCREEN}${table.render(opts.limit ?? 30)}`), opts.refreshMs ?? 1000) : undefined;
  try {
    for await (const line of stream) table.add(line);
  } finally {
    clearInterval(redraw);
  }
  io.out(`${io.tty ? CLEAR_SCREEN : ''}${table.render(opts.limit ?? 30)}`);
  return 0;
}

/** Per (source, destination, method, path): how many requests ended, how fast and how well. */
export class TopTable {
  private readonly rows = new TopRows();

  add(l: TapLine): void {
    this.rows.add(l);
  }

  render(limit: number): string {
    if (this.rows.size === 0) return '(no requests seen yet)\n';
    const ms = (v: number): string => `${v.toFixed(1)}ms`;
    return formatTable([
      ['SOURCE', 'DESTINATION', 'METHOD', 'PATH', 'COUNT', 'BEST', 'WORST', 'LAST', 'SUCCESS_RATE'],
      ...this.rows.busiest(limit).map((r) => [r.source, r.destination, r.method, r.path, String(r.count), ms(r.best), ms(r.worst), ms(r.last), `${((100 * r.successes) / r.count).toFixed(2)}%`]),
    ]);
  }
}
