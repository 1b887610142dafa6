import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contextTag, ia5, objectId, sequence } from './der.js';

test('object identifiers and lengths encode as X.690 DER', () => {
  assert.equal(objectId('1.2.840.113549.1.9.14').toString('hex'), '06092a864886f70d01090e');
  assert.equal(objectId('2.5.29.17').toString('hex'), '0603551d11');
  const long = sequence(Buffer.alloc(200));
  assert.equal(long.subarray(0, 3).toString('hex'), '3081c8');
  assert.equal(sequence(Buffer.alloc(300)).subarray(0, 4).toString('hex'), '3082012c');
});

test('context tags replace the inner tag: implicit primitive, or constructed', () => {
  assert.equal(contextTag(2, ia5('a.b')).toString('hex'), '8203612e62');
  assert.equal(contextTag(0, sequence(ia5('x')), true).toString('hex'), 'a003160178');
});
