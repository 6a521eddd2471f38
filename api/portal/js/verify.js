// Verification logic of the portal, run in the browser (and in Node.js for
// the unit tests): nothing here trusts the server. It recomputes
//   - RFC 6962 / RFC 9162 leaf and node hashes and inclusion proofs
//     (RFC 9162 §2.1.3.2),
//   - C2SP signed-note verifier keys (key ID = first 4 bytes of
//     SHA-256(name || 0x0A || 0x01 || public key)) and Ed25519 signatures,
//     with a quorum of distinct consortium keys,
//   - C2SP tlog-checkpoint bodies with Tiezheng's extension lines,
//   - the signed entry envelope: its id (the leaf hash) and the submitter's
//     Ed25519 signature over the RFC 8785 (JCS) form without "sig".
// Every failure throws a VerifyError whose `reason` is a stable string.

const enc = new TextEncoder();

export class VerifyError extends Error {
  constructor(reason, message) {
    super(message || reason);
    this.reason = reason;
  }
}

function fail(reason, message) {
  throw new VerifyError(reason, message);
}

// WebCrypto exists only in secure contexts (https, or http on localhost).
function subtleCrypto() {
  const s = globalThis.crypto && globalThis.crypto.subtle;
  if (!s) {
    fail('crypto.insecure_context',
      'WebCrypto is unavailable: open the portal over https or on localhost / 127.0.0.1');
  }
  return s;
}

// ---- encodings -------------------------------------------------------------

export function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function fromHex(s) {
  if (typeof s !== 'string' || s.length % 2 !== 0 || !/^[0-9a-f]*$/.test(s)) {
    fail('hex.bad', 'not lowercase hex');
  }
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.substr(2 * i, 2), 16);
  return out;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export function base64Encode(bytes) {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] || 0) << 8) | (bytes[i + 2] || 0);
    out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63];
    out += i + 1 < bytes.length ? B64[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.length ? B64[n & 63] : '=';
  }
  return out;
}

