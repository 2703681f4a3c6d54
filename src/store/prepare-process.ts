/**
 * The child of {@link prepareEmbeddedDatabase}: opens the embedded database of the data
 * directory given as its argument (which unpacks, migrates and seeds it), then exits.
 */
import { createEmbeddedStore } from './embedded.js';

const dataDir = process.argv[2];
if (!dataDir) {
  process.stderr.write('usage: prepare-process.js DATA_DIR\n');
  process.exit(2);
}
try {
  const store = await createEmbeddedStore({ dataDir });
  await store.close();
} catch (error) {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
}
