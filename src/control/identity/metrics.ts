// The identity service's metrics, on the control plane's registry: how Certify calls end and how long they take.
import { Counter, Histogram, type Registry } from 'prom-client';

export const CERTIFY_RESULTS = ['issued', 'unauthenticated', 'permission_denied', 'invalid_csr', 'error'] as const;
export type CertifyResult = (typeof CERTIFY_RESULTS)[number];

export class IdentityMetrics {
  readonly certify: Counter<'result'>;
  readonly duration: Histogram;

  constructor(registry: Registry) {
    this.certify = new Counter({
      name: 'identity_certify_total',
      help: 'Identity API Certify calls, by result.',
      labelNames: ['result'],
      registers: [registry],
    });
    // Every result from the start, so a query for refusals finds 0 rather than nothing.
    for (const result of CERTIFY_RESULTS) this.certify.inc({ result }, 0);
    this.duration = new Histogram({
      name: 'identity_certify_duration_seconds',
      help: 'Time to answer an Identity API Certify call.',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    });
  }
}
