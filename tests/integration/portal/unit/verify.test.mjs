// Unit tests of the portal's in-browser verifier (api/portal/js/verify.js),
// run with `node --test` (Node.js 18+: WebCrypto with Ed25519).
//   - RFC 6962/9162 inclusion proofs: every official and derived vector, and
//     every inclusion probe that a correct verifier must reject;
//   - C2SP signed notes: Go's sumdb/note known-answer vectors, a note signed
//     by the C++ node, quorum rules;
//   - signed entries: JCS, leaf hash, the client key id rule (cross-checked
//     against a value the C++ CLI produced), Ed25519 signatures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { webcrypto } from 'node:crypto';
import path from 'node:path';

// Node 18 (Debian 12) has WebCrypto but not yet as the global `crypto`.
if (!globalThis.crypto) globalThis.crypto = webcrypto;
const v = await import('../../../../api/portal/js/verify.js');

const here = path.dirname(fileURLToPath(import.meta.url));
const source = path.resolve(here, '../../../..');

function vectorsPath() {
  const candidates = [
    process.env.TZ_TESTDATA_DIR && path.join(process.env.TZ_TESTDATA_DIR, 'rfc6962_vectors.json'),
    path.join(source, 'tests/data/rfc6962_vectors.json'),
  ].filter(Boolean);
  return candidates.find((p) => existsSync(p));
}
const V = JSON.parse(readFileSync(vectorsPath(), 'utf8'));
const hex = (s) => v.fromHex(s);

async function expectReason(promise, reason) {
  await assert.rejects(promise, (e) => {
    assert.ok(e instanceof v.VerifyError, `not a VerifyError: ${e}`);
    assert.equal(e.reason, reason);
    return true;
  });
}

test('base64 is strict and canonical', () => {
  assert.deepEqual([...v.base64Decode('AQID')], [1, 2, 3]);
  assert.equal(v.base64Encode(Uint8Array.of(1, 2, 3, 4)), 'AQIDBA==');
  for (const bad of ['AQI', 'AQ=D', 'AQID\n', 'AR==', ' AQID']) {
    assert.throws(() => v.base64Decode(bad), /base64/, bad);
  }
});

test('hasher unit vectors', async () => {
  assert.equal(v.toHex(await v.sha256(new Uint8Array())), V.empty_tree_root_hex);
  for (let i = 0; i < V.leaf_inputs_hex.length; i++) {
    assert.equal(v.toHex(await v.leafHash(hex(V.leaf_inputs_hex[i]))), V.leaf_hashes_hex[i]);
  }
});

test('official and derived inclusion proofs verify (RFC 9162 §2.1.3.2)', async () => {
  for (const p of V.official_inclusion_proofs) {
    await v.verifyInclusion(p.leaf_index, p.tree_size, hex(p.leaf_hash_hex),
      p.proof_hex.map(hex), hex(p.root_hex));
  }
  let n = 0;
  for (const p of V.derived_all_inclusion_proofs) {
    const root = hex(V.root_hashes_by_tree_size_hex[String(p.tree_size)]);
    await v.verifyInclusion(p.leaf_index, p.tree_size, hex(V.leaf_hashes_hex[p.leaf_index]),
      p.proof_hex.map(hex), root);
    n++;
  }
  assert.ok(n > 10);
});

test('every malformed inclusion probe is rejected', async () => {
  let rejected = 0;
  for (const p of V.probes.inclusion) {
    const run = v.verifyInclusion(p.leaf_index, p.tree_size, hex(p.leaf_hash_hex),
      p.proof_hex.map(hex), hex(p.root_hex));
    if (p.want_error) {
      await assert.rejects(run, v.VerifyError, p.desc);
      rejected++;
    } else {
      await run;
    }
  }
  assert.ok(rejected > 20, `only ${rejected} probes`);
});

