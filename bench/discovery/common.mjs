// Small helpers shared by the discovery benchmark's processes.

export const serviceName = (i) => `svc-${i}.bench.svc:80`;

export function endpointFor(service, host, extraLabels = {}) {
  return {
    addr: `${host}:8080`,
    host,
    port: 8080,
    weight: 1,
    meshed: true,
    labels: { pod: `svc-${service}-${host.replaceAll('.', '-')}`, namespace: 'bench', ...extraLabels },
  };
}

/** Milliseconds (microsecond fraction) on a clock comparable across processes on one machine. */
export const nowMs = () => performance.timeOrigin + performance.now();

/** A small seeded PRNG (xorshift32), so runs pick the same services. */
export function rng(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** A meter whose each call returns the CPU used since the previous call, as a fraction of one core. */
export function cpuMeter() {
  let cpuMark = process.cpuUsage();
  let wallMark = performance.now();
  return () => {
    const c = process.cpuUsage(cpuMark);
    const wall = performance.now() - wallMark;
    cpuMark = process.cpuUsage();
    wallMark = performance.now();
    return { core: (c.user + c.system) / 1000 / wall, wallMs: wall };
  };
}
