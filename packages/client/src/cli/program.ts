import { readFile } from 'node:fs/promises';
import { Command, CommanderError, Option } from 'commander';
import { OmniGen } from '../client.ts';
import { JobCanceledError, JobFailedError, OmniGenError, TimeoutError } from '../errors.ts';
import type { CreateJobInput, Job } from '../types.ts';
import { loadCredentials, saveCredentials, type Credentials } from './credentials.ts';
import { browserLogin, devLogin, refresh } from './login.ts';
import { ProgressView } from './progress.ts';

/** Exit codes a script can tell apart (docs/client.md). */
export const EXIT = { ok: 0, error: 1, usage: 2, failed: 3, canceled: 4, timeout: 5 } as const;

interface Globals { baseUrl: string; json?: boolean }

const out = (text: string) => process.stdout.write(`${text}\n`);
const info = (text: string) => process.stderr.write(`${text}\n`);

/** A client that signs in with the stored credentials, renewing them when they expire. */
function clientFor(globals: Globals): OmniGen {
  const baseUrl = globals.baseUrl.replace(/\/+$/, '');
  return new OmniGen({
    baseUrl,
    getToken: async () => {
      if (process.env.OMNIGEN_TOKEN) return process.env.OMNIGEN_TOKEN;
      let credentials: Credentials | undefined = (await loadCredentials(baseUrl)) ?? (await firstDevLogin(baseUrl));
      if (credentials.expiresAt - 60_000 < Date.now()) {
        credentials = credentials.devUser ? await devLogin(baseUrl, credentials.devUser) : await refresh(credentials);
        if (!credentials) throw new CommanderError(EXIT.usage, 'omnigen.notSignedIn', `The sign-in to ${baseUrl} expired: run omnigen login`);
        await saveCredentials(baseUrl, credentials);
      }
      return credentials.accessToken;
    },
  });
}

const devUser = () => process.env.USER || 'dev';

/** Not signed in yet: local mode signs in as $USER on its own (what `omnigen login` would do); aws mode needs `omnigen login`. */
async function firstDevLogin(baseUrl: string): Promise<Credentials> {
  const credentials = await devLogin(baseUrl, devUser());
  if (!credentials) throw new CommanderError(EXIT.usage, 'omnigen.notSignedIn', `Not signed in to ${baseUrl}: run omnigen login`);
  await saveCredentials(baseUrl, credentials);
  info(`Signed in to ${baseUrl} as ${credentials.devUser} (local mode's dev sign-in; omnigen login --user <id> for another)`);
  return credentials;
}

function show(globals: Globals, value: unknown, text: () => string): void {
  out(globals.json ? JSON.stringify(value, null, 2) : text());
}

function jobLine(job: Job): string {
  const prompt = job.prompt.length > 48 ? `${job.prompt.slice(0, 47)}…` : job.prompt;
  return `${job.jobId}  ${job.status.padEnd(10)} ${String(job.progress).padStart(3)}%  ${job.createdAt}  ${prompt}`;
}

async function waitWithProgress(client: OmniGen, jobId: string, globals: Globals, timeoutMs?: number): Promise<Job> {
  const view = new ProgressView({ stream: process.stderr, tty: process.stderr.isTTY === true && !globals.json, color: !process.env.NO_COLOR && process.stderr.isTTY === true });
  const controller = new AbortController();
  const interrupt = () => controller.abort(new CommanderError(130, 'omnigen.interrupted', 'Interrupted; the job goes on (omnigen cancel to stop it)'));
  process.once('SIGINT', interrupt);
  try {
    return await client.waitForJob(jobId, { onProgress: (job) => view.update(job), signal: controller.signal, ...(timeoutMs ? { timeoutMs } : {}) });
  } finally {
    view.stop();
    process.off('SIGINT', interrupt);
  }
}

