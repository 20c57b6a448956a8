import { describe, expect, it } from "vitest";
import { createRenderSlots } from "./render-slots";

const settled = async (promise: Promise<unknown>) => {
  let done = false;
  void promise.then(() => (done = true));
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  return done;
};

describe("render slots", () => {
  it("gives out as many slots as it has, then says busy", () => {
    const slots = createRenderSlots(2);
    expect(slots.tryTake()).not.toBeNull();
    expect(slots.tryTake()).not.toBeNull();
    expect(slots.tryTake()).toBeNull();
  });

  it("hands a released slot to the longest waiter first", async () => {
    const slots = createRenderSlots(1);
    const held = slots.tryTake();
    const order: string[] = [];
    const first = slots.take().then((release) => (order.push("first"), release));
    const second = slots.take().then((release) => (order.push("second"), release));
    expect(await settled(first)).toBe(false);
    expect(slots.waiting).toBe(2);
    held?.();
    (await first)();
    await second;
    expect(order).toEqual(["first", "second"]);
  });

  it("counts a slot released twice once", () => {
    const slots = createRenderSlots(1);
    const release = slots.tryTake();
    release?.();
    release?.();
    expect(slots.tryTake()).not.toBeNull();
    expect(slots.tryTake()).toBeNull();
  });
});
