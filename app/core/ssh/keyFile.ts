// What is wrong with a file given as a private key, found when the profile is saved rather than at the first
// connect (where the key's problem would hide at the end of an authentication message).
import { utils } from './ssh2';

/**
 * Undefined for a private key Holdfast can use (an encrypted one too: its passphrase is asked when it is used);
 * otherwise what is wrong with it, in the user's words.
 */
export function privateKeyProblem(data: Buffer, file: string): string | undefined {
  const result = utils.parseKey(data);
  const key = Array.isArray(result) ? result[0] : result;
  if (key instanceof Error) {
    if (/passphrase|encrypted/i.test(key.message)) return undefined;
    if (/^\s*ssh-|^\s*ecdsa-|^\s*sk-/.test(data.toString('latin1', 0, 64))) return `${file} is a public key; choose the private key (the same name without .pub)`;
    return `${file} is not a private key Holdfast can read (${key.message})`;
  }
  if (!key) return `${file} holds no key`;
  if (!key.isPrivateKey()) return `${file} is a public key; choose the private key (the same name without .pub)`;
  return undefined;
}
