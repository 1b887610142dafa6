import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { watchPath } from './file-watcher.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'loom-watch-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function waitFor(what: string, done: () => boolean, deadlineMs = 4000): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (!done()) {
    if (Date.now() > until) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('one check after starting; a burst of writes is one change; other files are ignored', async () => {
  const dir = tempDir();
  const file = join(dir, 'table.txt');
  writeFileSync(file, 'a');
  let calls = 0;
  cleanups.push(watchPath(file, () => calls++, { debounceMs: 50 }));
  await waitFor('the initial check', () => calls === 1);
  writeFileSync(join(dir, 'unrelated.txt'), 'x');
  await new Promise((r) => setTimeout(r, 120));
  assert.equal(calls, 1, 'another file in the directory changed');
  for (let i = 0; i < 5; i++) writeFileSync(file, `b${i}`);
  await waitFor('the change', () => calls === 2);
  await new Promise((r) => setTimeout(r, 120));
  assert.equal(calls, 2);
});

test('polling still notices the file when the directory cannot be watched', async () => {
  const dir = join(tempDir(), 'later');
  const file = join(dir, 'table.txt');
  const errors: Error[] = [];
  let calls = 0;
  cleanups.push(watchPath(file, () => calls++, { pollMs: 50, onError: (err) => errors.push(err) }));
  assert.match(errors[0]?.message ?? '', /ENOENT/);
  await waitFor('the initial check', () => calls === 1);
  mkdirSync(dir);
  writeFileSync(file, 'a');
  await waitFor('the polled change', () => calls === 2);
});

test('after stop no change is reported', async () => {
  const dir = tempDir();
  const file = join(dir, 'table.txt');
  writeFileSync(file, 'a');
  let stoppedCalls = 0;
  let liveCalls = 0;
  watchPath(file, () => stoppedCalls++, { pollMs: 50 })();
  cleanups.push(watchPath(file, () => liveCalls++, { pollMs: 50 }));
  await waitFor('the initial check', () => liveCalls === 1);
  writeFileSync(file, 'b');
  await waitFor('the live watcher', () => liveCalls >= 2);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(stoppedCalls, 0);
});
