// The inpainting mask painter: a canvas at the init image's own resolution laid over it. Painted pixels are the
// area to repaint; the mask goes to the API as a PNG, white = repaint, black = keep.

export class MaskPainter {
  constructor(canvas, brushInput, eraseInput) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d', { willReadFrequently: true });
    this.brush = brushInput;
    this.erase = eraseInput;
    this.painted = false;
    this.last = null;
    canvas.addEventListener('pointerdown', (e) => this.down(e));
    canvas.addEventListener('pointermove', (e) => this.move(e));
    for (const type of ['pointerup', 'pointercancel', 'pointerleave']) {
      canvas.addEventListener(type, () => { this.last = null; });
    }
  }

  /** A fresh, empty mask the size of the image. */
  reset(width, height) {
    this.canvas.width = width;
    this.canvas.height = height;
    this.clear();
  }

  clear() {
    this.ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    this.painted = false;
  }

  /** Painted becomes unpainted and the other way round. */
  invert() {
    const { width, height } = this.canvas;
    const img = this.ctx.getImageData(0, 0, width, height);
    const d = img.data;
    for (let i = 0; i < d.length; i += 4) {
      d[i] = 255;
      d[i + 1] = 255;
      d[i + 2] = 255;
      d[i + 3] = 255 - d[i + 3];
    }
    this.ctx.putImageData(img, 0, 0);
    this.painted = true;
  }

  /** Image coordinates of a pointer event (the canvas is shown scaled). */
  point(e) {
    const r = this.canvas.getBoundingClientRect();
    return {
      x: ((e.clientX - r.left) / r.width) * this.canvas.width,
      y: ((e.clientY - r.top) / r.height) * this.canvas.height,
      scale: this.canvas.width / r.width,
    };
  }

  down(e) {
    e.preventDefault();
    this.canvas.setPointerCapture?.(e.pointerId);
    this.last = this.point(e);
    this.stroke(this.last, this.last);
  }

  move(e) {
    if (!this.last || (e.buttons === 0 && e.pointerType === 'mouse')) {
      return;
    }
    const p = this.point(e);
    this.stroke(this.last, p);
    this.last = p;
  }

  stroke(from, to) {
    const c = this.ctx;
    c.save();
    c.globalCompositeOperation = this.erase.checked ? 'destination-out' : 'source-over';
    c.strokeStyle = '#fff';
    c.fillStyle = '#fff';
    c.lineCap = 'round';
    c.lineJoin = 'round';
    c.lineWidth = Number(this.brush.value) * to.scale;
    c.beginPath();
    c.moveTo(from.x, from.y);
    c.lineTo(to.x + 0.01, to.y);
    c.stroke();
    c.restore();
    if (!this.erase.checked) {
      this.painted = true;
    }
  }

  /** True when any pixel is marked for repainting. */
  hasMask() {
    if (!this.painted || !this.canvas.width) {
      return false;
    }
    const d = this.ctx.getImageData(0, 0, this.canvas.width, this.canvas.height).data;
    for (let i = 3; i < d.length; i += 4) {
      if (d[i] > 0) {
        return true;
      }
    }
    return false;
  }

  /** The mask as a bare base64 PNG: white where painted, black elsewhere, opaque. */
  toBase64() {
    const out = document.createElement('canvas');
    out.width = this.canvas.width;
    out.height = this.canvas.height;
    const c = out.getContext('2d');
    c.fillStyle = '#000';
    c.fillRect(0, 0, out.width, out.height);
    c.drawImage(this.canvas, 0, 0);
    return out.toDataURL('image/png').replace(/^data:[^,]*,/, '');
  }
}