// Strict: standard alphabet, '=' padding, no whitespace, canonical (the
// unused bits are zero), so that one value has exactly one encoding.
export function base64Decode(s) {
  if (typeof s !== 'string' || s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) {
    fail('base64.bad', 'not canonical base64');
  }
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((s.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < s.length; i += 4) {
    const v = [0, 1, 2, 3].map((k) => (s[i + k] === '=' ? 0 : B64.indexOf(s[i + k])));
    const n = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
    const bytes = [(n >> 16) & 255, (n >> 8) & 255, n & 255];
    for (let k = 0; k < 3 && o < out.length; k++) out[o++] = bytes[k];
  }
  if (base64Encode(out) !== s) fail('base64.bad', 'not canonical base64');
  return out;
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function equalBytes(a, b) {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}

export async function sha256(bytes) {
  return new Uint8Array(await subtleCrypto().digest('SHA-256', bytes));
}

// ---- RFC 6962 / RFC 9162 Merkle log -----------------------------------------

export const HASH_SIZE = 32;

export function leafHash(entryBytes) {
  return sha256(concat(Uint8Array.of(0x00), entryBytes));
}

export function nodeHash(left, right) {
  return sha256(concat(Uint8Array.of(0x01), left, right));
}

// RFC 9162 §2.1.3.2: the root that `proof` implies for `leaf` at `index` in a
// tree of `size` leaves. index and size may be numbers or BigInts.
// Reasons: proof.index_out_of_range, proof.bad_leaf_hash_size,
// proof.bad_node_size, proof.wrong_length.
export async function rootFromInclusionProof(index, size, leaf, proof) {
  let fn = BigInt(index);
  let sn = BigInt(size) - 1n;
  if (BigInt(index) < 0n || BigInt(index) >= BigInt(size)) {
    fail('proof.index_out_of_range', 'leaf index is not below the tree size');
  }
  if (leaf.length !== HASH_SIZE) fail('proof.bad_leaf_hash_size', 'leaf hash is not 32 bytes');
  let r = leaf;
  for (const p of proof) {
    if (p.length !== HASH_SIZE) fail('proof.bad_node_size', 'a proof hash is not 32 bytes');
    if (sn === 0n) fail('proof.wrong_length', 'proof is too long');
    if ((fn & 1n) === 1n || fn === sn) {
      r = await nodeHash(p, r);
      if ((fn & 1n) === 0n) {
        while ((fn & 1n) === 0n && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) fail('proof.wrong_length', 'proof is too short');
  return r;
}

// Reasons as rootFromInclusionProof, plus proof.bad_root_size and
// proof.root_mismatch.
export async function verifyInclusion(index, size, leaf, proof, root) {
  const computed = await rootFromInclusionProof(index, size, leaf, proof);
  if (root.length !== HASH_SIZE) fail('proof.bad_root_size', 'root is not 32 bytes');
  if (!equalBytes(computed, root)) fail('proof.root_mismatch', 'proof does not lead to the root');
}

// ---- C2SP signed notes ---------------------------------------------------------

const EM_DASH = '\u2014';

function validKeyName(name) {
  return name.length > 0 && !/[\s+\u0000-\u001f\u007f]/u.test(name);
}

// Parses a verifier key "<name>+<hex8 key id>+<base64(0x01 || pubkey)>" and
// checks the key ID. Reasons: note.bad_vkey, note.bad_vkey_id,
// note.unknown_key_type.
export async function parseVerifierKey(vkey) {
  // The name holds no '+'; the base64 part may.
  const m = /^([^+]+)\+([0-9a-f]{8})\+(.+)$/su.exec(String(vkey));
  if (!m || !validKeyName(m[1])) fail('note.bad_vkey', 'malformed verifier key');
  const parts = [m[1], m[2], m[3]];
  let raw;
  try {
    raw = base64Decode(parts[2]);
  } catch {
    fail('note.bad_vkey', 'verifier key is not base64');
  }
  if (raw.length < 1) fail('note.bad_vkey', 'empty verifier key');
  if (raw[0] !== 0x01) fail('note.unknown_key_type', 'only Ed25519 (type 0x01) is verified here');
  if (raw.length !== 33) fail('note.bad_vkey', 'Ed25519 key is not 32 bytes');
  const keyId = await noteKeyId(parts[0], raw.slice(1));
  if (keyId !== parseInt(parts[1], 16)) fail('note.bad_vkey_id', 'key ID does not match the key');
  return { name: parts[0], keyId, publicKey: raw.slice(1), vkey: String(vkey) };
}

// First 4 bytes, big-endian, of SHA-256(name || 0x0A || 0x01 || public key).
export async function noteKeyId(name, publicKey) {
  const h = await sha256(concat(enc.encode(name), Uint8Array.of(0x0a, 0x01), publicKey));
  return ((h[0] << 24) | (h[1] << 16) | (h[2] << 8) | h[3]) >>> 0;
}

// Splits a note into its text and signature lines. Reason note.malformed.
export function parseNote(note) {
  if (typeof note !== 'string' || !note.endsWith('\n')) fail('note.malformed', 'no final newline');
  if (note.includes('\r')) fail('note.malformed', 'CR in note');
  const sep = note.lastIndexOf('\n\n');
  if (sep < 0) fail('note.malformed', 'no blank line before the signatures');
  const text = note.slice(0, sep + 1);
  const lines = note.slice(sep + 2, -1).split('\n');
  const signatures = [];
  for (const line of lines) {
    const m = /^\u2014 (\S+) ([A-Za-z0-9+/=]+)$/u.exec(line);
    if (!m || !line.startsWith(EM_DASH + ' ')) fail('note.malformed', 'bad signature line');
    let raw;
    try {
      raw = base64Decode(m[2]);
    } catch {
      fail('note.malformed', 'signature is not base64');
    }
    if (raw.length < 5) fail('note.malformed', 'short signature');
    const keyId = ((raw[0] << 24) | (raw[1] << 16) | (raw[2] << 8) | raw[3]) >>> 0;
    signatures.push({ name: m[1], keyId, signature: raw.slice(4) });
  }
  if (signatures.length === 0) fail('note.malformed', 'no signatures');
  return { text, signatures };
}

export async function ed25519Verify(publicKey, signature, message) {
  if (signature.length !== 64) return false;
  const subtle = subtleCrypto();
  try {
    const key = await subtle.importKey('raw', publicKey, { name: 'Ed25519' }, false, ['verify']);
    return await subtle.verify({ name: 'Ed25519' }, key, signature, message);
  } catch (e) {
    if (e && e.name === 'NotSupportedError') {
      fail('crypto.no_ed25519', 'this browser has no WebCrypto Ed25519');
    }
    return false;
  }
}

// Verifies that at least `quorum` distinct keys of `keyset` (parsed verifier
// keys) signed the note. A signature from a key in the set that does not
// verify fails the whole note (note.bad_signature); signatures from other keys
// are ignored. Reasons: note.malformed, note.bad_signature,
// note.quorum_not_met, note.bad_threshold. Returns {text, signers}.
export async function verifyNoteQuorum(note, keyset, quorum) {
  if (!(quorum >= 1 && quorum <= keyset.length)) fail('note.bad_threshold', 'bad quorum');
  const { text, signatures } = parseNote(note);
  const msg = enc.encode(text);
  const signers = new Set();
  for (const sig of signatures) {
    const key = keyset.find((k) => k.name === sig.name && k.keyId === sig.keyId);
    if (!key) continue;
    if (!(await ed25519Verify(key.publicKey, sig.signature, msg))) {
      fail('note.bad_signature', `signature by ${sig.name} does not verify`);
    }
    signers.add(key.name);
  }
  if (signers.size < quorum) {
    fail('note.quorum_not_met', `${signers.size} of the required ${quorum} signatures`);
  }
  return { text, signers: [...signers] };
}

// ---- C2SP tlog-checkpoint ------------------------------------------------------

// Parses a checkpoint body. Reason checkpoint.malformed.
export function parseCheckpoint(text) {
  if (!text.endsWith('\n')) fail('checkpoint.malformed', 'no final newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3 || lines.some((l) => l.length === 0)) {
    fail('checkpoint.malformed', 'needs origin, size and root lines');
  }
  if (!/^(0|[1-9][0-9]*)$/.test(lines[1])) fail('checkpoint.malformed', 'bad tree size');
  let root;
  try {
    root = base64Decode(lines[2]);
  } catch {
    fail('checkpoint.malformed', 'bad root hash');
  }
  if (root.length !== HASH_SIZE) fail('checkpoint.malformed', 'root hash is not 32 bytes');
  const cp = { origin: lines[0], size: BigInt(lines[1]), root, extensions: lines.slice(3) };
  for (const ext of cp.extensions) {
    const [k, v] = ext.split(' ', 2);
    if (k === 'height' && /^\d+$/.test(v)) cp.height = Number(v);
    if (k === 'block' && /^[0-9a-f]{64}$/.test(v)) cp.block = v;
    if (k === 'time-ms' && /^\d+$/.test(v)) cp.timeMs = Number(v);
  }
  return cp;
}

// A checkpoint note signed by a quorum of the consortium, with the expected
// origin. Reasons: those of verifyNoteQuorum and parseCheckpoint, plus
// checkpoint.wrong_origin.
export async function verifyCertifiedCheckpoint(note, keyset, quorum, origin) {
  const { text, signers } = await verifyNoteQuorum(note, keyset, quorum);
  const cp = parseCheckpoint(text);
  if (origin && cp.origin !== origin) {
    fail('checkpoint.wrong_origin', `checkpoint origin ${cp.origin}, expected ${origin}`);
  }
  return { ...cp, signers };
}

// ---- signed entries ----------------------------------------------------------------

// RFC 8785 for the values entries hold (strings, safe integers, booleans,
// null, arrays, objects): keys sorted by UTF-16 code units, JSON.stringify
// escaping (which is JCS's), integers printed as is.
export function canonicalJson(v) {
  if (v === null || typeof v !== 'object') {
    if (typeof v === 'number' && !Number.isSafeInteger(v)) fail('json.float', 'non-integer');
    return JSON.stringify(v);
  }
  if (Array.isArray(v)) return '[' + v.map(canonicalJson).join(',') + ']';
  const keys = Object.keys(v).sort();
  return '{' + keys.map((k) => JSON.stringify(k) + ':' + canonicalJson(v[k])).join(',') + '}';
}

// Client key id: first 16 bytes of SHA-256("tiezheng/key/v1\n" || alg || "\n" || pub), hex.
export async function clientKeyId(algorithm, publicKey) {
  const h = await sha256(concat(enc.encode(`tiezheng/key/v1\n${algorithm}\n`), publicKey));
  return toHex(h.slice(0, 16));
}

// Decodes a signed entry (its exact bytes as a string), checks that the bytes
// are canonical and returns {envelope, bytes, id (hex leaf hash)}.
// Reasons: entry.malformed, entry.not_canonical.
export async function parseSignedEntry(signed) {
  let envelope;
  try {
    envelope = JSON.parse(signed);
  } catch {
    fail('entry.malformed', 'entry is not JSON');
  }
  if (!envelope || typeof envelope !== 'object' || typeof envelope.sig !== 'string' ||
      !envelope.entry || typeof envelope.entry !== 'object') {
    fail('entry.malformed', 'not a signed entry envelope');
  }
  if (canonicalJson(envelope) !== signed) fail('entry.not_canonical', 'entry bytes not canonical');
  const bytes = enc.encode(signed);
  return { envelope, bytes, id: toHex(await leafHash(bytes)) };
}

// Checks the submitter's signature over the envelope without "sig", with a
// key record {algorithm, public_key (base64)} whose id must equal the
// envelope's key. Reasons: entry.key_mismatch, entry.unsupported_algorithm,
// entry.bad_signature.
export async function verifyEntrySignature(envelope, keyRecord) {
  if (keyRecord.algorithm !== 'ed25519') {
    fail('entry.unsupported_algorithm', `cannot verify ${keyRecord.algorithm} in the browser`);
  }
  const pub = base64Decode(keyRecord.public_key);
  if ((await clientKeyId('ed25519', pub)) !== envelope.key) {
    fail('entry.key_mismatch', 'the key record does not match the entry key id');
  }
  const unsigned = { ...envelope };
  delete unsigned.sig;
  const ok = await ed25519Verify(pub, base64Decode(envelope.sig), enc.encode(canonicalJson(unsigned)));
  if (!ok) fail('entry.bad_signature', 'the submitter signature does not verify');
}

// ---- documents ---------------------------------------------------------------------

// Parses /v1/consortium into a keyset. Reason consortium.malformed.
export async function parseConsortium(c) {
  if (!c || !Array.isArray(c.members) || !Number.isInteger(c.quorum)) {
    fail('consortium.malformed', 'consortium document malformed');
  }
  const keys = [];
  for (const m of c.members) keys.push(await parseVerifierKey(m.verifier_key));
  if (c.quorum < 1 || c.quorum > keys.length) fail('consortium.malformed', 'bad quorum');
  return { chain: c.chain, origin: c.origin, quorum: c.quorum, keys };
}

// Verifies the answer of GET /v1/documents/{digest} for `digestHex`, with
// `consortium` from parseConsortium and `getKey(keyIdHex)` returning the key
// record (GET /v1/keys/{id}). Returns a summary of what was proven; throws
// VerifyError otherwise. Steps are recorded in `steps` as they pass.
export async function verifyDocument(answer, consortium, digestHex, getKey, steps = []) {
  const summary = (answer.entries || []).find((e) => e.type === 'doc.notarize');
  if (!summary || typeof summary.signed !== 'string') {
    fail('document.no_notarization', 'the answer holds no notarization entry');
  }
  const { envelope, bytes, id } = await parseSignedEntry(summary.signed);
  if (id !== summary.id) fail('entry.id_mismatch', 'entry bytes do not hash to the claimed id');
  if (envelope.entry.type !== 'doc.notarize' || envelope.entry.digest !== digestHex) {
    fail('entry.wrong_document', 'the entry does not notarize this file');
  }
  if (consortium.chain && envelope.chain !== consortium.chain) {
    fail('entry.wrong_chain', 'the entry belongs to another ledger');
  }
  steps.push('entry');
  const keyRecord = await getKey(envelope.key);
  await verifyEntrySignature(envelope, keyRecord);
  steps.push('signature');
  const proof = answer.proof;
  if (!proof || typeof proof.checkpoint !== 'string' || !Array.isArray(proof.hashes)) {
    fail('proof.missing', 'the answer holds no proof');
  }
  const cp = await verifyCertifiedCheckpoint(proof.checkpoint, consortium.keys, consortium.quorum,
                                             consortium.origin);
  steps.push('checkpoint');
  if (BigInt(proof.tree_size) !== cp.size) fail('proof.size_mismatch', 'proof and checkpoint sizes differ');
  const path = proof.hashes.map((h) => {
    try {
      return base64Decode(h);
    } catch {
      return fail('proof.bad_node_size', 'proof hash is not base64');
    }
  });
  await verifyInclusion(proof.index, proof.tree_size, bytes.length ? await leafHash(bytes) : bytes,
                        path, cp.root);
  steps.push('inclusion');
  return {
    digest: digestHex,
    entryId: id,
    index: proof.index,
    height: summary.height,
    time: envelope.time,
    key: envelope.key,
    party: keyRecord.party || summary.party || '',
    title: envelope.entry.title,
    docType: envelope.entry.doc_type,
    project: envelope.entry.project,
    house: envelope.entry.house,
    size: envelope.entry.size,
    treeSize: cp.size.toString(),
    checkpointTime: cp.timeMs,
    signers: cp.signers,
    quorum: consortium.quorum,
    members: consortium.keys.length,
  };
}
