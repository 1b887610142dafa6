import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiscoveryTableError } from './errors.js';
import { StaticDiscovery, type StaticDiscoveryOptions } from './static-source.js';
import type { Endpoint, EndpointListener } from './types.js';

type Event = { add: string[] } | { remove: string[] } | { noEndpoints: boolean };

/** Records every call, endpoints reduced to `addr` or `addr weight=n` when the weight is not 1. */
class Recorder implements EndpointListener {
  readonly events: Event[] = [];
  add(endpoints: readonly Endpoint[]): void {
    this.events.push({ add: endpoints.map((e) => (e.weight === 1 ? e.addr : `${e.addr} weight=${e.weight}`)) });
  }
  remove(addrs: readonly string[]): void {
    this.events.push({ remove: [...addrs] });
  }
  noEndpoints(exists: boolean): void {
    this.events.push({ noEndpoints: exists });
  }
  /** Events since the last call. */
  take(): Event[] {
    return this.events.splice(0);
  }
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

function tempFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'loom-discovery-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'discovery.txt');
  writeFileSync(file, text);
  return file;
}

function open(options: StaticDiscoveryOptions): StaticDiscovery {
  const discovery = new StaticDiscovery(options);
  cleanups.push(() => discovery.close());
  return discovery;
}

async function waitFor(what: string, done: () => boolean, deadlineMs = 4000): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (!done()) {
    if (Date.now() > until) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('watch delivers the current state at once: add, noEndpoints(true) or noEndpoints(false)', () => {
  const discovery = open({ inline: 'a:80 -> 10.0.0.1:1, 10.0.0.2:1;empty ->' });
  const [a, empty, unknown] = [new Recorder(), new Recorder(), new Recorder()];
  discovery.watch('a:80', a);
  discovery.watch('empty:80', empty);
  discovery.watch('nope:80', unknown);
  assert.deepEqual(a.events, [{ add: ['10.0.0.1:1', '10.0.0.2:1'] }]);
  assert.deepEqual(empty.events, [{ noEndpoints: true }]);
  assert.deepEqual(unknown.events, [{ noEndpoints: false }]);
});

test('inline errors name LOOM_PROXY_DISCOVERY and the entry', () => {
  assert.throws(() => new StaticDiscovery({ inline: 'a -> 10.0.0.1:1;b -> 10.0.0.1' }), /LOOM_PROXY_DISCOVERY:2: "10\.0\.0\.1" has no port/);
});

test('start-up fails clearly on a bad file, a missing file, or a name in both tables', () => {
  const bad = tempFile('a -> 10.0.0.1:1\nb -> 10.0.0.1:99999\n');
  assert.throws(() => new StaticDiscovery({ file: bad }), (err: unknown) => err instanceof DiscoveryTableError && err.line === 2);
  assert.throws(() => new StaticDiscovery({ file: join(tmpdir(), 'loom-no-such-dir', 'x.txt') }), /cannot read the table \(ENOENT/);
  const good = tempFile('a -> 10.0.0.1:1\n');
  assert.throws(() => new StaticDiscovery({ file: good, inline: 'A:80 -> 10.0.0.2:1' }), /a:80 is also declared in LOOM_PROXY_DISCOVERY/);
});

test('the file and the inline table are merged', () => {
  const file = tempFile('from-file -> 10.0.0.1:1\n');
  const discovery = open({ file, inline: 'from-inline -> 10.0.0.2:1' });
  const [f, i] = [new Recorder(), new Recorder()];
  discovery.watch('from-file:80', f);
  discovery.watch('from-inline:80', i);
  assert.deepEqual(f.events, [{ add: ['10.0.0.1:1'] }]);
  assert.deepEqual(i.events, [{ add: ['10.0.0.2:1'] }]);
});

test('editing the file sends each listener exactly the diff', async () => {
  const file = tempFile('web -> 10.0.0.1:1, 10.0.0.2:1\nother -> 10.0.0.9:1\n');
  let reloads = 0;
  const discovery = open({ file, onReload: () => reloads++ });
  const [web, alsoWeb, other] = [new Recorder(), new Recorder(), new Recorder()];
  discovery.watch('web:80', web);
  discovery.watch('web:80', alsoWeb);
  discovery.watch('other:80', other);
  web.take();
  alsoWeb.take();
  other.take();

  writeFileSync(file, 'web -> 10.0.0.2:1 weight=3, 10.0.0.3:1\nother -> 10.0.0.9:1\n');
  await waitFor('the first reload', () => reloads === 1);
  const diff = [{ add: ['10.0.0.2:1 weight=3', '10.0.0.3:1'] }, { remove: ['10.0.0.1:1'] }];
  assert.deepEqual(web.take(), diff);
  assert.deepEqual(alsoWeb.take(), diff);
  assert.deepEqual(other.take(), [], 'an unchanged name hears nothing');

  writeFileSync(file, 'web ->\n');
  await waitFor('the second reload', () => reloads === 2);
  assert.deepEqual(web.take(), [{ noEndpoints: true }]);
  assert.deepEqual(other.take(), [{ noEndpoints: false }]);

  writeFileSync(file, '# nothing\n');
  await waitFor('the third reload', () => reloads === 3);
  assert.deepEqual(web.take(), [{ noEndpoints: false }]);

  writeFileSync(file, 'web -> 10.0.0.4:1\n');
  await waitFor('the fourth reload', () => reloads === 4);
  assert.deepEqual(web.take(), [{ add: ['10.0.0.4:1'] }]);
});

test('a file replaced by rename (how editors save) is seen, and watching continues after', async () => {
  const file = tempFile('web -> 10.0.0.1:1\n');
  let reloads = 0;
  const discovery = open({ file, onReload: () => reloads++ });
  const web = new Recorder();
  discovery.watch('web:80', web);
  web.take();

  for (const [i, addr] of ['10.0.0.2:1', '10.0.0.3:1'].entries()) {
    const tmp = `${file}.tmp`;
    writeFileSync(tmp, `web -> ${addr}\n`);
    renameSync(tmp, file);
    await waitFor(`rename ${i + 1}`, () => reloads === i + 1);
  }
  assert.deepEqual(web.take(), [{ add: ['10.0.0.2:1'] }, { remove: ['10.0.0.1:1'] }, { add: ['10.0.0.3:1'] }, { remove: ['10.0.0.2:1'] }]);
});

test('a bad edit keeps the last good endpoints and reports the error; the next good edit applies', async () => {
  const file = tempFile('web -> 10.0.0.1:1\n');
  const errors: Error[] = [];
  let reloads = 0;
  const discovery = open({ file, onError: (err) => errors.push(err), onReload: () => reloads++ });
  const web = new Recorder();
  discovery.watch('web:80', web);
  web.take();

  writeFileSync(file, 'web -> 10.0.0.1:1\nweb -> 10.0.0.2\n');
  await waitFor('the error', () => errors.length > 0);
  const [err] = errors;
  assert.ok(err instanceof DiscoveryTableError);
  assert.equal(err.line, 2);
  assert.deepEqual(web.take(), []);
  const late = new Recorder();
  discovery.watch('web:80', late);
  assert.deepEqual(late.take(), [{ add: ['10.0.0.1:1'] }], 'a new watcher still sees the last good table');

  writeFileSync(file, 'web -> 10.0.0.1:1, 10.0.0.2:1\n');
  await waitFor('the good reload', () => reloads === 1);
  assert.deepEqual(web.take(), [{ add: ['10.0.0.2:1'] }]);
});

test('a deleted file is an error that keeps the endpoints; recreating it applies again', async () => {
  const file = tempFile('web -> 10.0.0.1:1\n');
  const errors: Error[] = [];
  let reloads = 0;
  const discovery = open({ file, onError: (err) => errors.push(err), onReload: () => reloads++ });
  const web = new Recorder();
  discovery.watch('web:80', web);
  web.take();
  rmSync(file);
  await waitFor('the error', () => errors.length > 0);
  assert.match(errors[0]?.message ?? '', /cannot read the table/);
  writeFileSync(file, 'web -> 10.0.0.5:1\n');
  await waitFor('the reload', () => reloads === 1);
  assert.deepEqual(web.take(), [{ add: ['10.0.0.5:1'] }, { remove: ['10.0.0.1:1'] }]);
});

test('unsubscribe and close stop updates', async () => {
  const file = tempFile('web -> 10.0.0.1:1\n');
  let reloads = 0;
  const open1 = open({ file, onReload: () => reloads++ });
  const closed = open({ file });
  const [kept, dropped, afterClose] = [new Recorder(), new Recorder(), new Recorder()];
  open1.watch('web:80', kept);
  open1.watch('web:80', dropped).unsubscribe();
  closed.watch('web:80', afterClose);
  closed.close();
  kept.take();
  dropped.take();
  afterClose.take();

  writeFileSync(file, 'web -> 10.0.0.2:1\n');
  // The open source watches the same file with the same debounce: once it has reloaded, a closed one would have too.
  await waitFor('the open source to reload', () => reloads === 1);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(kept.take().length, 2);
  assert.deepEqual(dropped.take(), []);
  assert.deepEqual(afterClose.take(), []);
});
