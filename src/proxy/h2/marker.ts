// The Loom marker: a setting of our own (identifier 0x4c4d, "LM", value 1) in the first SETTINGS
// frame of both ends. Other HTTP/2 peers ignore unknown settings (RFC 9113 §6.5.2), so the marker
// keeps the connection valid HTTP/2 while telling a Loom proxy that its peer takes the fast path.
import { CLIENT_PREFACE, DEFAULT_MAX_FRAME_SIZE, FRAME_HEADER_SIZE, Flag, FrameType } from './constants.js';

export const LOOM_SETTING_ID = 0x4c4d;
export const LOOM_SETTING_VALUE = 1;
const SETTING_SIZE = 6;

/** Whether a SETTINGS payload carries the marker. */
export function settingsHaveLoomMarker(payload: Buffer): boolean {
  for (let at = 0; at + SETTING_SIZE <= payload.length; at += SETTING_SIZE) {
    if (payload.readUInt16BE(at) === LOOM_SETTING_ID && payload.readUInt32BE(at + 2) === LOOM_SETTING_VALUE) return true;
  }
  return false;
}

/**
 * For a server that has read `buf` (the client preface onwards): undefined while the first frame
 * after the preface is incomplete, then whether that frame is a SETTINGS frame with the marker.
 */
export function hasLoomMarker(buf: Buffer): boolean | undefined {
  const prefaceSeen = Math.min(buf.length, CLIENT_PREFACE.length);
  if (buf.compare(CLIENT_PREFACE, 0, prefaceSeen, 0, prefaceSeen) !== 0) return false;
  const frameAt = CLIENT_PREFACE.length;
  if (buf.length < frameAt + FRAME_HEADER_SIZE) return undefined;
  const length = buf.readUIntBE(frameAt, 3);
  const type = buf.readUInt8(frameAt + 3);
  const flags = buf.readUInt8(frameAt + 4);
  const streamId = buf.readUInt32BE(frameAt + 5) & 0x7fffffff;
  // Not a well-formed initial SETTINGS frame: not ours, and not worth waiting for.
  if (type !== FrameType.SETTINGS || flags & Flag.ACK || streamId !== 0) return false;
  if (length % SETTING_SIZE !== 0 || length > DEFAULT_MAX_FRAME_SIZE) return false;
  const payloadAt = frameAt + FRAME_HEADER_SIZE;
  if (buf.length < payloadAt + length) return undefined;
  return settingsHaveLoomMarker(buf.subarray(payloadAt, payloadAt + length));
}
