// Requests in flight: one card per request, fed by its server-sent events (read with fetch, since EventSource
// cannot send the Authorization header), live previews polled from /sdapi/v1/progress?force_task_id=<id>.

import { apiFetch, getBlob, getJson, streamEvents } from './api.js';

const OVER = new Set(['finished', 'failed', 'cancelled']);

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) {
    e.className = cls;
  }
  if (text !== undefined) {
    e.textContent = text;
  }
  return e;
}

export class Jobs {
  /**
   * @param container the list of cards
   * @param empty the hint shown when the list is empty
   * @param hooks {onImage(id, index, seed, blob), onOpen(id, index), onOver(id, state), toast(text)}
   */
  constructor(container, empty, hooks) {
    this.container = container;
    this.empty = empty;
    this.hooks = hooks;
    this.cards = new Map();
  }

  /** Follows a request: {id, seed, images} as POST /api/v1/generations answered, and the body sent. */
  track(accepted, body = {}, initialState = 'queued') {
    if (this.cards.has(accepted.id)) {
      return;
    }
    const job = {
      id: accepted.id,
      seed: accepted.seed,
      images: accepted.images ?? (body.n_iter ?? 1) * (body.batch_size ?? 1),
      batch: body.batch_size ?? 1,
      nIter: body.n_iter ?? 1,
      state: initialState,
      progress: 0,
      lastPoll: 0,
      previewSeen: false,
      abort: new AbortController(),
    };
    this.cards.set(job.id, job);
    const card = el('div', `job ${job.state}`);
    card.dataset.id = job.id;
    card.dataset.state = job.state;
    const prompt = el('div', 'prompt', body.prompt || '(empty prompt)');
    prompt.title = body.prompt || '';
    const bar = el('div', 'bar');
    const fill = el('div');
    bar.append(fill);
    const status = el('div', 'status', 'queued');
    const row = el('div', 'inline');
    const preview = el('img', 'preview');
    preview.alt = 'live preview';
    preview.hidden = true;
    const thumbs = el('div', 'thumbs');
    row.append(preview, thumbs);
    const buttons = el('div', 'buttons');
    const cancel = el('button', 'secondary cancel', 'Cancel');
    cancel.type = 'button';
    cancel.addEventListener('click', () => this.cancel(job));
    const skip = el('button', 'secondary skip', 'Skip batch');
    skip.type = 'button';
    skip.title = 'Skip the batch now running (A1111 skip); the rest goes on';
    skip.addEventListener('click', () => this.skip(job));
    const dismiss = el('button', 'secondary dismiss', 'Dismiss');
    dismiss.type = 'button';
    dismiss.hidden = true;
    dismiss.addEventListener('click', () => this.remove(job));
    buttons.append(cancel, skip, dismiss);
    card.append(prompt, bar, status, row, buttons);
    Object.assign(job, { card, fill, status, preview, thumbs, cancel, skip, dismiss });
    this.container.prepend(card);
    this.empty.hidden = true;
    this.follow(job);
  }

  async follow(job) {
    const poller = setInterval(() => this.pollPreview(job), 1000);
    try {
      await streamEvents(`/api/v1/generations/${job.id}/events`, (name, data) => this.event(job, name, data),
        job.abort.signal);
    } catch (e) {
      if (e.name !== 'AbortError' && !OVER.has(job.state)) {
        job.status.textContent = `lost the event stream (${e.message}); checking…`;
      }
    } finally {
      clearInterval(poller);
    }
    if (!OVER.has(job.state) && !job.abort.signal.aborted) {
      // the stream ended without a final event (gateway restart): ask for the state
      try {
        const g = await getJson(`/api/v1/generations/${job.id}`);
        this.event(job, g.state, { images: g.images_done, error: g.error, position: g.queue_position || null });
      } catch {
        // gone
      }
    }
  }

