// Index events to Destination API messages (the translator of Linkerd's destination service).
import { create } from '@bufbuild/protobuf';
import {
  AddrSetSchema,
  NoEndpointsSchema,
  ProtocolHintSchema,
  TcpAddressSchema,
  UpdateSchema,
  WeightedAddrSchema,
  WeightedAddrSetSchema,
  type Update,
} from '../../api/gen/loom/destination/v1/destination_pb.js';
import type { IndexedEndpoint } from '../index/endpoint-index.js';

function tcpAddress(host: string, port: number) {
  return create(TcpAddressSchema, { ip: host, port });
}

export function addUpdate(endpoints: readonly IndexedEndpoint[]): Update {
  const addrs = endpoints.map((e) =>
    create(WeightedAddrSchema, {
      addr: tcpAddress(e.host, e.port),
      weight: e.weight,
      metricLabels: { ...e.labels },
      tlsIdentity: e.identity ?? '',
      protocolHint: e.meshed ? create(ProtocolHintSchema, { protocol: { case: 'loom', value: {} } }) : undefined,
    }),
  );
  return create(UpdateSchema, { update: { case: 'add', value: create(WeightedAddrSetSchema, { addrs }) } });
}

export function removeUpdate(addrs: readonly string[]): Update {
  const parsed = addrs.map((addr) => {
    const colon = addr.lastIndexOf(':');
    return tcpAddress(addr.slice(0, colon).replace(/^\[|\]$/g, ''), Number(addr.slice(colon + 1)));
  });
  return create(UpdateSchema, { update: { case: 'remove', value: create(AddrSetSchema, { addrs: parsed }) } });
}

export function noEndpointsUpdate(exists: boolean): Update {
  return create(UpdateSchema, { update: { case: 'noEndpoints', value: create(NoEndpointsSchema, { exists }) } });
}
