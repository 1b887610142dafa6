export { EndpointIndex } from './endpoint-index.js';
export type { EndpointWatcher, IndexedEndpoint } from './endpoint-index.js';
export { PolicyIndex } from './policy-index.js';
export type { PolicyUpdate, PolicyWatcher } from './policy-index.js';
