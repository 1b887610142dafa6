export { LoomH2Client, type Dispatcher, type LoomH2ClientOptions } from './client.js';
export { serveLoomH2, LoomH2ServerConnection, type LoomH2Handler, type LoomH2ServerOptions } from './server.js';
export { hasLoomMarker, LOOM_SETTING_ID } from './marker.js';
export { NotLoomPeerError, UnprocessedRequestError, StreamResetError, H2ConnectionError } from './errors.js';
export { DEFAULT_SETTINGS, type LocalSettings } from './settings.js';
