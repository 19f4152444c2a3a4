#!/usr/bin/env node
// Times smartos-live's diff.js on the VM pairs DiffBenchmark uses (written by DiffPairsExport),
// so docs/benchmarks.md can put both engines side by side:
//
//   node diffjs-bench.js /path/to/smartos-live/src/vm/node_modules/diff.js pairs.json
//
// diff.js is fetched by whoever runs this, never vendored. It requires assert-plus from
// SmartOS's /usr/node; the two checks it uses are provided here with assert-plus 1.x's meaning.
// diff.js is given what vminfod gives it: the parsed objects (JSON.parse of the VM bytes).
'use strict';
const fs = require('fs');
const Module = require('module');
const assert = require('assert');

const [diffJsPath, pairsPath] = process.argv.slice(2);
if (!diffJsPath || !pairsPath) {
  console.error('usage: diffjs-bench.js DIFF_JS PAIRS_JSON');
  process.exit(2);
}
function check(ok, what) {
  if (!ok) {
    throw new assert.AssertionError({message: what});
  }
}
const assertPlus = {
  object: (v, name) => check(typeof v === 'object' && v !== null, name + ' (object) is required'),
  array: (v, name) => check(Array.isArray(v), name + ' (array) is required'),
};
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return /assert-plus$/.test(request) ? 'assert-plus-shim' : resolve.call(this, request, ...rest);
};
require.cache['assert-plus-shim'] = {id: 'assert-plus-shim', filename: 'assert-plus-shim',
  loaded: true, exports: assertPlus};
const diff = require(require('path').resolve(diffJsPath));
const input = JSON.parse(fs.readFileSync(pairsPath, 'utf8'));

function opts() {
  return {map: Object.assign({}, input.opts.map)};
}
// Like JMH's AverageTime: warm-up rounds, then measured rounds of a fixed duration each.
function measure(p) {
  const got = diff(p.a, p.b, opts()).length;
  if (got !== p.changes) {
    throw new Error(p.name + ': diff.js gives ' + got + ' changes, the Java side ' + p.changes);
  }
  const round = (ms) => {
    let n = 0;
    const start = process.hrtime.bigint();
    const end = start + BigInt(ms) * 1000000n;
    let now = start;
    while (now < end) {
      for (let i = 0; i < 1000; i++) {
        diff(p.a, p.b, opts());
      }
      n += 1000;
      now = process.hrtime.bigint();
    }
    return Number(now - start) / 1000 / n; // µs per diff
  };
  for (let w = 0; w < 3; w++) {
    round(2000);
  }
  const rounds = [];
  for (let m = 0; m < 5; m++) {
    rounds.push(round(2000));
  }
  const mean = rounds.reduce((x, y) => x + y, 0) / rounds.length;
  return {name: p.name, usPerOp: mean.toFixed(2), min: Math.min(...rounds).toFixed(2),
    max: Math.max(...rounds).toFixed(2)};
}
console.log('node ' + process.version);
for (const p of input.pairs) {
  console.log(JSON.stringify(measure(p)));
}
