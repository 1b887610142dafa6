export { AdminServer } from './admin-server.js';
export type { AdminOptions } from './endpoints.js';
