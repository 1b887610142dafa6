import { describe, expect, test } from 'vitest';
import { age, ms, percent, rps, successHealth } from './format.js';

describe('format', () => {
  test('no data is a dash, never a zero', () => {
    expect([percent(undefined), rps(undefined), ms(undefined)]).toEqual(['-', '-', '-']);
  });
  test('numbers read as the CLI prints them', () => {
    expect(percent(0.5)).toBe('50.00%');
    expect(rps(2.25)).toBe('2.3 rps');
    expect(rps(1234.4)).toBe('1234 rps');
    expect([ms(3.21), ms(42.4), ms(1530)]).toEqual(['3.2 ms', '42 ms', '1.53 s']);
    expect([age(0, 4_000), age(0, 600_000)]).toEqual(['4 s ago', '10 min ago']);
  });
  test('failing success rates stand out', () => {
    expect([successHealth(undefined), successHealth(0.5), successHealth(0.99), successHealth(1)]).toEqual(['idle', 'bad', 'warn', 'good']);
  });
});
