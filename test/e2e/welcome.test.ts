// The HealthImaging view's welcome content in the real workbench: what a user sees without a region,
// without credentials, and once connected. The text comes from package.json's viewsWelcome, shown by
// VS Code when the healthImaging.connectionState context key the extension sets matches its "when".
// Screenshots: .test-results/screenshots/welcome-*.png
import * as assert from 'node:assert/strict';
import { builtVsix, startE2E, type E2ESession } from '../../tools/vscode-host/driver';

describe('the HealthImaging view\'s welcome content in the workbench', function () {
  this.timeout(180_000);
  let e2e: E2ESession;

  before(async () => {
    // No region anywhere: not in the settings, and the default profile of the emulator's config file has none.
    e2e = await startE2E({ vsix: builtVsix(), machineSettings: { 'healthImaging.region': '', 'healthImaging.profile': '' } });
  });

  after(async () => {
    await e2e?.dispose();
  });

  it('says what is missing (region, then credentials) and lists the data stores once connected', async () => {
    const { page } = e2e;
    await e2e.waitForWorkbench();
    await (await e2e.activityBarItem('HealthImaging')).click();
    const view = page.locator('.part.sidebar');
    const welcome = view.locator('.welcome-view-content');
    const button = (label: string) => welcome.locator('.monaco-button').filter({ hasText: label }).first();
    // The activity bar's hover would cover the view in the screenshots.
    const screenshot = async (name: string) => {
      await page.locator('.part.editor').hover();
      await page.locator('.workbench-hover-container').first().waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => undefined);
      await e2e.screenshot(name);
    };

    await welcome.filter({ hasText: 'No AWS region is set for HealthImaging yet.' }).waitFor({ state: 'visible', timeout: 60_000 });
    await button('Select AWS Region').waitFor({ state: 'visible', timeout: 10_000 });
    assert.doesNotMatch(await welcome.innerText(), /No AWS credentials were found/);
    await screenshot('welcome-1-no-region');

    e2e.setMachineSettings({ 'healthImaging.region': 'us-east-1', 'healthImaging.profile': 'nobody-configured-this' });
    await welcome.filter({ hasText: 'No AWS credentials were found for HealthImaging.' }).waitFor({ state: 'visible', timeout: 60_000 });
    await button('Select AWS Profile').waitFor({ state: 'visible', timeout: 10_000 });
    assert.doesNotMatch(await welcome.innerText(), /No AWS region is set/);
    await screenshot('welcome-2-no-credentials');

    e2e.setMachineSettings({ 'healthImaging.profile': 'healthimaging-emulator' });
    await view.locator('.monaco-list-row[aria-label*="sample-datastore"]').first().waitFor({ state: 'visible', timeout: 60_000 });
    await welcome.first().waitFor({ state: 'hidden', timeout: 10_000 });
    await screenshot('welcome-3-connected');
    assert.deepEqual(e2e.problems, [], 'no page or console errors');
  });
});
