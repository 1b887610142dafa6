// The Destination gRPC service: each Get stream is one index watcher whose events are translated
// into incremental updates. Served with connect-node over HTTP/2 (gRPC protocol).
import { create } from '@bufbuild/protobuf';
import type { ServiceImpl } from '@connectrpc/connect';
import { Code, ConnectError } from '@connectrpc/connect';
import { Destination, DestinationProfileSchema, type Update } from '../../api/gen/loom/destination/v1/destination_pb.js';
import { AsyncQueue } from '../async-queue.js';
import type { EndpointIndex } from '../index/endpoint-index.js';
import { addUpdate, noEndpointsUpdate, removeUpdate } from './translate.js';

const NAME = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?:\d{1,5}$|^\[[0-9a-f:.]+\]:\d{1,5}$/i;

function checkPath(path: string): void {
  if (!NAME.test(path)) {
    throw new ConnectError(`"${path}" is not a logical name; ask for host:port, e.g. web.emojivoto.svc:80`, Code.InvalidArgument);
  }
}

export function destinationService(index: EndpointIndex): ServiceImpl<typeof Destination> {
  return {
    async *get(req, ctx) {
      checkPath(req.path);
      const queue = new AsyncQueue<Update>();
      const unsubscribe = index.watch(req.path.toLowerCase(), {
        add: (endpoints) => queue.push(addUpdate(endpoints)),
        remove: (addrs) => queue.push(removeUpdate(addrs)),
        noEndpoints: (exists) => queue.push(noEndpointsUpdate(exists)),
      });
      const onAbort = (): void => queue.close();
      ctx.signal.addEventListener('abort', onAbort);
      try {
        yield* queue;
      } finally {
        ctx.signal.removeEventListener('abort', onAbort);
        unsubscribe();
      }
    },
    async *getProfile(req, ctx) {
      checkPath(req.path);
      // Routes arrive with the traffic-management work; until then the profile is empty and stays open.
      yield create(DestinationProfileSchema, { fullyQualifiedName: req.path });
      await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
    },
  };
}