  event(job, name, data) {
    switch (name) {
      case 'queued':
        this.setState(job, 'queued');
        job.status.textContent = data?.position != null ? `queued · position ${data.position}` : 'queued';
        break;
      case 'started':
        this.setState(job, 'running');
        job.status.textContent = 'started';
        break;
      case 'step': {
        this.setState(job, 'running');
        const batch = Math.max(1, Math.min(job.batch, data.images ?? job.images));
        const images = data.images ?? job.images;
        const fraction = data.steps ? data.step / data.steps : 0;
        this.setProgress(job, Math.min(0.999, ((data.images_done ?? 0) + fraction * batch) / images));
        const batchNo = Math.min(job.nIter, Math.floor((data.images_done ?? 0) / batch) + 1);
        const eta = data.eta_seconds != null ? ` · ETA ${Number(data.eta_seconds).toFixed(1)} s` : '';
        job.status.textContent = `batch ${batchNo}/${job.nIter} · step ${data.step}/${data.steps}${eta}`;
        if (Date.now() - job.lastPoll > 400) {
          this.pollPreview(job);
        }
        break;
      }
      case 'image_stored':
        this.addImage(job, data.index, data.url);
        break;
      case 'skipped':
        job.status.textContent = `skipped ${data.images ?? ''} image(s)`;
        break;
      case 'recovered':
        if (data?.state) {
          this.setState(job, data.state);
        }
        break;
      case 'finished':
        this.setProgress(job, 1);
        this.over(job, 'finished', `finished · ${data?.images ?? ''} image(s)`);
        break;
      case 'failed':
        this.over(job, 'failed', `failed: ${data?.error ?? 'unknown error'}`);
        break;
      case 'cancelled':
        this.over(job, 'cancelled', 'cancelled');
        break;
      default:
        break;
    }
  }

  setState(job, state) {
    job.state = state;
    job.card.className = `job ${state}`;
    job.card.dataset.state = state;
  }

  setProgress(job, fraction) {
    job.progress = fraction;
    const pct = Math.round(fraction * 100);
    job.fill.style.width = `${pct}%`;
    job.card.dataset.progress = String(pct);
  }

  over(job, state, text) {
    this.setState(job, state);
    job.status.textContent = text;
    job.cancel.hidden = true;
    job.skip.hidden = true;
    job.dismiss.hidden = false;
    if (!job.previewSeen && state === 'finished') {
      this.pollPreview(job); // the gateway keeps the last preview: show it even when the run was quicker than a poll
    }
    this.hooks.onOver?.(job.id, state);
  }

  async pollPreview(job) {
    if (job.polling) {
      return;
    }
    job.polling = true;
    job.lastPoll = Date.now();
    try {
      const p = await getJson(`/sdapi/v1/progress?force_task_id=${encodeURIComponent(job.id)}`);
      if (p.current_image) {
        const src = `data:image/png;base64,${p.current_image}`;
        if (job.preview.src !== src) {
          job.preview.src = src;
        }
        job.preview.hidden = false;
        job.previewSeen = true;
        job.card.dataset.preview = 'true';
      }
      if (job.state === 'queued' || job.state === 'running') {
        const state = p.state ?? {};
        if (job.state === 'queued' && state.job_count && !state.sampling_steps) {
          job.status.textContent = 'queued · waiting for a worker';
        }
      }
    } catch {
      // transient; the next poll tries again
    } finally {
      job.polling = false;
    }
  }

  async addImage(job, index, url) {
    const img = el('img');
    img.alt = `image ${index}`;
    img.dataset.index = index;
    img.title = `seed ${job.seed != null ? job.seed + index : '?'} · click for details`;
    img.addEventListener('click', () => this.hooks.onOpen?.(job.id, index));
    job.thumbs.append(img);
    try {
      const blob = await getBlob(url);
      img.src = URL.createObjectURL(blob);
      this.hooks.onImage?.(job.id, index, job.seed != null ? job.seed + index : null, blob);
    } catch (e) {
      img.alt = `image ${index}: ${e.message}`;
    }
  }

  async cancel(job) {
    try {
      await apiFetch(`/api/v1/generations/${job.id}`, { method: 'DELETE' });
    } catch (e) {
      this.hooks.toast?.(`cancel: ${e.message}`);
    }
  }

  async skip(job) {
    try {
      await apiFetch(`/api/v1/generations/${job.id}/skip`, { method: 'POST', body: {} });
    } catch (e) {
      this.hooks.toast?.(`skip: ${e.message}`);
    }
  }

  remove(job) {
    job.abort.abort();
    job.card.remove();
    this.cards.delete(job.id);
    this.empty.hidden = this.cards.size > 0;
  }

  /** Stops every stream and forgets every card (sign-out). */
  clear() {
    for (const job of [...this.cards.values()]) {
      this.remove(job);
    }
  }
}
