/**
 * Writes around the page cache (lib/storage/direct-write.ts) on this machine's temporary
 * filesystem: what the kernel accepts there is probed first, with raw writes, and each test
 * asserts the mode that follows from it, and always the bytes.
 */
import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { mkdtemp, open, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pageAlignedBuffer } from "@/lib/memory/buffer-pool";
import { writeFileDirect } from "@/lib/storage/direct-write";

const MiB = 1024 * 1024;
let dir: string;
/** What the kernel does here with a direct write from an aligned buffer, and from a misaligned one. */
let kernel: { direct: boolean; refusesMisaligned: boolean };

/** One raw 4 KiB direct write from `memory`: accepted, or refused with EINVAL. */
async function rawDirectWrite(file: string, memory: Uint8Array): Promise<boolean> {
  if (constants.O_DIRECT === undefined) return false;
  try {
    const handle = await open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_DIRECT);
    try {
      await handle.write(memory, 0, 4096, 0);
      return true;
    } finally {
      await handle.close();
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EINVAL") return false;
    throw error;
  } finally {
    await rm(file, { force: true });
  }
}

/** A buffer whose first byte is at an odd address: no direct write can use it. */
const misaligned = (size: number) => Buffer.alloc(size + 1).subarray(1);

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "direct-write-"));
  const direct = await rawDirectWrite(path.join(dir, "probe"), pageAlignedBuffer(4096));
  const misalignedAccepted = await rawDirectWrite(path.join(dir, "probe"), misaligned(4096));
  kernel = { direct, refusesMisaligned: direct && !misalignedAccepted };
  if (!direct) console.warn(`Direct I/O is refused in ${dir}: only the ordinary writes are exercised.`);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("writeFileDirect", () => {
  it("writes exactly the bytes given, of any size, directly where the filesystem allows", async () => {
    let n = 0;
    const size = fc.oneof(
      fc.integer({ min: 0, max: 3 * MiB }),
      fc.constantFrom(1, 4095, 4096, 4097, MiB - 1, MiB, MiB + 1),
    );
    await fc.assert(
      fc.asyncProperty(size, async (bytes) => {
        const file = path.join(dir, `file-${(n += 1)}`);
        const data = new Uint8Array(randomBytes(bytes));
        const mode = await writeFileDirect(file, data, pageAlignedBuffer);
        expect(mode).toBe(kernel.direct ? "direct" : "buffered");
        expect((await stat(file)).size).toBe(bytes);
        expect(Buffer.compare(await readFile(file), data)).toBe(0);
        await rm(file);
      }),
      { numRuns: 40 },
    );
  });

  it("replaces a longer file, and leaves none of the staging buffer's earlier bytes in it", async () => {
    const file = path.join(dir, "replaced");
    await writeFile(file, randomBytes(3 * MiB));
    const staging = pageAlignedBuffer(2 * MiB).fill(0xaa); // another upload's bytes
    const data = new Uint8Array(randomBytes(MiB + 5));
    await writeFileDirect(file, data, (size) => staging.subarray(0, size));
    expect(Buffer.compare(await readFile(file), data)).toBe(0);
    // What the block write carried past the end of the data (cut off from the file) is zeros.
    const padded = Math.ceil(data.length / 4096) * 4096;
    expect(staging.subarray(data.length, padded).every((b) => b === 0)).toBe(true);
  });

  it("writes the ordinary way when the kernel refuses the direct write", async () => {
    const file = path.join(dir, "refused");
    const data = new Uint8Array(randomBytes(2 * MiB + 123));
    const mode = await writeFileDirect(file, data, misaligned);
    expect(mode).toBe(kernel.refusesMisaligned || !kernel.direct ? "buffered" : "direct");
    expect(Buffer.compare(await readFile(file), data)).toBe(0);
  });

  it("passes on a failure that is not a refusal of direct I/O, writing nothing", async () => {
    const file = path.join(dir, "no-such-dir", "file");
    await expect(writeFileDirect(file, new Uint8Array(MiB), pageAlignedBuffer)).rejects.toMatchObject({
      code: "ENOENT",
    });
  });
});
