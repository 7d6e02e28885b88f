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

/** The fewest frames a recording holds, however slowly the figure draws. */
const MIN_FRAMES = 12;

/**
 * Records `seconds` of the animation (from t = 0) as WebM, one video frame per drawn frame, and
 * resolves when saved: after `seconds` on the animation's clock or the wall's, whichever comes
 * first, but never before MIN_FRAMES frames (on a busy machine a figure draws few frames a
 * second, and a wall-clock recording alone could end before any frame reached the encoder).
 */
export function recordWebm(figure, seconds = 4) {
  const { canvas } = figure.ui;
  if (typeof MediaRecorder === 'undefined' || !canvas.captureStream) {
    figure.say('This browser cannot record the canvas.');
    return Promise.resolve();
  }
  if (figure.recording) return figure.recording.done;
  // Frame rate 0: a frame is captured only when requested, after each redraw.
  const stream = canvas.captureStream(0);
  const [track] = stream.getVideoTracks();
  const type = ['video/webm;codecs=vp9', 'video/webm'].find((t) => MediaRecorder.isTypeSupported(t));
  const recorder = new MediaRecorder(stream, type ? { mimeType: type } : {});
  const chunks = [];
  recorder.ondataavailable = (e) => chunks.push(e.data);
  let elapsed = 0;
  let frames = 0;
  const started = performance.now();
  const done = new Promise((resolve) => {
    recorder.onstop = () => {
      figure.recording = null;
      track.stop();
      download(new Blob(chunks, { type: 'video/webm' }), `flow-${figure.state.dataset}.webm`);
      resolve();
    };
  });
  figure.recording = {
    done,
    /** Called after every drawn frame with the animation time it advanced. */
    drawn(dt) {
      if (recorder.state !== 'recording') return;
      track.requestFrame();
      frames += 1;
      elapsed += dt;
      if ((elapsed >= seconds || performance.now() - started >= seconds * 1000) && frames >= MIN_FRAMES) recorder.stop();
    },
  };
  figure.anim.t = 0;
  figure.play();
  figure.dirty = true;
  recorder.start();
  // A figure off screen draws nothing: end the recording after a minute whatever it holds.
  setTimeout(() => recorder.state === 'recording' && recorder.stop(), 60000);
  return done;
}
