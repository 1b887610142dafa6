// Command line: node run.mjs [--quick] [--only a,b] [--out FILE]

export const USAGE = `usage: node run.mjs [--quick] [--only shape,shape] [--out FILE]
  --quick   short durations (a smoke test, ~1 minute)
  --only    run only these shapes (comma-separated)
  --out     where to write the markdown report (default: bench/RESULTS.md for a full run of every
            shape, bench/work/RESULTS.partial.md otherwise)`;

export class UsageError extends Error {}

export function parseArgs(argv, shapeNames) {
  const args = { quick: false, only: null, out: null, help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const eq = a.indexOf('=');
      if (eq >= 0) return a.slice(eq + 1);
      if (i + 1 >= argv.length) throw new UsageError(`${a} needs a value\n${USAGE}`);
      return argv[++i];
    };
    if (a === '--quick') args.quick = true;
    else if (a === '--help' || a === '-h') args.help = true;
    else if (a.startsWith('--only')) args.only = value().split(',').map((s) => s.trim()).filter(Boolean);
    else if (a.startsWith('--out')) args.out = value();
    else throw new UsageError(`unknown argument ${a}\n${USAGE}`);
  }
  const unknown = (args.only ?? []).filter((n) => !shapeNames.includes(n));
  if (unknown.length > 0) throw new UsageError(`unknown shape(s) ${unknown.join(', ')}; shapes: ${shapeNames.join(', ')}`);
  return args;
}
