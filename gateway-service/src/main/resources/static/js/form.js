// The generation form: its values as an A1111 request body, filled back from an infotext, and API errors shown
// next to the field they name.

const $ = (id) => document.getElementById(id);

function num(id) {
  const v = $(id).value.trim();
  return v === '' ? undefined : Number(v);
}

/** The A1111 request body of the form for a mode ("txt2img" or "img2img"); init image and mask added by the caller. */
export function requestBody(mode) {
  const body = {
    prompt: $('prompt').value,
    negative_prompt: $('negative_prompt').value,
    sampler_name: $('sampler_name').value || undefined,
    scheduler: $('scheduler').value || undefined,
    steps: num('steps'),
    cfg_scale: num('cfg_scale'),
    seed: num('seed'),
    width: num('width'),
    height: num('height'),
    n_iter: num('n_iter'),
    batch_size: num('batch_size'),
  };
  const overrides = {};
  if ($('model').value) {
    overrides.sd_model_checkpoint = $('model').value;
  }
  if ($('vae').value) {
    overrides.sd_vae = $('vae').value;
  }
  if ($('restore_faces').checked) {
    body.restore_faces = true;
    if ($('face_restorer').value) {
      overrides.face_restoration_model = $('face_restorer').value;
    }
  }
  if (Object.keys(overrides).length) {
    body.override_settings = overrides;
  }
  if ($('refiner_enabled').checked && $('refiner_checkpoint').value) {
    body.refiner_checkpoint = $('refiner_checkpoint').value;
    body.refiner_switch_at = num('refiner_switch_at');
  }
  if (mode === 'txt2img' && $('enable_hr').checked) {
    Object.assign(body, {
      enable_hr: true,
      hr_upscaler: $('hr_upscaler').value,
      hr_scale: num('hr_scale'),
      hr_second_pass_steps: num('hr_second_pass_steps'),
      denoising_strength: num('hr_denoising_strength'),
    });
  }
  if (mode === 'img2img') {
    Object.assign(body, {
      denoising_strength: num('denoising_strength'),
      resize_mode: Number($('resize_mode').value),
      mask_blur: num('mask_blur'),
      inpainting_fill: Number($('inpainting_fill').value),
      inpaint_full_res: $('inpaint_full_res').checked,
      inpainting_mask_invert: $('inpainting_mask_invert').checked ? 1 : 0,
    });
  }
  return body;
}

function setSelect(select, value) {
  if (value === undefined || value === null) {
    return false;
  }
  const v = String(value).toLowerCase();
  const stem = (s) => s.toLowerCase().replace(/\.(safetensors|ckpt|pt|bin)$/, '');
  for (const option of select.options) {
    if (option.value.toLowerCase() === v || option.textContent.toLowerCase() === v || stem(option.value) === stem(v)) {
      select.value = option.value;
      return true;
    }
  }
  return false;
}

function setValue(id, value) {
  if (value !== undefined && value !== null && value !== '') {
    $(id).value = value;
  }
}

/**
 * Fills the form from png-info's parsed parameters ({"Prompt", "Negative prompt", "Steps", "Sampler", ...}).
 * Returns the names of the values that matched nothing on this gateway (e.g. an unknown model).
 */
export function fillFromInfotext(p) {
  const missing = [];
  $('prompt').value = p.Prompt ?? '';
  $('negative_prompt').value = p['Negative prompt'] ?? '';
  setValue('steps', p.Steps);
  setValue('cfg_scale', p['CFG scale']);
  setValue('seed', p.Seed);
  if (p.Size) {
    const [w, h] = String(p.Size).split('x');
    setValue('width', w);
    setValue('height', h);
  }
  if (p.Sampler) {
    // legacy combined names ("DPM++ 2M Karras") carry the schedule type
    let sampler = String(p.Sampler);
    let schedule = p['Schedule type'];
    if (!setSelect($('sampler_name'), sampler)) {
      const m = /^(.*) (Karras|Exponential)$/.exec(sampler);
      if (m && setSelect($('sampler_name'), m[1])) {
        schedule = schedule ?? m[2];
      } else {
        missing.push(`sampler ${sampler}`);
      }
    }
    if (!setSelect($('scheduler'), schedule ?? 'Automatic')) {
      missing.push(`schedule type ${schedule}`);
    }
  }
  if (p.Model && !setSelect($('model'), p.Model)) {
    missing.push(`model ${p.Model}`);
  }
  if (p.VAE) {
    if (!setSelect($('vae'), p.VAE)) {
      missing.push(`VAE ${p.VAE}`);
    }
  } else {
    $('vae').value = '';
  }
  // A1111 writes "Refiner: name [shorthash], Refiner switch at: 0.8"
  const refiner = p.Refiner === undefined ? undefined : String(p.Refiner).replace(/\s*\[[0-9a-fA-F]+\]$/, '');
  $('refiner_enabled').checked = refiner !== undefined && setSelect($('refiner_checkpoint'), refiner);
  $('refiner').open = $('refiner_enabled').checked;
  if (refiner !== undefined && !$('refiner_enabled').checked) {
    missing.push(`refiner ${refiner}`);
  }
  setValue('refiner_switch_at', p['Refiner switch at']);
  $('restore_faces').checked = p['Face restoration'] !== undefined && !$('restore_faces').disabled;
  setSelect($('face_restorer'), p['Face restoration']);
  const hires = p['Hires upscale'] !== undefined || p['Hires resize'] !== undefined || p['Hires upscaler'] !== undefined;
  $('enable_hr').checked = hires;
  $('hires').open = hires;
  if (hires) {
    setValue('hr_scale', p['Hires upscale']);
    setSelect($('hr_upscaler'), p['Hires upscaler']);
    setValue('hr_second_pass_steps', p['Hires steps'] ?? 0);
    setValue('hr_denoising_strength', p['Denoising strength']);
  } else if (p['Denoising strength'] !== undefined) {
    setValue('denoising_strength', p['Denoising strength']);
  }
  setValue('mask_blur', p['Mask blur']);
  return missing;
}

/** Clears the error marks of the last request. */
export function clearErrors() {
  document.querySelectorAll('.field.invalid').forEach((f) => f.classList.remove('invalid'));
  document.querySelectorAll('.field-error').forEach((e) => { e.textContent = ''; });
  $('form-error').textContent = '';
}

/**
 * Puts each problem+json error next to the field it names (errors[].field, e.g. "steps" or
 * "override_settings.sd_model_checkpoint"); what names no visible field goes to the form's error line.
 */
export function showErrors(error) {
  clearErrors();
  const rest = [];
  for (const { field, message } of error.fieldErrors) {
    const name = String(field ?? '');
    const candidates = name ? [...document.querySelectorAll(`[data-error-for="${CSS.escape(name)}"]`)] : [];
    // the same API field can sit in two panels (denoising_strength: hires fix, img2img): the visible one
    const target = candidates.find((el) => el.parentElement?.offsetParent !== null) ?? candidates[0];
    if (target) {
      target.textContent = target.textContent ? `${target.textContent}; ${message}` : message;
      target.closest('.field')?.classList.add('invalid');
    } else {
      rest.push(name ? `${name}: ${message}` : message);
    }
  }
  if (!error.fieldErrors.length) {
    rest.push(error.message);
  }
  $('form-error').textContent = rest.join('\n');
  document.querySelector('.field.invalid')?.scrollIntoView({ block: 'center' });
}
