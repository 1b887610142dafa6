export { Proxy } from './proxy.js';
export type { ProxyAddrs } from './proxy.js';
export { ConfigError, SETTINGS, loadProxyConfig } from './env.js';
export type { ProxyConfig } from './env.js';
