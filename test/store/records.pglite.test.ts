import { afterAll, beforeAll } from 'vitest';
import { openPglite, type SqlEngine } from './engines.js';
import { describeRecordsSql } from './records-suite.js';

let db: SqlEngine;
beforeAll(async () => {
  db = await openPglite();
});
afterAll(async () => {
  await db?.close();
});

describeRecordsSql('PGlite', () => db);
