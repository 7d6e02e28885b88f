// Pointer and keyboard input on a figure's canvas: drawing points for the `points` dataset,
// and picking the point of the `average` layer (click or drag; arrow keys move it, Shift for
// bigger steps, when the canvas has focus).

import { POINT_LIMIT } from './state.js';

/** World coordinates of client pixel (cx, cy) on a canvas laid out as `layout`, or null. */
export function worldAt(layout, rect, cx, cy) {
  const sx = layout.width / rect.width;
  const px = (cx - rect.left) * sx;
  const py = (cy - rect.top) * sx;
  const panel = layout.panels.find((p) => px >= p.x && px < p.x + p.size && py < p.size);
  if (!panel) return null;
  const [x0, x1, y0, y1] = panel.bounds;
  return [x0 + ((px - panel.x) / panel.size) * (x1 - x0), y1 - (py / panel.size) * (y1 - y0)];
}

const round = (v) => Math.round(Math.max(-POINT_LIMIT, Math.min(POINT_LIMIT, v)) * 100) / 100;

/** Binds the canvas's input to `figure`; returns a function that unbinds it. */
export function bindInput(figure, canvas) {
  let mode = null; // 'draw' | 'pick' while a pointer is down
  const at = (e) => worldAt(figure.scene.layout, canvas.getBoundingClientRect(), e.clientX, e.clientY);
  const picking = () => figure.state.layers.includes('average');
  const pick = (xy, commit) => {
    if (xy) figure.setPoint([round(xy[0]), round(xy[1])], commit);
  };
  // A drawn point takes the pen's class (used by a conditional model).
  const draw = (xy) => {
    if (!xy) return;
    figure.userPoints.push(...xy);
    figure.userLabels.push(figure.state.pen);
  };
  const down = (e) => {
    if (figure.state.dataset === 'points') {
      mode = 'draw';
      if (!figure.userPoints) Object.assign(figure, { userPoints: [], userLabels: [] });
      draw(at(e));
    } else if (picking()) {
      mode = 'pick';
      canvas.setPointerCapture?.(e.pointerId);
      pick(at(e), false);
    }
  };
  const move = (e) => {
    if (!mode) return;
    const xy = at(e);
    if (mode === 'draw') draw(xy);
    else if (mode === 'pick') pick(xy, false);
  };
  const up = () => {
    const was = mode;
    mode = null;
    if (was === 'draw' && figure.userPoints.length >= 2) figure.pointsDrawn();
    if (was === 'pick') figure.setPoint(figure.state.point, true);
  };
  const key = (e) => {
    if (!picking()) return;
    const step = e.shiftKey ? 0.5 : 0.1;
    const d = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] }[e.key];
    if (!d) return;
    e.preventDefault();
    const [x, y] = figure.state.point;
    pick([x + d[0], y + d[1]], true);
  };
  canvas.addEventListener('pointerdown', down);
  canvas.addEventListener('pointermove', move);
  window.addEventListener('pointerup', up);
  canvas.addEventListener('keydown', key);
  return () => {
    canvas.removeEventListener('pointerdown', down);
    canvas.removeEventListener('pointermove', move);
    window.removeEventListener('pointerup', up);
    canvas.removeEventListener('keydown', key);
  };
}

/** The default cloud's classes: the mouth 0, the eyes 1 and 2 (defaultPoints' order). */
export function defaultLabels() {
  return Uint32Array.from([...Array(120).fill(0), ...Array(30).fill(1), ...Array(30).fill(2)]);
}

/** The `points` dataset's cloud until the reader draws one: a smile. */
export function defaultPoints() {
  const xy = [];
  for (let i = 0; i < 120; i += 1) {
    const a = Math.PI * (1.15 + 0.7 * (i / 119));
    xy.push(3 * Math.cos(a), 3 * Math.sin(a) + 0.5);
  }
  for (const cx of [-1.5, 1.5]) for (let i = 0; i < 30; i += 1) xy.push(cx + 0.3 * Math.cos(i), 2 + 0.3 * Math.sin(i));
  return xy;
}
