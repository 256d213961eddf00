// Opens one page of the planet in Debian's headless Chromium (driven by playwright-core) the way
// readers do: on a phone, on a desktop, and on a desktop in dark mode. For each view it reports
// console errors (CSP violations and failed loads included), horizontal overflow, clicks that a
// post's content takes outside its own box, and axe-core's
// accessibility violations, and takes a screenshot.
//
//   node check-page.mjs URL OUT_DIR NAME
//
// Prints one JSON report; exit 0 (the calling test, tests/browser.rs, decides what fails).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";

const [url, outDir, name] = process.argv.slice(2);
const axeSource = readFileSync(
  new URL("./node_modules/axe-core/axe.min.js", import.meta.url),
  "utf8",
);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});

const views = [
  { view: "phone", width: 375, height: 740, scheme: "light", mobile: true },
  { view: "desktop", width: 1280, height: 900, scheme: "light", mobile: false },
  { view: "desktop-dark", width: 1280, height: 900, scheme: "dark", mobile: false },
];
const report = { url, views: [] };
for (const v of views) {
  const context = await browser.newContext({
    viewport: { width: v.width, height: v.height },
    colorScheme: v.scheme,
    isMobile: v.mobile,
    hasTouch: v.mobile,
    deviceScaleFactor: 1,
  });
  const page = await context.newPage();
  const errors = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("requestfailed", (r) => errors.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  const response = await page.goto(url, { waitUntil: "load" });
  // Horizontal overflow: the document is wider than the screen.
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  // Posts stay in their boxes: at points on a grid over the screen, the element a click would
  // reach is inside a post's content only where the point is inside that content's box.
  const escapes = await page.evaluate(() => {
    const out = [];
    for (let y = 2; y < innerHeight; y += 24) {
      for (let x = 2; x < innerWidth; x += 24) {
        const hit = document.elementFromPoint(x, y);
        const content = hit && hit.closest(".content");
        if (!content) continue;
        const r = content.getBoundingClientRect();
        if (x < r.left || x > r.right || y < r.top || y > r.bottom) {
          out.push({ x, y, hit: hit.tagName });
        }
      }
    }
    return out.slice(0, 10);
  });
  // axe runs in the page's context through the DevTools protocol, which the page's CSP does
  // not govern (the page itself has no script).
  await page.evaluate(axeSource);
  const axe = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((x) => ({
      id: x.id,
      impact: x.impact,
      help: x.help,
      nodes: x.nodes.slice(0, 5).map((n) => n.target.join(" ")),
    }));
  });
  const shot = join(outDir, `${name}-${v.view}.png`);
  await page.screenshot({ path: shot, fullPage: false });
  // Keyboard users: the first Tab lands on the skip link, which then shows on screen with a
  // visible outline.
  await page.keyboard.press("Tab");
  const focus = await page.evaluate(() => {
    const a = document.activeElement;
    const r = a.getBoundingClientRect();
    const s = getComputedStyle(a);
    return {
      skip_link: a.matches("a.skip"),
      on_screen: r.left >= 0 && r.top >= 0 && r.right <= innerWidth && r.width > 0,
      outline: s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0,
    };
  });
  report.views.push({
    view: v.view,
    status: response.status(),
    overflow,
    escapes,
    errors,
    violations: axe,
    focus,
    screenshot: shot,
  });
  await context.close();
}
await browser.close();
console.log(JSON.stringify(report, null, 1));