test('inclusion failure reasons', async () => {
  const leaf = hex(V.leaf_hashes_hex[0]);
  const root8 = hex(V.root_hashes_by_tree_size_hex['8']);
  const proof = V.derived_all_inclusion_proofs.find((p) => p.leaf_index === 0 && p.tree_size === 8);
  await expectReason(v.verifyInclusion(8, 8, leaf, [], root8), 'proof.index_out_of_range');
  await expectReason(v.verifyInclusion(0, 8, leaf, proof.proof_hex.slice(1).map(hex), root8),
    'proof.wrong_length');
  await expectReason(v.verifyInclusion(0, 8, leaf, [...proof.proof_hex.map(hex), leaf], root8),
    'proof.wrong_length');
  await expectReason(v.verifyInclusion(1, 8, leaf, proof.proof_hex.map(hex), root8),
    'proof.root_mismatch');
  await expectReason(v.verifyInclusion(0, 8, leaf.slice(1), proof.proof_hex.map(hex), root8),
    'proof.bad_leaf_hash_size');
});

// golang.org/x/mod/sumdb/note documentation example.
const PETER_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const ENOCH_VKEY = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop';
const GO_TEXT = "If you think cryptography is the answer to your problem,\n" +
  "then you don't know what your problem is.\n";
const PETER_SIG = '\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
const ENOCH_SIG = '\u2014 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n';

test('C2SP verifier keys: the key id rule', async () => {
  const peter = await v.parseVerifierKey(PETER_VKEY);
  assert.equal(peter.name, 'PeterNeumann');
  assert.equal(peter.keyId, 0xc74f20a3);
  assert.equal((await v.parseVerifierKey(ENOCH_VKEY)).keyId, 0xaf0cfe78);
  await expectReason(v.parseVerifierKey(PETER_VKEY.replace('c74f20a3', 'c74f20a4')), 'note.bad_vkey_id');
  await expectReason(v.parseVerifierKey('PeterNeumann+c74f20a3'), 'note.bad_vkey');
  await expectReason(v.parseVerifierKey(PETER_VKEY.replace('ARpc', 'Apc2')), 'note.unknown_key_type');
});

test("Go's signed note verifies; quorum counts distinct known keys", async () => {
  const peter = await v.parseVerifierKey(PETER_VKEY);
  const enoch = await v.parseVerifierKey(ENOCH_VKEY);
  const note = GO_TEXT + '\n' + PETER_SIG;
  const r = await v.verifyNoteQuorum(note, [peter], 1);
  assert.equal(r.text, GO_TEXT);
  assert.deepEqual(r.signers, ['PeterNeumann']);
  const both = GO_TEXT + '\n' + PETER_SIG + ENOCH_SIG;
  assert.deepEqual((await v.verifyNoteQuorum(both, [peter, enoch], 2)).signers.sort(),
    ['EnochRoot', 'PeterNeumann']);
  // the same signature twice still counts once
  await expectReason(v.verifyNoteQuorum(note + PETER_SIG, [peter, enoch], 2), 'note.quorum_not_met');
  // a signature from a key outside the set is ignored
  await expectReason(v.verifyNoteQuorum(both, [peter], 2), 'note.bad_threshold');
  await expectReason(v.verifyNoteQuorum(GO_TEXT + '\n' + ENOCH_SIG, [peter], 1), 'note.quorum_not_met');
  // a tampered text fails the known key's signature
  await expectReason(v.verifyNoteQuorum(note.replace('answer', 'Answer'), [peter], 1), 'note.bad_signature');
  await expectReason(v.verifyNoteQuorum(GO_TEXT + PETER_SIG, [peter], 1), 'note.malformed');
  await expectReason(v.verifyNoteQuorum(note.replace(/\n$/, ''), [peter], 1), 'note.malformed');
});

