// FileDtabStore: one JSON file per namespace that a restarted controller reads back, versions included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DtabStaleVersionError } from '../../control/dtab/dtab-store.js';
import { readDtab } from '../../routing/dtab/index.js';
import { DtabFileError, FileDtabStore } from './dtab-files.js';

const A = readDtab('/svc => /#/loom.svc/default/8080');
const B = readDtab('/svc => 3 * /#/loom.svc/default/8080 & /#/loom.svc/canary/8080');

const dtabDir = (): string => join(mkdtempSync(join(tmpdir(), 'loom-dtabs-')), 'dtabs');

test('dtabs and their versions survive a restart; the next version is new and compare-and-set still holds', () => {
  const dir = dtabDir();
  const before = new FileDtabStore(dir);
  const a = before.create('default', A);
  const b = before.update('default', B, a.version);
  before.create('canary', A);
  before.delete('canary');
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'default.json'), 'utf8')), { dtab: b.text, version: b.version });
  assert.deepEqual(readdirSync(dir), ['default.json'], 'no temporary files are left behind and deleted namespaces are gone');

  const after = new FileDtabStore(dir);
  assert.deepEqual(after.list(), ['default']);
  assert.deepEqual(after.get('default'), b);
  assert.throws(() => after.update('default', A, a.version), DtabStaleVersionError);
  const c = after.update('default', A, b.version);
  assert.ok(![a.version, b.version].includes(c.version));
  assert.equal(new FileDtabStore(dir).get('default')?.version, c.version);
});

test('a missing directory is created; a leftover temporary file from an interrupted write is ignored', () => {
  const dir = dtabDir();
  new FileDtabStore(dir).create('default', A);
  writeFileSync(join(dir, 'default.json.0badf00d.tmp'), '{"dtab": "/half');
  assert.deepEqual(new FileDtabStore(dir).list(), ['default']);
  assert.ok(existsSync(dir));
});

test('a damaged dtab file stops the load with the file named and what to do', () => {
  for (const [name, content, problem] of [
    ['default.json', '{not json', /is not JSON/],
    ['default.json', '{"dtab": "/svc => /a"}', /lacks a string "dtab" or "version"/],
    ['default.json', '{"dtab": "/svc = /a", "version": "1-00000000"}', /holds an invalid dtab: expected '=>' at line 1, column 6/],
    ['bad name.json', '{"dtab": "", "version": "1-00000000"}', /is not named after a namespace/],
  ] as const) {
    const dir = dtabDir();
    new FileDtabStore(dir);
    writeFileSync(join(dir, name), content);
    assert.throws(() => new FileDtabStore(dir), (err: unknown) => {
      assert.ok(err instanceof DtabFileError);
      assert.match(err.message, new RegExp(`dtab file .*${name.replace('.', '\\.')} `));
      assert.match(err.message, problem);
      assert.match(err.message, /fix it .* or remove it$/);
      return true;
    });
  }
});
