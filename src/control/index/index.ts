export { EndpointIndex } from './endpoint-index.js';
export type { EndpointWatcher, IndexedEndpoint } from './endpoint-index.js';
