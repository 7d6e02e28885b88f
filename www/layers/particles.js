// The particles at time t, coloured by where they started (colorwheel.js). Plotted into a
// pixel buffer on the CPU or drawn by WebGL2 (render.js), chosen by the `renderer` setting.
import * as render from '../render.js';

/** Above this many particles `renderer=auto` draws them with WebGL2 rather than on the CPU. */
export const GL_PARTICLES = 20000;

/**
 * The particle layer for the renderer choice, particle count and size. `auto` plots on the CPU
 * up to GL_PARTICLES particles and above that uses WebGL2 where it runs on a GPU; `webgl` uses
 * WebGL2 even when emulated; `canvas` always plots on the CPU. A mode whose context failed or
 * was lost is not tried again.
 */
function pick(own, renderer, n, width, height, say) {
  const mode = renderer === 'webgl' ? 'any' : renderer === 'auto' && n > GL_PARTICLES ? 'hardware' : null;
  const sized = (l) => l.width === width && l.height === height;
  if (mode) {
    if (own.gl && (own.gl.lost || own.glMode !== mode || !sized(own.gl))) {
      if (own.gl.lost) own.failed.add(own.glMode);
      else own.gl.dispose();
      own.gl = null;
    }
    if (!own.gl && !own.failed.has(mode)) {
      own.gl = render.GlParticleLayer.create(width, height, { hardwareOnly: mode === 'hardware' });
      own.glMode = mode;
      if (!own.gl) {
        own.failed.add(mode);
        if (mode === 'any') say('WebGL2 is unavailable here: particles are drawn on the CPU.', { kind: 'info' });
      }
    }
    if (own.gl) return own.gl;
  } else if (own.gl) {
    // Back under the threshold: free the uploaded trajectory and the context.
    own.gl.dispose();
    own.gl = null;
  }
  if (!own.cpu || !sized(own.cpu)) own.cpu = new render.ParticleLayer(width, height);
  return own.cpu;
}

export default {
  name: 'particles',
  label: 'particles',
  z: 60,
  needs: ['samples'],
  wheel: true,
  create: () => ({ cpu: null, gl: null, glMode: null, failed: new Set() }),
  dispose(own) {
    if (own.gl) own.gl.dispose();
    own.gl = null;
  },
  cost: (frame) => (frame.samples ? frame.samples.n : 0),
  draw(ctx, view, t, frame) {
    const s = frame.samples;
    if (!s || !s.trajectory) return;
    const layer = pick(frame.own, frame.state.renderer, s.n, Math.round(view.width), Math.round(view.height), frame.say);
    frame.report.renderer = layer instanceof render.GlParticleLayer ? 'webgl' : 'canvas';
    layer.draw(s, frame.at, view, s.colors ? s.colors.colors : frame.colors.particles, frame.dot, 0);
    layer.blit(ctx);
  },
};
