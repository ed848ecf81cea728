// Prompt boxes: A1111 emphasis highlighting ((a:1.2), [a], <lora:…>, BREAK) drawn on a backdrop under the textarea,
// and a token counter per 75-token chunk from the gateway (POST /api/v1/tokenize, the engine's own chunker).

import { postJson } from './api.js';

const NETWORK = /<\w+:[^>]+>/gu;
const WEIGHT = /:\s*([-+]?(?:\d+\.?\d*|\.\d+))\s*$/;

function escapeHtml(s) {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

/** Marked-up HTML of a prompt: every emphasis group, extra-network tag and BREAK wrapped in a <mark>. */
export function highlight(text) {
  const opens = new Map(); // position → class list of marks opening there
  const closes = new Map(); // position → number of marks closing after it
  const add = (start, end, cls) => {
    (opens.get(start) ?? opens.set(start, []).get(start)).push(cls);
    closes.set(end, (closes.get(end) ?? 0) + 1);
  };
  const inNetwork = new Array(text.length).fill(false);
  for (const m of text.matchAll(NETWORK)) {
    add(m.index, m.index + m[0].length - 1, 'net');
    for (let i = m.index; i < m.index + m[0].length; i++) {
      inNetwork[i] = true;
    }
  }
  for (const m of text.matchAll(/\bBREAK\b/g)) {
    add(m.index, m.index + 4, 'brk');
  }
  const stack = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inNetwork[i]) {
      continue;
    }
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '(' || c === '[') {
      stack.push({ c, i });
    } else if ((c === ')' || c === ']') && stack.length) {
      const top = stack[stack.length - 1];
      if ((c === ')') !== (top.c === '(')) {
        continue; // mismatched: A1111 treats it as text
      }
      stack.pop();
      let cls = top.c === '(' ? 'up' : 'down';
      const w = WEIGHT.exec(text.slice(top.i + 1, i));
      if (top.c === '(' && w && Number(w[1]) < 1) {
        cls = 'down';
      }
      add(top.i, i, cls);
    }
  }
  let html = '';
  for (let i = 0; i < text.length; i++) {
    for (const cls of opens.get(i) ?? []) {
      html += `<mark class="${cls}">`;
    }
    html += escapeHtml(text[i]);
    html += '</mark>'.repeat(closes.get(i) ?? 0);
  }
  return `${html}\n `; // a trailing line keeps the backdrop as tall as the textarea's text
}

/** The estimate used when the gateway has no tokenizer: CLIP splits words, numbers and punctuation. */
export function estimateTokens(text) {
  const plain = text.replace(NETWORK, ' ').replace(/[()[\]]|:\s*[-+]?\d*\.?\d+\s*(?=[)\]])/g, ' ');
  let count = 0;
  for (const m of plain.matchAll(/[\p{L}]+|\p{N}|[^\s\p{L}\p{N}]+/gu)) {
    count += Math.max(1, Math.ceil(m[0].length / 6)); // long words become several BPE pieces
  }
  return count;
}

/** Wires one prompt textarea to its highlight backdrop and token counter label. */
export class PromptBox {
  constructor(textarea, backdrop, counter, stepsInput) {
    this.textarea = textarea;
    this.backdrop = backdrop;
    this.counter = counter;
    this.stepsInput = stepsInput;
    this.timer = null;
    this.seq = 0;
    textarea.addEventListener('input', () => this.update());
    textarea.addEventListener('scroll', () => { backdrop.scrollTop = textarea.scrollTop; });
    new ResizeObserver(() => { backdrop.scrollTop = textarea.scrollTop; }).observe(textarea);
    this.update();
  }

  /** Call after setting the value from code. */
  update() {
    this.backdrop.innerHTML = highlight(this.textarea.value);
    this.backdrop.scrollTop = this.textarea.scrollTop;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.count(), 250);
  }

  async count() {
    if (!PromptBox.active) {
      this.counter.textContent = '';
      return; // not signed in: the gateway would answer 401
    }
    const text = this.textarea.value;
    const seq = ++this.seq;
    let result = null;
    if (PromptBox.serverCounts !== false) {
      try {
        result = await postJson('/api/v1/tokenize', { text, steps: Number(this.stepsInput.value) || 20 });
        if (!result.available) {
          PromptBox.serverCounts = false;
          result = null;
        }
      } catch {
        result = null; // older gateway, or the request failed: estimate
      }
    }
    if (seq !== this.seq) {
      return;
    }
    if (result) {
      const chunks = result.chunks.length ? result.chunks : [0];
      this.counter.textContent = `${result.tokens}/${result.max}` + (chunks.length > 1 ? ` (${chunks.join(' | ')})` : '');
      this.counter.title = `tokens per 75-token chunk: ${chunks.join(', ')} (counted by the gateway's CLIP tokenizer)`;
      this.counter.dataset.exact = 'true';
      this.counter.classList.toggle('over', chunks.length > 1);
    } else {
      const n = estimateTokens(text);
      const max = Math.max(1, Math.ceil(n / 75)) * 75;
      this.counter.textContent = `≈${n}/${max} (estimate)`;
      this.counter.title = 'approximate: the gateway has no CLIP tokenizer configured (SDFLEET_TOKENIZER)';
      this.counter.dataset.exact = 'false';
      this.counter.classList.toggle('over', n > 75);
    }
  }
}
PromptBox.serverCounts = undefined;
/** Set while someone is signed in. */
PromptBox.active = false;
