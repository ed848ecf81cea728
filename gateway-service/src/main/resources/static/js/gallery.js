// The signed-in user's images, newest first: pages of GET /api/v1/generations?before=…, each request's stored
// images as tiles, thumbnails fetched with the user's credentials as they scroll into view. The search boxes filter
// the images loaded so far (client-side); scrolling down loads older pages, also while a filter hides everything.

import { getBlob, getJson } from './api.js';

const PAGE = 20;

export class Gallery {
  constructor({ grid, sentinel, status, text, model, from, to, onOpen }) {
    Object.assign(this, { grid, sentinel, status, text, model, from, to, onOpen });
    this.blobs = new Map();
    this.items = [];
    this.before = null;
    this.exhausted = false;
    this.loading = null;
    this.generation = 0;
    this.visible = false;
    this.thumbObserver = new IntersectionObserver((entries) => {
      for (const entry of entries) {
        if (entry.isIntersecting) {
          this.thumbObserver.unobserve(entry.target);
          this.loadThumb(entry.target);
        }
      }
    }, { rootMargin: '400px' });
    new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) {
        this.loadMore();
      }
    }, { rootMargin: '600px' }).observe(sentinel);
    for (const input of [text, model, from, to]) {
      input.addEventListener('input', () => this.applyFilters());
    }
  }

  /** Forgets everything loaded (sign-out, refresh). */
  reset() {
    this.generation++;
    this.items = [];
    this.before = null;
    this.exhausted = false;
    this.loading = null;
    this.grid.replaceChildren();
    for (const url of this.blobs.values()) {
      URL.revokeObjectURL(url.url);
    }
    this.blobs.clear();
    [...this.model.options].slice(1).forEach((o) => o.remove());
    this.status.textContent = 'Filters apply to the images loaded so far; scrolling loads older ones.';
  }

  /** Shown: loads the first page when nothing is loaded yet. */
  show() {
    this.visible = true;
    if (!this.items.length && !this.exhausted) {
      this.loadMore();
    }
  }

  hide() {
    this.visible = false;
  }

  async loadMore() {
    if (!this.visible || this.exhausted) {
      return;
    }
    if (this.loading) {
      return this.loading;
    }
    const generation = this.generation;
    this.loading = (async () => {
      const query = new URLSearchParams({ limit: PAGE });
      if (this.before) {
        query.set('before', this.before);
      }
      let page;
      try {
        page = await getJson(`/api/v1/generations?${query}`);
      } catch (e) {
        this.status.textContent = `could not load the gallery: ${e.message}`;
        return;
      }
      if (generation !== this.generation) {
        return;
      }
      if (page.length < PAGE) {
        this.exhausted = true;
      }
      if (page.length) {
        this.before = page[page.length - 1].accepted_at;
      }
      for (const request of page) {
        let indexes = request.stored_indexes;
        if (!Array.isArray(indexes)) {
          // an older gateway: ask each request for its images
          const g = await getJson(`/api/v1/generations/${request.id}`);
          indexes = g.images.filter((i) => i.status === 'stored').map((i) => i.index);
        }
        for (const index of indexes) {
          this.addTile({
            id: request.id, index, prompt: request.prompt ?? '', negative: request.negative_prompt ?? '',
            model: request.model ?? '', acceptedAt: new Date(request.accepted_at),
            seed: request.seed != null ? request.seed + index : null, mode: request.mode,
          });
        }
      }
      this.applyFilters();
    })().finally(() => {
      this.loading = null;
    });
    await this.loading;
    // still at the bottom (a short page, or filters hiding everything): keep going
    if (!this.exhausted && this.visible && generation === this.generation && this.sentinelInView()) {
      setTimeout(() => this.loadMore(), 0);
    }
  }

  sentinelInView() {
    const r = this.sentinel.getBoundingClientRect();
    return r.top < window.innerHeight + 600;
  }

  addTile(item) {
    this.items.push(item);
    const tile = document.createElement('button');
    tile.type = 'button';
    tile.className = 'tile';
    tile.dataset.id = item.id;
    tile.dataset.index = item.index;
    const img = document.createElement('img');
    img.alt = item.prompt;
    img.loading = 'lazy';
    const caption = document.createElement('div');
    caption.className = 'caption';
    caption.textContent = item.prompt || (item.mode === 'extras' ? 'Extras' : '(empty prompt)');
    caption.title = `${item.prompt}\n${item.model} · ${item.acceptedAt.toLocaleString()}`;
    tile.append(img, caption);
    tile.addEventListener('click', () => this.onOpen(item.id, item.index));
    item.tile = tile;
    this.grid.append(tile);
    this.thumbObserver.observe(tile);
    if (item.model && ![...this.model.options].some((o) => o.value === item.model)) {
      const option = document.createElement('option');
      option.value = item.model;
      option.textContent = item.model;
      this.model.append(option);
    }
  }

  async loadThumb(tile) {
    const url = await this.url(tile.dataset.id, Number(tile.dataset.index)).catch(() => null);
    if (url) {
      tile.querySelector('img').src = url;
    }
  }

  /** An object URL of one of the user's PNGs (cached). */
  async url(id, index) {
    const key = `${id}/${index}`;
    if (!this.blobs.has(key)) {
      const blob = await getBlob(`/api/v1/generations/${id}/images/${index}`);
      this.blobs.set(key, { blob, url: URL.createObjectURL(blob) });
    }
    return this.blobs.get(key).url;
  }

  async blob(id, index) {
    await this.url(id, index);
    return this.blobs.get(`${id}/${index}`).blob;
  }

  /** A fresh image of this session goes to the top without reloading the list. */
  addFresh(id, index, seed, blob, request) {
    if (!this.items.length && !this.exhausted) {
      return; // not loaded yet: the first page will have it
    }
    const key = `${id}/${index}`;
    if (this.items.some((i) => i.id === id && i.index === index)) {
      return;
    }
    this.blobs.set(key, { blob, url: URL.createObjectURL(blob) });
    this.addTile({
      id, index, prompt: request.prompt ?? '', negative: request.negative_prompt ?? '',
      model: request.override_settings?.sd_model_checkpoint ?? request.model ?? '', acceptedAt: new Date(), seed,
      mode: request.mode,
    });
    const item = this.items.pop();
    this.items.unshift(item);
    this.grid.prepend(item.tile);
    this.applyFilters();
  }

  matches(item) {
    const words = this.text.value.toLowerCase().split(/\s+/).filter(Boolean);
    const haystack = `${item.prompt}\n${item.negative}`.toLowerCase();
    if (!words.every((w) => haystack.includes(w))) {
      return false;
    }
    if (this.model.value && item.model !== this.model.value) {
      return false;
    }
    const day = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    if (this.from.value && day(item.acceptedAt) < this.from.value) {
      return false;
    }
    if (this.to.value && day(item.acceptedAt) > this.to.value) {
      return false;
    }
    return true;
  }

  applyFilters() {
    let shown = 0;
    for (const item of this.items) {
      const ok = this.matches(item);
      item.tile.hidden = !ok;
      shown += ok ? 1 : 0;
    }
    const filtered = this.text.value || this.model.value || this.from.value || this.to.value;
    const more = this.exhausted ? 'all loaded' : 'scroll for older';
    this.status.textContent = filtered
      ? `${shown} of ${this.items.length} loaded images match (filters apply to loaded images; ${more})`
      : `${this.items.length} images (${more})`;
    this.grid.dataset.count = String(shown);
    if (filtered && !this.exhausted && this.sentinelInView()) {
      setTimeout(() => this.loadMore(), 0);
    }
  }
}
