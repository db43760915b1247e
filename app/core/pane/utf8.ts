// Where a byte buffer can be cut without splitting a UTF-8 character.

/** Length of the sequence a lead byte starts, or 0 if the byte cannot start a multi-byte sequence. */
function sequenceLength(lead: number): number {
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

function isContinuation(byte: number): boolean {
  return (byte & 0xc0) === 0x80;
}

/**
 * The length of the longest prefix of `bytes` that does not end inside a UTF-8 character. Only a lead byte
 * followed by too few continuation bytes at the very end is cut off (at most 3 bytes); anything that cannot
 * become a valid character stays in the prefix, so invalid input is never held back.
 */
export function completeUtf8Length(bytes: Uint8Array): number {
  const n = bytes.length;
  let continuations = 0;
  for (let i = n - 1; i >= 0 && i >= n - 4; i--) {
    const byte = bytes[i]!;
    if (isContinuation(byte)) {
      continuations++;
      continue;
    }
    const needed = sequenceLength(byte);
    return needed > continuations + 1 ? i : n;
  }
  return n;
}
