// The gateway's HTTP API with the signed-in user's credentials on every call.
// Credentials live in sessionStorage (this tab only) as the Authorization header value.

const KEY = 'sdfleet.auth';

export function credentials() {
  try {
    return JSON.parse(sessionStorage.getItem(KEY));
  } catch {
    return null;
  }
}

/** {header, user}: header is "Bearer <key>" or "Basic <base64>". */
export function saveCredentials(value) {
  sessionStorage.setItem(KEY, JSON.stringify(value));
}

export function clearCredentials() {
  sessionStorage.removeItem(KEY);
}

export function bearer(key) {
  return `Bearer ${key.trim()}`;
}

export function basic(user, password) {
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  let binary = '';
  bytes.forEach((b) => { binary += String.fromCharCode(b); });
  return `Basic ${btoa(binary)}`;
}

/** An answer other than 2xx; problem is the parsed problem+json (or JSON) body when there was one. */
export class ApiError extends Error {
  constructor(status, problem, text) {
    super(problem?.detail || problem?.title || text || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }

  /** [{field, message}] from problem+json. */
  get fieldErrors() {
    return Array.isArray(this.problem?.errors) ? this.problem.errors : [];
  }
}

let onUnauthorized = () => {};

/** Called on any 401 (revoked key, changed password): the page goes back to sign-in. */
export function setUnauthorizedHandler(handler) {
  onUnauthorized = handler;
}

export async function apiFetch(path, { method = 'GET', body, headers = {}, signal, auth } = {}) {
  const h = { ...headers };
  const authorization = auth ?? credentials()?.header;
  if (authorization) {
    h.Authorization = authorization;
  }
  let payload = body;
  if (body !== undefined && !(body instanceof Blob) && typeof body !== 'string') {
    h['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const response = await fetch(path, { method, headers: h, body: payload, signal });
  if (!response.ok) {
    const text = await response.text();
    let problem = null;
    try {
      problem = JSON.parse(text);
    } catch {
      // not JSON
    }
    if (response.status === 401 && auth === undefined) {
      onUnauthorized();
    }
    throw new ApiError(response.status, problem, text);
  }
  return response;
}

export async function getJson(path, options) {
  return (await apiFetch(path, options)).json();
}

export async function postJson(path, body, options = {}) {
  return (await apiFetch(path, { ...options, method: 'POST', body })).json();
}

/** GETs that may legitimately be missing on this gateway (404/405/501): null instead of an error. */
export async function getJsonOptional(path) {
  const authorization = credentials()?.header;
  const response = await fetch(path, { headers: authorization ? { Authorization: authorization } : {} });
  if (response.status === 404 || response.status === 405 || response.status === 501) {
    return null;
  }
  if (!response.ok) {
    throw new ApiError(response.status, null, await response.text());
  }
  return response.json();
}

/** A PNG of the user's (the URL needs the Authorization header, so <img src> cannot load it directly). */
export async function getBlob(path, options) {
  return (await apiFetch(path, options)).blob();
}

/**
 * Server-sent events over fetch: EventSource cannot send an Authorization header. Calls onEvent(name, data) per
 * event (data parsed as JSON when it is JSON) until the stream ends or signal aborts.
 */
export async function streamEvents(path, onEvent, signal) {
  const response = await apiFetch(path, { headers: { Accept: 'text/event-stream' }, signal });
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let name = 'message';
  let data = [];
  const dispatch = () => {
    if (data.length) {
      const text = data.join('\n');
      let parsed = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // plain text
      }
      onEvent(name, parsed);
    }
    name = 'message';
    data = [];
  };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) {
      dispatch();
      return;
    }
    buffer += value;
    let newline;
    while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
      if (line === '') {
        dispatch();
      } else if (line.startsWith(':')) {
        // comment / keep-alive
      } else {
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        let v = colon < 0 ? '' : line.slice(colon + 1);
        if (v.startsWith(' ')) {
          v = v.slice(1);
        }
        if (field === 'event') {
          name = v;
        } else if (field === 'data') {
          data.push(v);
        }
      }
    }
  }
}

/** A Blob or File as bare base64 (no data: prefix). */
export function blobToBase64(blob) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
}
