import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLIENT_PREFACE, Flag, FrameType, SettingId } from './constants.js';
import { encodeFrame } from './frames.js';
import { hasLoomMarker, LOOM_SETTING_ID } from './marker.js';
import { DEFAULT_SETTINGS, encodeSettings } from './settings.js';

function settings(pairs: Array<[number, number]>, flags = 0): Buffer {
  const payload = Buffer.alloc(pairs.length * 6);
  pairs.forEach(([id, value], i) => {
    payload.writeUInt16BE(id, i * 6);
    payload.writeUInt32BE(value, i * 6 + 2);
  });
  return encodeFrame(FrameType.SETTINGS, flags, 0, payload);
}

test('undefined until the first frame after the preface is complete, then whether it has the marker', () => {
  const wire = Buffer.concat([CLIENT_PREFACE, encodeFrame(FrameType.SETTINGS, 0, 0, encodeSettings(DEFAULT_SETTINGS))]);
  for (let n = 0; n < wire.length; n++) assert.equal(hasLoomMarker(wire.subarray(0, n)), undefined, `at ${n} bytes`);
  assert.equal(hasLoomMarker(wire), true);
  assert.equal(hasLoomMarker(Buffer.concat([wire, Buffer.from('more')])), true);
});

test('false for plain HTTP/2 clients and for anything else', () => {
  const plain = settings([[SettingId.INITIAL_WINDOW_SIZE, 65_535]]);
  assert.equal(hasLoomMarker(Buffer.concat([CLIENT_PREFACE, plain])), false);
  assert.equal(hasLoomMarker(Buffer.concat([CLIENT_PREFACE, settings([[LOOM_SETTING_ID, 2]])])), false);
  assert.equal(hasLoomMarker(Buffer.concat([CLIENT_PREFACE, settings([[LOOM_SETTING_ID, 1]], Flag.ACK)])), false);
  assert.equal(hasLoomMarker(Buffer.concat([CLIENT_PREFACE, encodeFrame(FrameType.PING, 0, 0, Buffer.alloc(8))])), false);
  assert.equal(hasLoomMarker(Buffer.from('GET / HTTP/1.1\r\n\r\n')), false);
  assert.equal(hasLoomMarker(Buffer.from('PRI * HTTP/2.0\r\n')), undefined);
});
