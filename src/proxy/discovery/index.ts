export type { Discovery, Endpoint, EndpointListener, Subscription } from './types.js';
export { DiscoveryTableError } from './errors.js';
export { formatHostPort, normalizeName, parseHostPort } from '../../lib/host-port.js';
export type { HostPort, HostPortResult } from '../../lib/host-port.js';
export { parseDiscoveryTable } from './static-table.js';
export { INLINE_SOURCE, StaticDiscovery } from './static-source.js';
export type { StaticDiscoveryOptions } from './static-source.js';
