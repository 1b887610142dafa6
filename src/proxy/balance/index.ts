export { Balancer } from './balancer.js';
export type { BalancedEndpoint, BalancerOptions } from './balancer.js';
export { NoEndpointsError } from './errors.js';
export { EndpointHealth, HealthTally, resolveFailureAccrual } from './failure-accrual.js';
export type { AccrualSettings, EndpointHealthOptions, FailureAccrualPolicy, HealthState, SuccessRatePolicy } from './failure-accrual.js';
export { PeakEwma } from './peak-ewma.js';
export type { PeakEwmaOptions } from './peak-ewma.js';
