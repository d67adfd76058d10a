// Each role's identity policies as the template declares them (AWS::IAM::Policy attached to the role
// and the role's inline Policies), evaluated as IAM does for one account: an explicit Deny wins, then
// an Allow is needed; actions and resources match with the `*` and `?` wildcards.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
// Not evaluated (stated, so nobody relies on it): resource-based policies (the bucket's TLS-only policy),
// permission boundaries, SCPs. A statement with a Condition is never an Allow here.
import { createHash, randomBytes } from 'node:crypto';
import type { Json, Template } from './template.ts';

interface Statement {
  effect: 'Allow' | 'Deny';
  actions: string[];
  notActions?: string[];
  resources: string[];
  notResources?: string[];
  conditional: boolean;
}

export interface Role {
  id: string;
  name: string;
  arn: string;
  accessKeyId: string;
  secretAccessKey: string;
  statements: Statement[];
}

const list = (value: Json | undefined): string[] | undefined => (value === undefined || value === null ? undefined : (Array.isArray(value) ? value : [value]).map(String));

/** `*` any run of characters, `?` one; case-insensitive for actions, as IAM compares them. */
export function wildcard(pattern: string, value: string, ignoreCase = false): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's').test(value);
}

export class IamPolicies {
  readonly roles = new Map<string, Role>();
  private readonly byKey = new Map<string, Role>();

  constructor(template: Template) {
    for (const id of template.ofType('AWS::IAM::Role')) {
      // One access key per role, as the role's temporary credentials would be: the proxies tell roles apart by it.
      const accessKeyId = `ASIA${createHash('sha256').update(id).digest('hex').slice(0, 16).toUpperCase()}`;
      const role: Role = { id, name: template.ref(id), arn: template.attribute(id, 'Arn'), accessKeyId, secretAccessKey: randomBytes(30).toString('base64'), statements: [] };
      for (const inline of (template.resource(id).Properties?.Policies as Json[] | undefined) ?? []) {
        role.statements.push(...statementsOf(template, (inline as { PolicyDocument: Json }).PolicyDocument));
      }
      this.roles.set(id, role);
      this.byKey.set(accessKeyId, role);
    }
    for (const id of template.ofType('AWS::IAM::Policy')) {
      const props = template.resource(id).Properties ?? {};
      for (const ref of (props.Roles as Json[] | undefined) ?? []) {
        const roleId = (ref as { Ref?: string }).Ref;
        const role = roleId ? this.roles.get(roleId) : undefined;
        if (role) role.statements.push(...statementsOf(template, props.PolicyDocument));
      }
    }
  }

  role(id: string): Role {
    const role = this.roles.get(id);
    if (!role) throw new Error(`the template has no role ${id}`);
    return role;
  }

  byAccessKey(accessKeyId: string): Role | undefined {
    return this.byKey.get(accessKeyId);
  }

  /** IAM's answer for `role` doing `action` on `resource`. */
  allows(role: Role, action: string, resource: string): boolean {
    const matches = (s: Statement): boolean => {
      const actionMatch = s.notActions ? !s.notActions.some((a) => wildcard(a, action, true)) : s.actions.some((a) => wildcard(a, action, true));
      const resourceMatch = s.notResources ? !s.notResources.some((r) => wildcard(r, resource)) : s.resources.some((r) => wildcard(r, resource));
      return actionMatch && resourceMatch;
    };
    if (role.statements.some((s) => s.effect === 'Deny' && !s.conditional && matches(s))) return false;
    return role.statements.some((s) => s.effect === 'Allow' && !s.conditional && matches(s));
  }

  /** Every (action, resource pattern) a role's Allow statements name: for the "nothing more is granted" test. */
  grants(role: Role): { action: string; resource: string }[] {
    return role.statements.filter((s) => s.effect === 'Allow').flatMap((s) => s.actions.flatMap((action) => s.resources.map((resource) => ({ action, resource }))));
  }
}

function statementsOf(template: Template, document: Json | undefined): Statement[] {
  const resolved = template.resolve(document) as { Statement?: Json } | null;
  const raw = resolved?.Statement;
  return (Array.isArray(raw) ? raw : raw ? [raw] : []).map((s) => {
    const st = s as Record<string, Json>;
    return {
      effect: st.Effect === 'Deny' ? 'Deny' : 'Allow',
      actions: list(st.Action) ?? [],
      notActions: list(st.NotAction),
      resources: list(st.Resource) ?? [],
      notResources: list(st.NotResource),
      conditional: st.Condition !== undefined,
    };
  });
}
