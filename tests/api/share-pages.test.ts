import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { expiringLinks } from "@/db/schema";
import { setUserPlan } from "@/lib/accounts/users";
import { orientedJpeg, rgbaPng } from "../support/fixtures";
import { api, BASE, bodyBytes, makeUser, setActive, type TestUser, uploadOk } from "./harness";

/**
 * GET /s/{token}, a temp link's `page_url`: an HTML page anyone may open while the link lives,
 * with the tags chat apps unfurl; 410 once the link is gone, 404 for a token that never was one.
 */
const jpeg = await orientedJpeg(1, "landscape");
const png = await rgbaPng(); // 32×32

type Created = { url: string; page_url: string; expires_at: string };

async function enterpriseLink(file: Buffer, name: string, aliveDuration = 600) {
  const user = await makeUser("Enterprise");
  const image = await uploadOk(user, file, name);
  const res = await api.createLink(user.token, { image_id: image.id, alive_duration: aliveDuration });
  expect(res.status).toBe(201);
  return { user, image, link: (await res.json()) as Created };
}

const linkIdOf = (url: string) => new URL(url).pathname.split("/")[2]?.split(".")[0] as string;

// A small reader for the page this app writes (double-quoted attributes, the five entities it escapes).
const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'" };
const decode = (text: string) => text.replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => ENTITIES[e] as string);

function elements(html: string, tag: string): Record<string, string>[] {
  return [...html.matchAll(new RegExp(`<${tag}\\b([^>]*)>`, "gi"))].map((m) =>
    Object.fromEntries(
      [...(m[1] ?? "").matchAll(/([\w:-]+)="([^"]*)"/g)].map((a) => [a[1] as string, decode(a[2] as string)]),
    ),
  );
}

function textOf(html: string, tag: string): string | undefined {
  const inner = new RegExp(`<${tag}\\b[^>]*>([\\s\\S]*?)</${tag}>`, "i").exec(html)?.[1];
  return inner === undefined ? undefined : decode(inner.replace(/<[^>]+>/g, ""));
}

/** The page's <meta> tags, by property (Open Graph) or name (Twitter, robots). */
function metaTags(html: string): Map<string, string[]> {
  const tags = new Map<string, string[]>();
  for (const m of elements(html, "meta")) {
    const key = m.property ?? m.name;
    if (key && m.content !== undefined) tags.set(key, [...(tags.get(key) ?? []), m.content]);
  }
  return tags;
}

async function openPage(link: Created) {
  const res = await api.openPage(link.page_url);
  return { res, html: (await bodyBytes(res)).toString("utf8") };
}

function expectHtmlPage(res: Response, html: string, status: number) {
  expect(res.status, html.slice(0, 500)).toBe(status);
  expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
  expect(res.headers.get("cache-control")).toBe("private, no-store");
  expect(res.headers.get("x-robots-tag")).toBe("noindex");
  expect(metaTags(html).get("robots")).toEqual(["noindex"]);
  // No script of any kind: nothing to run, nothing to inject into.
  expect(html).not.toMatch(/<script/i);
}

