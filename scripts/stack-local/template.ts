// The synthesised CloudFormation template, read as the stack's one description: `ensureSynth` re-runs
// `cdk synth` when infra/cdk.out is missing or older than what it is made from, and `Template.resolve`
// evaluates the intrinsic functions (Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select, Fn::Split) against
// the names the local stand-ins give each resource, so nothing here repeats a name the template holds.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { physicalAttributes } from './physical-names.ts';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export interface Resource {
  Type: string;
  Properties?: Record<string, Json>;
  Metadata?: Record<string, Json>;
}

/** The fake account every ARN names; the region comes from the synthesised stack's environment. */
export const ACCOUNT_ID = '123456789012';

/** What the template is made from: a file newer than it means the stack changed since the last synth. */
const SOURCES = ['infra/bin', 'infra/lib', 'infra/cdk.json', 'workflow', 'src'];

function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

function manifestTemplate(cdkOut: string): { file: string; region: string; stackName: string } | undefined {
  const manifest = join(cdkOut, 'manifest.json');
  if (!existsSync(manifest)) return undefined;
  const artifacts = (JSON.parse(readFileSync(manifest, 'utf8')) as { artifacts: Record<string, { type: string; environment?: string; properties?: { templateFile?: string } }> }).artifacts;
  const stack = Object.entries(artifacts).find(([, a]) => a.type === 'aws:cloudformation:stack');
  if (!stack?.[1].properties?.templateFile) return undefined;
  const region = /\/([a-z0-9-]+)$/.exec(stack[1].environment ?? '')?.[1] ?? 'us-east-1';
  return { file: join(cdkOut, stack[1].properties.templateFile), region, stackName: stack[0] };
}

/**
 * infra/cdk.out's template, synthesised first when it is missing or older than infra/, workflow/ or src/
 * (the Lambda bundles are built from src/ and staged by the synth, so they are rebuilt first).
 */
export function ensureSynth(root: string, say: (line: string) => void = () => {}): { file: string; region: string; stackName: string } {
  return withLock(root, () => synthIfStale(root, say));
}

function synthIfStale(root: string, say: (line: string) => void): { file: string; region: string; stackName: string } {
  const api = join(root, 'dist/main.js');
  if (!existsSync(api) || statSync(api).mtimeMs < newest(join(root, 'src'))) {
    say('dist/ is older than src/: npm run build');
    run(root, 'build');
  }
  const cdkOut = join(root, 'infra/cdk.out');
  const found = manifestTemplate(cdkOut);
  const sourcesAt = Math.max(...SOURCES.map((s) => newest(join(root, s))));
  if (found && existsSync(found.file) && statSync(found.file).mtimeMs >= sourcesAt) return found;
  say(found ? 'infra/cdk.out is older than its sources: building the Lambda bundles and synthesising again' : 'no infra/cdk.out: building the Lambda bundles and synthesising');
  // infra/ is its own package: a fresh clone's `npm ci` installs the root only.
  if (!existsSync(join(root, 'infra/node_modules'))) {
    say('infra/ has no node_modules: npm ci in infra/');
    npm(join(root, 'infra'), ['ci', '--no-audit', '--no-fund']);
  }
  run(root, 'build:lambda');
  run(join(root, 'infra'), 'synth');
  const synthesised = manifestTemplate(cdkOut);
  if (!synthesised) throw new Error(`cdk synth wrote no stack template into ${cdkOut}`);
  return synthesised;
}

function run(cwd: string, script: string): void {
  npm(cwd, ['run', '--silent', script]);
}

function npm(cwd: string, args: string[]): void {
  const done = spawnSync('npm', args, { cwd, env: withSystemCa(), stdio: ['ignore', 'inherit', 'inherit'] });
  if (done.status !== 0) throw new Error(`\`npm ${args.join(' ')}\` in ${cwd} failed (exit ${done.status})`);
}

/**
 * npm runs on the PATH's node, Node 24 under `npm run`: its bundled CA list lacks any CA the machine adds
 * (a registry mirror or proxy), so a cold cache's downloads fail. --use-system-ca (Node ≥ 22.15) reads the
 * system store too; an older node (the script started by hand) would refuse the flag, so it gets none.
 */
