export { EndpointIndex } from './endpoint-index.js';
export type { EndpointWatcher, IndexedEndpoint } from './endpoint-index.js';
export { ProfileIndex, fullyQualified } from './profile-index.js';
export type { ProfileView, ProfileWatcher } from './profile-index.js';
