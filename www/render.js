// Drawing primitives: functions of (context, typed arrays, view) with no other state; the
// particle layer, plotted on the CPU (ParticleLayer) or by WebGL2 (GlParticleLayer) behind the
// same draw/clear/blit methods; thin lines blended on the CPU (LineLayer). World coordinates
// are mapped by a View. The layers (layers/) compose these.

/** Maps world coordinates (y up) to canvas pixels (y down). */
export class View {
  constructor(bounds, width, height) {
    this.bounds = bounds; // [xmin, xmax, ymin, ymax]
    this.width = width;
    this.height = height;
    this.sx = width / (bounds[1] - bounds[0]);
    this.sy = height / (bounds[3] - bounds[2]);
  }

  px(x) { return (x - this.bounds[0]) * this.sx; }

  py(y) { return (this.bounds[3] - y) * this.sy; }
}

/** Small squares at each point of `xy` ([n, 2]). */
export function drawPoints(ctx, xy, view, color, size) {
  ctx.fillStyle = color;
  const h = size / 2;
  for (let i = 0; i < xy.length; i += 2) {
    ctx.fillRect(view.px(xy[i]) - h, view.py(xy[i + 1]) - h, size, size);
  }
}

/**
 * The `q`-quantile of the lengths of the 2-D vectors in `v` ([m, 2]); 1e-9 when all vanish.
 */
export function lengthQuantile(v, q) {
  const lengths = new Float32Array(v.length / 2);
  for (let i = 0; i < lengths.length; i += 1) lengths[i] = Math.hypot(v[2 * i], v[2 * i + 1]);
  lengths.sort();
  return Math.max(1e-9, lengths[Math.min(lengths.length - 1, Math.floor(q * lengths.length))] || 0);
}

/**
 * Arrows of the field `v` ([g², 2]) on the g×g lattice over the view (row by row from ymin).
 * Lengths are relative to the 90th-percentile speed, which spans `scale` of a cell; faster
 * arrows are capped at 1.4× that, so a few fast ones at the edge do not shrink the rest to dots.
 */
export function drawArrows(ctx, v, grid, view, color, scale = 0.8, width = 1) {
  const [x0, x1, y0, y1] = view.bounds;
  const cell = Math.min(view.width, view.height) / grid;
  const k = (scale * cell) / lengthQuantile(v, 0.9);
  const cap = 1.4 * scale * cell;
  ctx.strokeStyle = color;
  ctx.lineWidth = width;
  ctx.lineCap = 'round';
  ctx.beginPath();
  for (let j = 0; j < grid; j += 1) {
    for (let i = 0; i < grid; i += 1) {
      const idx = 2 * (j * grid + i);
      const cx = view.px(x0 + ((i + 0.5) / grid) * (x1 - x0));
      const cy = view.py(y0 + ((j + 0.5) / grid) * (y1 - y0));
      let dx = v[idx] * k;
      let dy = -v[idx + 1] * k;
      let len = Math.hypot(dx, dy);
      if (len < 1) continue;
      if (len > cap) { dx *= cap / len; dy *= cap / len; len = cap; }
      arrowPath(ctx, cx - dx / 2, cy - dy / 2, cx + dx / 2, cy + dy / 2, Math.min(len * 0.35, cell * 0.22));
    }
  }
  ctx.stroke();
}

/**
 * A lattice input `f` ({v: [grid², 2], grid}: a field, a score, a guided field) as the field
 * layers draw it: light arrows at 0.75 of a cell, a pixel wide per 450 pixels of view.
 */
export function drawLatticeArrows(ctx, f, view, color) {
  drawArrows(ctx, f.v, f.grid, view, color, 0.75, Math.max(1, view.width / 450));
}

/** Adds an arrow from (ax, ay) to (bx, by) with a head of length `head` to the current path. */
export function arrowPath(ctx, ax, ay, bx, by, head) {
  const dx = bx - ax;
  const dy = by - ay;
  const len = Math.hypot(dx, dy) || 1;
  const hx = (dx / len) * head;
  const hy = (dy / len) * head;
  ctx.moveTo(ax, ay);
  ctx.lineTo(bx, by);
  ctx.moveTo(bx - hx - hy * 0.5, by - hy + hx * 0.5);
  ctx.lineTo(bx, by);
  ctx.lineTo(bx - hx + hy * 0.5, by - hy - hx * 0.5);
}

