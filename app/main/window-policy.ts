// What the window may do, as plain decisions: it never navigates away from our renderer, opens no windows of
// its own, and hands web links to the OS browser.

/** Links the user clicks that may be opened in the OS browser. */
export function isExternalLink(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}

/** Permissions the renderer may have: writing the clipboard (copy from a terminal). Everything else is denied. */
export function isPermissionAllowed(permission: string): boolean {
  return permission === 'clipboard-sanitized-write';
}

/**
 * The CSP for the renderer. Vite's dev server needs inline scripts (React refresh) and its own HMR socket;
 * packaged and preview builds use the strict policy unchanged.
 */
export function rendererCsp(strict: string, devServerUrl: string | undefined): string {
  if (!devServerUrl) return strict;
  const { host } = new URL(devServerUrl);
  return strict
    .replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
    .replace("connect-src 'self'", `connect-src 'self' ws://${host}`);
}
