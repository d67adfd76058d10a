/** Who is calling: the verified token's `sub`. */
export interface Principal {
  userId: string;
  email?: string;
}

/** Verifies a bearer token. Rejects with the domain's Unauthorized for anything not trusted — never a 500. */
export interface TokenVerifier {
  verify(token: string): Promise<Principal>;
}
