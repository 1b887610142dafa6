import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyDtabOverride } from './override.js';
import { readDtab } from './parser.js';
import { dtabToString, nameTreeToString } from './printer.js';
import { resolve } from './resolver.js';

const base = readDtab('/svc => /#/loom.svc/prod/80');

describe('applyDtabOverride', () => {
  it('appends the header dentries, which then win', () => {
    const r = applyDtabOverride(base, '/svc/web => /#/loom.svc/staging/80/web');
    assert.ok(r.ok);
    if (!r.ok) return;
    assert.equal(dtabToString(r.value, ' '), '/svc => /#/loom.svc/prod/80; /svc/web => /#/loom.svc/staging/80/web;');
    assert.equal(nameTreeToString(resolve(r.value, ['svc', 'web']).tree), '/#/loom.svc/staging/80/web | /#/loom.svc/prod/80/web');
  });

  it('applies several header values in order and leaves the base alone without one', () => {
    const r = applyDtabOverride(base, ['/a => /b;', '/c => /d']);
    assert.ok(r.ok && r.value.length === 3);
    assert.equal(applyDtabOverride(base, undefined).ok && applyDtabOverride(base, '  ').ok, true);
    assert.equal(base.length, 1);
  });

  it('returns an error value for a malformed or oversized header', () => {
    const bad = applyDtabOverride(base, '/svc => ');
    assert.equal(bad.ok, false);
    if (!bad.ok) assert.equal(bad.error.offset, 8);
    const big = applyDtabOverride(base, '/a => /b;'.repeat(1000), 100);
    assert.equal(big.ok, false);
    if (!big.ok) assert.match(big.error.message, /at most 100 characters/);
  });
});
