// DICOM-aware editing in the real workbench (code-server in Chromium) against the seeded emulator:
// hovering PatientName shows its tag; completion offers the keywords of the level; the
// 5,200-instance image set opens without VS Code's large-file notification, with folding controls
// and syntax highlighting. Screenshots: .test-results/screenshots/language-*.png; with
// HI_UPDATE_MEDIA=1 the hover and completion screenshots are also written to media/ (the README's).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { builtVsix, repoRoot, startE2E, type E2ESession, type Locator } from '../../tools/vscode-host/driver';

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('DICOM-aware editing in the workbench', function () {
  this.timeout(240_000);
  let e2e: E2ESession;

  before(async () => {
    e2e = await startE2E({ vsix: builtVsix(), settings: { 'files.autoSave': 'off' }, viewport: { width: 1200, height: 760 } });
  });

  after(async () => {
    await e2e?.dispose();
  });

  const editorLines = () => e2e.page.locator('.editor-group-container.active .monaco-editor .view-lines');
  const editorGroup = () => e2e.page.locator('.editor-group-container.active');

  /** Writes a screenshot of the editor to .test-results/screenshots, and to media/ when HI_UPDATE_MEDIA=1. */
  async function editorScreenshot(name: string, target: Locator): Promise<void> {
    const file = path.join(repoRoot, '.test-results', 'screenshots', `${name}.png`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    await target.screenshot({ path: file });
    assert.ok(fs.statSync(file).size > 5_000, `${file} was written`);
    if (process.env.HI_UPDATE_MEDIA === '1') fs.copyFileSync(file, path.join(repoRoot, 'media', `${name.replace(/^language-/, '')}.png`));
  }

  async function openImageSet(rowText: string | RegExp): Promise<void> {
    const view = e2e.page.locator('.part.sidebar');
    const row = view.locator('.monaco-list-row[aria-level="2"]').filter({ hasText: rowText }).first();
    await row.waitFor({ state: 'visible', timeout: 60_000 });
    await row.click();
  }

  it('hovering PatientName shows its tag (0010,0010), VR and what a change does; completion offers the level\'s keywords', async () => {
    const { page } = e2e;
    await e2e.waitForWorkbench();
    await (await e2e.activityBarItem('HealthImaging')).click();
    const datastore = page.locator('.part.sidebar .monaco-list-row[aria-label*="sample-datastore"]').first();
    await datastore.waitFor({ state: 'visible', timeout: 60_000 });
    await datastore.click();
    // a non-primary image set: the hover says a Patient-level change is a plain update there
    await openImageSet('non-primary');
    await editorLines().filter({ hasText: '"PatientName"' }).waitFor({ state: 'visible', timeout: 60_000 });

    const key = editorLines().locator('span').filter({ hasText: /^"PatientName"$/ }).first();
    const hover = page.locator('.monaco-hover').filter({ hasText: '(0010,0010)' }).first();
    await until('the hover', async () => {
      await key.hover();
      return (await hover.isVisible()) ? true : undefined;
    });
    const text = await hover.innerText();
    assert.match(text, /Patient Name · PatientName · \(0010,0010\)/);
    assert.match(text, /VR PN \(person name\) · VM 1/);
    assert.match(text, /plain update on this non-primary image set/);
    await editorScreenshot('language-hover', editorGroup());

    // completion on a new line of Patient.DICOM
    await key.click();
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await page.keyboard.type('"PatientB');
    const suggest = page.locator('.editor-widget.suggest-widget');
    const row = suggest.locator('.monaco-list-row').filter({ hasText: 'PatientBirthTime' }).first();
    await until('the completion list', async () => {
      if (await row.isVisible()) return true;
      await page.keyboard.press('Control+Space');
      return undefined;
    });
    assert.match(await suggest.innerText(), /PatientBirthDate/);
    await editorScreenshot('language-completion', editorGroup());
    await page.keyboard.press('Escape');
  });

  it('the 5,200-instance image set opens with no large-file notification, with folding controls and highlighting', async () => {
    const { page } = e2e;
    await openImageSet('Volume^Large');
    // (its own text, not the editor opened before)
    await editorLines().filter({ hasText: 'Volume^Large' }).waitFor({ state: 'visible', timeout: 120_000 });
    // folding controls in the gutter (VS Code renders none for a file it treats as large)
    const folding = page.locator('.editor-group-container.active .margin-view-overlays .codicon-folding-expanded');
    await until('the folding controls', async () => ((await folding.count()) > 0 ? true : undefined), 60_000);
    // highlighting: JSON keys and strings get token classes other than the default mtk1
    const tokens = await editorLines().locator('span[class^="mtk"]').evaluateAll((spans) => spans.map((s) => s.className));
    assert.ok(tokens.some((c) => c !== 'mtk1'), `tokens: ${[...new Set(tokens)].join(' ')}`);
    const notices = await page.locator('.notifications-toasts, .notifications-center').allInnerTexts();
    assert.doesNotMatch(notices.join('\n'), /large file|turned off/i);
    await e2e.screenshot('language-large-image-set');
  });
});
