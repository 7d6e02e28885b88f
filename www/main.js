// The full playground page: URL hash ↔ controls ↔ one Figure (figure.js) bound to the page's
// canvas and panel, and the cost-vs-steps chart (sweep.js) of its weights.

import { parseHash, toHash, hashChanges } from './state.js';
import { Request, sharedClient } from './client.js';
import { buildControls } from './controls.js';
import { Figure } from './figure.js';
import { Sweep } from './sweep.js';
import { fixedLayout } from './scene.js';
import * as exports from './exports.js';
import { bindLossByTime } from './loss-by-time.js';
import { bindNll } from './nll.js';
import { bindOwnData, stateCloud } from './owndata-ui.js';
import { CLOUD_PARAMS } from './owndata.js';

const $ = (id) => document.getElementById(id);
const messages = $('messages');
const elements = {
  canvas: $('canvas'), chart: $('loss-chart'), badge: $('backend'), stats: $('stats'),
  train: $('train'), pause: $('pause'), step: $('step-once'), reset: $('reset'), reflow: $('reflow'), reflows: $('reflow-count'),
  progress: $('progress'), stepCount: $('step-count'), rate: $('rate'), eta: $('eta'),
  play: $('play'), time: $('time'), timeLabel: $('time-label'), readout: $('readout'), summary: $('summary'),
};

function notify(text, { kind = 'warn', action = null } = {}) {
  const item = document.createElement('div');
  item.className = `message ${kind}`;
  item.textContent = text;
  if (action) {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = action.label;
    button.addEventListener('click', () => { item.remove(); action.run(); });
    item.append(' ', button);
  }
  const close = document.createElement('button');
  close.type = 'button';
  close.className = 'close';
  close.setAttribute('aria-label', 'Dismiss');
  close.textContent = '×';
  close.addEventListener('click', () => item.remove());
  item.append(close);
  messages.append(item);
}

const parsed = parseHash(window.location.hash);
// The page's client, now, while the page builds its controls: it adopts the worker boot.js
// started (already compiling its module) or starts one; the figure joins it.
sharedClient(parsed.state.backend);
const urlErrors = parsed.errors.map((e) => `URL: ${e}`);
let figure = null;
let lossByTime = null;
let nll = null;

function syncUrl() {
  const hash = toHash(figure.state);
  if (hash !== window.location.hash) {
    window.history.replaceState(null, '', hash || window.location.pathname + window.location.search);
  }
}

const sweep = new Sweep({ canvas: $('sweep-chart'), note: $('sweep-note') });

const updateControls = buildControls($('controls'), parsed.state, {
  onChange: (name, value) => apply({ [name]: value }),
  onInvalid: (message) => notify(message, { kind: 'error' }),
  // The page always has its chart (an embedded figure opts in with sweep=1).
  hidden: new Set(['sweep']),
});

function createFigure(state) {
  if (figure) figure.dispose();
  if (lossByTime) lossByTime.dispose();
  // A word or packed points in the link are the `points` data (`srcword`, `srccloud`: source).
  const owns = Object.keys(CLOUD_PARAMS).map((role) => [role, stateCloud(state, role)]).filter(([, own]) => own);
  for (const [role, own] of owns) {
    if (own.error) state = { ...state, [CLOUD_PARAMS[role].word]: '', [CLOUD_PARAMS[role].cloud]: '' };
  }
  figure = new Figure(state, elements, notify);
  for (const [role, own] of owns) {
    if (own.error) figure.say(`URL: ${own.error}`, { kind: 'error' });
    else figure.holdCloud(own, role);
  }
  sweep.attach(figure);
  figure.addEventListener('statechange', () => { syncUrl(); syncControls(); showParts(figure.state); });
  // The class picker lists the data's classes, known once the data is.
  let classes = 0;
  const classesKnown = () => {
    if (figure.dataClasses === classes) return;
    classes = figure.dataClasses;
    syncControls();
  };
  figure.addEventListener('ready', classesKnown);
  figure.addEventListener('samples', classesKnown);
  lossByTime = bindLossByTime(figure, $('loss-by-t'));
  nll = bindNll(figure, $('nll'));
  for (const text of urlErrors.splice(0)) figure.say(text);
  updateControls(figure.state);
  showParts(figure.state);
  if (owns.length) syncUrl();
  figure.start().catch((e) => figure.say(e.message, { kind: 'error' }));
}