/**
 * Adds particle `p`'s path through `trajectory` ([states, n, 2]) between the fractional state
 * indices `from` ≤ `to` to the current path: the recorded states in between are its corners.
 */
export function tracePath(ctx, trajectory, n, states, p, from, to, view) {
  const start = pointAt(trajectory, n, states, p, from);
  ctx.moveTo(view.px(start[0]), view.py(start[1]));
  for (let s = Math.floor(from) + 1; s < to && s < states; s += 1) {
    const o = 2 * (s * n + p);
    ctx.lineTo(view.px(trajectory[o]), view.py(trajectory[o + 1]));
  }
  const end = pointAt(trajectory, n, states, p, to);
  ctx.lineTo(view.px(end[0]), view.py(end[1]));
}

/** Particle `p`'s position at the fractional state index `at`. */
export function pointAt(trajectory, n, states, p, at) {
  const s = Math.max(0, Math.min(states - 1, Math.floor(at)));
  const next = Math.min(states - 1, s + 1);
  const f = next > s ? at - s : 0;
  const a = 2 * (s * n + p);
  const b = 2 * (next * n + p);
  return [trajectory[a] + f * (trajectory[b] - trajectory[a]), trajectory[a + 1] + f * (trajectory[b + 1] - trajectory[a + 1])];
}

/**
 * The fractional state index of time `t` in the increasing (or decreasing) `times`.
 * @param {Float64Array} times
 */
export function stateIndex(times, t) {
  const n = times.length;
  if (n < 2) return 0;
  const forward = times[n - 1] >= times[0];
  for (let s = 0; s < n - 1; s += 1) {
    const a = times[s];
    const b = times[s + 1];
    if ((forward && t <= b) || (!forward && t >= b)) {
      return s + Math.min(1, Math.max(0, (t - a) / (b - a || 1)));
    }
  }
  return n - 1;
}

/** Positions at fractional state index `at`, written into `out` ([n, 2]). */
export function positionsAt(trajectory, n, states, at, out) {
  const s = Math.min(states - 1, Math.floor(at));
  const frac = s + 1 < states ? at - s : 0;
  const a = 2 * s * n;
  const b = 2 * Math.min(states - 1, s + 1) * n;
  for (let i = 0; i < 2 * n; i += 1) {
    out[i] = trajectory[a + i] + frac * (trajectory[b + i] - trajectory[a + i]);
  }
  return out;
}

/**
 * Plots `xy` ([n, 2]) into `pixels` (a `width`×`height` RGBA buffer read as u32) as
 * `size`×`size` opaque dots, all of colour `colour` (0xRRGGBB) or each of its own (`colour` a
 * Uint32Array [n] of packed 0xAABBGGRR, see layers/colorwheel.js).
 */
export function plotPoints(pixels, width, height, xy, view, colour, size) {
  const each = typeof colour !== 'number';
  // ImageData is RGBA in memory: on little-endian machines that is 0xAABBGGRR as a u32.
  const one = each ? 0 : (0xff << 24) | ((colour & 255) << 16) | (colour & 0xff00) | ((colour >> 16) & 255);
  // The square of pixels whose centres lie within size/2 of the point, as GL points cover.
  const half = size / 2;
  for (let i = 0; i < xy.length; i += 2) {
    const x = Math.round(view.px(xy[i]) - half);
    const y = Math.round(view.py(xy[i + 1]) - half);
    if (x < 0 || y < 0 || x + size > width || y + size > height) continue;
    const c = each ? colour[i >> 1] : one;
    for (let dy = 0; dy < size; dy += 1) {
      const row = (y + dy) * width + x;
      for (let dx = 0; dx < size; dx += 1) pixels[row + dx] = c;
    }
  }
}

/**
 * A canvas's 2D context, kept in memory (CPU-backed). The figures draw mostly by putting the
 * pixels of a CPU raster (ParticleLayer) and a few hundred strokes; a GPU-backed canvas sends
 * each frame through the browser's GPU process, which in a browser without a GPU (software GL,
 * as in headless CI) held frames for over half a second while training ran, against 67 ms in
 * memory. `willReadFrequently` is the standard hint that keeps a canvas in memory.
 */
