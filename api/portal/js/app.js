// The portal page: 验证 (verify a file) and 一房一档 (a house's archive).
// All proof checking happens in verify.js, in this browser; the node is only
// asked for data. The consortium keys are pinned in localStorage on the first
// visit (trust on first use) and a change is shown as a warning.
import {
  VerifyError, parseConsortium, sha256, toHex, verifyDocument,
} from './verify.js';
import { getLang, setLang, t } from './i18n.js';

const state = {
  consortium: null,   // parsed keyset in use (the pinned one)
  consortiumRaw: null,
  consortiumError: null,
  consortiumChanged: false,
  verify: { status: 'idle' },
  house: { status: 'idle' },
};

// ---- small helpers -----------------------------------------------------------

// Control and bidirectional characters (the set of crypto/text.h): shown as
// "\u202e" so that a file name or an answer cannot reorder what is read
// (Trojan Source) or hide text. Tab and line feed are harmless in the DOM.
const UNSAFE_TEXT =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function displaySafe(s) {
  return String(s).replace(UNSAFE_TEXT, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

// Every text node and attribute of the page is built here, from displaySafe text.
function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null) continue;
    if (k === 'class') e.className = v;
    else e.setAttribute(k, displaySafe(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(displaySafe(c)));
  }
  return e;
}

function fmtTime(ms) {
  if (ms === undefined || ms === null || ms < 0) return '—';
  return new Date(Number(ms)).toLocaleString(getLang() === 'en' ? 'en-GB' : 'zh-CN', {
    hour12: false, timeZone: 'Asia/Shanghai', timeZoneName: 'short',
  });
}

class HttpError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function api(path) {
  let r;
  try {
    r = await fetch(path, { headers: { Accept: 'application/json' } });
  } catch (e) {
    throw new HttpError(0, 'client.unreachable', String(e.message || e));
  }
  let body = null;
  try {
    body = await r.json();
  } catch {
    body = null;
  }
  if (!r.ok) {
    const err = body && body.error ? body.error : {};
    throw new HttpError(r.status, err.code || `http.${r.status}`, err.message || r.statusText);
  }
  return body;
}

// ---- consortium (pinned on first use) ------------------------------------------

function keysetFingerprint(c) {
  return JSON.stringify({ chain: c.chain, quorum: c.quorum, keys: c.members.map((m) => m.verifier_key) });
}

async function loadConsortium() {
  try {
    const current = await api('/v1/consortium');
    const pinKey = `tz.consortium.${location.host}`;
    let pinned = null;
    try {
      pinned = JSON.parse(localStorage.getItem(pinKey) || 'null');
    } catch {
      pinned = null;
    }
    if (!pinned) {
      localStorage.setItem(pinKey, JSON.stringify(current));
      pinned = current;
    }
    state.consortiumChanged = keysetFingerprint(pinned) !== keysetFingerprint(current);
    state.consortiumRaw = pinned;
    state.consortium = await parseConsortium(pinned);
  } catch (e) {
    state.consortiumError = e;
  }
  renderConsortium();
}

const keyCache = new Map();
function getKey(id) {
  if (!keyCache.has(id)) keyCache.set(id, api(`/v1/keys/${id}`));
  return keyCache.get(id);
}

// Asks the node about a digest and verifies the answer here. Resolves to
// {status: 'verified'|'not-notarized'|'failed', ...}; rejects on other errors.
async function checkDigest(digest) {
  if (!state.consortium) {
    throw state.consortiumError || new HttpError(0, 'consortium.unavailable', t('consortium.error'));
  }
  let answer;
  try {
    answer = await api(`/v1/documents/${digest}`);
  } catch (e) {
    if (e.status === 404) return { status: 'not-notarized', digest };
    throw e;
  }
  const steps = [];
  try {
    const result = await verifyDocument(answer, state.consortium, digest, getKey, steps);
    return { status: 'verified', digest, result, steps };
  } catch (e) {
    if (e instanceof VerifyError) {
      return { status: 'failed', digest, reason: e.reason, message: e.message, steps };
    }
    throw e;
  }
}

// ---- verify tab ----------------------------------------------------------------

async function onFile(file) {
  if (!file) return;
  state.verify = { status: 'working', phase: 'verify.hashing', fileName: file.name };
  renderVerify();
  try {
    const digest = toHex(await sha256(new Uint8Array(await file.arrayBuffer())));
    state.verify = { status: 'working', phase: 'verify.asking', fileName: file.name, digest };
    renderVerify();
    state.verify = { ...(await checkDigest(digest)), fileName: file.name };
  } catch (e) {
    state.verify = { status: 'error', fileName: file.name, reason: e.code || e.reason || 'error',
      message: e.message };
  }
  renderVerify();
}

