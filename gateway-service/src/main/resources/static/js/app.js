// sdfleet web page: sign-in, txt2img / img2img with a mask painter, live progress, gallery, PNG info.

import {
  ApiError, basic, bearer, blobToBase64, clearCredentials, credentials, getJson, getJsonOptional,
  postJson, saveCredentials, setUnauthorizedHandler,
} from './api.js';
import { PromptBox } from './prompt.js';
import { MaskPainter } from './mask.js';
import { clearErrors, fillFromInfotext, requestBody, showErrors } from './form.js';
import { Jobs } from './jobs.js';
import { Gallery } from './gallery.js';
import { Extras } from './extras.js';
import { isSdxl, ModelSizes } from './sizes.js';

const $ = (id) => document.getElementById(id);

const state = {
  mode: 'txt2img',
  view: 'generate',
  initImage: null, // {base64, width, height}
  lastSeed: null,
  detail: null, // {id, index, parameters, blob}
  authentication: true,
};

// ------------------------------------------------------------------ toast

let toastTimer;
function toast(text) {
  const t = $('toast');
  t.textContent = text;
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.hidden = true; }, 4000);
}

// ------------------------------------------------------------------ sign-in

function showSignIn(message = '') {
  $('app').hidden = true;
  $('main-tabs').hidden = true;
  $('whoami').hidden = true;
  $('sign-out').hidden = true;
  $('signin').hidden = false;
  $('signin-error').textContent = message;
  (document.querySelector('input[name=signin-method]:checked').value === 'key'
    ? $('signin-api-key') : $('signin-user')).focus();
}

async function enter(me) {
  $('signin').hidden = true;
  $('app').hidden = false;
  $('main-tabs').hidden = false;
  $('whoami').hidden = false;
  $('whoami').textContent = me.name + (me.admin ? ' (admin)' : '');
  $('whoami').dataset.user = me.name;
  $('sign-out').hidden = !state.authentication;
  PromptBox.active = true;
  PromptBox.serverCounts = undefined;
  await loadCatalogs();
  resumeActive();
  prompt.update();
  negative.update();
  if (state.view === 'gallery') {
    gallery.show();
  }
}

function signOut(message = '') {
  clearCredentials();
  PromptBox.active = false;
  jobs.clear();
  gallery.reset();
  gallery.hide();
  $('detail').close?.();
  showSignIn(message);
}

setUnauthorizedHandler(() => {
  if (state.authentication) {
    signOut('Your credentials are no longer accepted; sign in again.');
  }
});

for (const radio of document.querySelectorAll('input[name=signin-method]')) {
  radio.addEventListener('change', () => {
    const key = radio.value === 'key' && radio.checked;
    $('signin-key').hidden = !key;
    $('signin-basic').hidden = key;
  });
}

$('signin-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const method = document.querySelector('input[name=signin-method]:checked').value;
  let header;
  if (method === 'key') {
    const key = $('signin-api-key').value.trim();
    if (!key) {
      $('signin-error').textContent = 'Enter an API key.';
      return;
    }
    header = bearer(key);
  } else {
    if (!$('signin-user').value) {
      $('signin-error').textContent = 'Enter your user name and password.';
      return;
    }
    header = basic($('signin-user').value, $('signin-password').value);
  }
  $('signin-submit').disabled = true;
  try {
    const me = await getJson('/api/v1/me', { auth: header });
    saveCredentials({ header, user: me.name });
    $('signin-api-key').value = '';
    $('signin-password').value = '';
    await enter(me);
  } catch (err) {
    $('signin-error').textContent = err instanceof ApiError && err.status === 401
      ? 'Not signed in: the key, or the user and password, were not accepted.'
      : `Not signed in: ${err.message}`;
  } finally {
    $('signin-submit').disabled = false;
  }
});

$('sign-out').addEventListener('click', () => signOut());

// ------------------------------------------------------------------ views and modes

function setView(view) {
  state.view = view;
  $('view-generate').hidden = view !== 'generate';
  $('view-gallery').hidden = view !== 'gallery';
  $('view-extras').hidden = view !== 'extras';
  document.querySelectorAll('#main-tabs .tab').forEach((t) => t.classList.toggle('active', t.dataset.view === view));
  if (view === 'gallery') {
    gallery.show();
  } else {
    gallery.hide();
  }
}

