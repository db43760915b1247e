import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../shared/bridge';
import { isExternalLink, isPermissionAllowed, rendererCsp } from './window-policy';

describe('window policy', () => {
  it('opens only http and https links in the OS browser', () => {
    expect(isExternalLink('https://github.com/tmux/tmux/wiki/Installing')).toBe(true);
    expect(isExternalLink('http://example.com/')).toBe(true);
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'app://holdfast/index.html', 'smb://host/share', 'ms-settings:', 'nonsense']) {
      expect(isExternalLink(url)).toBe(false);
    }
  });

  it('allows writing the clipboard and denies every other permission', () => {
    expect(isPermissionAllowed('clipboard-sanitized-write')).toBe(true);
    for (const permission of ['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-read', 'fileSystem']) {
      expect(isPermissionAllowed(permission)).toBe(false);
    }
  });

  it('keeps the strict CSP outside dev, and loosens it only for the dev server', () => {
    expect(rendererCsp(CONTENT_SECURITY_POLICY, undefined)).toBe(CONTENT_SECURITY_POLICY);
    const dev = rendererCsp(CONTENT_SECURITY_POLICY, 'http://localhost:5173/');
    expect(dev).toContain("connect-src 'self' ws://localhost:5173");
    expect(dev).toContain("script-src 'self' 'unsafe-inline'");
    expect(dev).not.toContain('unsafe-eval');
  });
});