export function buildProgram(): Command {
  const program = new Command('omnigen')
    .description('OmniGen from the command line: prompt in, video out')
    .addOption(new Option('--base-url <url>', 'the service').env('OMNIGEN_URL').default('http://127.0.0.1:8080'))
    .option('--json', 'machine-readable output on stdout')
    .exitOverride()
    .showHelpAfterError();
  const globals = () => program.opts<Globals>();
  const positive = (name: string) => (value: string) => {
    if (!/^\d+$/.test(value) || Number(value) < 1) throw new CommanderError(EXIT.usage, 'omnigen.invalidArgument', `${name} must be a positive integer`);
    return Number(value);
  };

  program.command('login').description('sign in (local mode: a dev token; aws mode: the browser)')
    .option('--user <id>', 'local mode: the dev user id', devUser())
    .option('--port <n>', 'aws mode: the loopback redirect port registered with the identity provider', '0')
    .action(async (options: { user: string; port: string }) => {
      const baseUrl = globals().baseUrl.replace(/\/+$/, '');
      const credentials: Credentials = (await devLogin(baseUrl, options.user)) ?? (await browserLogin(baseUrl, { port: Number(options.port), log: info }));
      await saveCredentials(baseUrl, credentials);
      show(globals(), { baseUrl, expiresAt: new Date(credentials.expiresAt).toISOString(), ...(credentials.devUser ? { user: credentials.devUser } : {}) },
        () => `Signed in to ${baseUrl}${credentials.devUser ? ` as ${credentials.devUser}` : ''}`);
    });

  program.command('logout').description('forget the stored sign-in for this service').action(async () => {
    await saveCredentials(globals().baseUrl.replace(/\/+$/, ''), undefined);
    info('Signed out');
  });

  program.command('create').description('create a video job').argument('<prompt>', '10..500 characters')
    .addOption(new Option('--category <category>', 'the kind of video').choices(['music-video', 'ad-creative']).default('music-video'))
    .option('--model <id>', 'a model id from omnigen models')
    .option('--duration <seconds>', 'video length', positive('--duration'))
    .option('--aspect <ratio>', 'aspect ratio, e.g. 16:9')
    .option('--image <file>', 'a start image (JPEG, PNG or WebP)')
    .option('--wait', 'wait for the video, with a progress bar')
    .option('--out <file>', 'download the video here (implies --wait)')
    .option('--timeout <seconds>', 'give up waiting after this long', positive('--timeout'))
    .action(async (prompt: string, options: { category: 'music-video' | 'ad-creative'; model?: string; duration?: number; aspect?: string; image?: string; wait?: boolean; out?: string; timeout?: number }) => {
      const client = clientFor(globals());
      const input: CreateJobInput = { prompt, category: options.category };
      if (options.model) input.model = options.model;
      if (options.duration) input.durationSeconds = options.duration;
      if (options.aspect) input.aspectRatio = options.aspect;
      if (options.image) input.startImage = (await client.uploadImage(await readFile(options.image))).uploadId;
      const created = await client.createJob(input);
      if (!options.wait && !options.out) return show(globals(), created, () => created.jobId);
      if (!globals().json) info(`Job ${created.jobId}`);
      const job = await waitWithProgress(client, created.jobId, globals(), options.timeout ? options.timeout * 1000 : undefined);
      const video = await client.video(job.jobId);
      const download = options.out ? await client.downloadVideo(job.jobId, options.out) : undefined;
      show(globals(), { job, video, ...(options.out ? { file: options.out, bytes: download?.bytes } : {}) },
        () => (options.out ? `Wrote ${options.out} (${download?.bytes} bytes)` : video.url));
    });

  program.command('wait').description('wait for a job to end, with a progress bar').argument('<id>')
    .option('--timeout <seconds>', 'give up after this long', positive('--timeout'))
    .action(async (id: string, options: { timeout?: number }) => {
      const job = await waitWithProgress(clientFor(globals()), id, globals(), options.timeout ? options.timeout * 1000 : undefined);
      show(globals(), job, () => jobLine(job));
    });

  program.command('jobs').description('your jobs, newest first')
    .addOption(new Option('--status <status>').choices(['pending', 'processing', 'completed', 'failed', 'canceled']))
    .option('--limit <n>', 'how many (all pages as needed)', positive('--limit'), 20)
    .action(async (options: { status?: Job['status']; limit: number }) => {
      const jobs: Job[] = [];
      for await (const job of clientFor(globals()).jobs({ ...(options.status ? { status: options.status } : {}), pageSize: Math.min(options.limit, 100) })) {
        jobs.push(job);
        if (jobs.length >= options.limit) break;
      }
      show(globals(), { jobs }, () => jobs.map(jobLine).join('\n') || 'No jobs');
    });

  program.command('job').description('one job').argument('<id>').action(async (id: string) => {
    const job = await clientFor(globals()).getJob(id);
    show(globals(), job, () => [jobLine(job), ...(job.stage ? [`stage: ${job.stage}`] : []), ...(job.failure ? [`failure: ${job.failure.code}: ${job.failure.message}`] : [])].join('\n'));
  });

  program.command('cancel').description('cancel a job').argument('<id>').action(async (id: string) => {
    const job = await clientFor(globals()).cancelJob(id);
    show(globals(), job, () => jobLine(job));
  });

  program.command('usage').description("this month's quota and spend").action(async () => {
    const usage = await clientFor(globals()).usage();
    show(globals(), usage, () => `${usage.used} of ${usage.limit} jobs used in ${usage.period} (${usage.remaining} left, resets ${usage.resetsAt})`);
  });

  program.command('models').description('the video models and their options').action(async () => {
    const catalogue = await clientFor(globals()).models();
    show(globals(), catalogue, () => catalogue.models.map((m) => `${m.id}  ${m.provider}  ${m.name}`).join('\n'));
  });
  return program;
}

/** Runs the CLI; resolves with the exit code (bin.ts exits with it). */
export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return EXIT.ok;
  } catch (err) {
    const json = argv.includes('--json');
    const report = (code: number, message: string, extra: Record<string, unknown> = {}) => {
      if (json) process.stdout.write(`${JSON.stringify({ error: message, ...extra }, null, 2)}\n`);
      else info(`omnigen: ${message}`);
      return code;
    };
    if (err instanceof CommanderError) {
      // Help and --version are "errors" to commander; they printed already.
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT.ok;
      if (err.code.startsWith('commander.')) return EXIT.usage;
      return report(err.exitCode, err.message);
    }
    if (err instanceof JobFailedError) return report(EXIT.failed, err.message, { code: err.code, job: err.job });
    if (err instanceof JobCanceledError) return report(EXIT.canceled, err.message, { job: err.job });
    if (err instanceof TimeoutError) return report(EXIT.timeout, err.message);
    if (err instanceof OmniGenError) return report(EXIT.error, `${err.message} (${err.code}${err.status ? `, HTTP ${err.status}` : ''})`, { code: err.code, status: err.status, details: err.details, requestId: err.requestId });
    return report(EXIT.error, err instanceof Error ? err.message : String(err));
  }
}
