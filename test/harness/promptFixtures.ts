// The fixture programs that draw real-looking prompts (test/fixtures/prompts), copied where the test server's user
// can run them. Returns the directory; remove it when done.
import { chmodSync, copyFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function copyPromptFixtures(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hf-prompts-'));
  chmodSync(dir, 0o755);
  // Tests run from the repository's top (npm test, vitest, playwright).
  const source = join(process.cwd(), 'test', 'fixtures', 'prompts');
  for (const file of readdirSync(source)) {
    copyFileSync(join(source, file), join(dir, file));
    chmodSync(join(dir, file), 0o755);
  }
  return dir;
}