export function context2d(canvas) {
  return canvas.getContext('2d', { willReadFrequently: true });
}

/**
 * Particles drawn into a pixel buffer whose alpha decays every frame, which leaves fading
 * trails behind moving particles at a cost independent of their history.
 */
export class ParticleLayer {
  constructor(width, height) {
    this.canvas = new OffscreenCanvas(width, height);
    this.ctx = context2d(this.canvas);
    this.image = this.ctx.createImageData(width, height);
    this.pixels = new Uint32Array(this.image.data.buffer);
    this.width = width;
    this.height = height;
  }

  clear() { this.pixels.fill(0); }

  /** Multiplies every pixel's alpha by `keep` (0: no trails, → 1: long trails). */
  fade(keep) {
    const p = this.pixels;
    const k = Math.round(keep * 256);
    for (let i = 0; i < p.length; i += 1) {
      const c = p[i];
      if (c === 0) continue;
      const a = ((c >>> 24) * k) >>> 8;
      p[i] = a < 8 ? 0 : (c & 0x00ffffff) | (a << 24);
    }
  }

  /** Plots `xy` ([n, 2]) as dots (see plotPoints). */
  plot(xy, view, colour, size) {
    plotPoints(this.pixels, this.width, this.height, xy, view, colour, size);
  }

  /**
   * Draws `samples` ({trajectory [states, n, 2], n, states}) at fractional state `at` in
   * `colour` (one 0xRRGGBB, or packed per-particle colours), after fading the previous frame by
   * `keep` (0: clear; → 1: long trails).
   */
  draw(samples, at, view, colour, size, keep) {
    const { trajectory, n, states } = samples;
    if (!this.position || this.position.length !== 2 * n) this.position = new Float32Array(2 * n);
    positionsAt(trajectory, n, states, at, this.position);
    if (keep > 0) this.fade(keep); else this.clear();
    this.plot(this.position, view, colour, size);
  }

  /** Draws the buffer onto `ctx`. */
  blit(ctx) {
    this.ctx.putImageData(this.image, 0, 0);
    ctx.drawImage(this.canvas, 0, 0);
  }
}

/**
 * A pixel buffer drawn on the CPU and put on a canvas in one upload: thin lines blended in
 * (many short strokes, like particle trails, cost a few milliseconds here, where a canvas path
 * of thousands of strokes can stall a software GPU such as SwiftShader for seconds), dots and
 * arrows. The scene shares one between the layers that draw on the CPU (scene.js).
 */
export class LineLayer {
  constructor(width, height) {
    this.pixels = new Uint32Array(width * height);
    this.width = width;
    this.height = height;
    this.canvas = null; // made on the first blit
  }

  clear() { this.pixels.fill(0); }

  /**
   * Blends a line from (ax, ay) to (bx, by), one pixel wide (two with `thick`), in colour
   * `packed` (0xAABBGGRR, alpha ignored) at opacity `alpha` over what is there ("over"
   * compositing, straight alpha).
   */
  line(ax, ay, bx, by, packed, alpha, thick = false) {
    const steps = Math.ceil(Math.max(Math.abs(bx - ax), Math.abs(by - ay)));
    if (!(steps >= 0) || steps > 4 * (this.width + this.height)) return;
    const p = this.pixels;
    const w = this.width;
    const h = this.height;
    const a = Math.round(alpha * 255);
    const r = packed & 255;
    const g = (packed >>> 8) & 255;
    const b = (packed >>> 16) & 255;
    // A thick line adds the neighbour across its main direction.
    const across = Math.abs(bx - ax) >= Math.abs(by - ay) ? w : 1;
    for (let k = 0; k <= (thick ? 2 * steps + 1 : steps); k += 1) {
      const f = steps ? (thick ? k >> 1 : k) / steps : 0;
      const x = Math.round(ax + f * (bx - ax)) + (thick && k & 1 && across === 1 ? 1 : 0);
      const y = Math.round(ay + f * (by - ay)) + (thick && k & 1 && across === w ? 1 : 0);
      if (x < 0 || y < 0 || x >= w || y >= h) continue;
      const i = y * w + x;
      const d = p[i];
      const da = d >>> 24;
      if (da === 0) {
        p[i] = ((a << 24) | (b << 16) | (g << 8) | r) >>> 0;
        continue;
      }
      // out = src·a + dst·da·(1 − a), in units of 255.
      const keep = (da * (255 - a)) / 255;
      const oa = a + keep;
      const mix = (s, t) => Math.round((s * a + t * keep) / oa);
      p[i] = ((Math.round(oa) << 24) | (mix(b, (d >>> 16) & 255) << 16) | (mix(g, (d >>> 8) & 255) << 8) | mix(r, d & 255)) >>> 0;
    }
  }

