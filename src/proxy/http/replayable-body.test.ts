import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { PassThrough, Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setImmediate as tick } from 'node:timers/promises';
import { DEFAULT_REPLAY_CAP_BYTES, ReplayableBody } from './replayable-body.js';

/** A source that produces its chunks only when read, counting the bytes handed out. */
class CountingSource extends Readable {
  pulled = 0;

  constructor(private readonly rest: Buffer[]) {
    super({ highWaterMark: 1024 });
  }

  override _read(): void {
    const chunk = this.rest.shift();
    if (chunk !== undefined) this.pulled += chunk.length;
    this.push(chunk ?? null);
  }
}

function chunksOf(total: number, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < total; at += size) out.push(Buffer.alloc(Math.min(size, total - at), at % 251));
  return out;
}

async function collect(stream: Readable | null): Promise<Buffer> {
  assert.ok(stream !== null);
  return Buffer.concat((await stream.toArray()) as Buffer[]);
}

const bodyOf = (parts: Buffer[]): Readable => Readable.from(parts, { objectMode: false });

test('the first attempt reads the source itself; a small body then replays identically, twice', async () => {
  const source = bodyOf([Buffer.from('hello '), Buffer.from('loom '), Buffer.from('mesh')]);
  const body = new ReplayableBody(source);
  assert.equal(body.first(), source);
  assert.equal(body.replayable, false, 'not before it ended');
  assert.equal((await collect(source)).toString(), 'hello loom mesh');
  assert.equal(body.replayable, true);
  const first = body.replay();
  const second = body.replay();
  assert.notEqual(first, second);
  assert.equal((await collect(first)).toString(), 'hello loom mesh');
  assert.equal((await collect(second)).toString(), 'hello loom mesh');
});

test('replayed chunks are the source chunks themselves, not copies', async () => {
  const parts = [Buffer.from('a'), Buffer.from('b')];
  const body = new ReplayableBody(bodyOf(parts));
  await collect(body.first());
  const replay = body.replay() as Readable;
  const replayed: Buffer[] = [];
  replay.on('data', (chunk: Buffer) => replayed.push(chunk));
  await once(replay, 'end');
  assert.equal(replayed.length, 2);
  assert.equal(replayed[0], parts[0]);
  assert.equal(replayed[1], parts[1]);
});

test('a body of exactly the cap replays; one byte more does not, but the first attempt gets every byte', async () => {
  const exact = new ReplayableBody(bodyOf(chunksOf(DEFAULT_REPLAY_CAP_BYTES, 4096)));
  assert.equal((await collect(exact.first())).length, DEFAULT_REPLAY_CAP_BYTES);
  assert.equal(exact.replayable, true);
  assert.equal((await collect(exact.replay())).length, DEFAULT_REPLAY_CAP_BYTES);
  const over = new ReplayableBody(bodyOf(chunksOf(DEFAULT_REPLAY_CAP_BYTES + 1, 4096)));
  assert.equal((await collect(over.first())).length, DEFAULT_REPLAY_CAP_BYTES + 1);
  assert.equal(over.replayable, false);
  assert.throws(() => over.replay(), /not replayable: larger than 65536 bytes/);
});

test('a source that errors, or closes before it ends, is never replayed as a short body', async () => {
  const erroring = new PassThrough();
  const failed = new ReplayableBody(erroring);
  const seen = once(failed.first() as Readable, 'error').catch((err: Error) => [err]);
  erroring.write('part');
  erroring.destroy(new Error('client reset'));
  await seen;
  assert.equal(failed.replayable, false);
  assert.throws(() => failed.replay(), /has not been read to its end/);
  const closing = new PassThrough();
  const closed = new ReplayableBody(closing);
  closed.first()?.resume();
  closing.write('part');
  closing.destroy();
  await once(closing, 'close');
  assert.equal(closed.replayable, false);
});

test('an empty body replays as empty; no body stays no body', async () => {
  const empty = new ReplayableBody(bodyOf([]));
  assert.equal((await collect(empty.first())).length, 0);
  assert.equal(empty.replayable, true);
  assert.equal((await collect(empty.replay())).length, 0);
  const none = new ReplayableBody(null);
  assert.equal(none.first(), null);
  assert.equal(none.replayable, true);
  assert.equal(none.replay(), null);
});

test('a body nobody started sending is not replayable, and replay says why', async () => {
  const body = new ReplayableBody(bodyOf([Buffer.from('x')]));
  assert.equal(body.replayable, false);
  assert.throws(() => body.replay(), /has not been read to its end/);
});

test('the first attempt can be piped like the original body', async () => {
  const body = new ReplayableBody(bodyOf([Buffer.from('piped')]));
  const out = new PassThrough();
  const done = collect(out);
  await pipeline(body.first() as Readable, out);
  assert.equal((await done).toString(), 'piped');
  assert.equal((await collect(body.replay())).toString(), 'piped');
});

test('keeping the chunks does not run the source ahead of a slow consumer', async () => {
  const total = 300_000;
  const source = new CountingSource(chunksOf(total, 1000));
  const body = new ReplayableBody(source);
  let consumed = 0;
  let maxAhead = 0;
  const slow = new Writable({
    highWaterMark: 1024,
    write(chunk: Buffer, _enc, done) {
      consumed += chunk.length;
      maxAhead = Math.max(maxAhead, source.pulled - consumed);
      setImmediate(done);
    },
  });
  await pipeline(body.first() as Readable, slow);
  assert.equal(consumed, total);
  assert.equal(body.replayable, false);
  // The source's buffer (1 KiB) and the consumer's (1 KiB), plus the chunks in flight.
  assert.ok(maxAhead <= 1024 + 1024 + 3 * 1000, `source ran ${maxAhead} bytes ahead`);
});

test('first() twice keeps each chunk once', async () => {
  const body = new ReplayableBody(bodyOf([Buffer.from('once')]));
  body.first();
  await collect(body.first());
  await tick();
  assert.equal((await collect(body.replay())).toString(), 'once');
});