function setMode(mode) {
  state.mode = mode;
  document.querySelectorAll('.mode-tabs .tab').forEach((t) => t.classList.toggle('active', t.dataset.mode === mode));
  document.querySelectorAll('.txt2img-only').forEach((e) => { e.hidden = mode !== 'txt2img'; });
  document.querySelectorAll('.img2img-only').forEach((e) => { e.hidden = mode !== 'img2img'; });
  clearErrors();
}

document.querySelectorAll('#main-tabs .tab').forEach((t) => t.addEventListener('click', () => setView(t.dataset.view)));
document.querySelectorAll('.mode-tabs .tab').forEach((t) => t.addEventListener('click', () => setMode(t.dataset.mode)));

// ------------------------------------------------------------------ catalogs: samplers, schedulers, models, networks

function fillSelect(select, entries, keep) {
  const previous = keep ? select.value : null;
  const fixed = [...select.options].filter((o) => o.dataset.fixed === 'true');
  select.replaceChildren(...fixed);
  for (const [value, label] of entries) {
    const option = document.createElement('option');
    option.value = value;
    option.textContent = label;
    select.append(option);
  }
  if (previous && [...select.options].some((o) => o.value === previous)) {
    select.value = previous;
  }
}

async function loadCatalogs() {
  const [samplers, schedulers, models, vaes, options, latentModes, upscalers, restorers] = await Promise.all([
    getJson('/sdapi/v1/samplers'), getJson('/sdapi/v1/schedulers'), getJson('/sdapi/v1/sd-models'),
    getJson('/sdapi/v1/sd-vae'), getJson('/sdapi/v1/options'),
    getJson('/sdapi/v1/latent-upscale-modes'), getJson('/sdapi/v1/upscalers'), getJson('/sdapi/v1/face-restorers'),
  ]);
  // Restore faces: the restorers the fleet has files for; without any the box cannot be ticked
  fillSelect($('face_restorer'), restorers.map((r) => [r.name, r.name]), true);
  if (options.face_restoration_model && restorers.some((r) => r.name === options.face_restoration_model)) {
    $('face_restorer').value = options.face_restoration_model;
  }
  $('restore_faces').disabled = restorers.length === 0;
  $('restore_faces').title = restorers.length === 0 ? 'No face restorer in this fleet (models/GFPGAN, models/Codeformer)' : '';
  // A1111's hires-fix choices: the latent modes, then every upscaler the fleet has (built-ins, ESRGAN, Real-ESRGAN)
  fillSelect($('hr_upscaler'), [...latentModes, ...upscalers].map((u) => [u.name, u.name]), true);
  extras.setUpscalers(upscalers);
  fillSelect($('sampler_name'), samplers.map((s) => [s.name, s.name]), true);
  if (!$('sampler_name').dataset.touched) {
    $('sampler_name').value = samplers.some((s) => s.name === 'Euler') ? 'Euler' : samplers[0]?.name;
  }
  fillSelect($('scheduler'), schedulers.map((s) => [s.name, s.label]), true);
  if (!$('scheduler').dataset.touched) {
    $('scheduler').value = 'automatic';
  }
  fillSelect($('model'), models.map((m) => [m.title, m.model_name]), true);
  if (!$('model').dataset.touched && options.sd_model_checkpoint) {
    const def = models.find((m) => m.title === options.sd_model_checkpoint || m.model_name === options.sd_model_checkpoint);
    if (def) {
      $('model').value = def.title;
    }
  }
  sizes.setModels(models);
  // A1111 takes any checkpoint as the refiner; SDXL's refiners and bases are the ones that make sense: refiners first
  const refiners = models.filter((m) => isSdxl(m.type))
    .sort((a, b) => (a.type === 'sdxl-refiner' ? 0 : 1) - (b.type === 'sdxl-refiner' ? 0 : 1));
  fillSelect($('refiner_checkpoint'), refiners.map((m) => [m.title, m.model_name]), true);
  const vae = $('vae');
  vae.options[0].dataset.fixed = 'true';
  fillSelect(vae, vaes.map((v) => [v.model_name, v.model_name]), true);
  loadNetworks();
}

