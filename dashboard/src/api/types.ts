// The control plane API's answers, typed from the server's own definitions so the two cannot drift.
export type { StatRow } from '../../../src/control/metrics-api/stat.js';
export type { StatHistoryPoint } from '../../../src/control/metrics-api/metrics-api.js';
export type { Edge } from '../../../src/control/metrics-api/edges.js';
export type { RouteRow } from '../../../src/control/metrics-api/routes.js';
export type { GraphEdge, ServiceGraph } from '../../../src/control/metrics-api/graph.js';
export type { MeshHealth, ProxyCertificates } from '../../../src/control/web/health-api.js';
export type { TapLine } from '../../../src/control/tap/tap-line.js';
export type { ServicePolicy, ServicesAnswer, UnattachedResource } from '../../../src/control/services-api.js';
export type { Diagnosis } from '../../../src/routing/diagnose.js';

/** Every metrics answer carries its window and where its numbers came from. */
export interface Windowed {
  windowMs: number;
  backend: string;
}
