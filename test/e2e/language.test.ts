// DICOM-aware editing in the real workbench (code-server in Chromium) against the seeded emulator:
// hovering PatientName shows its tag; completion offers the keywords of the level; the
// 5,200-instance image set opens without VS Code's large-file notification, with folding controls
// and syntax highlighting. Screenshots: .test-results/screenshots/language-*.png; with
// HI_UPDATE_MEDIA=1 the hover and completion screenshots are also written to media/ (the README's).
import * as assert from 'node:assert/strict';
import { builtVsix, startE2E, type E2ESession } from '../../tools/vscode-host/driver';
import { until } from '../support/until';
import { docsScreenshot } from './support';

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
    }, 30_000, 250);
    const text = await hover.innerText();
    assert.match(text, /Patient Name · PatientName · \(0010,0010\)/);
    assert.match(text, /VR PN \(person name\) · VM 1/);
    assert.match(text, /plain update on this non-primary image set/);
    await docsScreenshot(e2e, editorGroup(), 'language-hover', 'hover');

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
    }, 30_000, 250);
    assert.match(await suggest.innerText(), /PatientBirthDate/);
    await docsScreenshot(e2e, editorGroup(), 'language-completion', 'completion');
    await page.keyboard.press('Escape');
  });

  it('the 5,200-instance image set opens with no large-file notification, with folding controls and highlighting', async () => {
    const { page } = e2e;
    await openImageSet('Volume^Large');
    // (its own text, not the editor opened before)
    await editorLines().filter({ hasText: 'Volume^Large' }).waitFor({ state: 'visible', timeout: 120_000 });
    // folding controls in the gutter (VS Code renders none for a file it treats as large)
    const folding = page.locator('.editor-group-container.active .margin-view-overlays .codicon-folding-expanded');
    await until('the folding controls', async () => ((await folding.count()) > 0 ? true : undefined), 60_000, 250);
    // highlighting: JSON keys and strings get token classes other than the default mtk1
    const tokens = await editorLines().locator('span[class^="mtk"]').evaluateAll((spans) => spans.map((s) => s.className));
    assert.ok(tokens.some((c) => c !== 'mtk1'), `tokens: ${[...new Set(tokens)].join(' ')}`);
    const notices = await page.locator('.notifications-toasts, .notifications-center').allInnerTexts();
    assert.doesNotMatch(notices.join('\n'), /large file|turned off/i);
    await e2e.screenshot('language-large-image-set');
  });
});
