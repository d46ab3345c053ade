// The command line's default number of workers: one per idle core, at least one, never more than the cores.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { idleCores } from '../../src/cli/host';

test('one worker per idle core, at least one and at most one per core', () => {
  assert.equal(idleCores(2, 0), 2);
  assert.equal(idleCores(2, 0.4), 2);
  assert.equal(idleCores(2, 0.6), 1);
  assert.equal(idleCores(2, 4.5), 1);
  assert.equal(idleCores(8, 2.2), 6);
  assert.equal(idleCores(8, 20), 1);
  // Windows has no load average (0): every core.
  assert.equal(idleCores(16, 0), 16);
  assert.equal(idleCores(1, 0), 1);
});
