/**
 * Reads a stream of exactly `bytes` bytes into one buffer taken up front from `allocate` (one
 * copy, whatever the chunking). `null` if it ends short or runs past: then it is cancelled, never
 * read to its end.
 */
export async function readExactly(
  stream: ReadableStream<Uint8Array>,
  bytes: number,
  allocate: (size: number) => Buffer = Buffer.allocUnsafe,
): Promise<Buffer | null> {
  const buffer = allocate(bytes);
  let offset = 0;
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (offset + value.byteLength > bytes) {
        await reader.cancel().catch(() => {});
        return null;
      }
      buffer.set(value, offset);
      offset += value.byteLength;
    }
  } finally {
    reader.releaseLock();
  }
  return offset === bytes ? buffer : null;
}