describe("page_url", () => {
  it("is the share page of the same token, in the created link and in the list", async () => {
    const { user, link } = await enterpriseLink(png, "pixel");
    expect(link.page_url).toMatch(/^http:\/\/localhost:3000\/s\/[^/?#]+$/);
    expect(new URL(link.page_url).pathname.slice("/s/".length)).toBe(new URL(link.url).pathname.slice("/l/".length));
    const listed = (await (await api.listLinks(user.token)).json()) as { items: Created[] };
    expect(listed.items.map((l) => [l.url, l.page_url])).toEqual([[link.url, link.page_url]]);
    expect((await openPage(link)).res.status).toBe(200);
  });
});

describe("GET /s/{token} (the share page)", () => {
  it("shows the image, its name, the time left and a download button to anyone, with unfurl tags", async () => {
    const { image, link } = await enterpriseLink(jpeg, "Harbour view");
    const { res, html } = await openPage(link);
    expectHtmlPage(res, html, 200);

    const tags = metaTags(html);
    expect(tags.get("og:title")).toEqual(["Harbour view"]);
    expect(tags.get("og:type")).toEqual(["website"]);
    expect(tags.get("og:url")).toEqual([link.page_url]);
    expect(tags.get("og:image")).toEqual([link.url]);
    expect(tags.get("og:image:type")).toEqual(["image/jpeg"]);
    expect(tags.get("og:image:width")).toEqual([String(image.width)]);
    expect(tags.get("og:image:height")).toEqual([String(image.height)]);
    expect(tags.get("twitter:card")).toEqual(["summary_large_image"]);
    expect(tags.get("twitter:image")).toEqual([link.url]);

    const path = new URL(link.url).pathname;
    const [img, ...more] = elements(html, "img");
    expect(more).toEqual([]);
    expect(img).toMatchObject({
      src: path,
      alt: "Harbour view",
      width: String(image.width),
      height: String(image.height),
    });
    expect(textOf(html, "h1")).toBe("Harbour view");
    expect(textOf(html, "title")).toBe("Harbour view · Tiered Image Hosting");
    // Created with 600 s to live: 9 whole minutes and some seconds are left.
    expect(textOf(html, "time")).toBe("expires in 9 min");
    expect(elements(html, "time")[0]?.datetime).toBe(link.expires_at);
    const download = elements(html, "a").find((a) => a.class === "download");
    expect(download?.href).toBe(`${path}?download=1`);

    // What the page points at is what the link serves: the image, and it as an attachment.
    const served = await api.openLink(`${BASE}${img?.src}`);
    expect(served.status).toBe(200);
    expect(served.headers.get("content-disposition")).toMatch(/^inline; /);
    const saved = await api.openLink(`${BASE}${download?.href}`);
    expect(saved.status).toBe(200);
    expect(saved.headers.get("content-disposition")).toBe(
      `attachment; filename="Harbour view.jpg"; filename*=UTF-8''Harbour%20view.jpg`,
    );
  });

  it("escapes the image's name everywhere it appears: no markup of the name's survives", async () => {
    const name = `<script>alert(1)</script> & "quotes"`;
    const { link } = await enterpriseLink(png, name);
    const { res, html } = await openPage(link);
    expectHtmlPage(res, html, 200);
    const escaped = "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;";
    expect(html).toContain(`<h1>${escaped}</h1>`);
    expect(html).toContain(`<title>${escaped} · Tiered Image Hosting</title>`);
    expect(html).not.toContain("<script>alert(1)");
    expect(html).not.toContain('"quotes"');
    // Read back, the tags and the text hold the name exactly.
    const tags = metaTags(html);
    expect(tags.get("og:title")).toEqual([name]);
    expect(tags.get("og:image:alt")).toEqual([name]);
    expect(elements(html, "img")[0]?.alt).toBe(name);
    expect(textOf(html, "h1")).toBe(name);
  });

  it("answers 410 with a readable page once the link is revoked, and the image link with it", async () => {
    const { user, link } = await enterpriseLink(png, "pixel");
    expect((await api.revokeLink(user.token, linkIdOf(link.url))).status).toBe(204);
    const { res, html } = await openPage(link);
    expectHtmlPage(res, html, 410);
    expect(textOf(html, "h1")).toBe("This link has been revoked");
    expect(metaTags(html).get("og:image")).toBeUndefined();
    expect(elements(html, "img")).toEqual([]);
    expect((await api.openLink(link.url)).status).toBe(410);
  });

  it("answers 410 with a readable page once the link has expired", async () => {
    const { link } = await enterpriseLink(png, "pixel", 300);
    expect((await openPage(link)).res.status).toBe(200);
    // Expiry without waiting: the deadline moves into the past.
    await getDb()
      .update(expiringLinks)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(expiringLinks.id, linkIdOf(link.url)));
    const { res, html } = await openPage(link);
    expectHtmlPage(res, html, 410);
    expect(textOf(html, "h1")).toBe("This link has expired");
    expect(textOf(html, "title")).toBe("This link has expired · Tiered Image Hosting");
  });

  it.each([
    ["downgraded to a plan without expiring links", (user: TestUser) => setUserPlan(user.email, "Premium")],
    ["deactivated", (user: TestUser) => setActive(user.id, false)],
  ] as const)("answers 410 once the owner is %s", async (_label, change) => {
    const { user, link } = await enterpriseLink(png, "pixel");
    await change(user);
    const { res, html } = await openPage(link);
    expectHtmlPage(res, html, 410);
    expect(textOf(html, "h1")).toBe("This link is no longer available");
  });

  it("answers 404 with a readable page to a tampered or unknown token", async () => {
    const { link } = await enterpriseLink(png, "pixel");
    const [id, signature] = new URL(link.page_url).pathname.slice("/s/".length).split(".") as [string, string];
    const flipped = (signature[0] === "A" ? "B" : "A") + signature.slice(1);
    for (const token of [
      `${id}.${flipped}`,
      `${id}.${signature}x`,
      id,
      "nothing-here",
      `${crypto.randomUUID()}.${signature}`,
    ]) {
      const { res, html } = await openPage({ ...link, page_url: `${BASE}/s/${token}` });
      expectHtmlPage(res, html, 404);
      expect(textOf(html, "h1"), token).toBe("No such link");
    }
    expect((await openPage(link)).res.status).toBe(200);
  });
});
