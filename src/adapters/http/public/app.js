// The try-it page: plain ES module, no build step. Talks to the API exactly as a client would.
const API = '/api/v1';
const PROMPT_MIN = 10;
const PROMPT_MAX = 500;
const TERMINAL = new Set(['completed', 'failed', 'canceled']);
const STAGES = {
  queued: 'Waiting to start', scripting: 'Writing the script', rendering: 'Rendering frames',
  encoding: 'Encoding the video', uploading: 'Saving the video', done: 'Done', failed: 'Failed', canceled: 'Canceled',
};
const FIELDS = { prompt: 'prompt', category: 'category', userId: 'name', model: 'model', durationSeconds: 'duration', aspectRatio: 'aspect ratio' };

const $ = (id) => document.getElementById(id);
const session = {
  get token() { return sessionStorage.getItem('omnigen.token'); },
  get userId() { return sessionStorage.getItem('omnigen.userId'); },
  save(token, userId) { sessionStorage.setItem('omnigen.token', token); sessionStorage.setItem('omnigen.userId', userId); },
  clear() { sessionStorage.removeItem('omnigen.token'); sessionStorage.removeItem('omnigen.userId'); },
};
let watching = null; // AbortController of the events stream being read
let shownJobId = null;

class ApiError extends Error {
  constructor(status, body, retryAfter) {
    super(body?.error ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.code ?? 'HTTP_ERROR';
    this.details = body?.details ?? {};
    this.retryAfter = Number(retryAfter) || undefined;
  }
}

async function api(path, { method = 'GET', body } = {}) {
  const headers = { accept: 'application/json' };
  if (session.token) headers.authorization = `Bearer ${session.token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(API + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data, response.headers.get('retry-after'));
  return data;
}

// ---- Messages a person can act on ----

const formatDate = (iso) => new Intl.DateTimeFormat(undefined, { dateStyle: 'long', timeStyle: 'short' }).format(new Date(iso));

function say(text, kind = 'info') {
  const notice = $('notice');
  notice.textContent = text;
  notice.dataset.kind = kind;
}

function explain(error) {
  if (!(error instanceof ApiError)) return 'Could not reach the service. Is it still running?';
  const wait = error.retryAfter ? `${error.retryAfter} seconds` : 'a moment';
  switch (error.code) {
    case 'VALIDATION_ERROR': {
      const field = FIELDS[error.details.field] ?? error.details.field ?? 'request';
      return `Please check the ${field}: ${error.message.replace(/^Invalid request: /, '')}.`;
    }
    case 'QUOTA_EXCEEDED':
      return `You have used all ${error.details.limit ?? ''} videos for this month. You can make more from ${formatDate(error.details.resetsAt)}.`;
    case 'RATE_LIMITED': return `That was a lot of requests at once. Please wait ${wait} and try again.`;
    case 'SERVICE_UNAVAILABLE': return `The service is busy right now. Please try again in ${wait}.`;
    case 'UNAUTHORIZED': return 'Your sign-in has expired. Please sign in again.';
    case 'NOT_FOUND': return 'That job could not be found.';
    case 'JOB_FINISHED': return 'That job had already ended, so there was nothing to cancel.';
    case 'JOB_NOT_READY': return 'The video is not ready yet.';
    default: return `Something went wrong: ${error.message}`;
  }
}

/** Shows the error; marks the field it names; sends the person back to sign in when the token is no good. */
function fail(error) {
  if (error?.name === 'AbortError') return;
  say(explain(error), 'error');
  if (error instanceof ApiError && error.code === 'UNAUTHORIZED') return signOut(false);
  const field = error instanceof ApiError ? { prompt: 'prompt', category: 'category', userId: 'user-id', model: 'model', durationSeconds: 'duration', aspectRatio: 'aspect-ratio', startImage: 'start-image' }[error.details.field] : undefined;
  if (field) {
    $(field).setAttribute('aria-invalid', 'true');
    $(field).focus();
  }
}

// ---- Signing in ----

function showSignedIn() {
  const signedIn = Boolean(session.token);
  $('sign-in').hidden = signedIn;
  $('workspace').hidden = !signedIn;
  $('who').hidden = !signedIn;
  $('who-name').textContent = session.userId ?? '';
  if (signedIn) void Promise.all([loadUsage(), loadJobs(), loadModels()]).catch(fail);
}

function signOut(clearNotice = true) {
  watching?.abort();
  session.clear();
  shownJobId = null;
  $('current').hidden = true;
  if (clearNotice) say('Signed out.');
  showSignedIn();
  $('user-id').focus();
}

$('sign-in-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const userId = $('user-id').value.trim();
  try {
    const { accessToken } = await api('/auth/dev-token', { method: 'POST', body: { userId } });
    session.save(accessToken, userId);
    $('user-id').removeAttribute('aria-invalid');
    say(`Signed in as ${userId}.`);
    showSignedIn();
    $('prompt').focus();
  } catch (error) {
    fail(error);
  }
});
$('sign-out').addEventListener('click', () => signOut());

// ---- Creating a job ----

function countPrompt() {
  const length = [...$('prompt').value.trim()].length;
  const hint = length < PROMPT_MIN ? ` (at least ${PROMPT_MIN})` : length > PROMPT_MAX ? ' — too long' : '';
  $('prompt-count').textContent = `${length} of ${PROMPT_MAX} characters${hint}`;
  $('prompt-count').dataset.state = length > PROMPT_MAX ? 'over' : 'ok';
}
$('prompt').addEventListener('input', () => {
  $('prompt').removeAttribute('aria-invalid');
  countPrompt();
});

// ---- A start image: previewed here, posted with the form POST /uploads hands out (docs/uploads.md) ----

let previewUrl;
$('start-image').addEventListener('change', () => {
  const file = $('start-image').files[0];
  if (previewUrl) URL.revokeObjectURL(previewUrl);
  previewUrl = file ? URL.createObjectURL(file) : undefined;
  $('start-image-preview').src = previewUrl ?? '';
  $('start-image-preview').hidden = !file;
  $('start-image').removeAttribute('aria-invalid');
});

async function uploadStartImage(file) {
  const upload = await api('/uploads', { method: 'POST', body: { contentType: file.type, sizeBytes: file.size } });
  const form = new FormData();
  for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
  form.append('file', file); // last, as S3 requires
  const response = await fetch(upload.url, { method: 'POST', body: form });
  if (!response.ok) throw new ApiError(response.status, { error: 'The image could not be uploaded', code: 'VALIDATION_ERROR', details: { field: 'startImage' } });
  return upload.uploadId;
}

$('create-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  $('create').disabled = true;
  try {
    const file = $('start-image').files[0];
    const startImage = file ? await uploadStartImage(file) : undefined;
    const job = await api('/jobs', { method: 'POST', body: { prompt: $('prompt').value, category: $('category').value, ...chosenOptions(), ...(startImage ? { startImage } : {}) } });
    say('Video generation started.');
    void loadUsage().catch(fail);
    void loadJobs().catch(fail);
    void watch(job);
  } catch (error) {
    fail(error);
  } finally {
    $('create').disabled = false;
  }
});

async function loadUsage() {
  const usage = await api('/usage');
  const spend = usage.spendLimitUsd === undefined ? '' : ` of ${usd(usage.spendLimitUsd)}`;
  $('usage').textContent = `${usage.used} of ${usage.limit} jobs used this month, ${usd(usage.spentUsd ?? 0)}${spend} spent (resets ${formatDate(usage.resetsAt)}).`;
}

// ---- Models and options (GET /models) ----

let catalogue = null;

function usd(value) {
  return `$${value.toFixed(value < 1 ? 3 : 2)}`;
}

function fill(select, values, label) {
  const keep = select.value;
  const options = [new Option('Category default', ''), ...values.map((v) => new Option(label(v), String(v)))];
  select.replaceChildren(...options);
  if (values.map(String).includes(keep)) select.value = keep;
}

/** The model the form names, else the category's default, and what the category would pick. */
function chosenModel() {
  if (!catalogue) return undefined;
  const id = $('model').value || catalogue.defaults[$('category').value];
  return catalogue.models.find((m) => m.id === id);
}

function chosenOptions() {
  const options = {};
  if ($('model').value) options.model = $('model').value;
  if ($('duration').value) options.durationSeconds = Number($('duration').value);
  if ($('aspect-ratio').value) options.aspectRatio = $('aspect-ratio').value;
  return options;
}

/** The choices the chosen model takes, and the price of the video the form describes. */
function showOptions() {
  const model = chosenModel();
  if (!model) return;
  fill($('duration'), model.durations, (d) => `${d} s`);
  fill($('aspect-ratio'), model.aspectRatios, (r) => r);
  const preset = catalogue.categoryDefaults[$('category').value] ?? {};
  const seconds = Number($('duration').value) || (model.durations.includes(preset.durationSeconds) ? preset.durationSeconds : model.defaults.durationSeconds);
  const perSecond = model.price.usdPerSecondByResolution?.[model.defaults.resolution] ?? model.price.usdPerSecond;
  const cost = perSecond !== undefined ? perSecond * seconds : model.price.usdPerVideo;
  $('estimate').textContent = cost === undefined ? '' : `${model.name}: about ${usd(cost)} for ${seconds} s, typically ready in ${Math.round(model.typicalGenerationSeconds / 60) || 1} min.`;
}

async function loadModels() {
  catalogue = await api('/models');
  fill($('model'), catalogue.models.map((m) => m.id), (id) => catalogue.models.find((m) => m.id === id).name);
  showOptions();
}
for (const id of ['model', 'duration', 'aspect-ratio', 'category']) $(id).addEventListener('change', showOptions);

// ---- Watching a job live ----

/** Server-Sent Events from a fetch body (EventSource cannot send the bearer header). */
async function* readEvents(response) {
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value.replace(/\r\n?/g, '\n');
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const message = { event: 'message', data: [] };
      for (const line of block.split('\n')) {
        if (line === '' || line.startsWith(':')) continue; // comments are keep-alives
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const text = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') message.event = text;
        else if (field === 'data') message.data.push(text);
      }
      if (message.data.length > 0) yield { event: message.event, data: message.data.join('\n') };
    }
  }
}

async function watch(job) {
  watching?.abort();
  const controller = new AbortController();
  watching = controller;
  shownJobId = job.jobId;
  $('video').hidden = true;
  $('video').removeAttribute('src');
  render(job);
  $('current').hidden = false;
  if (TERMINAL.has(job.status)) return;
  try {
    const response = await fetch(`${API}/jobs/${job.jobId}/events`, {
      headers: { authorization: `Bearer ${session.token}` }, signal: controller.signal,
    });
    if (!response.ok) {
      const body = await response.json().catch(() => null);
      throw new ApiError(response.status, body, response.headers.get('retry-after'));
    }
    let last = job;
    for await (const message of readEvents(response)) {
      if (message.event === 'job') render((last = JSON.parse(message.data)));
    }
    if (!TERMINAL.has(last.status) && !controller.signal.aborted) say('Lost the live connection. Choose the job in the list to follow it again.', 'error');
  } catch (error) {
    fail(error);
  }
}

function render(job) {
  if (job.jobId !== shownJobId) return;
  $('current-prompt').textContent = job.prompt;
  setBadge($('current-badge'), job.status);
  $('stage').textContent = STAGES[job.stage] ?? job.stage ?? '';
  $('progress').value = job.progress;
  $('progress').setAttribute('aria-valuetext', `${job.progress} percent, ${STAGES[job.stage] ?? job.status}`);
  $('percent').textContent = `${job.progress} %`;
  $('cancel').hidden = TERMINAL.has(job.status);
  $('failure').hidden = job.status !== 'failed';
  $('failure').textContent = job.failure ? `It failed: ${job.failure.message}` : '';
  updateListItem(job);
  if (TERMINAL.has(job.status)) void showDeliveries(job).catch(() => undefined);
  else $('deliveries').hidden = true;
  if (job.status === 'completed') void play(job).catch(fail);
  if (job.status === 'canceled') say('The job was canceled.');
  if (job.status === 'failed') say('The job failed. You can try again with another prompt.', 'error');
}

/** The job's webhook deliveries (docs/webhooks.md), when it has any: type, outcome, attempts, last status. */
async function showDeliveries(job) {
  const { deliveries } = await api(`/jobs/${job.jobId}/deliveries`);
  if (job.jobId !== shownJobId) return;
  const list = $('delivery-list');
  list.replaceChildren(...deliveries.map((d) => {
    const item = document.createElement('li');
    const status = d.lastStatusCode ? `HTTP ${d.lastStatusCode}` : (d.lastError ?? 'not sent yet');
    item.textContent = `${d.type} → ${d.outcome} (${d.attempts} attempt${d.attempts === 1 ? '' : 's'}, ${status})`;
    return item;
  }));
  $('deliveries').hidden = deliveries.length === 0;
}

async function play(job) {
  const { url } = await api(`/jobs/${job.jobId}/video`);
  if (job.jobId !== shownJobId) return;
  $('video').src = url;
  $('video').hidden = false;
  say('Your video is ready.');
  void loadJobs().catch(fail);
}

$('cancel').addEventListener('click', async () => {
  try {
    render(await api(`/jobs/${shownJobId}/cancel`, { method: 'POST' }));
  } catch (error) {
    fail(error);
  }
});

// ---- Earlier jobs ----

function setBadge(element, status) {
  element.textContent = status;
  element.className = `badge badge-${status}`;
}

function updateListItem(job) {
  const badge = document.querySelector(`[data-job-id="${job.jobId}"] .badge`);
  if (badge) setBadge(badge, job.status);
}

async function loadJobs() {
  const { jobs } = await api('/jobs?limit=20');
  const list = $('jobs');
  let thumbnails = 0;
  list.replaceChildren(...jobs.map((job) => {
    const item = document.createElement('li');
    item.dataset.jobId = job.jobId;
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'job';
    const badge = document.createElement('span');
    setBadge(badge, job.status);
    const prompt = document.createElement('span');
    prompt.className = 'job-prompt';
    prompt.textContent = job.prompt;
    const meta = document.createElement('span');
    meta.className = 'job-meta';
    const cost = job.costUsd ?? job.estimatedCostUsd;
    const costText = cost === undefined ? '' : ` · ${usd(cost)}${job.costUsd === undefined ? ' (estimate)' : ''}`;
    const what = job.settings ? ` · ${job.settings.durationSeconds} s ${job.settings.aspectRatio}` : '';
    meta.textContent = `${job.category === 'ad-creative' ? 'Ad creative' : 'Music video'}${what} · ${formatDate(job.createdAt)}${costText}`;
    button.append(badge, prompt, meta);
    // A completed job's thumbnail (a few at most: each is one more request against the rate limit).
    if (job.status === 'completed' && thumbnails++ < 8) {
      const thumbnail = document.createElement('img');
      thumbnail.className = 'job-thumbnail';
      thumbnail.alt = '';
      thumbnail.hidden = true;
      button.prepend(thumbnail);
      void api(`/jobs/${job.jobId}/video`).then(({ thumbnailUrl }) => {
        if (thumbnailUrl) Object.assign(thumbnail, { src: thumbnailUrl, hidden: false });
      }).catch(() => undefined);
    }
    button.addEventListener('click', () => {
      void watch(job);
      $('current').scrollIntoView({ behavior: 'smooth', block: 'nearest' });
    });
    item.append(button);
    return item;
  }));
  $('jobs-empty').hidden = jobs.length > 0;
}
$('refresh').addEventListener('click', () => void loadJobs().catch(fail));

countPrompt();
showSignedIn();
