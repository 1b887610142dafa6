import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { PassThrough, Readable } from 'node:stream';
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

test('a small body streams to the first attempt and replays identically, twice', async () => {
  const parts = [Buffer.from('hello '), Buffer.from('loom '), Buffer.from('mesh')];
  const body = new ReplayableBody(Readable.from(parts, { objectMode: false }));
  assert.equal((await collect(body.first)).toString(), 'hello loom mesh');
  assert.equal(body.ended, true);
  assert.equal(await body.prepareReplay(), true);
  const first = body.replay();
  const second = body.replay();
  assert.notEqual(first, second);
  assert.equal((await collect(first)).toString(), 'hello loom mesh');
  assert.equal((await collect(second)).toString(), 'hello loom mesh');
});

test('replayed chunks are the source chunks themselves, not copies', async () => {
  const parts = [Buffer.from('a'), Buffer.from('b')];
  const body = new ReplayableBody(Readable.from(parts, { objectMode: false }));
  await collect(body.first);
  const replay = body.replay() as Readable;
  const replayed: Buffer[] = [];
  replay.on('data', (chunk: Buffer) => replayed.push(chunk));
  await once(replay, 'end');
  assert.equal(replayed.length, 2);
  assert.equal(replayed[0], parts[0]);
  assert.equal(replayed[1], parts[1]);
});

test('a body of exactly the cap replays; one byte more does not, but the first attempt gets every byte', async () => {
  const atCap = new ReplayableBody(new CountingSource(chunksOf(DEFAULT_REPLAY_CAP_BYTES, 1000)));
  assert.equal((await collect(atCap.first)).length, DEFAULT_REPLAY_CAP_BYTES);
  assert.equal(await atCap.prepareReplay(), true);
  assert.equal((await collect(atCap.replay())).length, DEFAULT_REPLAY_CAP_BYTES);

  const parts = chunksOf(DEFAULT_REPLAY_CAP_BYTES + 1, 1000);
  const expected = Buffer.concat(parts);
  const over = new ReplayableBody(new CountingSource(parts));
  assert.ok((await collect(over.first)).equals(expected));
  assert.equal(over.replayable, false);
  assert.equal(await over.prepareReplay(), false);
  assert.throws(() => over.replay(), /not replayable: larger than 65536 bytes/);
});

test('the first attempt can be piped like the original body', async () => {
  const body = new ReplayableBody(new CountingSource(chunksOf(10_000, 999)));
  const sink = new PassThrough();
  const received = collect(sink);
  await pipeline(body.first as Readable, sink);
  assert.equal((await received).length, 10_000);
});

test('an erroring source errors the first attempt, and the body cannot be replayed', async () => {
  const source = new Readable({ read() {} });
  const body = new ReplayableBody(source);
  source.push(Buffer.from('partial'));
  const failure = once(body.first as Readable, 'error');
  (body.first as Readable).resume();
  source.destroy(new Error('client reset'));
  const [err] = (await failure) as [Error];
  assert.equal(err.message, 'client reset');
  assert.equal(body.replayable, false);
  assert.equal(await body.prepareReplay(), false);
  assert.throws(() => body.replay(), /it failed/);
});

test('a source closed before it ended counts as a failure, never as a short body', async () => {
  const source = new Readable({ read() {} });
  const body = new ReplayableBody(source);
  const failure = once(body.first as Readable, 'error');
  (body.first as Readable).resume();
  source.destroy();
  const [err] = (await failure) as [Error];
  assert.match(err.message, /closed before it ended/);
  assert.equal(body.ended, false);
});

test('an empty body ends the first attempt at once and replays as empty', async () => {
  const body = new ReplayableBody(Readable.from([], { objectMode: false }));
  assert.equal((await collect(body.first)).length, 0);
  assert.equal(await body.prepareReplay(), true);
  assert.equal((await collect(body.replay())).length, 0);
});

test('no body stays no body', async () => {
  const body = new ReplayableBody(null);
  assert.equal(body.first, null);
  assert.equal(body.ended, true);
  assert.equal(await body.prepareReplay(), true);
  assert.equal(body.replay(), null);
});

test('replay before the body ended throws; prepareReplay withdraws the first attempt and reads the rest', async () => {
  const source = new PassThrough();
  const body = new ReplayableBody(source);
  const first = body.first as Readable;
  const failure = once(first, 'error');
  first.resume();
  source.write('one ');
  await tick();
  assert.throws(() => body.replay(), /has not ended/);

  const ready = body.prepareReplay();
  assert.equal(body.prepareReplay(), ready);
  const [err] = (await failure) as [Error];
  assert.match(err.message, /withdrawn from this attempt/);
  source.end('two');
  assert.equal(await ready, true);
  assert.equal((await collect(body.replay())).toString(), 'one two');
});

test('prepareReplay reads a body the first attempt never started', async () => {
  const body = new ReplayableBody(new CountingSource(chunksOf(5000, 1000)));
  assert.equal(await body.prepareReplay(), true);
  assert.equal((await collect(body.replay())).length, 5000);
});

test('prepareReplay gives up, and stops reading, once the rest of the body passes the cap', async () => {
  const source = new CountingSource(chunksOf(1_000_000, 1000));
  const body = new ReplayableBody(source, 10_000);
  assert.equal(await body.prepareReplay(), false);
  await tick();
  assert.ok(source.pulled < 20_000, `pulled ${source.pulled}`);
});

test('a consumer that does not read holds the source back', async () => {
  const source = new CountingSource(chunksOf(1_000_000, 1000));
  const body = new ReplayableBody(source);
  body.first?.on('readable', () => {});
  for (let i = 0; i < 20; i++) await tick();
  // Each stream buffers up to its highWaterMark (16 KiB and 1 KiB) plus the chunk that crossed it.
  assert.ok(source.pulled <= 16_384 + 1024 + 2 * 1000, `pulled ${source.pulled}`);
});

test('a slow consumer of a body over the cap gets every byte without the source running ahead', async () => {
  const total = 300_000;
  const source = new CountingSource(chunksOf(total, 1000));
  const body = new ReplayableBody(source);
  const first = body.first as Readable;
  let consumed = 0;
  let maxAhead = 0;
  first.on('data', (chunk: Buffer) => {
    consumed += chunk.length;
    maxAhead = Math.max(maxAhead, source.pulled - consumed);
    first.pause();
    setImmediate(() => first.resume());
  });
  await once(first, 'end');
  assert.equal(consumed, total);
  assert.equal(body.replayable, false);
  assert.ok(maxAhead <= 16_384 + 1024 + 2 * 1000, `source ran ${maxAhead} bytes ahead`);
});

test('withdrawing a first attempt whose consumer stopped listening does not crash', async () => {
  const source = new PassThrough();
  const body = new ReplayableBody(source);
  source.write('x');
  const ready = body.prepareReplay();
  assert.equal(body.first?.destroyed, true);
  source.end();
  assert.equal(await ready, true);
});