  /** A filled square of side 2·`r` centred on (x, y). */
  dot(x, y, r, packed, alpha) {
    const side = Math.max(1, Math.round(2 * r));
    const x0 = Math.round(x - side / 2);
    for (let j = 0; j < side; j += 1) this.line(x0, Math.round(y - side / 2) + j, x0 + side - 1, Math.round(y - side / 2) + j, packed, alpha);
  }

  /** An arrow from (ax, ay) to (bx, by) with a head `head` pixels long. */
  arrow(ax, ay, bx, by, head, packed, alpha, thick = false) {
    const len = Math.hypot(bx - ax, by - ay);
    if (len < 1) return;
    const hx = ((bx - ax) / len) * Math.min(head, 0.5 * len);
    const hy = ((by - ay) / len) * Math.min(head, 0.5 * len);
    this.line(ax, ay, bx, by, packed, alpha, thick);
    this.line(bx, by, bx - hx - hy * 0.5, by - hy + hx * 0.5, packed, alpha, thick);
    this.line(bx, by, bx - hx + hy * 0.5, by - hy - hx * 0.5, packed, alpha, thick);
  }

  /** Draws the buffer onto `ctx`. */
  blit(ctx) {
    if (!this.canvas) {
      this.canvas = new OffscreenCanvas(this.width, this.height);
      this.image = new ImageData(new Uint8ClampedArray(this.pixels.buffer), this.width, this.height);
    }
    context2d(this.canvas).putImageData(this.image, 0, 0);
    ctx.drawImage(this.canvas, 0, 0);
  }
}

const GL_VERTEX = `#version 300 es
// Position of a particle between two recorded solver states, in clip space.
in vec2 a;
in vec2 b;
in vec4 colour;
out vec4 tint;
uniform float frac;
uniform vec4 bounds; // xmin, xmax, ymin, ymax
uniform float size;
void main() {
  vec2 p = mix(a, b, frac);
  gl_Position = vec4(2.0 * (p.x - bounds.x) / (bounds.y - bounds.x) - 1.0,
                     2.0 * (p.y - bounds.z) / (bounds.w - bounds.z) - 1.0, 0.0, 1.0);
  gl_PointSize = size;
  tint = colour;
}`;
const GL_POINT = `#version 300 es
precision mediump float;
in vec4 tint;
out vec4 fragment;
void main() { fragment = tint; }`;
const GL_FULLSCREEN = `#version 300 es
void main() {
  // One triangle that covers the viewport, from the vertex index alone.
  vec2 p = vec2(float((gl_VertexID & 1) << 2) - 1.0, float((gl_VertexID & 2) << 1) - 1.0);
  gl_Position = vec4(p, 0.0, 1.0);
}`;

function glProgram(gl, vertex, fragment) {
  const program = gl.createProgram();
  for (const [type, source] of [[gl.VERTEX_SHADER, vertex], [gl.FRAGMENT_SHADER, fragment]]) {
    const shader = gl.createShader(type);
    gl.shaderSource(shader, source);
    gl.compileShader(shader);
    if (!gl.getShaderParameter(shader, gl.COMPILE_STATUS)) throw new Error(gl.getShaderInfoLog(shader));
    gl.attachShader(program, shader);
  }
  gl.linkProgram(program);
  if (!gl.getProgramParameter(program, gl.LINK_STATUS)) throw new Error(gl.getProgramInfoLog(program));
  return program;
}

/** The name of the device behind `gl` (unmasked where the browser allows it). */
function glRenderer(gl) {
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  return String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
}

/**
 * The particle layer on WebGL2, for counts where plotting on the CPU no longer fits a frame.
 * A sample's whole trajectory ([states, n, 2]) is uploaded once; each frame binds two of its
 * states as vertex attributes and the vertex shader interpolates between them, so a frame is
 * one fade pass and one draw call with no per-particle work in JavaScript. Trails: the
 * drawing buffer is kept between frames and faded (premultiplied alpha) by blending.
 */
