// The dev identity provider's two tiny pages. Everything echoed from the request is escaped.

/** Cognito's hosted UI asks for a password; the dev IdP only asks who you want to be. */
export function signInPage(url: string): string {
  const here = new URL(url, 'http://dev.invalid');
  const params = here.searchParams;
  const hidden = [...params].filter(([name]) => name !== 'username')
    .map(([name, value]) => `<input type="hidden" name="${escape(name)}" value="${escape(value)}">`).join('');
  return page('Sign in', `<form method="get" action="${escape(here.pathname)}">${hidden}
<label for="username">Username</label>
<input id="username" name="username" autocomplete="username" aria-describedby="username-hint" required maxlength="128" pattern="[A-Za-z0-9._@+\\-]+" autofocus>
<button type="submit">Sign in</button>
</form>
<p id="username-hint">Dev identity provider: no password; any username made of letters, digits and <code>. _ @ + -</code>.</p>`);
}

export function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · OmniGen (local)</title></head><body><main><h1>${title}</h1>${body}</main></body></html>`;
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
