// OAuth2 authorization code + PKCE against Cognito's hosted UI (aws) or the dev identity provider
// (local), and local mode's shortcut POST /auth/dev-token. Registered under /api/v1, without bearer auth.
import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { DevIdentityProvider } from '../../local/dev-identity-provider.ts';
import { LoginCookie, newLoginSession, sameText } from '../auth/login-cookie.ts';
import { IdentityProviderUnavailable, OAuthGrantRejected, type OAuthClient } from '../auth/oauth-client.ts';
import { ErrorBody, HttpError } from '../http-error.ts';

export interface AuthRoutesOptions {
  oauth: OAuthClient;
  cookieSecret: string;
  secureCookies: boolean;
  /** Local mode only: enables POST /auth/dev-token. */
  devIdp?: DevIdentityProvider;
}

const tags = ['auth'];
const publicErrors = { 429: ErrorBody, 500: ErrorBody };
const Redirect = Type.Null({ description: 'Redirect to the identity provider (see Location)' });

const CallbackQuery = Type.Object({
  code: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
  state: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
  // RFC 6749 §4.1.2.1: the provider reports a refused sign-in with ?error=…
  error: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$' })),
  error_description: Type.Optional(Type.String({ maxLength: 1024 })),
});
const Tokens = Type.Object({
  accessToken: Type.String(), idToken: Type.String(), refreshToken: Type.String(),
  expiresIn: Type.Integer({ description: 'seconds' }), tokenType: Type.Literal('Bearer'),
});
const DevTokenBody = Type.Object(
  {
    userId: Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9._@+-]+$' }),
    email: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
  },
  { additionalProperties: false },
);
const DevToken = Type.Object({ accessToken: Type.String(), expiresIn: Type.Integer({ description: 'seconds' }), tokenType: Type.Literal('Bearer') });

function invalid(field: 'state' | 'code', constraint: string, message: string): HttpError {
  return new HttpError(400, 'VALIDATION_ERROR', `Invalid request: ${message}`, { field, constraint });
}

export const authRoutes: FastifyPluginAsyncTypebox<AuthRoutesOptions> = async (app, options) => {
  const { oauth, devIdp } = options;
  const cookie = new LoginCookie(options.cookieSecret, { path: `${app.prefix}/auth`, secure: options.secureCookies });

  await app.register(async (scope: FastifyInstance) => {
    const forms = scope.withTypeProvider<TypeBoxTypeProvider>();
    // An HTML <form method="post"> sends an (empty) urlencoded body; these routes read no body at all.
    forms.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_request, _body, done) => done(null, undefined));

    const login = {
      schema: { tags, summary: 'Start the OAuth2 code flow (PKCE S256): redirects to the identity provider', response: { 302: Redirect, ...publicErrors } },
    };
    const startLogin = async (_request: unknown, reply: FastifyReply) => {
      const session = newLoginSession();
      return reply
        .header('set-cookie', cookie.serialize(session))
        .header('cache-control', 'no-store')
        .redirect(oauth.authorizeUrl({ state: session.state, codeChallenge: session.codeChallenge }), 302);
    };
    forms.get('/auth/login', login, startLogin);
    forms.post('/auth/login', login, startLogin);

    forms.post('/auth/logout', {
      schema: { tags, summary: "Forget the login session and redirect to the identity provider's logout", response: { 302: Redirect, ...publicErrors } },
    }, async (_request, reply) => reply.header('set-cookie', cookie.clear()).redirect(oauth.logoutUrl(), 302));
  });

  app.get('/auth/callback', {
    schema: {
      tags, summary: 'OAuth2 redirect target: checks state, exchanges the code for tokens',
      querystring: CallbackQuery, response: { 200: Tokens, 400: ErrorBody, 503: ErrorBody, ...publicErrors },
    },
  }, async (request, reply) => {
    // The login session is spent whatever happens next: the code can be redeemed only once anyway.
    reply.header('set-cookie', cookie.clear()).header('cache-control', 'no-store');
    const { code, state, error } = request.query;
    if (!state) throw invalid('state', 'required', 'state is required');
    const session = cookie.read(request.headers.cookie);
    if (!session) throw invalid('state', 'session', 'the login session is missing or expired; sign in again');
    if (!sameText(state, session.state)) throw invalid('state', 'match', 'state does not match this login');
    if (error) throw invalid('code', error, `the identity provider refused the sign-in (${error})`);
    if (!code) throw invalid('code', 'required', 'code is required');
    try {
      const tokens = await oauth.exchangeCode({ code, codeVerifier: session.codeVerifier });
      return { ...tokens, tokenType: 'Bearer' as const };
    } catch (err) {
      if (err instanceof OAuthGrantRejected) throw invalid('code', 'invalid_grant', 'the authorization code is invalid, expired or already used');
      if (err instanceof IdentityProviderUnavailable) {
        request.log.warn({ err }, 'identity provider unavailable');
        throw new HttpError(503, 'SERVICE_UNAVAILABLE', 'The identity provider is unavailable; try again shortly', undefined, { 'retry-after': '5' });
      }
      throw err;
    }
  });

  if (!devIdp) return; // aws mode: the route does not exist, so the app answers 404
  app.post('/auth/dev-token', {
    schema: {
      tags, summary: 'Local mode only: an access token for any user id, no password',
      body: DevTokenBody, response: { 200: DevToken, 400: ErrorBody, ...publicErrors },
    },
  }, async (request, reply) => {
    const { userId, email } = request.body;
    const tokens = await devIdp.issueTokens({ userId, ...(email ? { email } : {}) });
    reply.header('cache-control', 'no-store');
    return { accessToken: tokens.accessToken, expiresIn: tokens.expiresIn, tokenType: 'Bearer' as const };
  });
};