async function apply(changes) {
  // Other data (or source) leaves the reader's own behind (in the link too); a new word or
  // cloud is theirs.
  for (const keys of Object.values(CLOUD_PARAMS)) {
    if (keys.menu in changes && changes[keys.menu] !== 'points') changes = { ...changes, [keys.word]: '', [keys.cloud]: '' };
  }
  for (const [role, keys] of Object.entries(CLOUD_PARAMS)) {
    const own = (keys.word in changes || keys.cloud in changes) && stateCloud({ ...figure.state, ...changes }, role);
    if (!own) continue;
    const rest = { ...changes };
    for (const name of [keys.menu, keys.word, keys.cloud]) delete rest[name];
    if (own.error) figure.say(`URL: ${own.error}`, { kind: 'error' });
    else await figure.useCloud(own, role);
    syncUrl();
    if (!Object.keys(rest).length) return;
    changes = rest;
  }
  if ('backend' in changes && changes.backend !== figure.state.backend) {
    createFigure({ ...figure.state, ...changes });
    syncUrl();
    return;
  }
  const ok = await figure.set(changes);
  if (ok) syncUrl();
  syncControls();
  showParts(figure.state);
}

function syncControls() {
  updateControls(figure.state, { classes: figure.dataClasses });
  figure.chrome.updateProgress();
}

/** Controls that only apply to some settings. */
function showParts(state) {
  $('clear-points').hidden = state.dataset !== 'points';
  // Snapshots and steps are fixed times: no clock to play or scrub.
  document.querySelector('.timebar').hidden = fixedLayout(state.layout);
  $('sweep').hidden = state.hide.includes('sweep');
  $('reflow').hidden = state.hide.includes('reflow');
  sweep.setHidden(state.hide.includes('sweep'));
}

window.addEventListener('hashchange', () => {
  // A refused value keeps the current one (the hash is rewritten to say so).
  const { changes, errors } = hashChanges(figure.state, window.location.hash);
  for (const error of errors) figure.say(`URL: ${error.replace(/ — using the default$/, ' — keeping the current value')}`);
  if (Object.keys(changes).length) apply(changes);
  else syncUrl();
});

document.addEventListener('visibilitychange', () => figure.setVisible(document.visibilityState === 'visible'));

$('clear-points').addEventListener('click', () => figure.clearPoints());
bindOwnData($('own-data'), { use: (cloud, role) => figure.useCloud(cloud, role), fail: (message) => figure.say(message, { kind: 'error' }) });
$('export-link').addEventListener('click', async () => {
  const link = exports.shareLink(figure.state);
  // The reader's points when the link holds neither a word nor them.
  const s = figure.state;
  const missing = s.dataset === 'points' && !s.word && !s.cloud && figure.userPoints && figure.userPoints.length >= 2
    ? ' It does not hold your points (too many for a link): share them as a file.' : '';
  try {
    await navigator.clipboard.writeText(link);
    figure.say(`Link copied.${missing}`, { kind: 'info' });
  } catch {
    figure.say(`Link: ${link}${missing}`, { kind: 'info' });
  }
});
$('export-png').addEventListener('click', () => exports.downloadPng(figure));
$('export-webm').addEventListener('click', () => exports.recordWebm(figure, 4));
$('export-csv').addEventListener('click', () => exports.downloadCsv(figure));
$('export-weights').addEventListener('click', () => exports.downloadWeights(figure));
$('export-config').addEventListener('click', () => exports.downloadConfig(figure));
$('import-weights').addEventListener('change', async (e) => {
  const file = e.target.files[0];
  e.target.value = '';
  if (!file) return;
  try {
    await figure.importWeights(new Uint8Array(await file.arrayBuffer()));
    figure.say(`Loaded ${file.name}.`, { kind: 'info' });
  } catch (error) {
    figure.say(`${file.name}: ${error.message}`, { kind: 'error' });
  }
});

createFigure(parsed.state);

// A read-only view of the page for scripts and tests.
window.flowPlayground = {
  status: () => figure.status(),
  /** The particles at t = 1 and, for a conditional model, each one's class. */
  samples: () => (figure.samples ? { x: Array.from(figure.samples.x), classes: figure.samples.classes ? Array.from(figure.samples.classes) : null } : null),
  /** The data points and, for a conditional model, their labels. */
  data: () => (figure.data ? { xy: Array.from(figure.data), labels: figure.dataLabels ? Array.from(figure.dataLabels) : null } : null),
  sweep: () => sweep.status(),
  memory: () => figure.client.request(Request.MEMORY),
  exportWeights: () => figure.exportWeights(),
  importWeights: (bytes) => figure.importWeights(bytes),
  loseDevice: () => figure.client.request(Request.LOSE_DEVICE),
  lossByTime: () => ({ means: lossByTime.means(), total: lossByTime.total, pi: lossByTime.pi }),
  nll: () => nll.latest(),
  /** The first `k` particles' recorded paths: {times, states, n, xy: [states, k, 2]}. */
  paths: (k) => {
    const s = figure.samples;
    if (!s || !s.trajectory) return null;
    const m = Math.min(k, s.n);
    const xy = [];
    for (let st = 0; st < s.states; st += 1) for (let p = 0; p < m; p += 1) xy.push(s.trajectory[2 * (st * s.n + p)], s.trajectory[2 * (st * s.n + p) + 1]);
    return { times: Array.from(s.times), states: s.states, n: m, sampler: s.sampler, xy };
  },
};
