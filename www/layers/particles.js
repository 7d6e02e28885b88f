// The particles at time t, coloured by where they started (colorwheel.js). Plotted on the CPU
// into the scene's pixel buffer, or drawn by WebGL2 (render.js), as the `renderer` setting
// chooses.
import * as render from '../render.js';

/** Above this many particles `renderer=auto` draws them with WebGL2 rather than on the CPU. */
export const GL_PARTICLES = 20000;

/**
 * The WebGL2 particle layer for the renderer choice, particle count and size, or null for the
 * CPU plot (into the scene's pixel buffer). `auto` plots on the CPU
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
  return null;
}

export default {
  name: 'particles',
  label: 'particles',
  z: 60,
  needs: ['samples'],
  wheel: true,
  raster: true,
  create: () => ({ position: null, gl: null, glMode: null, failed: new Set() }),
  dispose(own) {
    if (own.gl) own.gl.dispose();
    own.gl = null;
  },
  cost: (frame) => (frame.samples ? frame.samples.n : 0),
  draw(ctx, view, t, frame) {
    const s = frame.samples;
    if (!s || !s.trajectory) return;
    const own = frame.own;
    const colour = s.colors ? s.colors.colors : frame.colors.particles;
    const gl = pick(own, frame.state.renderer, s.n, Math.round(view.width), Math.round(view.height), frame.say);
    frame.report.renderer = gl ? 'webgl' : 'canvas';
    if (gl) {
      frame.flush();
      gl.draw(s, frame.at, view, colour, frame.dot, 0);
      gl.blit(ctx);
      return;
    }
    if (!own.position || own.position.length !== 2 * s.n) own.position = new Float32Array(2 * s.n);
    render.positionsAt(s.trajectory, s.n, s.states, frame.at, own.position);
    const raster = frame.raster();
    render.plotPoints(raster.pixels, raster.width, raster.height, own.position, view, colour, frame.dot);
  },
};
