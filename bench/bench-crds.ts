import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { FakeApiServer, JsonObject } from '../test/support/fake-apiserver/index.js';

/** Registers the CRDs in `<root>/crds` through the double's create pipeline, then waits until they are served. */
export async function installOurCrds(fake: FakeApiServer, root: string): Promise<void> {
  const dir = join(root, 'crds');
  for (const file of (await readdir(dir)).filter((name) => name.endsWith('.yaml'))) {
    for (const document of parseAllDocuments(await readFile(join(dir, file), 'utf8'))) {
      const crd = document.toJSON() as JsonObject | null;
      if (crd) fake.objects.create(crd);
    }
  }
  await fake.settle();
}