function withSystemCa(): NodeJS.ProcessEnv {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  if (major < 22 || (major === 22 && minor < 15)) return process.env;
  return { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --use-system-ca`.trim() };
}

/** One builder at a time: test files start stacks in parallel, and two synths into one cdk.out clobber each other. */
function withLock<T>(root: string, fn: () => T): T {
  const lock = join(root, 'node_modules/.cache/stack-local.lock');
  mkdirSync(join(lock, '..'), { recursive: true });
  for (let waited = 0; ; waited += 200) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock older than ten minutes was left by a process that died mid-build.
      if (waited > 600_000 || Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > 600_000) rmSync(lock, { recursive: true, force: true });
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export class Template {
  readonly resources: Record<string, Resource>;
  readonly parameters: Record<string, { Default?: string }>;
  /** Extra attributes of a resource the stand-ins decide (e.g. the cache's Endpoint.Address). */
  readonly attributes = new Map<string, Record<string, string>>();
  readonly parameterValues: Record<string, string> = {};

  readonly body: { Resources: Record<string, Resource>; Parameters?: Record<string, { Default?: string }> };
  readonly region: string;
  readonly stackName: string;
  readonly dir: string;
  constructor(
    body: { Resources: Record<string, Resource>; Parameters?: Record<string, { Default?: string }> },
    region: string,
    stackName: string,
    dir: string,
  ) {
    this.body = body;
    this.region = region;
    this.stackName = stackName;
    this.dir = dir;
    this.resources = body.Resources;
    this.parameters = body.Parameters ?? {};
  }

  static load(file: string, region: string, stackName: string): Template {
    return new Template(JSON.parse(readFileSync(file, 'utf8')) as Template['body'], region, stackName, join(file, '..'));
  }

  /** Logical ids of the resources of `type`, in template order. */
  ofType(type: string): string[] {
    return Object.entries(this.resources).filter(([, r]) => r.Type === type).map(([id]) => id);
  }

  resource(id: string): Resource {
    const resource = this.resources[id];
    if (!resource) throw new Error(`the template has no resource ${id}`);
    return resource;
  }

  ref(name: string): string {
    switch (name) {
      case 'AWS::Region': return this.region;
      case 'AWS::AccountId': return ACCOUNT_ID;
      case 'AWS::Partition': return 'aws';
      case 'AWS::URLSuffix': return 'amazonaws.com';
      case 'AWS::StackName': return this.stackName;
      case 'AWS::NoValue': return '';
    }
    if (name in this.parameters) {
      const value = this.parameterValues[name] ?? this.parameters[name]?.Default;
      if (value === undefined) throw new Error(`parameter ${name} has no value`);
      return value;
    }
    return this.attribute(name, 'Ref');
  }

  attribute(id: string, name: string): string {
    const extra = this.attributes.get(id)?.[name];
    if (extra !== undefined) return extra;
    const value = physicalAttributes(this, id)[name];
    if (value === undefined) throw new Error(`${id} (${this.resource(id).Type}): no attribute ${name} known to stack:local`);
    return value;
  }

  /** `value` with every intrinsic function evaluated. */
  resolve(value: Json | undefined): Json {
    if (value === undefined || value === null || typeof value !== 'object') return value ?? null;
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    const keys = Object.keys(value);
    if (keys.length === 1) {
      const [fn] = keys as [string];
      const arg = value[fn] as Json;
      switch (fn) {
        case 'Ref': return this.ref(String(arg));
        case 'Fn::GetAtt': {
          const [id, attr] = Array.isArray(arg) ? (arg as string[]) : String(arg).split(/\.(.+)/);
          return this.attribute(String(id), String(attr));
        }
        case 'Fn::Join': {
          const [sep, parts] = arg as [string, Json];
          return (this.resolve(parts) as Json[]).map(String).join(sep);
        }
        case 'Fn::Select': {
          const [index, list] = arg as [Json, Json];
          return (this.resolve(list) as Json[])[Number(this.resolve(index))] ?? null;
        }
        case 'Fn::Split': {
          const [sep, text] = arg as [string, Json];
          return String(this.resolve(text)).split(sep);
        }
        case 'Fn::Sub': return this.sub(arg);
      }
      if (fn.startsWith('Fn::') || fn === 'Condition') throw new Error(`stack:local cannot evaluate ${fn}`);
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.resolve(v)]));
  }

  string(value: Json | undefined): string {
    return String(this.resolve(value));
  }

  private sub(arg: Json): string {
    const [text, vars] = Array.isArray(arg) ? (arg as [string, Record<string, Json>]) : [String(arg), {}];
    return text.replace(/\$\{(!?)([^}]+)\}/g, (_, bang: string, name: string) => {
      if (bang) return `\${${name}}`;
      if (name in vars) return this.string(vars[name]);
      const [id, attr] = name.split(/\.(.+)/);
      return attr ? this.attribute(String(id), attr) : this.ref(name);
    });
  }
}
