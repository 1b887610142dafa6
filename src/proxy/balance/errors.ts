// The balancer's one error lives with the proxy's other answerable errors (code
// LOOM_ERR_NO_ENDPOINTS, status 503, `exists`), so instanceof checks see a single class.
export { NoEndpointsError } from '../errors.js';
