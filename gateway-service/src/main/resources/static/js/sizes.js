// Image sizes by model family: the presets the size menu offers, and the native size a model defaults to. The
// families are /sdapi/v1/sd-models' "type" (sd1, sd2, sdxl, sdxl-refiner), which sdfleet reads from each
// checkpoint's keys.

/** SDXL's usual sizes: 1024² and its training buckets' common aspect ratios, each about a megapixel. */
export const SDXL_SIZES = [
  [1024, 1024], [1152, 896], [896, 1152], [1216, 832], [832, 1216], [1344, 768], [768, 1344], [1536, 640], [640, 1536],
];

const SD_SIZES = [[512, 512], [768, 512], [512, 768], [768, 768]];

export function isSdxl(type) {
  return type === 'sdxl' || type === 'sdxl-refiner';
}

/** The [width, height] presets for a model family. */
export function presetsFor(type) {
  return isSdxl(type) ? SDXL_SIZES : SD_SIZES;
}

/** The side a family's images default to (the gateway does the same for requests that set no size). */
export function nativeSide(type) {
  return isSdxl(type) ? 1024 : 512;
}

/**
 * Keeps the size menu and the size fields in step with the chosen model: the menu offers the family's presets; a
 * size the user has not typed follows the model's native size (512² for SD, 1024² for SDXL).
 */
export class ModelSizes {
  constructor(model, width, height, preset, typeLabel) {
    Object.assign(this, { model, width, height, preset, typeLabel });
    this.types = new Map();
    for (const field of [width, height]) {
      field.addEventListener('input', () => { this.typed = true; this.markPreset(); });
    }
    preset.addEventListener('change', () => {
      if (preset.value) {
        const [w, h] = preset.value.split('x');
        width.value = w;
        height.value = h;
        this.typed = true;
      }
    });
    model.addEventListener('change', () => this.update());
  }

  /** The catalog's models: [{title, type}]. */
  setModels(models) {
    this.types = new Map(models.map((m) => [m.title, m.type]));
    this.update();
  }

  /** The chosen model's family, or undefined when unknown. */
  type() {
    return this.types.get(this.model.value);
  }

  /** The size fields were set from elsewhere (an infotext, a reused image): they no longer follow the model. */
  sizeSet() {
    this.typed = true;
    this.markPreset();
  }

  update() {
    const type = this.type();
    const presets = presetsFor(type);
    this.preset.replaceChildren(new Option('Custom', ''),
      ...presets.map(([w, h]) => new Option(`${w} × ${h}`, `${w}x${h}`)));
    this.typeLabel.textContent = type ? `(${isSdxl(type) ? 'SDXL' : type.toUpperCase()})` : '';
    if (!this.typed) {
      const side = nativeSide(type);
      this.width.value = side;
      this.height.value = side;
    }
    this.markPreset();
  }

  markPreset() {
    const current = `${this.width.value}x${this.height.value}`;
    this.preset.value = [...this.preset.options].some((o) => o.value === current) ? current : '';
  }
}
