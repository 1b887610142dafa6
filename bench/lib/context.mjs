// The setup every Loom A/B benchmark shares: the built Loom, the load tools, a work folder with logs
// and the gRPC request body, and a description of the machine for RESULTS.md.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ensureTools } from './apt.mjs';
import { writeGrpcData } from './h2load.mjs';
import { LAYOUT } from './layout.mjs';
import { describeMachine } from './machine.mjs';
import { loomMissing } from '../shapes/loom.mjs';

export const BENCH = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');

export function loomBenchContext(log) {
  const ctx = { repoRoot: BENCH.replace(/\/bench$/, ''), layout: LAYOUT, work: `${BENCH}/work`, tools: null, grpcData: null };
  const missing = loomMissing(ctx);
  if (missing) throw new Error(missing);
  ctx.tools = ensureTools(log);
  mkdirSync(`${ctx.work}/logs`, { recursive: true });
  mkdirSync(`${ctx.work}/tmp`, { recursive: true });
  ctx.grpcData = writeGrpcData(`${ctx.work}/grpc-request.bin`);
  return { ctx, machine: describeMachine(ctx.tools, ctx.repoRoot) };
}
