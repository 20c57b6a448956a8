import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { BufferPool, type Loans, pageAlignedBuffer } from "./buffer-pool";

const MiB = 1024 * 1024;
const options = { minBytes: MiB, maxIdleBytes: 8 * MiB, idleMs: 30_000 };

/** Where a view's bytes are: two views overlap when they share memory. */
const span = (view: Buffer) => ({ memory: view.buffer, from: view.byteOffset, to: view.byteOffset + view.length });
const overlap = (a: ReturnType<typeof span>, b: ReturnType<typeof span>) =>
  a.memory === b.memory && a.from < b.to && b.from < a.to;

afterEach(() => {
  vi.useRealTimers();
});

describe("BufferPool", () => {
  it("never lends memory that another holder still has, and gives each the size it asked for", () => {
    // A step borrows (for a holder, some size) or ends a holder's loans.
    const step = fc.oneof(
      fc.record({
        holder: fc.nat(4),
        size: fc.oneof(fc.integer({ min: 0, max: 2 * MiB }), fc.integer({ min: MiB, max: 6 * MiB })),
      }),
      fc.record({ end: fc.nat(4) }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const pool = new BufferPool(options);
        const holders = new Map<number, { loans: Loans; views: Buffer[] }>();
        for (const s of steps) {
          if ("end" in s) {
            holders.get(s.end)?.loans.end();
            holders.delete(s.end);
            continue;
          }
          const holder = holders.get(s.holder) ?? { loans: pool.loans(), views: [] };
          holders.set(s.holder, holder);
          const view = holder.loans.borrow(s.size);
          expect(view.length).toBe(s.size);
          for (const other of [...holders.values()].flatMap((h) => h.views))
            expect(overlap(span(view), span(other))).toBe(false);
          // What a holder writes stays as written while it holds it (checked at each view's ends).
          view.fill(s.holder);
          holder.views.push(view);
          for (const [id, h] of holders)
            for (const v of h.views) if (v.length) expect([v[0], v.at(-1)]).toEqual([id, id]);
          expect(pool.idleBytes).toBeLessThanOrEqual(options.maxIdleBytes);
        }
      }),
      { numRuns: 100 },
    );
  });

  it("lends a buffer given back to the next upload of about its size, not to a much smaller one", () => {
    const pool = new BufferPool(options);
    const first = pool.loans();
    const lent = first.borrow(5 * MiB + 17);
    first.end();
    expect(pool.idleBytes).toBe(6 * MiB);

    const small = pool.loans();
    expect(small.borrow(2 * MiB).buffer).not.toBe(lent.buffer); // 6 MiB for 2 MiB: too wasteful
    const similar = pool.loans();
    expect(similar.borrow(4 * MiB).buffer).toBe(lent.buffer);
    expect(pool.idleBytes).toBe(0);
  });

  it("keeps small requests out of the pool", () => {
    const pool = new BufferPool(options);
    const loans = pool.loans();
    loans.borrow(MiB - 1);
    loans.end();
    expect(pool.idleBytes).toBe(0);
  });

  it("makes its buffers with the allocator it is given, in whole MiB, and lends them again", () => {
    const made: number[] = [];
    const pool = new BufferPool({
      ...options,
      allocate: (bytes) => {
        made.push(bytes);
        return pageAlignedBuffer(bytes);
      },
    });
    const first = pool.loans();
    const lent = first.borrow(3 * MiB + 1);
    first.end();
    const again = pool.loans().borrow(3 * MiB);
    expect(made).toEqual([4 * MiB]);
    expect(again.buffer).toBe(lent.buffer);
    expect(again.length).toBe(3 * MiB);
  });

  it("refuses to lend from loans that have ended", () => {
    const loans = new BufferPool(options).loans();
    loans.end();
    expect(() => loans.borrow(2 * MiB)).toThrow(/ended/);
  });

  it("drops idle buffers a while after the last came back", () => {
    vi.useFakeTimers();
    const pool = new BufferPool(options);
    const loans = pool.loans();
    loans.borrow(2 * MiB);
    loans.end();
    vi.advanceTimersByTime(options.idleMs - 1);
    expect(pool.idleBytes).toBe(2 * MiB);
    vi.advanceTimersByTime(1);
    expect(pool.idleBytes).toBe(0);
  });
});
