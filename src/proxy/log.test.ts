import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createLogger } from './log.js';

function capture(): { lines: () => Record<string, unknown>[]; write: (s: string) => void } {
  const chunks: string[] = [];
  return {
    write: (s) => void chunks.push(s),
    lines: () => chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

test('logs are JSON lines with level name, ISO time, name and fields', () => {
  const out = capture();
  const log = createLogger({ level: 'info', name: 'proxy' }, out);
  log.info({ target: 'world:80' }, 'started');
  log.debug('hidden');
  const [line, ...rest] = out.lines();
  assert.equal(rest.length, 0);
  assert.equal(line?.['level'], 'info');
  assert.equal(line?.['name'], 'proxy');
  assert.equal(line?.['msg'], 'started');
  assert.equal(line?.['target'], 'world:80');
  assert.ok(!Number.isNaN(Date.parse(String(line?.['time']))));
});

test('the level can change at run time', () => {
  const out = capture();
  const log = createLogger({ level: 'warn' }, out);
  log.info('before');
  log.level = 'debug';
  log.debug('after');
  assert.deepEqual(out.lines().map((l) => l['msg']), ['after']);
  log.level = 'silent';
  log.fatal('nothing');
  assert.equal(out.lines().length, 1);
});

test('the default destination is stderr and keeps lines written just before exit', () => {
  const script = `import { createLogger } from '${new URL('./log.ts', import.meta.url).href}';
    createLogger({ level: 'info' }).info('last words'); process.exit(3);`;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    cwd: new URL('.', import.meta.url),
  });
  assert.equal(child.status, 3);
  assert.equal(child.stdout, '');
  assert.match(child.stderr, /"msg":"last words"/);
});