// A genesis checkpoint written by `tiezheng init` (the C++ signer).
const NODE_VKEY = 'node1+2163e204+AYNywBG+CHFELQQslLt5vyANpU0vZ4c6mfn6nIqwXC51';
const NODE_NOTE = 'tiezheng/tiezheng-local\n1\nqcvZPh+sGW7yafBjrgejsPU5nCxAXEdFk0uIFXbYYO8=\n' +
  'height 0\nblock fb36378e9346d1a0792d532c6484f7c1dc3312297f812d94494ee5ca043921c4\n' +
  'time-ms 1795322191883\n\n' +
  '\u2014 node1 IWPiBA7M4fZyrmsnoTbIoFMnutKtaZGrp8f47RwRqTLHNP1yFdT3iUcmb05WrIMF+yyntw51/gMioumB4e0oLYkgcwI=\n';

test('a certified checkpoint from the C++ node verifies and parses', async () => {
  const key = await v.parseVerifierKey(NODE_VKEY);
  const cp = await v.verifyCertifiedCheckpoint(NODE_NOTE, [key], 1, 'tiezheng/tiezheng-local');
  assert.equal(cp.size, 1n);
  assert.equal(cp.height, 0);
  assert.equal(cp.timeMs, 1795322191883);
  assert.equal(cp.block, 'fb36378e9346d1a0792d532c6484f7c1dc3312297f812d94494ee5ca043921c4');
  assert.equal(cp.root.length, 32);
  await expectReason(v.verifyCertifiedCheckpoint(NODE_NOTE, [key], 1, 'other/origin'),
    'checkpoint.wrong_origin');
  await expectReason(v.verifyCertifiedCheckpoint(NODE_NOTE.replace('\n1\n', '\n2\n'), [key], 1),
    'note.bad_signature');
});

test('client key id matches the C++ rule', async () => {
  // `tiezheng key new` printed this id for this public key.
  const pub = v.base64Decode('UpFJ5QrP9jBz9rwRgnPE6FfZv+LmWQLdMf+6o0BE6J4=');
  assert.equal(await v.clientKeyId('ed25519', pub), 'dbdbd1b7c3333dbd500e5f3586587441');
});

test('canonical JSON sorts keys and keeps integers', () => {
  assert.equal(v.canonicalJson({ b: 1, a: [true, null, 'x\u00e9\n'], c: { z: 0, y: -3 } }),
    '{"a":[true,null,"xé\\n"],"b":1,"c":{"y":-3,"z":0}}');
  assert.throws(() => v.canonicalJson({ a: 1.5 }), /non-integer/);
});

async function newKey() {
  const kp = await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify']);
  const pub = new Uint8Array(await crypto.subtle.exportKey('raw', kp.publicKey));
  return { kp, pub, id: await v.clientKeyId('ed25519', pub) };
}

async function signEntry(key, entry, seq = 1) {
  const env = { chain: 'test', entry, key: key.id, seq, time: 1700000000000 };
  const sig = new Uint8Array(await crypto.subtle.sign({ name: 'Ed25519' }, key.kp.privateKey,
    new TextEncoder().encode(v.canonicalJson(env))));
  return v.canonicalJson({ ...env, sig: v.base64Encode(sig) });
}

test('signed entries: id, canonical form and signature', async () => {
  const key = await newKey();
  const record = { algorithm: 'ed25519', public_key: v.base64Encode(key.pub) };
  const signed = await signEntry(key, { type: 'doc.notarize', v: 1, digest: 'ab'.repeat(32) });
  const { envelope, id } = await v.parseSignedEntry(signed);
  assert.equal(id, v.toHex(await v.leafHash(new TextEncoder().encode(signed))));
  await v.verifyEntrySignature(envelope, record);
  const tampered = JSON.parse(signed);
  tampered.entry.digest = 'cd'.repeat(32);
  await expectReason(v.verifyEntrySignature(tampered, record), 'entry.bad_signature');
  const other = await newKey();
  await expectReason(v.verifyEntrySignature(envelope, { algorithm: 'ed25519',
    public_key: v.base64Encode(other.pub) }), 'entry.key_mismatch');
  await expectReason(v.parseSignedEntry(signed.replace('{"chain"', '{ "chain"')), 'entry.not_canonical');
});