function row(label, ...value) {
  return [el('dt', {}, t(label)), el('dd', {}, ...value)];
}

function stepList(steps, failedReason) {
  const all = ['entry', 'signature', 'checkpoint', 'inclusion'];
  return el('ul', { class: 'steps' }, all.map((s, i) => {
    const ok = steps.includes(s);
    const failedHere = !ok && failedReason && steps.length === i;
    return el('li', { class: ok ? 'ok' : failedHere ? 'bad' : 'todo' },
      ok ? '✔ ' : failedHere ? '✘ ' : '· ', t(`step.${s}`));
  }));
}

function renderVerify() {
  const box = document.getElementById('verify-result');
  const v = state.verify;
  box.dataset.status = v.status;
  box.replaceChildren();
  if (v.status === 'idle') return;
  if (v.status === 'working') {
    box.append(el('div', { class: 'banner info' }, el('span', { class: 'spinner' }), t(v.phase)),
      el('dl', {}, row('field.file', v.fileName), v.digest ? row('field.digest', el('code', {}, v.digest)) : []));
    return;
  }
  if (v.status === 'verified') {
    const r = v.result;
    box.append(
      el('div', { class: 'banner ok', id: 'verdict' }, '✔ ', t('verify.verified')),
      el('dl', {},
        row('field.file', v.fileName),
        row('field.digest', el('code', {}, r.digest)),
        row('field.title', r.title),
        row('field.doc_type', r.docType),
        row('field.project', r.project),
        r.house ? row('field.house', el('a', { href: `#house=${encodeURIComponent(r.house)}` }, r.house)) : [],
        row('field.party', r.party),
        row('field.key', el('code', {}, r.key)),
        row('field.time', fmtTime(r.time)),
        row('field.entry', t('entry.summary', { index: r.index, height: r.height ?? '—' }), ' ',
          el('code', { class: 'small' }, r.entryId)),
        row('field.checkpoint', t('checkpoint.summary', {
          size: r.treeSize, time: fmtTime(r.checkpointTime), n: r.signers.length, m: r.members,
          q: r.quorum, signers: r.signers.join(', '),
        }))),
      stepList(v.steps));
    return;
  }
  if (v.status === 'not-notarized') {
    box.append(
      el('div', { class: 'banner bad', id: 'verdict' }, '✘ ', t('verify.not_notarized')),
      el('dl', {}, row('field.file', v.fileName), row('field.digest', el('code', {}, v.digest))),
      el('p', { class: 'hint' }, t('verify.not_notarized_hint')));
    return;
  }
  if (v.status === 'failed') {
    box.append(
      el('div', { class: 'banner bad', id: 'verdict' }, '✘ ', t('verify.failed')),
      el('dl', {}, row('field.file', v.fileName), row('field.digest', el('code', {}, v.digest)),
        row('field.reason', el('code', {}, v.reason), ' ', v.message)),
      stepList(v.steps, v.reason));
    return;
  }
  box.append(
    el('div', { class: 'banner warn', id: 'verdict' }, '⚠ ', t('verify.error')),
    el('dl', {}, row('field.file', v.fileName || ''), row('field.reason', el('code', {}, v.reason), ' ', v.message)));
}

// ---- house tab -----------------------------------------------------------------

async function showHouse(house) {
  state.house = { status: 'working', house };
  renderHouse();
  try {
    const answer = await api(`/v1/houses/${encodeURIComponent(house)}`);
    const items = answer.timeline || [];
    const checks = new Map();
    for (const it of items) {
      const d = it.document && it.document.sha256;
      if (d && !checks.has(d)) {
        checks.set(d, await checkDigest(d).catch((e) => ({ status: 'error', reason: e.code || e.reason, message: e.message })));
      }
    }
    state.house = { status: 'done', house, items, checks };
  } catch (e) {
    state.house = { status: 'error', house, reason: e.code || e.reason || 'error', message: e.message };
  }
  renderHouse();
}

function typeLabel(type) {
  const key = `type.${type}`;
  const s = t(key);
  return s === key ? type : s;
}

