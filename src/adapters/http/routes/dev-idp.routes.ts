// Local mode's identity provider, shaped like Cognito's hosted UI (/oauth2/authorize, /oauth2/token,
// /logout, /.well-known/jwks.json) so the one OAuthClient and JwksTokenVerifier serve both modes.
// Registered at the root, local mode only. https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-userpools-server-contract-reference.html
import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyError, FastifyInstance } from 'fastify';
import { CODE_CHALLENGE, InvalidGrant, type DevIdentityProvider } from '../../local/dev-identity-provider.ts';
import { page, signInPage } from '../auth/dev-sign-in-page.ts';
import { ErrorBody, HttpError } from '../http-error.ts';

const tags = ['dev identity provider (local mode)'];
const DevUserId = Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9._@+-]+$' });
const Html = { content: { 'text/html': { schema: Type.String() } } };
const Redirect = Type.Null({ description: 'Redirect (see Location)' });

const AuthorizeQuery = Type.Object({
  response_type: Type.Literal('code'),
  client_id: Type.String({ minLength: 1, maxLength: 128 }),
  redirect_uri: Type.String({ minLength: 1, maxLength: 2048 }),
  state: Type.Optional(Type.String({ maxLength: 1024 })),
  code_challenge: Type.String({ pattern: CODE_CHALLENGE.source, description: 'PKCE S256 challenge' }),
  code_challenge_method: Type.Literal('S256'),
  scope: Type.Optional(Type.String({ maxLength: 512 })),
  username: Type.Optional(DevUserId),
});

const TokenBody = Type.Object({
  grant_type: Type.String({ maxLength: 64 }),
  code: Type.Optional(Type.String({ maxLength: 512 })),
  redirect_uri: Type.Optional(Type.String({ maxLength: 2048 })),
  client_id: Type.Optional(Type.String({ maxLength: 128 })),
  code_verifier: Type.Optional(Type.String({ maxLength: 256 })),
  refresh_token: Type.Optional(Type.String({ maxLength: 512 })),
});
const TokenResponse = Type.Object({
  access_token: Type.String(), id_token: Type.String(), refresh_token: Type.String(),
  expires_in: Type.Integer(), token_type: Type.Literal('Bearer'),
});
/** RFC 6749 §5.2, as Cognito answers it (not the API's error body: OAuth clients expect this one). */
const OAuthError = Type.Object({ error: Type.String(), error_description: Type.Optional(Type.String()) }, { title: 'OAuthError' });

class OAuthFailure extends Error {
  readonly error: string;
  constructor(error: string, message: string) {
    super(message);
    this.error = error;
  }
}

/** signIn false (local mode on a network address, not allowed): the password-less ?username= sign-in answers 404. */
export const devIdpRoutes: FastifyPluginAsyncTypebox<{ idp: DevIdentityProvider; signIn?: boolean }> = async (app, { idp, signIn = true }) => {
  app.get('/.well-known/jwks.json', {
    schema: { tags, summary: "The dev identity provider's public signing keys", response: { 200: Type.Object({ keys: Type.Array(Type.Record(Type.String(), Type.Unknown())) }) } },
  }, async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=300');
    return await idp.jwks();
  });

  app.get('/oauth2/authorize', {
    schema: {
      tags, summary: 'Sign-in page; with ?username=… (no password, dev only) redirects back with a code',
      querystring: AuthorizeQuery, response: { 200: Html, 302: Redirect, 400: ErrorBody, 404: ErrorBody, 429: ErrorBody, 500: ErrorBody },
    },
  }, async (request, reply) => {
    const query = request.query;
    if (!signIn) throw new HttpError(404, 'NOT_FOUND', 'The dev sign-in is off: this server listens on a network address (set LOCAL_DEV_SIGN_IN_ON_NETWORK=true to allow it)');
    const rejected = idp.rejectClient(query.client_id, query.redirect_uri);
    if (rejected) throw new HttpError(400, 'VALIDATION_ERROR', `Invalid request: ${rejected.message}`, { field: rejected.field, constraint: 'registered' });
    if (!query.username) return reply.type('text/html; charset=utf-8').send(signInPage(request.url));
    const user = { userId: query.username, ...(query.username.includes('@') ? { email: query.username } : {}) };
    const code = idp.createCode({ clientId: query.client_id, redirectUri: query.redirect_uri, codeChallenge: query.code_challenge }, user);
    const target = new URL(query.redirect_uri);
    target.searchParams.set('code', code);
    if (query.state !== undefined) target.searchParams.set('state', query.state);
    return reply.header('cache-control', 'no-store').redirect(target.toString(), 302);
  });

  await app.register(tokenEndpoint, { idp });

  app.get('/logout', {
    schema: {
      tags, summary: 'Sign out; redirects to logout_uri when given',
      querystring: Type.Object({ client_id: Type.String({ minLength: 1, maxLength: 128 }), logout_uri: Type.Optional(Type.String({ maxLength: 2048 })) }),
      response: { 200: Html, 302: Redirect, 400: ErrorBody, 429: ErrorBody, 500: ErrorBody },
    },
  }, async (request, reply) => {
    const { client_id: clientId, logout_uri: logoutUri } = request.query;
    if (clientId !== idp.clientId) {
      throw new HttpError(400, 'VALIDATION_ERROR', 'Invalid request: client_id is not a known client', { field: 'client_id', constraint: 'registered' });
    }
    if (logoutUri !== undefined && !idp.allowsRedirect(logoutUri)) {
      throw new HttpError(400, 'VALIDATION_ERROR', 'Invalid request: logout_uri is not allowed for this client', { field: 'logout_uri', constraint: 'registered' });
    }
    if (logoutUri) return reply.redirect(logoutUri, 302);
    return reply.type('text/html; charset=utf-8').send(page('Signed out', '<p>You are signed out of the dev identity provider.</p>'));
  });
};

