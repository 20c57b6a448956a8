import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readExactly } from "./read-exactly";

const streamOf = (chunks: Uint8Array[]) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (const c of chunks) controller.enqueue(c);
      controller.close();
    },
  });

describe("readExactly", () => {
  it("joins any chunking of exactly the announced bytes, and refuses one byte more or less", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 }), async (chunks) => {
        const all = Buffer.concat(chunks);
        expect(await readExactly(streamOf(chunks), all.length)).toEqual(all);
        if (all.length > 0) expect(await readExactly(streamOf(chunks), all.length - 1)).toBeNull();
        expect(await readExactly(streamOf(chunks), all.length + 1)).toBeNull();
      }),
    );
  });

  it("stops reading a stream that runs past the size instead of draining it", async () => {
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(1024));
      },
    });
    expect(await readExactly(endless, 4096)).toBeNull();
    expect(pulled).toBeLessThan(10);
  });
});
