// The control plane's own metrics (prom-client): what the index holds and what the Destination API
// sends, plus the process's.
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { EndpointIndex } from './index/endpoint-index.js';

export class ControlPlaneMetrics {
  readonly registry = new Registry();
  readonly streams: Gauge;
  readonly updates: Counter<'kind'>;

  constructor(index: EndpointIndex) {
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'loom_controller_services',
      help: 'Logical names (service:port) the index knows.',
      registers: [this.registry],
      collect() {
        this.set(index.serviceNames().length);
      },
    });
    new Gauge({
      name: 'loom_controller_endpoints',
      help: 'Endpoints across every logical name.',
      registers: [this.registry],
      collect() {
        this.set(index.serviceNames().reduce((n, name) => n + index.endpoints(name).length, 0));
      },
    });
    this.streams = new Gauge({ name: 'loom_controller_destination_streams', help: 'Open Destination API Get streams.', registers: [this.registry] });
    this.updates = new Counter({
      name: 'loom_controller_destination_updates_total',
      help: 'Updates sent on Destination API streams, by kind.',
      labelNames: ['kind'],
      registers: [this.registry],
    });
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
