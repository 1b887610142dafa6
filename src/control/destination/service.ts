// The Destination gRPC service: each Get stream is one index watcher whose events are translated
// into incremental updates. Served with connect-node over HTTP/2 (gRPC protocol).
import { create } from '@bufbuild/protobuf';
import type { ServiceImpl } from '@connectrpc/connect';
import { Code, ConnectError } from '@connectrpc/connect';
import { Destination, DestinationProfileSchema, type DestinationProfile, type Update } from '../../api/gen/loom/destination/v1/destination_pb.js';
import { AsyncQueue } from '../../lib/async-queue.js';
import type { EndpointIndex } from '../index/endpoint-index.js';
import type { PolicyIndex } from '../index/policy-index.js';
import type { ControlPlaneMetrics } from '../metrics.js';
import { addUpdate, noEndpointsUpdate, removeUpdate } from './translate.js';

const NAME = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?:\d{1,5}$|^\[[0-9a-f:.]+\]:\d{1,5}$/i;

function checkPath(path: string): void {
  if (!NAME.test(path)) {
    throw new ConnectError(`"${path}" is not a logical name; ask for host:port, e.g. web.emojivoto.svc:80`, Code.InvalidArgument);
  }
}

export function destinationService(index: EndpointIndex, policies: PolicyIndex, metrics?: ControlPlaneMetrics): ServiceImpl<typeof Destination> {
  return {
    async *get(req, ctx) {
      checkPath(req.path);
      const queue = new AsyncQueue<Update>();
      const send = (kind: string, update: Update): void => {
        metrics?.updates.inc({ kind });
        queue.push(update);
      };
      const unsubscribe = index.watch(req.path.toLowerCase(), {
        add: (endpoints) => send('add', addUpdate(endpoints)),
        remove: (addrs) => send('remove', removeUpdate(addrs)),
        noEndpoints: (exists) => send('no_endpoints', noEndpointsUpdate(exists)),
      });
      const onAbort = (): void => queue.close();
      ctx.signal.addEventListener('abort', onAbort);
      metrics?.streams.inc();
      try {
        yield* queue;
      } finally {
        metrics?.streams.dec();
        ctx.signal.removeEventListener('abort', onAbort);
        unsubscribe();
      }
    },
    async *getProfile(req, ctx) {
      checkPath(req.path);
      const name = req.path.toLowerCase();
      const dtabNamespace = req.dtabNamespace === '' ? 'default' : req.dtabNamespace;
      const fqdn = fullyQualified(name.slice(0, name.lastIndexOf(':')));
      const queue = new AsyncQueue<DestinationProfile>();
      const unsubscribe = policies.watch(name, dtabNamespace, (update) =>
        queue.push(create(DestinationProfileSchema, { fullyQualifiedName: fqdn, opaqueProtocol: update.opaque, clientPolicyJson: update.json })),
      );
      const onAbort = (): void => queue.close();
      ctx.signal.addEventListener('abort', onAbort);
      try {
        yield* queue;
      } finally {
        ctx.signal.removeEventListener('abort', onAbort);
        unsubscribe();
      }
    },
  };
}

/** `web.emojivoto.svc` -> `web.emojivoto.svc.cluster.local`, the name ServiceProfiles use. */
function fullyQualified(host: string): string {
  return host.endsWith('.svc') ? `${host}.cluster.local` : host;
}