async function loadNetworks() {
  const list = $('networks-list');
  const status = $('networks-status');
  list.replaceChildren();
  const found = [];
  const notes = [];
  try {
    const loras = await getJsonOptional('/sdapi/v1/loras');
    if (loras === null) {
      notes.push('LoRA list not available on this gateway');
    } else {
      for (const l of loras) {
        found.push({ kind: 'lora', name: l.name, text: `<lora:${l.name}:1>`, title: l.alias || l.path || l.name });
      }
    }
  } catch (e) {
    notes.push(`LoRAs: ${e.message}`);
  }
  try {
    const embeddings = await getJsonOptional('/sdapi/v1/embeddings');
    if (embeddings === null) {
      notes.push('embedding list not available on this gateway');
    } else {
      for (const name of Object.keys(embeddings.loaded ?? {})) {
        found.push({ kind: 'embedding', name, text: name, title: `textual inversion ${name}` });
      }
    }
  } catch (e) {
    notes.push(`embeddings: ${e.message}`);
  }
  for (const n of found) {
    const chip = document.createElement('button');
    chip.type = 'button';
    chip.className = `chip ${n.kind}`;
    chip.textContent = n.name;
    chip.title = `${n.kind}: insert ${n.text}`;
    chip.dataset.name = n.name.toLowerCase();
    chip.addEventListener('click', () => insertIntoPrompt(n.text));
    list.append(chip);
  }
  if (!found.length && !notes.length) {
    notes.push('no LoRAs or embeddings in models/Lora and models/embeddings');
  }
  status.textContent = notes.join(' · ');
}

$('networks-toggle').addEventListener('click', () => { $('networks').hidden = !$('networks').hidden; });
$('networks-filter').addEventListener('input', () => {
  const q = $('networks-filter').value.toLowerCase();
  $('networks-list').querySelectorAll('.chip').forEach((c) => { c.hidden = !c.dataset.name.includes(q); });
});

let lastPromptBox = 'prompt';
$('prompt').addEventListener('focus', () => { lastPromptBox = 'prompt'; });
$('negative_prompt').addEventListener('focus', () => { lastPromptBox = 'negative_prompt'; });

function insertIntoPrompt(text) {
  const area = $(lastPromptBox);
  const start = area.selectionStart ?? area.value.length;
  const end = area.selectionEnd ?? area.value.length;
  const before = area.value.slice(0, start);
  const sep = before && !/[\s,]$/.test(before) ? ', ' : '';
  area.value = before + sep + text + area.value.slice(end);
  const caret = (before + sep + text).length;
  area.focus();
  area.setSelectionRange(caret, caret);
  (lastPromptBox === 'prompt' ? prompt : negative).update();
}

for (const id of ['sampler_name', 'scheduler', 'model']) {
  $(id).addEventListener('change', () => { $(id).dataset.touched = 'true'; });
}

// ------------------------------------------------------------------ prompt boxes

const prompt = new PromptBox($('prompt'), $('prompt-highlight'), $('prompt-tokens'), $('steps'));
const negative = new PromptBox($('negative_prompt'), $('negative-highlight'), $('negative-tokens'), $('steps'));

// ------------------------------------------------------------------ seed and size

const sizes = new ModelSizes($('model'), $('width'), $('height'), $('size-preset'), $('model-type'));

$('seed-random').addEventListener('click', () => { $('seed').value = -1; });
$('seed-reuse').addEventListener('click', () => {
  if (state.lastSeed != null) {
    $('seed').value = state.lastSeed;
  } else {
    toast('no image yet whose seed could be reused');
  }
});
$('swap-size').addEventListener('click', () => {
  const w = $('width').value;
  $('width').value = $('height').value;
  $('height').value = w;
  sizes.sizeSet();
});
$('refiner_enabled').addEventListener('change', () => { if ($('refiner_enabled').checked) { $('refiner').open = true; } });
$('enable_hr').addEventListener('change', () => { if ($('enable_hr').checked) { $('hires').open = true; } });

// ------------------------------------------------------------------ img2img: init image and mask

const painter = new MaskPainter($('mask-canvas'), $('brush-size'), $('mask-erase'));

function loadImage(src) {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error('not an image the browser can read'));
    img.src = src;
  });
}

/** Makes a Blob/File the init image (as PNG) and opens the mask painter on it. */
async function setInitImage(blob) {
  const url = URL.createObjectURL(blob);
  try {
    const img = await loadImage(url);
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    canvas.getContext('2d').drawImage(img, 0, 0);
    state.initImage = {
      base64: canvas.toDataURL('image/png').replace(/^data:[^,]*,/, ''),
      width: img.naturalWidth,
      height: img.naturalHeight,
    };
    $('init-preview').src = url;
    $('init-preview').classList.toggle('small', img.naturalWidth < 256);
    painter.reset(img.naturalWidth, img.naturalHeight);
    $('mask-editor').hidden = false;
    $('init-drop').querySelector('.hint').textContent = `${img.naturalWidth}×${img.naturalHeight} · choose or drop another`;
  } catch (e) {
    URL.revokeObjectURL(url);
    toast(e.message);
  }
}

