// The web host's own TLS certificate, for when it serves other devices and the user brought none: generated once
// with @peculiar/x509 over Node's WebCrypto (no hand-written ASN.1), kept in the data dir so that a phone that
// trusted it once keeps trusting it, and made anew only when it no longer names an address it must serve.
import * as x509 from '@peculiar/x509';
import { webcrypto, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '../core/stores';

export interface TlsMaterial {
  cert: string;
  key: string;
  /** SHA-256 of the certificate as browsers show it: colon-separated hex pairs. */
  fingerprint: string;
}

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const VALID_DAYS = 825; // the longest validity Apple's platforms accept for a TLS server certificate

// x509 types its provider with the DOM's Crypto, which Node's WebCrypto implements.
x509.cryptoProvider.set(webcrypto as never);

function isIp(name: string): boolean {
  return /^\d+\.\d+\.\d+\.\d+$/.test(name) || name.includes(':');
}

/** A new self-signed certificate naming `names` (addresses and host names). */
export async function generateCertificate(names: readonly string[], now = new Date()): Promise<TlsMaterial> {
  const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const serial = Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)));
  serial[0]! &= 0x7f; // a positive serial number
  const unique = [...new Set(names)];
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial.toString('hex'),
    name: 'CN=Holdfast',
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + VALID_DAYS * 86_400_000),
    signingAlgorithm: ALGORITHM,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(unique.map((n) => (isIp(n) ? { type: 'ip' as const, value: n } : { type: 'dns' as const, value: n }))),
    ],
  });
  const pem = cert.toString('pem');
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const key = `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n?$/, '\n')}-----END PRIVATE KEY-----\n`;
  return { cert: pem, key, fingerprint: new X509Certificate(pem).fingerprint256 };
}

/** The names a certificate is valid for, from its subjectAltName. */
export function certificateNames(certPem: string): string[] {
  const alt = new X509Certificate(certPem).subjectAltName ?? '';
  return alt
    .split(/,\s*/)
    .map((entry) => entry.replace(/^(DNS|IP Address):/, ''))
    .filter(Boolean)
    .map((n) => n.toLowerCase());
}

/**
 * The certificate kept in `dir` (cert.pem, key.pem), made (again) when it is missing, unreadable, expired, or does
 * not name every one of `names`.
 */
export async function loadOrCreateCertificate(dir: string, names: readonly string[], now = new Date()): Promise<TlsMaterial & { created: boolean }> {
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  if (existsSync(certPath) && existsSync(keyPath)) {
    try {
      const cert = readFileSync(certPath, 'utf8');
      const key = readFileSync(keyPath, 'utf8');
      const parsed = new X509Certificate(cert);
      const valid = new Date(parsed.validTo).getTime() > now.getTime() + 86_400_000;
      const have = new Set(certificateNames(cert));
      if (valid && names.every((n) => have.has(n.toLowerCase()))) return { cert, key, fingerprint: parsed.fingerprint256, created: false };
    } catch {
      // Unreadable: made anew below.
    }
  }
  const material = await generateCertificate(['localhost', '127.0.0.1', '::1', ...names], now);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileAtomicSync(keyPath, material.key, 0o600);
  writeFileAtomicSync(certPath, material.cert, 0o644);
  return { ...material, created: true };
}