export class GlParticleLayer {
  /**
   * A layer, or null where WebGL2 is unavailable. With `hardwareOnly`, also null where WebGL
   * is emulated on the CPU (SwiftShader, llvmpipe): there the CPU plot is the faster of the two.
   */
  static create(width, height, { hardwareOnly = false } = {}) {
    const attributes = {
      alpha: true, premultipliedAlpha: true, preserveDrawingBuffer: true, antialias: false, depth: false,
      failIfMajorPerformanceCaveat: hardwareOnly,
    };
    let canvas = typeof OffscreenCanvas === 'undefined' ? null : new OffscreenCanvas(width, height);
    let gl = canvas ? canvas.getContext('webgl2', attributes) : null;
    if (!gl && typeof document !== 'undefined') {
      canvas = document.createElement('canvas');
      canvas.width = width;
      canvas.height = height;
      gl = canvas.getContext('webgl2', attributes);
    }
    if (!gl) return null;
    if (hardwareOnly && /swiftshader|llvmpipe|softpipe|software|basic render/i.test(glRenderer(gl))) {
      const lose = gl.getExtension('WEBGL_lose_context');
      if (lose) lose.loseContext();
      return null;
    }
    try {
      return new GlParticleLayer(canvas, gl, width, height);
    } catch (error) {
      console.warn(`WebGL2 particle layer unavailable: ${error.message}`);
      return null;
    }
  }

  constructor(canvas, gl, width, height) {
    this.canvas = canvas;
    this.gl = gl;
    this.device = glRenderer(gl);
    this.width = width;
    this.height = height;
    this.points = glProgram(gl, GL_VERTEX, GL_POINT);
    this.fader = glProgram(gl, GL_FULLSCREEN, '#version 300 es\nprecision mediump float;\nout vec4 f;\nvoid main() { f = vec4(2.0 / 255.0); }');
    this.loc = {
      a: gl.getAttribLocation(this.points, 'a'),
      b: gl.getAttribLocation(this.points, 'b'),
      frac: gl.getUniformLocation(this.points, 'frac'),
      bounds: gl.getUniformLocation(this.points, 'bounds'),
      size: gl.getUniformLocation(this.points, 'size'),
      colour: gl.getAttribLocation(this.points, 'colour'),
    };
    this.vao = gl.createVertexArray();
    this.buffer = gl.createBuffer();
    this.colours = gl.createBuffer();
    this.uploaded = null;
    this.uploadedColours = null;
    const range = gl.getParameter(gl.ALIASED_POINT_SIZE_RANGE);
    this.maxPoint = range ? range[1] : 1;
    gl.viewport(0, 0, width, height);
    this.clear();
  }

  /** True once the browser has taken the context away (the figure then draws on the CPU). */
  get lost() { return this.gl.isContextLost(); }

  clear() {
    const { gl } = this;
    gl.clearColor(0, 0, 0, 0);
    gl.clear(gl.COLOR_BUFFER_BIT);
  }

