// Durations and load parameters of one run; --quick shrinks them for a smoke test.

export function makePlan({ quick }) {
  return {
    settleMs: quick ? 300 : 1000,
    http: { connections: 50, warmupS: quick ? 1 : 3, throughputS: quick ? 3 : 10 },
    latency: { rate: 1000, warmupS: 1, seconds: quick ? 3 : 10 },
    grpc: { clients: 10, streams: 10, warmupS: quick ? 1 : 2, seconds: quick ? 3 : 10 },
  };
}
