/**
 * Faults in the production topology: the app reaches PostgreSQL and S3 through TCP proxies the
 * test cuts and restores. A dependency that is down gives 503 problem+json (and /api/ready names
 * it), leaves no half-made upload behind (no row without its object, no object without its row),
 * and once it is back the same requests succeed without restarting anything. Then a job whose
 * image was deleted before a worker got to it (queued by a plan change) ends cleanly.
 *
 * No worker runs until the last test, so the bucket only changes through the requests made here.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  bucketKeys,
  expectBucketMatchesRows,
  expectOneVariantPerHeight,
  expectProblem,
  gainHeight,
  imageRows,
  jobsOf,
  makeGrowingPlan,
  makeUser,
  noisyJpeg,
  readyAnswers,
  thumbnailQueue,
  type TestUser,
  upload,
  uploadOk,
  useStack,
  waitAllJobsDone,
  waitAllReady,
} from "./helpers";

const stack = useStack({ apps: 1, workers: 0, faults: true });

describe("stack with fault proxies", () => {
  let user: TestUser;
  let file: Buffer;
  /** Images that must end ready once a worker runs, with their owner's token. */
  const uploaded: { id: string; token: string }[] = [];

  const app = () => stack().appUrls[0] as string;
  const proxies = () => {
    const p = stack().proxies;
    if (!p) throw new Error("no proxies");
    return p;
  };
  const appPid = () => stack().apps[0]?.pid;

  /** After a restore: ready again, and an upload succeeds adding just its files, on the same app process. */
  async function expectRecovered(token: string, keysBefore: string[], pid: number | undefined) {
    await readyAnswers(app(), 200);
    const image = await uploadOk(app(), token, file);
    uploaded.push({ id: image.id, token });
    const added = (await bucketKeys(stack())).filter((key) => !keysBefore.includes(key));
    expect(added.map((key) => key.replace(/\/(\d+)-[0-9a-f]+$/, "/$1"))).toEqual([
      `originals/${image.id}`,
      `variants/${image.id}/200`,
      `variants/${image.id}/400`,
    ]);
    expect(appPid()).toBe(pid);
  }

  it("serves through the proxies", async () => {
    user = await makeUser("Enterprise");
    file = await noisyJpeg(480, 360);
    uploaded.push({ id: (await uploadOk(app(), user.token, file)).id, token: user.token });
    expect(proxies().db.accepted).toBeGreaterThan(0);
    expect(proxies().s3.accepted).toBeGreaterThan(0);
  });

  it("storage unreachable: ready and upload answer 503, no row is made; after restore the upload succeeds", async () => {
    const pid = appPid();
    const rowsBefore = await imageRows(user.id);
    const keysBefore = await bucketKeys(stack());

    await proxies().s3.cut();
    try {
      const ready = await expectProblem(await readyAnswers(app(), 503), 503);
      expect(Object.keys(ready.errors ?? {})).toEqual(["storage"]);
      expect(ready.detail).toMatch(/storage/);

      const res = await upload(app(), user.token, file);
      expect(res.headers.get("retry-after")).toBe("5");
      await expectProblem(res, 503);
      expect(await imageRows(user.id)).toEqual(rowsBefore);
      expect(await bucketKeys(stack())).toEqual(keysBefore);
    } finally {
      await proxies().s3.restore();
    }

    await expectRecovered(user.token, keysBefore, pid);
    expect(stack().apps[0]?.alive()).toBe(true);
  });

  it("database unreachable: ready and upload answer 503, no object is left; after restore the upload succeeds", async () => {
    const pid = appPid();
    const keysBefore = await bucketKeys(stack());

    await proxies().db.cut();
    try {
      const ready = await expectProblem(await readyAnswers(app(), 503), 503);
      expect(Object.keys(ready.errors ?? {})).toEqual(["database"]);
      expect(ready.detail).toMatch(/database/);

      await expectProblem(await upload(app(), user.token, file), 503);
      expect(await bucketKeys(stack())).toEqual(keysBefore);
    } finally {
      await proxies().db.restore();
    }

    await expectRecovered(user.token, keysBefore, pid);
  });

  it("database lost after the original was stored (at the image row's insert): 503, the object is removed again", async () => {
    // The image's name first travels to PostgreSQL as a parameter of the images insert (the
    // quota reservation before the store sends only the user's id and size), so the cut lands there.
    const other = await makeUser("Enterprise");
    const pid = appPid();
    const keysBefore = await bucketKeys(stack());
    const s3Before = proxies().s3.bytesToTarget;
    const name = `cut-at-insert-${randomUUID()}`;

    const cut = proxies().db.cutWhen(name);
    try {
      const res = await upload(app(), other.token, file, name);
      await cut;
      await expectProblem(res, 503);
      expect(proxies().s3.bytesToTarget - s3Before, "the original went to S3 before the insert").toBeGreaterThan(
        file.length,
      );
      expect(await bucketKeys(stack())).toEqual(keysBefore);
      expect(await imageRows(other.id)).toEqual([]);
    } finally {
      await proxies().db.restore();
    }
    await expectRecovered(other.token, keysBefore, pid);
  });

  it("the S3 server stopped and started again on its port keeps its objects", async () => {
    const s = stack();
    const first = uploaded[0]?.id;
    await s.stopS3();
    try {
      const ready = await expectProblem(await readyAnswers(app(), 503), 503);
      expect(Object.keys(ready.errors ?? {})).toEqual(["storage"]);
    } finally {
      await s.startS3();
    }
    await readyAnswers(app(), 200);
    const res = await fetch(`${app()}/api/v1/images/${first}/original`, {
      headers: { authorization: `Bearer ${user.token}` },
    });
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(file)).toBe(true);
  });

  it("a job whose image was deleted before a worker ran it completes as 'gone' on its first attempt and leaves no file", async () => {
    const s = stack();
    const plan = await makeGrowingPlan();
    const owner = await makeUser(plan);
    const image = await uploadOk(app(), owner.token, file, "short-lived");
    await gainHeight(s, plan, 1); // its job waits: no worker runs yet
    const del = await fetch(`${app()}/api/v1/images/${image.id}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${owner.token}` },
    });
    expect(del.status).toBe(204);

    const queue = thumbnailQueue(s);
    try {
      const [waiting] = await jobsOf(queue, [image.id]);
      expect(await waiting?.getState()).toBe("waiting");
      await s.startWorker();
      await waitAllJobsDone(queue, [image.id]);
      const [job] = await jobsOf(queue, [image.id]);
      expect(await job?.getState()).toBe("completed");
      expect(job?.returnvalue).toBe("gone");
      expect(job?.attemptsMade).toBe(1);
      expect(await bucketKeys(s, `variants/${image.id}/`)).toEqual([]);
      expect(await bucketKeys(s, `originals/${image.id}`)).toEqual([]);
    } finally {
      await queue.close();
    }

    // Every upload made during and after the faults is whole: ready, nothing stray.
    for (const { id, token } of uploaded) await waitAllReady(s.appUrls, token, [id]);
    await expectOneVariantPerHeight(
      uploaded.map((u) => u.id),
      [200, 400],
    );
    expect((await imageRows()).map((row) => row.status)).toEqual(uploaded.map(() => "ready"));
    await expectBucketMatchesRows(s);
  });
});
