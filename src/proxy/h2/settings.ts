// The SETTINGS each end of a Loom link sends, and their encoding (RFC 9113 §6.5).
import { DEFAULT_HEADER_TABLE_SIZE, DEFAULT_MAX_FRAME_SIZE, SettingId } from './constants.js';
import { LOOM_SETTING_ID, LOOM_SETTING_VALUE } from './marker.js';

export interface LocalSettings {
  /** Each stream's receive window: how much a stream may buffer while its consumer is slow. */
  initialWindowSize: number;
  /** The connection's receive window; credited as data is handed on, so it only paces the link. */
  connectionWindowSize: number;
  maxFrameSize: number;
  maxConcurrentStreams: number;
  /** Largest decoded header list accepted (names + values + 32 per field). */
  maxHeaderListSize: number;
}

export const DEFAULT_SETTINGS: LocalSettings = {
  initialWindowSize: 4 * 1024 * 1024,
  connectionWindowSize: 16 * 1024 * 1024,
  maxFrameSize: DEFAULT_MAX_FRAME_SIZE,
  maxConcurrentStreams: 1000,
  maxHeaderListSize: 64 * 1024,
};

/** Our SETTINGS payload, the Loom marker included. */
export function encodeSettings(s: LocalSettings): Buffer {
  const entries: Array<[number, number]> = [
    [SettingId.ENABLE_PUSH, 0],
    [SettingId.MAX_CONCURRENT_STREAMS, s.maxConcurrentStreams],
    [SettingId.INITIAL_WINDOW_SIZE, s.initialWindowSize],
    [SettingId.MAX_FRAME_SIZE, s.maxFrameSize],
    [SettingId.MAX_HEADER_LIST_SIZE, s.maxHeaderListSize],
    [SettingId.HEADER_TABLE_SIZE, DEFAULT_HEADER_TABLE_SIZE],
    [LOOM_SETTING_ID, LOOM_SETTING_VALUE],
  ];
  const payload = Buffer.allocUnsafe(entries.length * 6);
  entries.forEach(([id, value], i) => {
    payload.writeUInt16BE(id, i * 6);
    payload.writeUInt32BE(value, i * 6 + 2);
  });
  return payload;
}
