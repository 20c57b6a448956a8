/** Buffers are made in whole MiB, so uploads of about the same size share them. */
const GRANULE = 1024 * 1024;

export type BufferPoolOptions = {
  /** Smaller requests get a buffer of their own, never pooled. */
  minBytes: number;
  /** At most this many bytes of idle buffers are kept; past it, the oldest go. */
  maxIdleBytes: number;
  /** Idle buffers are dropped this long after the last one came back. */
  idleMs: number;
  /** Makes a pooled buffer of `bytes` (a whole number of MiB); default Buffer.allocUnsafe. */
  allocate?: (bytes: number) => Buffer<ArrayBuffer>;
};

/** The buffers one holder (a request) borrowed, given back together when it is done. */
export type Loans = {
  /** `size` bytes, uninitialised (another holder's bytes may be in them), this holder's until end(). */
  borrow(size: number): Buffer<ArrayBuffer>;
  /**
   * Gives every borrowed buffer back. Nothing may read or write them after: they are lent again.
   * Call it once whatever used them (a decode, a write) has settled, not merely been abandoned.
   */
  end(): void;
};

/**
 * Large buffers lent and taken back, so that a busy server does not allocate a fresh one for
 * every upload. V8 counts the bytes of every new ArrayBuffer against its old generation's limit
 * until a full collection: a fresh 6.6 MB buffer per 12 MP upload made V8 mark its whole heap
 * about once per upload (14–17 mark-compacts in 33 uploads, 2 with this pool), and those
 * collections were a fifth of the upload's CPU.
 */
export class BufferPool {
  readonly #options: BufferPoolOptions;
  /** Oldest first. */
  #idle: Buffer<ArrayBuffer>[] = [];
  #idleBytes = 0;
  #dropIdle: NodeJS.Timeout | undefined;

  constructor(options: BufferPoolOptions) {
    this.#options = options;
  }

  /** Bytes held by idle buffers (kept for the next borrower). */
  get idleBytes(): number {
    return this.#idleBytes;
  }

  loans(): Loans {
    const lent: Buffer<ArrayBuffer>[] = [];
    let ended = false;
    return {
      borrow: (size) => {
        if (ended) throw new Error("These loans have ended: borrow from a new holder.");
        if (size < this.#options.minBytes) return Buffer.allocUnsafe(size);
        const slab = this.#take(size);
        lent.push(slab);
        return slab.subarray(0, size);
      },
      end: () => {
        if (ended) return;
        ended = true;
        for (const slab of lent.splice(0)) this.#giveBack(slab);
      },
    };
  }

  /** The smallest idle buffer that fits and is less than twice the size asked for, else a new one. */
  #take(size: number): Buffer<ArrayBuffer> {
    let best = -1;
    for (const [i, slab] of this.#idle.entries()) {
      const fits = slab.length >= size && slab.length < 2 * size;
      if (fits && (best < 0 || slab.length < (this.#idle[best]?.length ?? Infinity))) best = i;
    }
    const [reused] = best < 0 ? [] : this.#idle.splice(best, 1);
    if (!reused) return (this.#options.allocate ?? Buffer.allocUnsafe)(Math.ceil(size / GRANULE) * GRANULE);
    this.#idleBytes -= reused.length;
    return reused;
  }

  #giveBack(slab: Buffer<ArrayBuffer>): void {
    this.#idle.push(slab);
    this.#idleBytes += slab.length;
    while (this.#idleBytes > this.#options.maxIdleBytes) this.#idleBytes -= this.#idle.shift()?.length ?? 0;
    clearTimeout(this.#dropIdle);
    this.#dropIdle = setTimeout(() => {
      this.#idle = [];
      this.#idleBytes = 0;
    }, this.#options.idleMs);
    this.#dropIdle.unref();
  }
}

/** WebAssembly's page, the unit its memory grows by. */
const WASM_PAGE = 64 * 1024;

/**
 * A buffer whose first byte is page-aligned, as direct I/O needs (O_DIRECT reads and writes
 * user memory in place). JavaScript cannot ask for an address's alignment, but V8 maps each
 * WebAssembly memory with pages of its own, so its first byte starts a page (the kernel refuses
 * a misaligned direct write with EINVAL, which lib/storage/direct-write.ts answers by writing the
 * ordinary way). Freed like any ArrayBuffer once unreachable.
 */
export function pageAlignedBuffer(bytes: number): Buffer<ArrayBuffer> {
  const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / WASM_PAGE) });
  return Buffer.from(memory.buffer, 0, bytes);
}

/**
 * For upload bodies (a multipart file, a direct upload read back): a few uploads' worth, which
 * 4 clients uploading 12 MP photos keep in use, dropped after half a minute without uploads.
 */
export const uploadBuffers = new BufferPool({ minBytes: GRANULE, maxIdleBytes: 64 * GRANULE, idleMs: 30_000 });
