#!/usr/bin/env node
// Regenerates the expected output of every case in a vminfo diff.js case file by running the real
// diff.js (smartos-live src/vm/node_modules/diff.js, fetched by the maintainer, never vendored):
//
//   node diffjs-cases.js /path/to/smartos-live/src/vm/node_modules/diff.js \
//       ../resources/diffjs/own-diffjs-cases.json
//
// diff.js requires assert-plus from SmartOS's /usr/node; the two checks it uses are provided here
// with assert-plus 1.x's meaning (object: typeof 'object' and not null; array: Array.isArray).
'use strict';
const fs = require('fs');
const Module = require('module');
const assert = require('assert');

const [diffJsPath, casesPath] = process.argv.slice(2);
if (!diffJsPath || !casesPath) {
  console.error('usage: diffjs-cases.js DIFF_JS CASES_JSON');
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
const file = JSON.parse(fs.readFileSync(casesPath, 'utf8'));
file.generatedBy = 'node ' + process.version + ', diff.js ' + (process.env.DIFFJS_COMMIT || '(commit not given)');
for (const c of file.cases) {
  delete c.expected;
  delete c.throws;
  try {
    // diff.js mutates opts (it sets prefix and map); give it a copy.
    c.expected = diff(c.a, c.b, c.opts ? JSON.parse(JSON.stringify(c.opts)) : undefined);
  } catch (e) {
    c.throws = e.message;
  }
}
fs.writeFileSync(casesPath, JSON.stringify(file, null, 1) + '\n');
console.log(file.cases.length + ' cases, ' + file.cases.filter(c => 'throws' in c).length + ' throwing');