$('init-file').addEventListener('change', () => {
  const file = $('init-file').files[0];
  if (file) {
    setInitImage(file);
  }
  $('init-file').value = '';
});
$('init-drop').addEventListener('dragover', (e) => { e.preventDefault(); e.stopPropagation(); $('init-drop').classList.add('over'); });
$('init-drop').addEventListener('dragleave', () => $('init-drop').classList.remove('over'));
$('init-drop').addEventListener('drop', (e) => {
  e.preventDefault();
  e.stopPropagation();
  $('init-drop').classList.remove('over');
  $('drop-overlay').hidden = true;
  const file = e.dataTransfer?.files?.[0];
  if (file) {
    setInitImage(file);
  }
});
$('mask-invert').addEventListener('click', () => painter.invert());
$('mask-clear').addEventListener('click', () => painter.clear());
$('init-remove').addEventListener('click', () => {
  state.initImage = null;
  $('mask-editor').hidden = true;
  $('init-preview').removeAttribute('src');
  $('init-drop').querySelector('.hint').textContent = 'choose or drop an image here';
});

// ------------------------------------------------------------------ generate

const jobs = new Jobs($('jobs'), $('jobs-empty'), {
  onOpen: (id, index) => openDetail(id, index),
  onImage: (id, index, seed, blob) => {
    if (seed != null) {
      state.lastSeed = seed;
    }
    gallery.addFresh(id, index, seed, blob, requests.get(id) ?? {});
  },
  toast,
});
const requests = new Map(); // id → body sent, for the gallery's captions

async function generate() {
  clearErrors();
  const body = requestBody(state.mode);
  if (state.mode === 'img2img') {
    if (!state.initImage) {
      showErrors(new ApiError(400, { errors: [{ field: 'init_images', message: 'choose an init image first' }] }));
      return;
    }
    body.init_images = [state.initImage.base64];
    if (painter.hasMask()) {
      body.mask = painter.toBase64();
    }
  }
  $('generate').disabled = true;
  try {
    const accepted = await postJson('/api/v1/generations', body);
    requests.set(accepted.id, body);
    jobs.track(accepted, body);
  } catch (e) {
    if (e instanceof ApiError) {
      showErrors(e);
      if (e.status === 429) {
        toast(e.message);
      }
    } else {
      $('form-error').textContent = e.message;
    }
  } finally {
    $('generate').disabled = false;
  }
}

$('gen-form').addEventListener('submit', (e) => {
  e.preventDefault();
  generate();
});
document.addEventListener('keydown', (e) => {
  if ((e.ctrlKey || e.metaKey) && e.key === 'Enter' && !$('app').hidden) {
    e.preventDefault();
    if (state.view !== 'generate') {
      setView('generate');
    }
    generate();
  }
});

/** Requests still queued or running from before a reload: follow them again. */
async function resumeActive() {
  try {
    const recent = await getJson('/api/v1/generations?limit=10');
    for (const r of recent.reverse()) {
      if (r.state === 'queued' || r.state === 'running') {
        jobs.track({ id: r.id, seed: r.seed, images: r.images }, { prompt: r.prompt }, r.state);
      }
    }
  } catch {
    // the list is a convenience
  }
}

// ------------------------------------------------------------------ gallery and detail

const gallery = new Gallery({
  grid: $('gallery-grid'),
  sentinel: $('gallery-sentinel'),
  status: $('gallery-status'),
  text: $('filter-text'),
  model: $('filter-model'),
  from: $('filter-from'),
  to: $('filter-to'),
  onOpen: (id, index) => openDetail(id, index),
});
// the Extras tab's result goes to the gallery like a generated image
const extras = new Extras({
  onStored: (id, index, blob) => gallery.addFresh(id, index, null, blob, { prompt: '', mode: 'extras' }),
  toast,
});
$('gallery-refresh').addEventListener('click', () => {
  gallery.reset();
  gallery.show();
});

async function pngInfo(blob) {
  return postJson('/sdapi/v1/png-info', { image: await blobToBase64(blob) });
}

