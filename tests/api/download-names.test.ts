import { describe, expect, it } from "vitest";
import * as originalRoute from "@/app/api/v1/images/[id]/original/route";
import * as thumbnailRoute from "@/app/api/v1/images/[id]/thumbnails/[height]/route";
import { orientedJpeg, rgbaPng } from "../support/fixtures";
import { api, call, expectProblem, makeUser, type TestUser, uploadOk } from "./harness";

/**
 * Media answers name the file after the image (Content-Disposition), inline or, with
 * `?download=1`, as an attachment: the thumbnail, the original and the expiring link alike.
 */
const png = await rgbaPng();
const jpeg = await orientedJpeg(1, "landscape");

const DISPOSITION = /^(inline|attachment); filename="([^"\\]*)"; filename\*=UTF-8''([A-Za-z0-9!#$&+\-.^_`|~%]+)$/;

function disposition(res: Response) {
  const header = res.headers.get("content-disposition") ?? "";
  const match = DISPOSITION.exec(header);
  expect(match, header).not.toBeNull();
  return { type: match?.[1], ascii: match?.[2], name: decodeURIComponent(match?.[3] ?? "") };
}

type Route = "thumbnail" | "original" | "link";

/** One media URL of the image, with `query`, fetched as its route is: by the owner, or by anyone for the link. */
async function fetchMedia(user: TestUser, imageId: string, route: Route, query = ""): Promise<Response> {
  if (route === "thumbnail")
    return call(thumbnailRoute.GET, {
      path: `/api/v1/images/${imageId}/thumbnails/200${query}`,
      token: user.token,
      params: { id: imageId, height: "200" },
    });
  if (route === "original")
    return call(originalRoute.GET, {
      path: `/api/v1/images/${imageId}/original${query}`,
      token: user.token,
      params: { id: imageId },
    });
  const created = await api.createLink(user.token, { image_id: imageId, alive_duration: 600 });
  expect(created.status).toBe(201);
  return api.openLink(((await created.json()) as { url: string }).url + query);
}

const ROUTES: Route[] = ["thumbnail", "original", "link"];

describe("Content-Disposition of media answers", () => {
  it.each(ROUTES)("%s: inline, named after the image with the served type's extension", async (route) => {
    const user = await makeUser("Enterprise");
    const image = await uploadOk(user, jpeg, "Harbour view");
    const res = await fetchMedia(user, image.id, route);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toBe(
      `inline; filename="Harbour view.jpg"; filename*=UTF-8''Harbour%20view.jpg`,
    );
  });

  it.each(ROUTES)(
    "%s: a non-ASCII name round-trips through filename*, with an ASCII filename beside it",
    async (route) => {
      const user = await makeUser("Enterprise");
      const image = await uploadOk(user, png, "Café 日本");
      const res = await fetchMedia(user, image.id, route);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("image/png");
      expect(disposition(res)).toEqual({ type: "inline", ascii: "Cafe.png", name: "Café 日本.png" });
    },
  );

  it.each(ROUTES)("%s: ?download=1 makes it an attachment under the same name", async (route) => {
    const user = await makeUser("Enterprise");
    const image = await uploadOk(user, png, "Café 日本");
    const res = await fetchMedia(user, image.id, route, "?download=1");
    expect(res.status).toBe(200);
    expect(disposition(res)).toEqual({ type: "attachment", ascii: "Cafe.png", name: "Café 日本.png" });
    // Still the file itself, as inert as ever.
    expect(res.headers.get("content-security-policy")).toBe("default-src 'none'");
    expect(Buffer.from(await res.arrayBuffer()).length).toBeGreaterThan(0);
  });

  it.each(ROUTES)("%s: download with any value but 1 is a 422 naming the parameter", async (route) => {
    const user = await makeUser("Enterprise");
    const image = await uploadOk(user, png);
    for (const value of ["0", "true", "", "yes", "11"]) {
      const problem = await expectProblem(await fetchMedia(user, image.id, route, `?download=${value}`), 422);
      expect(problem.errors?.download?.length, value).toBeGreaterThan(0);
    }
  });

  it("a name with path separators and quotes never reaches the file name", async () => {
    const user = await makeUser("Enterprise");
    const image = await uploadOk(user, png, '../secret/"x" \\ y');
    for (const route of ROUTES) {
      const { name, ascii } = disposition(await fetchMedia(user, image.id, route));
      expect(name, route).toBe("_secret_x_ _ y.png");
      expect(ascii, route).toBe(name);
    }
  });

  it("a 304 says the same, so a revalidated file keeps its name", async () => {
    const user = await makeUser("Enterprise");
    const image = await uploadOk(user, png, "Café 日本");
    const first = await api.original(user.token, image.id);
    const again = await api.original(user.token, image.id, { "if-none-match": first.headers.get("etag") ?? "" });
    expect(again.status).toBe(304);
    expect(again.headers.get("content-disposition")).toBe(first.headers.get("content-disposition"));
  });
});
