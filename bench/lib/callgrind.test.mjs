import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readDump } from './callgrind.mjs';

// The shape of a `callgrind_control -d` dump (valgrind 3.19), names compressed, one call with its inclusive cost.
const DUMP = `version: 1
creator: callgrind-3.19.0
events: Ir
fl=(1) ???
fn=(1) v8::internal::compiler::GraphReducer::ReduceTop()
0 300
+2 50
cfn=(2) Builtins_LoadIC
calls=1 0
0 1000
fn=(2)
0 200
fn=(3) v8::internal::maglev::MaglevGraphBuilder::Build()
0 25
fn=(1)
0 5
summary: 1580
totals: 1580
`;

test("readDump: the total, and the compilers' own instructions without their callees'", () => {
  assert.deepEqual(readDump(DUMP), { instructions: 1580, compilerInstructions: 300 + 50 + 25 + 5 });
});

test('readDump: text without totals is no dump', () => {
  assert.equal(readDump(''), undefined);
  assert.equal(readDump('version: 1\nevents: Ir\n'), undefined);
});
