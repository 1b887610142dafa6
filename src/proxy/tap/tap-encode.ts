// loom.tap.v1.TapEvents in protobuf's wire format, written by hand: the proxy encodes every tapped
// event, and a generic reflective encoder cost it ~5% of its CPU under load (profiled). Field numbers
// follow src/api/proto/loom/tap/v1/tap.proto; the tests decode the output with the generated schema.
import type { TapEventRecord, TapPeer } from './tap-event.js';

const VARINT = 0;
const FIXED64 = 1;
const LEN = 2;

/** A growable byte buffer with protobuf's primitives. */
class Writer {
  private buf = Buffer.allocUnsafe(1024);
  private pos = 0;

  bytes(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  varint(value: number): void {
    this.ensure(10);
    let v = value;
    while (v > 0x7f) {
      this.buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.pos++] = v;
  }

  tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  double(field: number, value: number): void {
    if (value === 0) return;
    this.tag(field, FIXED64);
    this.ensure(8);
    this.buf.writeDoubleLE(value, this.pos);
    this.pos += 8;
  }

  uint(field: number, value: number): void {
    if (value === 0) return;
    this.tag(field, VARINT);
    this.varint(value);
  }

  string(field: number, value: string): void {
    if (value === '') return;
    this.tag(field, LEN);
    const length = Buffer.byteLength(value);
    this.varint(length);
    this.ensure(length);
    this.pos += this.buf.write(value, this.pos);
  }

  /** A length-delimited sub-message: its length is patched in once its body is written. */
  message(field: number, body: () => void): void {
    this.tag(field, LEN);
    this.ensure(5);
    const at = this.pos;
    this.pos += 5; // room for a 5-byte varint length, enough for 32 bits
    body();
    const length = this.pos - at - 5;
    for (let i = 0; i < 5; i++) this.buf[at + i] = ((length >>> (7 * i)) & 0x7f) | (i < 4 ? 0x80 : 0);
  }
}

export function encodeTapEvents(events: readonly TapEventRecord[]): Uint8Array {
  const w = new Writer();
  for (const e of events) w.message(1, () => tapEvent(w, e));
  return w.bytes();
}

function tapEvent(w: Writer, e: TapEventRecord): void {
  w.uint(1, e.id);
  w.uint(2, e.direction === 'inbound' ? 1 : 2);
  const { event } = e;
  if (event.case === 'requestInit') {
    // The ends and the hop travel with the request's head only (see tap.proto).
    w.message(3, () => peer(w, e.source));
    w.message(4, () => peer(w, e.destination));
    if (e.tls) w.uint(5, 1);
  }
  w.double(6, e.timestampMs);
  if (event.case === 'requestInit') {
    const v = event.value;
    w.message(10, () => {
      w.string(1, v.method);
      w.string(2, v.scheme);
      w.string(3, v.authority);
      w.string(4, v.path);
    });
  } else if (event.case === 'responseInit') {
    const v = event.value;
    w.message(11, () => {
      w.uint(1, v.httpStatus);
      w.double(2, v.sinceRequestInitMs);
    });
  } else {
    const v = event.value;
    w.message(12, () => {
      w.uint(1, v.httpStatus);
      w.double(2, v.sinceRequestInitMs);
      w.uint(3, v.responseBytes);
      if (v.grpcStatus !== undefined) {
        // optional: present even when 0 (OK)
        w.tag(4, VARINT);
        w.varint(v.grpcStatus);
      }
      w.string(5, v.error);
    });
  }
}

function peer(w: Writer, p: TapPeer): void {
  w.string(1, p.address);
  w.string(2, p.identity);
  for (const key in p.labels) {
    const value = p.labels[key] as string;
    w.message(3, () => {
      w.string(1, key);
      w.string(2, value);
    });
  }
}