/** Its own scope: only form bodies (RFC 6749 §4.1.3) and OAuth2's error format. */
async function tokenEndpoint(scope: FastifyInstance, { idp }: { idp: DevIdentityProvider }): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 16 * 1024 }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  app.setErrorHandler((error: FastifyError, _request, reply) => {
    const [code, description] =
      error instanceof InvalidGrant || error instanceof OAuthFailure
        ? [error instanceof OAuthFailure ? error.error : 'invalid_grant', error.message]
        : error.validation ? ['invalid_request', `Invalid request: ${error.message}`] : [];
    if (!code) throw error; // the app's handler renders everything else in the API's format
    return reply.code(400).header('cache-control', 'no-store').send({ error: code, error_description: description });
  });

  app.post('/oauth2/token', {
    schema: {
      tags, summary: 'Exchange an authorization code (PKCE) or a refresh token for tokens',
      consumes: ['application/x-www-form-urlencoded'], body: TokenBody,
      response: { 200: TokenResponse, 400: OAuthError, 415: ErrorBody, 429: ErrorBody, 500: ErrorBody },
    },
  }, async (request, reply) => {
    const body = request.body;
    const clientId = basicClientId(request.headers.authorization) ?? body.client_id;
    if (clientId !== idp.clientId) throw new OAuthFailure('invalid_client', 'client_id is not a known client');
    let tokens;
    if (body.grant_type === 'authorization_code') {
      const { code, redirect_uri: redirectUri, code_verifier: codeVerifier } = body;
      if (!code || !redirectUri || !codeVerifier) throw new OAuthFailure('invalid_request', 'code, redirect_uri and code_verifier are required');
      tokens = await idp.redeemCode({ code, clientId, redirectUri, codeVerifier });
    } else if (body.grant_type === 'refresh_token') {
      if (!body.refresh_token) throw new OAuthFailure('invalid_request', 'refresh_token is required');
      tokens = await idp.refresh(body.refresh_token, clientId);
    } else {
      throw new OAuthFailure('unsupported_grant_type', 'grant_type must be authorization_code or refresh_token');
    }
    reply.header('cache-control', 'no-store');
    return { access_token: tokens.accessToken, id_token: tokens.idToken, refresh_token: tokens.refreshToken, expires_in: tokens.expiresIn, token_type: 'Bearer' as const };
  });
}

/** RFC 6749 §2.3.1: a confidential client may authenticate with Basic; the dev IdP only reads its id. */
function basicClientId(header: string | undefined): string | undefined {
  const match = /^basic +([A-Za-z0-9+/=]+)$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  try {
    return decodeURIComponent(colon === -1 ? decoded : decoded.slice(0, colon));
  } catch {
    throw new OAuthFailure('invalid_client', 'Basic credentials are malformed');
  }
}
