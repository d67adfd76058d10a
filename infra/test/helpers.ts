// Builds the app the way bin/app.ts does (same flags, same cdk-nag pack) into a temporary cloud
// assembly, and hands back the stack and its template.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp, type BuildOptions } from '../lib/build-app.ts';

export const FIXTURES = new URL('./fixtures/', import.meta.url).pathname;

export function synth(options: BuildOptions = {}) {
  const outdir = mkdtempSync(join(tmpdir(), 'omnigen-cdk-'));
  after(() => rmSync(outdir, { recursive: true, force: true }));
  // No workflow files by default, whatever the repository holds: the placeholder path.
  const built = buildApp({ workflowDir: join(FIXTURES, 'none'), outdir, ...options });
  return { ...built, outdir, template: Template.fromStack(built.stack) };
}

type Json = Record<string, unknown>;

export function resources(template: Template, type: string): [string, Json][] {
  return Object.entries(template.findResources(type)) as [string, Json][];
}

export function props(resource: Json): Json {
  return resource.Properties as Json;
}

/** Every statement of every IAM policy in the template: inline role policies and AWS::IAM::Policy. */
export function policyStatements(template: Template): { where: string; statement: Json }[] {
  const out: { where: string; statement: Json }[] = [];
  for (const [id, policy] of resources(template, 'AWS::IAM::Policy')) {
    for (const statement of ((props(policy).PolicyDocument as Json).Statement as Json[])) out.push({ where: id, statement });
  }
  for (const [id, role] of resources(template, 'AWS::IAM::Role')) {
    for (const policy of (props(role).Policies as Json[] | undefined) ?? []) {
      for (const statement of ((policy.PolicyDocument as Json).Statement as Json[])) out.push({ where: id, statement });
    }
  }
  return out;
}

export const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);