function renderHouse() {
  const box = document.getElementById('house-result');
  const h = state.house;
  box.dataset.status = h.status;
  box.replaceChildren();
  if (h.status === 'idle') return;
  if (h.status === 'working') {
    box.append(el('div', { class: 'banner info' }, el('span', { class: 'spinner' }), t('house.loading')));
    return;
  }
  if (h.status === 'error') {
    box.append(el('div', { class: 'banner warn' }, '⚠ ', t('verify.error'), ': ', el('code', {}, h.reason), ' ', h.message));
    return;
  }
  if (h.items.length === 0) {
    box.append(el('div', { class: 'banner info' }, t('house.empty')));
    return;
  }
  box.append(el('h2', {}, t('house.summary', { house: h.house, n: h.items.length })));
  const list = el('ol', { class: 'timeline' });
  for (const it of h.items) {
    const doc = it.document || {};
    const check = doc.sha256 ? h.checks.get(doc.sha256) : null;
    const ok = check && check.status === 'verified';
    const badge = check
      ? el('span', { class: `badge ${ok ? 'ok' : 'bad'}`, 'data-proof': ok ? 'verified' : 'failed' },
        ok ? `✔ ${t('house.proof_ok')}` : `✘ ${t('house.proof_bad')} (${check.reason || check.status})`)
      : null;
    list.append(el('li', { class: it.superseded_by ? 'superseded' : '' },
      el('div', { class: 'when' }, fmtTime(it.time)),
      el('div', { class: 'what' },
        el('span', { class: 'type' }, typeLabel(it.type)), ' ',
        el('strong', {}, doc.title || ''), ' ',
        doc.doc_type ? el('span', { class: 'doctype' }, doc.doc_type) : null, ' ', badge,
        it.superseded_by ? el('span', { class: 'superseded-note' }, ` · ${t('house.superseded')}`) : null,
        doc.sha256 ? el('div', { class: 'small' }, el('code', {}, doc.sha256)) : null)));
  }
  box.append(list);
}

// ---- chrome: tabs, language, consortium ------------------------------------------

function renderConsortium() {
  const box = document.getElementById('consortium-info');
  box.replaceChildren();
  if (state.consortiumError) {
    box.dataset.status = 'error';
    box.append(el('span', { class: 'bad' }, `⚠ ${t('consortium.error')}: ${state.consortiumError.message}`));
    return;
  }
  if (!state.consortium) {
    box.dataset.status = 'loading';
    box.append(t('consortium.loading'));
    return;
  }
  box.dataset.status = state.consortiumChanged ? 'changed' : 'ok';
  const c = state.consortium;
  if (state.consortiumChanged) box.append(el('div', { class: 'bad' }, `⚠ ${t('consortium.changed')}`));
  box.append(t('consortium.info', {
    chain: c.chain, m: c.keys.length, q: c.quorum,
    keys: c.keys.map((k) => `${k.name}+${k.keyId.toString(16).padStart(8, '0')}`).join(', '),
  }));
}

function applyLang() {
  document.documentElement.lang = getLang();
  for (const e of document.querySelectorAll('[data-i18n]')) e.textContent = t(e.dataset.i18n);
  document.getElementById('lang-toggle').textContent = getLang() === 'en' ? '中文' : 'English';
  renderVerify();
  renderHouse();
  renderConsortium();
}

function selectTab(name) {
  for (const b of document.querySelectorAll('.tab')) b.classList.toggle('active', b.dataset.tab === name);
  document.getElementById('panel-verify').hidden = name !== 'verify';
  document.getElementById('panel-house').hidden = name !== 'house';
}

function routeFromHash() {
  const m = /^#house=(.+)$/.exec(location.hash);
  if (m) {
    const house = decodeURIComponent(m[1]);
    selectTab('house');
    document.getElementById('house-input').value = house;
    showHouse(house);
  }
}

function init() {
  let saved = null;
  try {
    saved = localStorage.getItem('tz.lang');
  } catch {
    saved = null;
  }
  setLang(new URLSearchParams(location.search).get('lang') || saved || 'zh-CN');
  document.getElementById('lang-toggle').addEventListener('click', () => {
    setLang(getLang() === 'en' ? 'zh-CN' : 'en');
    try {
      localStorage.setItem('tz.lang', getLang());
    } catch {
      // private mode: the choice lasts for this page only
    }
    applyLang();
  });
  for (const b of document.querySelectorAll('.tab')) {
    b.addEventListener('click', () => selectTab(b.dataset.tab));
  }
  document.getElementById('file-input').addEventListener('change', (ev) => onFile(ev.target.files[0]));
  document.getElementById('house-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const house = document.getElementById('house-input').value.trim();
    if (house) location.hash = `house=${encodeURIComponent(house)}`;
  });
  window.addEventListener('hashchange', routeFromHash);
  applyLang();
  loadConsortium().then(routeFromHash);
}

init();
