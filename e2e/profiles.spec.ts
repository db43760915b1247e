// Profiles as a user manages them: edit, duplicate, delete (with a confirmation), and filter by typing.
import { addHost, expect, test } from './fixtures';

test('edits, duplicates, filters and deletes host profiles, and keeps the result across a restart', async ({ page, webHost }) => {
  await page.goto(webHost.url);
  await addHost(page, { name: 'alpha', host: 'alpha.example.invalid', port: 22, user: 'ann' });
  await addHost(page, { name: 'beta', host: 'beta.example.invalid', port: 2200, user: 'bob' });
  const rows = page.getByTestId('host-row');
  await expect(rows).toHaveCount(2);

  // Edit: rename alpha and change its port.
  await rows.filter({ hasText: 'alpha' }).getByRole('button', { name: 'Edit' }).click();
  const form = page.getByTestId('host-form');
  await expect(form.getByLabel('Host', { exact: true })).toHaveValue('alpha.example.invalid');
  await form.getByLabel('Name', { exact: true }).fill('alpha prime');
  await form.getByLabel('Port', { exact: true }).fill('2222');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(rows.filter({ hasText: 'alpha prime' })).toContainText(':2222');

  // Duplicate: a copy with its own name, opened in the editor for changes.
  await rows.filter({ hasText: 'beta' }).getByRole('button', { name: 'Duplicate' }).click();
  await expect(form.getByLabel('Name', { exact: true })).toHaveValue('beta (copy)');
  await expect(form.getByLabel('Port', { exact: true })).toHaveValue('2200');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form).toHaveCount(0);
  await expect(rows).toHaveCount(3);
  await expect(rows.filter({ hasText: 'beta (copy)' })).toBeVisible();

  // Filter by typing: by name, by user.
  await page.getByLabel('Filter').fill('prime');
  await expect(rows).toHaveCount(1);
  await page.getByLabel('Filter').fill('bob');
  await expect(rows).toHaveCount(2);
  await page.getByLabel('Filter').fill('');
  await expect(rows).toHaveCount(3);

  // Delete asks first; Cancel keeps the host, Delete removes it.
  await rows.filter({ hasText: 'beta (copy)' }).getByRole('button', { name: 'Delete' }).click();
  await page.getByTestId('confirm-dialog').getByRole('button', { name: 'Cancel' }).click();
  await expect(rows).toHaveCount(3);
  await rows.filter({ hasText: 'beta (copy)' }).getByRole('button', { name: 'Delete' }).click();
  await page.getByTestId('confirm-dialog').getByRole('button', { name: 'Delete' }).click();
  await expect(rows).toHaveCount(2);

  await page.goto(await webHost.restart());
  await expect(rows).toHaveCount(2);
  await expect(rows.filter({ hasText: 'alpha prime' })).toContainText(':2222');
  await expect(rows.filter({ hasText: 'beta (copy)' })).toHaveCount(0);
});
