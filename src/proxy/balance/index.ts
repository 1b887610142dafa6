export { Balancer } from './balancer.js';
export type { BalancedEndpoint, BalancerOptions } from './balancer.js';
export { NoEndpointsError } from './errors.js';
export { PeakEwma } from './peak-ewma.js';
export type { PeakEwmaOptions } from './peak-ewma.js';
