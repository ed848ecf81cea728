// The Extras tab: one image upscaled and/or face-restored by the fleet (A1111's POST /sdapi/v1/extra-single-image).
import { ApiError, getJson, postJson } from './api.js';

const $ = (id) => document.getElementById(id);

export class Extras {
  /** @param onStored (id, index, blob) once the result is stored, for the gallery */
  constructor({ onStored, toast }) {
    Object.assign(this, { onStored, toast });
    this.image = null; // base64 PNG of the source
    $('extras-file').addEventListener('change', () => {
      const file = $('extras-file').files[0];
      if (file) {
        this.setImage(file);
      }
      $('extras-file').value = '';
    });
    const drop = $('extras-drop');
    drop.addEventListener('dragover', (e) => { e.preventDefault(); e.stopPropagation(); drop.classList.add('over'); });
    drop.addEventListener('dragleave', () => drop.classList.remove('over'));
    drop.addEventListener('drop', (e) => {
      e.preventDefault();
      e.stopPropagation();
      drop.classList.remove('over');
      $('drop-overlay').hidden = true;
      const file = e.dataTransfer?.files?.[0];
      if (file) {
        this.setImage(file);
      }
    });
    $('extras-form').addEventListener('submit', (e) => {
      e.preventDefault();
      this.run();
    });
  }

  /** The upscalers the fleet lists, in both selects. */
  setUpscalers(upscalers) {
    for (const select of [$('upscaler_1'), $('upscaler_2')]) {
      const previous = select.value;
      select.replaceChildren(...upscalers.map((u) => new Option(u.name, u.name)));
      if ([...select.options].some((o) => o.value === previous)) {
        select.value = previous;
      }
    }
  }

  /** Any image the browser reads, sent as PNG. */
  async setImage(blob) {
    const url = URL.createObjectURL(blob);
    try {
      const img = await new Promise((resolve, reject) => {
        const i = new Image();
        i.onload = () => resolve(i);
        i.onerror = () => reject(new Error('not an image the browser can read'));
        i.src = url;
      });
      const canvas = document.createElement('canvas');
      canvas.width = img.naturalWidth;
      canvas.height = img.naturalHeight;
      canvas.getContext('2d').drawImage(img, 0, 0);
      this.image = canvas.toDataURL('image/png').replace(/^data:[^,]*,/, '');
      $('extras-preview').src = url;
      $('extras-preview').hidden = false;
      $('extras-drop').querySelector('.hint').textContent = `${img.naturalWidth}×${img.naturalHeight} · choose or drop another`;
    } catch (e) {
      URL.revokeObjectURL(url);
      this.toast(e.message);
    }
  }

  body() {
    const number = (id) => Number($(id).value);
    return {
      image: this.image,
      resize_mode: 0,
      upscaling_resize: number('upscaling_resize'),
      upscaler_1: $('upscaler_1').value,
      upscaler_2: $('upscaler_2').value,
      extras_upscaler_2_visibility: number('extras_upscaler_2_visibility'),
      gfpgan_visibility: number('gfpgan_visibility'),
      codeformer_visibility: number('codeformer_visibility'),
      codeformer_weight: number('codeformer_weight'),
    };
  }

  clearErrors() {
    const view = $('view-extras');
    view.querySelectorAll('.field.invalid').forEach((f) => f.classList.remove('invalid'));
    view.querySelectorAll('.field-error').forEach((e) => { e.textContent = ''; });
    $('extras-error').textContent = '';
  }

  showErrors(error) {
    const rest = [];
    for (const { field, message } of error.fieldErrors ?? []) {
      const target = $('view-extras').querySelector(`[data-error-for="${CSS.escape(String(field ?? ''))}"]`);
      if (target) {
        target.textContent = message;
        target.closest('.field')?.classList.add('invalid');
      } else {
        rest.push(field ? `${field}: ${message}` : message);
      }
    }
    if (!error.fieldErrors?.length) {
      rest.push(error.message);
    }
    $('extras-error').textContent = rest.join('\n');
  }

  async run() {
    this.clearErrors();
    if (!this.image) {
      this.showErrors({ fieldErrors: [{ field: 'image', message: 'choose an image first' }] });
      return;
    }
    $('extras-run').disabled = true;
    $('extras-status').textContent = 'queued on the fleet…';
    try {
      const response = await postJson('/sdapi/v1/extra-single-image', this.body());
      if (!response.image) {
        throw new Error(response.detail ?? 'no image came back');
      }
      const blob = await (await fetch(`data:image/png;base64,${response.image}`)).blob();
      $('extras-result').src = URL.createObjectURL(blob);
      $('extras-result').hidden = false;
      // html_info is A1111's <p>infotext</p>: shown as text (DOMParser runs nothing)
      $('extras-info').textContent = new DOMParser().parseFromString(response.html_info ?? '', 'text/html').body.textContent;
      $('extras-status').textContent = 'done · in the gallery';
      const [latest] = await getJson('/api/v1/generations?limit=1');
      if (latest?.mode === 'extras') {
        this.onStored(latest.id, 0, blob);
      }
    } catch (e) {
      $('extras-status').textContent = '';
      if (e instanceof ApiError) {
        this.showErrors(e);
      } else {
        $('extras-error').textContent = e.message;
      }
    } finally {
      $('extras-run').disabled = false;
    }
  }
}
