import { Ajv, type ErrorObject } from 'ajv';
import formats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';

// Fastify's default Ajv strips unknown properties and coerces types everywhere. The contract wants the
// opposite for bodies (unknown fields rejected, `"prompt": 12345678901` is not a string), while query
// strings and path params arrive as text and need coercion. So: two Ajv instances, picked per part.
const addFormats = formats.default;

function makeAjv(coerce: boolean): Ajv {
  const ajv = new Ajv({ removeAdditional: false, useDefaults: true, coerceTypes: coerce ? 'array' : false, allErrors: false, strict: false });
  addFormats(ajv);
  return ajv;
}

/**
 * Each distinct schema is compiled once per process: routes share schemas (the job id params, the list
 * query, …), but Fastify hands each route its own copy, and compiling was ~10 % of startup CPU
 * (docs/performance.md). A validator depends on nothing but its schema and these fixed options, so a
 * second app in the same process (the tests build hundreds) reuses the first one's.
 */
function compilerOf(coerce: boolean): (schema: object) => ReturnType<Ajv['compile']> {
  let ajv: Ajv | undefined;
  const compiled = new Map<string, ReturnType<Ajv['compile']>>();
  return (schema) => {
    const key = JSON.stringify(schema);
    let validate = compiled.get(key);
    if (!validate) compiled.set(key, (validate = (ajv ??= makeAjv(coerce)).compile(schema)));
    return validate;
  };
}

const body = compilerOf(false);
const text = compilerOf(true);

export function useStrictValidation(app: FastifyInstance): void {
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? body : text)(schema));
}

// A Map, not an object literal: a body field named `constructor` or `toString` must not find Object's.
const HEADER_NAMES = new Map([['idempotency-key', 'Idempotency-Key']]);

export interface ValidationProblem {
  field: string;
  constraint: string;
  message: string;
}

/** Turns Ajv's first error into the contract's details ({ field, constraint }) and a sentence for people. */
export function describeValidation(errors: readonly ErrorObject[], part: string | undefined): ValidationProblem {
  const err = errors[0];
  if (!err) return { field: part ?? 'body', constraint: 'schema', message: `${part ?? 'body'} is invalid` };
  const path = err.instancePath.split('/').filter(Boolean);
  const params = err.params as Record<string, unknown>;
  let field = path[0] ?? part ?? 'body';
  if (err.keyword === 'required') field = String(params.missingProperty);
  if (err.keyword === 'additionalProperties') field = String(params.additionalProperty);
  field = HEADER_NAMES.get(field) ?? field;
  const constraint = err.keyword;
  const message = sentence(field, constraint, params, err.message);
  return { field, constraint, message };
}

function sentence(field: string, keyword: string, params: Record<string, unknown>, fallback?: string): string {
  switch (keyword) {
    case 'required':
      return `${field} is required`;
    case 'additionalProperties':
      return `unknown field ${field} is not allowed`;
    case 'minLength':
      return `${field} must be at least ${String(params.limit)} characters`;
    case 'maxLength':
      return `${field} must be at most ${String(params.limit)} characters`;
    case 'minimum':
      return `${field} must be at least ${String(params.limit)}`;
    case 'maximum':
      return `${field} must be at most ${String(params.limit)}`;
    case 'enum':
      return `${field} must be one of ${(params.allowedValues as unknown[]).join(', ')}`;
    case 'type':
      return `${field} must be ${article(String(params.type))}`;
    case 'pattern':
    case 'format':
      return `${field} is not in the expected format`;
    default:
      return `${field} ${fallback ?? 'is invalid'}`;
  }
}

function article(type: string): string {
  return type === 'integer' || type === 'object' || type === 'array' ? `an ${type}` : `a ${type}`;
}