  /**
   * Draws `samples` ({trajectory [states, n, 2], n, states}) at fractional state `at` in
   * `colour` (one 0xRRGGBB, or packed per-particle colours: a vertex attribute), after fading
   * the previous frame by `keep` (0: clear; → 1: long trails).
   */
  draw(samples, at, view, colour, size, keep) {
    const { gl, loc } = this;
    const { trajectory, n, states } = samples;
    if (this.uploaded !== trajectory) {
      gl.bindBuffer(gl.ARRAY_BUFFER, this.buffer);
      gl.bufferData(gl.ARRAY_BUFFER, trajectory, gl.STATIC_DRAW);
      this.uploaded = trajectory;
    }
    if (keep > 0) {
      // dst ← keep·dst − 2/255: the subtraction lets faint trails reach zero, which rounding
      // of 8-bit channels would otherwise keep at a few units for ever.
      gl.useProgram(this.fader);
      gl.enable(gl.BLEND);
      gl.blendColor(0, 0, 0, keep);
      gl.blendEquation(gl.FUNC_REVERSE_SUBTRACT);
      gl.blendFunc(gl.ONE, gl.CONSTANT_ALPHA);
      gl.drawArrays(gl.TRIANGLES, 0, 3);
      gl.disable(gl.BLEND);
    } else {
      this.clear();
    }
    const s = Math.min(states - 1, Math.floor(at));
    const next = Math.min(states - 1, s + 1);
    gl.useProgram(this.points);
    gl.bindVertexArray(this.vao);
    gl.bindBuffer(gl.ARRAY_BUFFER, this.buffer);
    gl.enableVertexAttribArray(loc.a);
    gl.vertexAttribPointer(loc.a, 2, gl.FLOAT, false, 8, 8 * s * n);
    gl.enableVertexAttribArray(loc.b);
    gl.vertexAttribPointer(loc.b, 2, gl.FLOAT, false, 8, 8 * next * n);
    gl.uniform1f(loc.frac, next > s ? at - s : 0);
    const [x0, x1, y0, y1] = view.bounds;
    gl.uniform4f(loc.bounds, x0, x1, y0, y1);
    gl.uniform1f(loc.size, Math.min(size, this.maxPoint));
    if (typeof colour === 'number') {
      gl.disableVertexAttribArray(loc.colour);
      gl.vertexAttrib4f(loc.colour, ((colour >> 16) & 255) / 255, ((colour >> 8) & 255) / 255, (colour & 255) / 255, 1);
    } else {
      // Packed 0xAABBGGRR words are RGBA bytes in memory: normalised unsigned bytes.
      gl.bindBuffer(gl.ARRAY_BUFFER, this.colours);
      if (this.uploadedColours !== colour) {
        gl.bufferData(gl.ARRAY_BUFFER, colour, gl.STATIC_DRAW);
        this.uploadedColours = colour;
      }
      gl.enableVertexAttribArray(loc.colour);
      gl.vertexAttribPointer(loc.colour, 4, gl.UNSIGNED_BYTE, true, 4, 0);
    }
    gl.drawArrays(gl.POINTS, 0, n);
    gl.bindVertexArray(null);
  }

  /** Draws the layer onto `ctx`. */
  blit(ctx) {
    ctx.drawImage(this.canvas, 0, 0);
  }

  /** Frees the GPU buffers now rather than at garbage collection. */
  dispose() {
    const { gl } = this;
    gl.deleteBuffer(this.buffer);
    gl.deleteBuffer(this.colours);
    gl.deleteVertexArray(this.vao);
    gl.deleteProgram(this.points);
    gl.deleteProgram(this.fader);
    const lose = gl.getExtension('WEBGL_lose_context');
    if (lose) lose.loseContext();
  }
}

/** The loss curve (log scale) of `losses` at `steps`, with the latest value printed. */
export function drawLossChart(ctx, steps, losses, width, height, colors) {
  ctx.clearRect(0, 0, width, height);
  const finite = [];
  for (let i = 0; i < losses.length; i += 1) if (Number.isFinite(losses[i]) && losses[i] > 0) finite.push(i);
  ctx.fillStyle = colors.text;
  ctx.font = `${Math.round(height / 8)}px system-ui, sans-serif`;
  if (finite.length < 2) {
    ctx.fillText('loss: train to see the curve', 8, height / 2);
    return;
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (const i of finite) {
    const l = Math.log10(losses[i]);
    lo = Math.min(lo, l);
    hi = Math.max(hi, l);
  }
  if (hi - lo < 0.1) { hi += 0.05; lo -= 0.05; }
  const s0 = steps[finite[0]];
  const s1 = steps[finite[finite.length - 1]];
  const pad = 4;
  ctx.strokeStyle = colors.line;
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  finite.forEach((i, k) => {
    const x = pad + ((steps[i] - s0) / Math.max(1, s1 - s0)) * (width - 2 * pad);
    const y = pad + (1 - (Math.log10(losses[i]) - lo) / (hi - lo)) * (height - 2 * pad);
    if (k === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
  });
  ctx.stroke();
  const last = losses[finite[finite.length - 1]];
  ctx.fillText(`loss ${last.toPrecision(4)}  (log scale, ${10 ** lo < 1 ? (10 ** lo).toPrecision(2) : (10 ** lo).toFixed(1)}–${(10 ** hi).toPrecision(2)})`, 8, Math.round(height / 8) + 4);
}
