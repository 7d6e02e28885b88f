// What a reader can take away from a figure: a link, the picture (PNG), the samples (CSV),
// the weights, the settings (JSON) and a short video (WebM) of the animation.

import { toHash } from './state.js';

/** Saves `blob` as `name` through a temporary link. */
export function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/** A link to the full playground with these settings. */
export function shareLink(state) {
  const page = new URL('./index.html', import.meta.url);
  page.hash = toHash(state);
  return page.href;
}

export function downloadPng(figure) {
  figure.ui.canvas.toBlob((blob) => download(blob, `flow-${figure.state.dataset}.png`), 'image/png');
}

/** The particles at t = 1 as `x,y` rows. */
export function samplesCsv(x) {
  const lines = ['x,y'];
  for (let i = 0; i < x.length; i += 2) lines.push(`${x[i]},${x[i + 1]}`);
  return `${lines.join('\n')}\n`;
}

export function downloadCsv(figure) {
  if (!figure.samples) return;
  download(new Blob([samplesCsv(figure.samples.x)], { type: 'text/csv' }), `flow-${figure.state.dataset}-samples.csv`);
}

export async function downloadWeights(figure) {
  const bytes = await figure.exportWeights();
  download(new Blob([bytes], { type: 'application/octet-stream' }), `flow-${figure.state.dataset}.fpw`);
}

/** The settings (without the figure's looks) and the step reached, as JSON. */
export function downloadConfig(figure) {
  const { hide, size, theme, autoplay, ...settings } = figure.state;
  download(new Blob([`${JSON.stringify({ ...settings, step: figure.step }, null, 2)}\n`], { type: 'application/json' }), `flow-${figure.state.dataset}.json`);
}

/** Records `seconds` of the animation as WebM (from t = 0). Resolves when saved. */
export function recordWebm(figure, seconds = 4) {
  const { canvas } = figure.ui;
  if (typeof MediaRecorder === 'undefined' || !canvas.captureStream) {
    figure.say('This browser cannot record the canvas.');
    return Promise.resolve();
  }
  const stream = canvas.captureStream(30);
  const type = ['video/webm;codecs=vp9', 'video/webm'].find((t) => MediaRecorder.isTypeSupported(t));
  const recorder = new MediaRecorder(stream, type ? { mimeType: type } : {});
  const chunks = [];
  recorder.ondataavailable = (e) => chunks.push(e.data);
  figure.anim.t = 0;
  figure.play();
  return new Promise((resolve) => {
    recorder.onstop = () => {
      download(new Blob(chunks, { type: 'video/webm' }), `flow-${figure.state.dataset}.webm`);
      resolve();
    };
    recorder.start();
    setTimeout(() => recorder.stop(), seconds * 1000);
  });
}