async function openDetail(id, index) {
  const dialog = $('detail');
  $('detail-title').textContent = `Image ${index + 1} of request ${id.slice(0, 8)}`;
  $('detail-info').textContent = 'reading parameters…';
  $('detail-img').removeAttribute('src');
  state.detail = { id, index, parameters: null, blob: null };
  if (!dialog.open) {
    dialog.showModal();
  }
  try {
    const blob = await gallery.blob(id, index);
    const url = URL.createObjectURL(blob);
    $('detail-img').src = url;
    $('detail-download').href = url;
    $('detail-download').download = `sdfleet-${id}-${index}.png`;
    const info = await pngInfo(blob);
    state.detail = { id, index, parameters: info.parameters, blob };
    // an Extras result carries A1111's postprocessing text (and the source's parameters, if it had them)
    const postprocessing = info.items?.postprocessing;
    $('detail-info').textContent = [info.info, postprocessing].filter(Boolean).join('\n') || '(no parameters in this PNG)';
  } catch (e) {
    $('detail-info').textContent = `could not load: ${e.message}`;
  }
}

function applyParameters(parameters, source) {
  const missing = fillFromInfotext(parameters);
  if (parameters.Size) {
    sizes.sizeSet();
  }
  sizes.update();
  prompt.update();
  negative.update();
  clearErrors();
  toast(missing.length ? `${source}: parameters filled in; not on this gateway: ${missing.join(', ')}`
    : `${source}: parameters filled in`);
}

$('detail-reuse').addEventListener('click', () => {
  if (!state.detail?.parameters) {
    return;
  }
  applyParameters(state.detail.parameters, 'reused');
  $('detail').close();
  setView('generate');
});
$('detail-img2img').addEventListener('click', async () => {
  if (!state.detail?.blob) {
    return;
  }
  if (state.detail.parameters) {
    applyParameters(state.detail.parameters, 'sent to img2img');
  }
  await setInitImage(state.detail.blob);
  $('detail').close();
  setView('generate');
  setMode('img2img');
});

// ------------------------------------------------------------------ PNG info: drop anywhere, or pick a file

async function readPngParameters(file) {
  if (!file || !(file.type === 'image/png' || /\.png$/i.test(file.name))) {
    toast('drop a PNG made by sdfleet or A1111 to read its parameters');
    return;
  }
  try {
    const info = await pngInfo(file);
    if (!info.info) {
      toast(`${file.name}: no parameters in this PNG`);
      return;
    }
    applyParameters(info.parameters, file.name);
    setView('generate');
  } catch (e) {
    toast(`${file.name}: ${e.message}`);
  }
}

let dragDepth = 0;
document.addEventListener('dragenter', (e) => {
  if ($('app').hidden || !e.dataTransfer?.types?.includes('Files')) {
    return;
  }
  dragDepth++;
  $('drop-overlay').hidden = false;
});
document.addEventListener('dragleave', () => {
  dragDepth = Math.max(0, dragDepth - 1);
  if (!dragDepth) {
    $('drop-overlay').hidden = true;
  }
});
document.addEventListener('dragover', (e) => e.preventDefault());
document.addEventListener('drop', (e) => {
  e.preventDefault();
  dragDepth = 0;
  $('drop-overlay').hidden = true;
  if (!$('app').hidden) {
    readPngParameters(e.dataTransfer?.files?.[0]);
  }
});
$('open-png').addEventListener('click', () => $('open-png-file').click());
$('open-png-file').addEventListener('change', () => {
  readPngParameters($('open-png-file').files[0]);
  $('open-png-file').value = '';
});

// ------------------------------------------------------------------ start

async function start() {
  setMode('txt2img');
  setView('generate');
  try {
    const config = await (await fetch('/ui/config')).json();
    state.authentication = config.authentication !== false;
  } catch {
    state.authentication = true;
  }
  if (!state.authentication) {
    // local development: no credentials; the gateway calls everyone "anonymous" (or X-Sdfleet-User)
    await enter(await getJson('/api/v1/me'));
    return;
  }
  if (!credentials()) {
    showSignIn();
    return;
  }
  try {
    await enter(await getJson('/api/v1/me'));
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 401)) {
      showSignIn(`Could not reach the gateway: ${e.message}`);
    }
  }
}

start();
// for tests and the console
window.sdfleet = { state, jobs, gallery };

