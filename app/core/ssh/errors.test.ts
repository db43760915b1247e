import { describe, expect, it } from 'vitest';
import { HoldfastError } from '../../shared/contract';
import { mapConnectError } from './errors';

const target = { host: 'srv.example', port: 2222, user: 'ann' };
const withCode = (code: string) => Object.assign(new Error(`connect ${code}`), { code });

describe('mapConnectError', () => {
  it.each([
    ['ECONNREFUSED', 'CONNECTION_REFUSED'],
    ['ENOTFOUND', 'HOST_NOT_FOUND'],
    ['EAI_AGAIN', 'HOST_NOT_FOUND'],
    ['ETIMEDOUT', 'TIMEOUT'],
    ['ENETUNREACH', 'NETWORK'],
    ['EHOSTUNREACH', 'NETWORK'],
    ['ECONNRESET', 'NETWORK'],
  ])('maps socket error %s to %s and names host:port', (code, expected) => {
    const err = mapConnectError(withCode(code), target);
    expect(err.code).toBe(expected);
    expect(err.message).toContain(expected === 'HOST_NOT_FOUND' ? 'srv.example' : 'srv.example:2222');
  });

  it("maps ssh2's handshake timeout and its keepalive timeout to TIMEOUT", () => {
    const err = mapConnectError(Object.assign(new Error('Timed out while waiting for handshake'), { level: 'client-timeout' }), target);
    expect(err.code).toBe('TIMEOUT');
  });

  it('maps "all methods failed" to AUTH_FAILED naming user@host', () => {
    const err = mapConnectError(Object.assign(new Error('All configured authentication methods failed'), { level: 'client-authentication' }), target);
    expect(err.code).toBe('AUTH_FAILED');
    expect(err.message).toMatch(/^Authentication failed for ann@srv\.example/);
  });

  it("maps a jump host's channel open failure by its reason text", () => {
    const refused = Object.assign(new Error('Connection refused'), { reason: 2 });
    const unknown = Object.assign(new Error('Name or service not known'), { reason: 2 });
    const other = Object.assign(new Error('administratively prohibited: open failed'), { reason: 1 });
    expect(mapConnectError(refused, target).code).toBe('CONNECTION_REFUSED');
    expect(mapConnectError(unknown, target).code).toBe('HOST_NOT_FOUND');
    expect(mapConnectError(other, target).code).toBe('NETWORK');
  });

  it('keeps a HoldfastError as it is', () => {
    const original = new HoldfastError({ code: 'HOST_KEY_CHANGED', message: 'changed' });
    expect(mapConnectError(original, target)).toBe(original);
  });

  it('brackets an IPv6 address before the port', () => {
    expect(mapConnectError(withCode('ECONNREFUSED'), { host: '::1', port: 22 }).message).toContain('[::1]:22');
  });
});
