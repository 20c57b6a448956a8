import { describe, expect, it } from "vitest";
import { rgbaPng } from "../support/fixtures";
import { api, expectProblem, type ImageBody, makeUser, type TestUser, uploadOk } from "./harness";

/** GET /api/v1/images with `q` and `sort`: server-side search and order, still keyset-paginated. */
const png = await rgbaPng();
const NAMES = [
  "Harbour at dawn",
  "harbour NIGHT",
  "Mountain",
  "100% cotton",
  "a_b",
  "ab",
  "Zebra",
  "éclair",
  "back\\slash",
];

type Page = { items: ImageBody[]; next_cursor: string | null };

async function listAll(user: TestUser, query: string, limit = 2): Promise<string[]> {
  const names: string[] = [];
  let cursor: string | null = null;
  do {
    const res = await api.list(user.token, `?limit=${limit}${query}${cursor ? `&cursor=${cursor}` : ""}`);
    expect(res.status).toBe(200);
    const page = (await res.json()) as Page;
    names.push(...page.items.map((i) => i.name));
    cursor = page.next_cursor;
  } while (cursor);
  return names;
}

async function userWithImages(): Promise<TestUser> {
  const user = await makeUser();
  for (const name of NAMES) await uploadOk(user, png, name);
  return user;
}

describe("search and sort", () => {
  it("q keeps the names containing it, ignoring case; LIKE's own characters match only themselves", async () => {
    const user = await userWithImages();
    const other = await makeUser();
    await uploadOk(other, png, "harbour of someone else");
    const search = (q: string) => listAll(user, `&q=${encodeURIComponent(q)}`);
    expect((await search("HARBOUR")).sort()).toEqual(["Harbour at dawn", "harbour NIGHT"]);
    expect(await search("%")).toEqual(["100% cotton"]);
    expect(await search("_")).toEqual(["a_b"]);
    expect(await search("\\")).toEqual(["back\\slash"]);
    expect(await search("ÉCLAIR")).toEqual(["éclair"]);
    expect(await search("nothing like it")).toEqual([]);
    // Blank is no filter.
    expect((await search("   ")).sort()).toEqual([...NAMES].sort());
  });

  it("sorts newest first by default, oldest first, or by name ignoring case, across pages", async () => {
    const user = await userWithImages();
    expect(await listAll(user, "")).toEqual([...NAMES].reverse());
    expect(await listAll(user, "&sort=newest", 3)).toEqual([...NAMES].reverse());
    expect(await listAll(user, "&sort=oldest")).toEqual(NAMES);
    const byName = await listAll(user, "&sort=name");
    // Alphabetical as people read it (ICU's root collation, as Intl's): "éclair" beside the e's, not after "Zebra".
    expect(byName).toEqual([...NAMES].sort(new Intl.Collator("en").compare));
    expect(byName.indexOf("éclair")).toBeLessThan(byName.indexOf("harbour NIGHT"));
    expect(await listAll(user, "&sort=name&q=harbour", 1)).toEqual(["Harbour at dawn", "harbour NIGHT"]);
  });

  it("a page of a search keeps its place while images are added, with no repeats or gaps", async () => {
    const user = await userWithImages();
    const first = (await (await api.list(user.token, "?limit=1&sort=name&q=a")).json()) as Page;
    await uploadOk(user, png, "0 a first by name");
    const rest = await (async () => {
      const names: string[] = [];
      let cursor = first.next_cursor;
      while (cursor) {
        const page = (await (await api.list(user.token, `?limit=1&sort=name&q=a&cursor=${cursor}`)).json()) as Page;
        names.push(...page.items.map((i) => i.name));
        cursor = page.next_cursor;
      }
      return names;
    })();
    const seen = [...first.items.map((i) => i.name), ...rest];
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).not.toContain("0 a first by name"); // it sorts before the page already read
    expect(seen).toEqual(seen.slice().sort(new Intl.Collator("en").compare));
  });

  it("pages by name through the longest names (200 characters, 600 bytes of UTF-8)", async () => {
    const user = await makeUser();
    const names = ["日".repeat(200), "本".repeat(200), "語".repeat(199) + "a"];
    for (const name of names) await uploadOk(user, png, name);
    expect(await listAll(user, "&sort=name", 1)).toEqual([...names].sort(new Intl.Collator("en").compare));
  });

  it("refuses an unknown sort, an overlong q or one with control characters, and a cursor of another sort with 422", async () => {
    const user = await userWithImages();
    await expectProblem(await api.list(user.token, "?sort=size"), 422);
    await expectProblem(await api.list(user.token, `?q=${"x".repeat(101)}`), 422);
    await expectProblem(await api.list(user.token, "?q=a%00b"), 422);
    const forged = Buffer.from(JSON.stringify(["name", "a\u0000", "6f1c2a4e-8b7d-4c3e-9a21-0d5e7f9b1c23"])).toString(
      "base64url",
    );
    await expectProblem(await api.list(user.token, `?sort=name&cursor=${forged}`), 422);
    const page = (await (await api.list(user.token, "?limit=1")).json()) as Page;
    const problem = await expectProblem(await api.list(user.token, `?sort=name&cursor=${page.next_cursor}`), 422);
    expect(problem.detail).toMatch(/sort=newest/);
  });
});
