import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, Flag, FrameType } from './constants.js';
import { H2ConnectionError } from './errors.js';
import { encodeFrame, FrameReader, readFrameHeader, type FrameHandler } from './frames.js';

interface Seen {
  type: number;
  flags: number;
  streamId: number;
  payload: Buffer;
}

function collector(): FrameHandler & { frames: Seen[] } {
  const frames: Seen[] = [];
  return {
    frames,
    onFrame(type, flags, streamId, payload) {
      frames.push({ type, flags, streamId, payload: Buffer.from(payload) });
    },
  };
}

const sample = (): Buffer[] => [
  encodeFrame(FrameType.SETTINGS, 0, 0, Buffer.from('000400010000', 'hex')),
  encodeFrame(FrameType.HEADERS, Flag.END_HEADERS, 1, Buffer.from('8286', 'hex')),
  encodeFrame(FrameType.DATA, Flag.END_STREAM, 1, Buffer.alloc(16_384, 7)),
  encodeFrame(FrameType.PING, 0, 0, Buffer.alloc(8, 1)),
  encodeFrame(FrameType.DATA, 0, 3),
  encodeFrame(FrameType.WINDOW_UPDATE, 0, 0x7fffffff, Buffer.from('00010000', 'hex')),
];

test('the frame header round trips and the reserved stream-id bit is ignored', () => {
  const frame = encodeFrame(FrameType.RST_STREAM, 0, 5, Buffer.alloc(4));
  frame[5] = 0x80; // set the reserved bit
  assert.deepEqual(readFrameHeader(frame), { length: 4, type: FrameType.RST_STREAM, flags: 0, streamId: 5 });
});

test('frames come out whole whatever the chunking, fed byte by byte', () => {
  const frames = sample();
  const wire = Buffer.concat(frames);
  const sink = collector();
  const reader = new FrameReader(sink);
  for (let i = 0; i < wire.length; i++) reader.push(wire.subarray(i, i + 1));
  assert.equal(sink.frames.length, frames.length);
  sink.frames.forEach((f, i) => {
    const expected = frames[i] as Buffer;
    assert.deepEqual({ ...readFrameHeader(expected), payload: expected.subarray(9) }, { length: f.payload.length, ...f });
  });
});

test('frames come out whole across random chunk splits', () => {
  const wire = Buffer.concat([...sample(), ...sample(), ...sample()]);
  for (let round = 0; round < 200; round++) {
    const sink = collector();
    const reader = new FrameReader(sink);
    for (let at = 0; at < wire.length; ) {
      const n = 1 + Math.floor(Math.random() * 40_000);
      reader.push(wire.subarray(at, at + n));
      at += n;
    }
    assert.deepEqual(Buffer.concat(sink.frames.map((f) => encodeFrame(f.type, f.flags, f.streamId, f.payload))), wire);
  }
});

test('a frame within one chunk is passed on without a copy', () => {
  const payloads: Buffer[] = [];
  const reader = new FrameReader({ onFrame: (_t, _f, _s, payload) => payloads.push(payload) });
  const chunk = encodeFrame(FrameType.DATA, 0, 1, Buffer.from('hello'));
  reader.push(chunk);
  assert.equal(payloads[0]?.buffer, chunk.buffer);
});

test('a frame over the maximum frame size is a FRAME_SIZE_ERROR, even split before its header ends', () => {
  const big = encodeFrame(FrameType.DATA, 0, 1, Buffer.alloc(16_385));
  for (const split of [big.length, 3, 12]) {
    const reader = new FrameReader(collector());
    assert.throws(
      () => {
        reader.push(big.subarray(0, split));
        reader.push(big.subarray(split));
      },
      (err: unknown) => err instanceof H2ConnectionError && err.errorCode === ErrorCode.FRAME_SIZE_ERROR,
    );
  }
  const raised = new FrameReader(collector(), 65_536);
  raised.push(big);
});

test('nothing is delivered after stop', () => {
  const sink = collector();
  const reader = new FrameReader({
    onFrame(type, flags, streamId, payload) {
      sink.onFrame(type, flags, streamId, payload);
      reader.stop();
    },
  });
  reader.push(Buffer.concat(sample()));
  assert.equal(sink.frames.length, 1);
});
