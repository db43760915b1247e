// The last bytes a terminal was given, as they came (escape sequences and all): what its screen cannot show. Kept
// bounded for diagnostics, and for end-to-end tests that must check the raw stream rather than the parsed screen.
export class ByteTail {
  private readonly _chunks: Uint8Array[] = [];
  private _size = 0;

  constructor(private readonly _limit = 64 * 1024) {}

  push(data: Uint8Array): void {
    if (data.length === 0) return;
    this._chunks.push(data);
    this._size += data.length;
    while (this._size - this._chunks[0]!.length >= this._limit) this._size -= this._chunks.shift()!.length;
  }

  /** At most the limit's worth of the newest bytes, in order. */
  bytes(): Uint8Array {
    const out = new Uint8Array(this._size);
    let offset = 0;
    for (const chunk of this._chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out.length > this._limit ? out.subarray(out.length - this._limit) : out;
  }
}