// A one-entry-and-more log built here, checked end to end like the portal does.
test('verifyDocument: a whole answer, and each kind of forgery', async () => {
  const member = await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify']);
  const mpub = new Uint8Array(await crypto.subtle.exportKey('raw', member.publicKey));
  const vkid = await v.noteKeyId('n1', mpub);
  const vkey = `n1+${vkid.toString(16).padStart(8, '0')}+${v.base64Encode(Uint8Array.of(1, ...mpub))}`;
  const consortium = await v.parseConsortium({ chain: 'test', origin: 'tz/test', quorum: 1,
    members: [{ name: 'n1', verifier_key: vkey }] });

  const party = await newKey();
  const digest = 'ef'.repeat(32);
  const signed = await signEntry(party, { type: 'doc.notarize', v: 1, digest, title: 't',
    doc_type: 'warranty', project: 'p', house: '1-101', size: 3 });
  const leaf = await v.leafHash(new TextEncoder().encode(signed));
  const other = await v.leafHash(Uint8Array.of(7));
  const root = await v.nodeHash(other, leaf);  // our entry is leaf 1 of 2
  const body = `tz/test\n2\n${v.base64Encode(root)}\n`;
  const sig = new Uint8Array(await crypto.subtle.sign({ name: 'Ed25519' }, member.privateKey,
    new TextEncoder().encode(body)));
  const idb = Uint8Array.of(vkid >>> 24, (vkid >>> 16) & 255, (vkid >>> 8) & 255, vkid & 255);
  const note = `${body}\n\u2014 n1 ${v.base64Encode(Uint8Array.of(...idb, ...sig))}\n`;
  const id = v.toHex(leaf);
  const answer = {
    sha256: digest, notarized: true,
    entries: [{ id, index: 1, height: 1, type: 'doc.notarize', signed }],
    proof: { index: 1, tree_size: 2, hashes: [v.base64Encode(other)], checkpoint: note },
  };
  const getKey = async () => ({ algorithm: 'ed25519', public_key: v.base64Encode(party.pub), party: 'cj' });
  const steps = [];
  const r = await v.verifyDocument(answer, consortium, digest, getKey, steps);
  assert.deepEqual(steps, ['entry', 'signature', 'checkpoint', 'inclusion']);
  assert.equal(r.party, 'cj');
  assert.equal(r.house, '1-101');
  assert.deepEqual(r.signers, ['n1']);

  const clone = () => JSON.parse(JSON.stringify(answer));
  let a = clone();
  await expectReason(v.verifyDocument(a, consortium, 'aa'.repeat(32), getKey), 'entry.wrong_document');
  a = clone(); a.entries[0].id = '00'.repeat(32);
  await expectReason(v.verifyDocument(a, consortium, digest, getKey), 'entry.id_mismatch');
  a = clone(); a.proof.hashes = [v.base64Encode(leaf)];
  await expectReason(v.verifyDocument(a, consortium, digest, getKey), 'proof.root_mismatch');
  a = clone(); a.proof.index = 0;
  await expectReason(v.verifyDocument(a, consortium, digest, getKey), 'proof.root_mismatch');
  a = clone(); a.proof.checkpoint = note.replace('\n2\n', '\n3\n');
  await expectReason(v.verifyDocument(a, consortium, digest, getKey), 'note.bad_signature');
  const stranger = await v.parseConsortium({ chain: 'test', origin: 'tz/test', quorum: 1,
    members: [{ name: 'n1', verifier_key: NODE_VKEY.replace('node1', 'n1') }] }).catch(() => null);
  assert.equal(stranger, null);  // the key id binds the name
  const notMember = await v.parseConsortium({ chain: 'test', origin: 'tz/test', quorum: 1,
    members: [{ name: 'node1', verifier_key: NODE_VKEY }] });
  await expectReason(v.verifyDocument(answer, notMember, digest, getKey), 'note.quorum_not_met');
  const wrongKey = async () => ({ algorithm: 'ed25519', public_key: v.base64Encode(mpub) });
  await expectReason(v.verifyDocument(answer, consortium, digest, wrongKey), 'entry.key_mismatch');
});
