// The baseline: the load generator talks to the upstream itself.
export const direct = {
  name: 'direct',
  proxyCount: 0,
  grpc: true,
  async start(_ctx, _workload, upstreamPort) {
    return { port: upstreamPort, proxies: [] };
  },
};
