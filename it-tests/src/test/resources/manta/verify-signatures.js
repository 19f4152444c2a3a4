// Verifies HTTP Signature Authorization headers with npm http-signature, as muskie does.
// stdin: one JSON object per line {name, method, url, date, authorization, publicKey};
// stdout: one JSON object per line {name, ok, algorithm, keyId, error}.
'use strict';
var httpSignature = require('http-signature');
var sshpk = require('sshpk');
var input = require('fs').readFileSync(0, 'utf8').trim().split('\n');
input.forEach(function (line) {
    var c = JSON.parse(line);
    var out = { name: c.name, ok: false };
    try {
        var req = {
            method: c.method,
            url: c.url,
            httpVersion: '1.1',
            headers: { authorization: c.authorization, date: c.date }
        };
        var parsed = httpSignature.parseRequest(req, { clockSkew: 600 });
        out.algorithm = parsed.algorithm;
        out.keyId = parsed.keyId;
        out.ok = httpSignature.verifySignature(parsed, sshpk.parseKey(c.publicKey, 'ssh'));
        if (!out.ok) {
            out.error = 'signature does not verify';
        }
    } catch (e) {
        out.error = e.name + ': ' + e.message;
    }
    console.log(JSON.stringify(out));
});
